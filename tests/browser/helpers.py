"""Steps that many browser tests share: logging in through the real login form."""

import re
import time

from ..factories import PASSWORD, TOTP_SECRET


def totp_code(secret: str = TOTP_SECRET, period: int = 30) -> str:
    """The authenticator code of this moment for a TOTP secret.

    allauth accepts only the current period's code (no tolerance), so a code taken in the last
    seconds of a period could expire before the browser submits it on a busy machine: wait for
    the next period instead.
    """
    left = period - time.time() % period
    if left < 5:
        time.sleep(left + 0.1)
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def login(page, base, user, *, totp=False, password=PASSWORD, secret=TOTP_SECRET):
    """Log in through the login page; consultancy staff also give their TOTP code."""
    page.goto(base + "/accounts/login/")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    if totp:
        page.get_by_label("Code").fill(totp_code(secret))
        page.get_by_role("button").filter(
            has_text=re.compile("Bevestig|Inloggen|Aanmelden")
        ).first.click()


# Put a record in the phone's outbox as an older page of the app did (`item.photo == "jpeg"`:
# a small picture as the photo). The app starts and opens (on a new phone: creates) its store
# first; a record added before that found no store and the test waited for ever.
QUEUE_JS = """async (item) => {
  for (let i = 0; !window.BewonersTeamOutbox; i++) {  // the app's deferred script
    if (i > 100) throw new Error("the team app did not start");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await window.BewonersTeamOutbox.all();
  if (item.photo === "jpeg") {
    const canvas = document.createElement("canvas");
    canvas.width = 40; canvas.height = 30;
    canvas.getContext("2d").fillRect(0, 0, 40, 30);
    item.photo = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.8));
  }
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open("bewonersteam", 1);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  await new Promise((resolve, reject) => {
    const t = db.transaction("outbox", "readwrite");
    t.objectStore("outbox").add(item);
    t.oncomplete = () => resolve(true);
    t.onerror = () => reject(t.error);
  });
  db.close();
  return true;
}"""
