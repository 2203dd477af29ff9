"""The audit entry of an export: taking the client's data out of the product is something the
privacy officer wants to find later (who, what, which period, which format)."""

from django.db import transaction

from programmes.audit import audit_log
from programmes.models import AuditEntry, Organisation, User


@transaction.atomic
def export_record(
    *,
    actor: User,
    organisation: Organisation,
    programme=None,
    dataset: str,
    file_format: str,
    filters: dict,
) -> AuditEntry:
    """Log that `actor` exported `dataset` of `organisation` (of `programme`, or of all the
    client's programmes they read) as `file_format` with `filters` (plain values: the period's
    days as ISO dates, a status, a category id)."""
    return audit_log(
        actor=actor,
        organisation=organisation,
        action="data_export.downloaded",
        obj=programme if programme is not None else organisation,
        data={
            "dataset": dataset,
            "format": file_format,
            "programme": programme.pk if programme is not None else None,
            **{k: v for k, v in filters.items() if v not in (None, "")},
        },
    )
