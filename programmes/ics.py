"""Calendar files (iCalendar, RFC 5545) for meeting invitations.

One VEVENT per meeting, its moments in UTC (a series' 19:30 in Amsterdam is 18:30Z in winter
and 17:30Z in summer, each meeting exactly as planned), a UID that stays the meeting's so a
calendar updates the event instead of adding a second one. The file is stored under a name
made from its content: everyone invited to the same meetings at once shares one file, and the
outbox attaches it from storage like any other file (`services.meetings.meetings_ics_file`).
"""

import hashlib
from datetime import UTC

from django.utils import timezone

from .links import site_url

ICS_TYPE = "text/calendar"
ICS_DIR = "meetings/ics"


def _escape(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped (RFC 5545 3.3.11)."""
    value = str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> str:
    """A content line folded at 75 octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _moment(value) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _host() -> str:
    return site_url().split("://", 1)[-1].split("/", 1)[0] or "localhost"


def meetings_ics(meetings, *, name: str = "") -> bytes:
    """The calendar of `meetings` (one event each) as bytes."""
    now = _moment(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//BewonersTeam//Meetings//NL",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    if name:
        lines.append(f"X-WR-CALNAME:{_escape(name)}")
    for meeting in meetings:
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@{_host()}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_moment(meeting.starts_at)}",
            f"DTEND:{_moment(meeting.ends_at)}",
            f"SUMMARY:{_escape(meeting.title)}",
            f"LOCATION:{_escape(meeting.location)}",
        ]
        if meeting.description:
            lines.append(f"DESCRIPTION:{_escape(meeting.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")


def ics_key(meetings) -> str:
    """A name for the calendar of `meetings` made from its events alone (not the moment it
    was made), so the same meetings give the same file."""
    key = "|".join(
        f"{m.pk}:{_moment(m.starts_at)}:{_moment(m.ends_at)}:{m.title}:{m.location}:{m.description}"
        for m in meetings
    )
    return f"{ICS_DIR}/{hashlib.sha256(key.encode('utf-8')).hexdigest()[:40]}.ics"
