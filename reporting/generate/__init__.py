"""A realistic large data set, made fast: for benchmarks and for trying the product at size.

The `generate_data` command spreads every list over several clients and programmes; the
benchmarks call the same builders to put an exact number of rows on one page. Rows are made
with `bulk_create` in batches (and, for the very large signal set on PostgreSQL, with COPY),
not through the services: a service writes one row with its audit entry and mail, which is
right for the product and a thousand times too slow for a million rows. What the services
would have made around a row (audit entries, outbox mails) is generated as its own list.

Every row carries the organisation of its programme, so tenants stay apart exactly as the
product keeps them. Callers run the builders inside `scopes_disabled()` (the command says why).
"""

from dataclasses import dataclass

from .base import PASSWORD, TOTP_SECRET, GeneratorBase, Tenant, copy_rows
from .mail import MailRows
from .patrols import PatrolRows
from .recruitment import RecruitmentRows

__all__ = ["PASSWORD", "TOTP_SECRET", "Generator", "Tenant", "copy_rows"]


@dataclass
class Generator(RecruitmentRows, PatrolRows, MailRows, GeneratorBase):
    """Builds the data set; each method makes one kind of rows in bulk and returns them (or
    their count, for the very large lists). The rows of each app come from its own module."""
