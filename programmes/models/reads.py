"""The read log: who looked at a person's data, when, and what.

The audit log records changes; this records looks. An applicant's details, a survey
respondent's contact details, a team member's details and a signal's photo are personal data
a consultancy answers for (AVG art. 5(2), accountability): when a resident asks "who saw my
application?", the consultancy admin reads the answer here, per person
(`programmes.selectors.reads.reads_about`).

A row is written per person shown per page view (`programmes.services.reads.record_read`),
never per field or per repaint: a list of 50 applicants makes 50 rows. Rows are kept
READS_KEEP (`reads_delete_expired`, a periodic job), long enough to answer a request about
the past year and a bit.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .tenant import TenantModel


class ReadEntry(TenantModel):
    """One person's data shown to one user once: append-only."""

    # Redeclared to keep the log: an organisation with reads cannot be deleted (PROTECT).
    organisation = models.ForeignKey(
        "programmes.Organisation", on_delete=models.PROTECT, related_name="+"
    )

    class What(models.TextChoices):
        APPLICATION = "application", _("application (name, address, contact details)")
        CANDIDATE = "candidate", _("candidate as shared with the client")
        RESPONDENT = "respondent", _("survey answers with contact details")
        MEMBER = "member", _("team member's details")
        PHOTO = "photo", _("photo of a signal")

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Who read, as a name and role: the entry keeps saying so after the account is gone.
    reader_name = models.CharField(max_length=200, blank=True)
    reader_role = models.CharField(max_length=30, blank=True)
    what = models.CharField(max_length=20, choices=What.choices)
    # The person (or the record about them) that was shown: a model label and its id.
    subject_type = models.CharField(max_length=100)
    subject_id = models.CharField(max_length=64)
    # The person's e-mail address in lower case where the record has one: the key a person
    # page finds every record of one resident by (an applicant, a respondent, a member).
    subject_email = models.CharField(max_length=254, blank=True)
    # The page the look happened on (its path, no query string: a search may hold a name).
    where = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("read log entry", "read")
        verbose_name_plural = _("read log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(
                fields=["organisation", "subject_type", "subject_id", "-at"],
                name="read_by_subject",
            ),
            models.Index(fields=["organisation", "subject_email", "-at"], name="read_by_email"),
            models.Index(fields=["at"], name="read_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.what} {self.subject_type}:{self.subject_id}"
