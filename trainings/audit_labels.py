"""Labels of the trainings app's audit actions, as the audit log shows them."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "assessment.recorded": _("Assessment recorded"),
    "certificate.issued": _("Certificate issued"),
    "certificate.revoked": _("Certificate revoked"),
    "certificate.revoke_undone": _("Revocation of a certificate undone"),
    "gear.handed_out": _("Gear handed out"),
    "gear.sizes_chosen": _("Gear sizes chosen"),
    "introduction.saved": _("Introduction in the neighbourhood saved"),
    "rules.saved": _("Team rules saved"),
    "rules.accepted": _("Team rules accepted"),
    "streets.saved": _("Streets divided"),
    "streets.divided": _("New streets divided"),
    "street.delivered": _("Flyer delivered in a street"),
    "street.undelivered": _("Flyer delivery in a street taken back"),
    "training_track.created": _("Training track planned"),
    "cohort.created": _("Newcomers' cohort planned with its own track"),
}
