"""Trainings' personal data: a member's assessments, certificates, accepted rules, gear sizes
and the team's introduction (photo, contact text); their export and erasure. Registered with
the base's register (`programmes.privacy`) from `TrainingsConfig.ready()`.

A certificate stays on erasure (the team's certified count), without the holder's name."""

from django.utils.translation import gettext_lazy as _

from programmes import privacy as p
from programmes.models import User

from .models import Assessment, Certificate, Gear, RulesAcceptance

NOT_PERSONAL = {
    "trainings.Training": ("kind",),
    "trainings.Certificate": ("title", "code"),
    "trainings.TeamRules": ("text",),
    "trainings.RulesAcceptance": ("text",),
    "trainings.StreetAssignment": ("street",),
    "trainings.Cohort": ("name",),
}

TRAINING = _("Project leader and consultancy")


def _entries():
    return [
        p.PersonalData(
            "trainings.Training",
            p.STAFF,
            ("trainer",),
            _("Who gave the training"),
            p.CONTRACT,
            _("During the programme"),
            TRAINING,
        ),
        p.PersonalData(
            "trainings.Assessment",
            p.MEMBER,
            ("note",),
            _("Whether a member passed the training"),
            p.CONTRACT,
            _("During the membership; emptied with the member"),
            TRAINING,
            label=_("Training assessment"),
            fields_label=_("note"),
        ),
        p.PersonalData(
            "trainings.Certificate",
            p.MEMBER,
            ("holder_name", "trainer", "revoked_reason"),
            _("Proof of the training, checked by its code"),
            p.CONTRACT,
            _("During the programme; the holder's name goes with the member"),
            _("The holder, the project leader, consultancy and the client's staff"),
        ),
        p.PersonalData(
            "trainings.Gear",
            p.MEMBER,
            ("bodywarmer_size", "shirt_size"),
            _("Handing out the team's clothing"),
            p.CONTRACT,
            _("During the membership"),
            TRAINING,
            label=_("Team clothing"),
            fields_label=_("sizes"),
        ),
        p.PersonalData(
            "trainings.TeamIntroduction",
            p.MEMBER,
            ("photo", "contact"),
            _("Introducing the team to the neighbourhood"),
            p.CONSENT,
            _("During the programme"),
            _("Everyone in the neighbourhood"),
            label=_("Team introduction"),
            fields_label=_("team photo, how to reach the team"),
        ),
    ]


def _member_users(person):
    q = User.objects.filter(organisation=person.organisation)
    if person.email and person.name:
        return q.filter(email__iexact=person.email) | q.filter(name__iexact=person.name)
    if person.email:
        return q.filter(email__iexact=person.email)
    return q.filter(name__iexact=person.name)


def training_records_find(person) -> list:
    found = []
    for user in _member_users(person):
        certificates = list(Certificate.objects.filter(user=user).select_related("document"))
        assessments = list(Assessment.objects.filter(user=user).select_related("training"))
        rules = list(RulesAcceptance.objects.filter(user=user))
        gear = list(Gear.objects.filter(user=user))
        if not (certificates or assessments or rules or gear):
            continue
        files = [
            (f"certificaat-{c.code}.pdf", c.document.file)
            for c in certificates
            if c.document_id and c.document.file
        ]
        found.append(
            p.Found(
                source="training",
                obj=user,
                label=_("Training records of %(name)s") % {"name": user.name},
                data={
                    "certificates": [
                        {
                            "title": c.title,
                            "holder": c.holder_name,
                            "issued_on": c.issued_on,
                            "code": c.code,
                        }
                        for c in certificates
                    ],
                    "assessments": [
                        {"training": str(a.training), "passed": a.passed, "note": a.note}
                        for a in assessments
                    ],
                    "rules_accepted": [r.accepted_at for r in rules],
                    "gear": [
                        {"bodywarmer": g.bodywarmer_size, "shirt": g.shirt_size} for g in gear
                    ],
                },
                files=files,
                identifiers=[user.name, *(c.holder_name for c in certificates)],
            )
        )
    return found


def training_records_erase(found) -> None:
    user = found.obj
    Certificate.objects.filter(user=user).update(holder_name=p.ERASED, revoked_reason="")
    Assessment.objects.filter(user=user).update(note="")
    Gear.objects.filter(user=user).update(bodywarmer_size="", shirt_size="")


def register() -> None:
    p.register_personal(*_entries())
    p.register_not_personal(NOT_PERSONAL)
    p.register_person_source(
        p.PersonSource(
            "training",
            _("Training and certificates"),
            p.MEMBER,
            training_records_find,
            training_records_erase,
            40,
        )
    )
