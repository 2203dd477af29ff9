"""factory_boy factories for the base models."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt

from programmes.models import Organisation, User
from programmes.permissions import Role

PASSWORD = "a-Strong-test-password-1"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


class ConsultancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Adviesbureau {n}")
    slug = factory.Sequence(lambda n: f"bureau-{n}")
    kind = Organisation.Kind.CONSULTANCY


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Gemeente {n}")
    slug = factory.Sequence(lambda n: f"gemeente-{n}")
    kind = Organisation.Kind.MUNICIPALITY
    consultancy = factory.SubFactory(ConsultancyFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Sequence(lambda n: f"Gebruiker {n}")
    role = Role.CLIENT_STAFF
    organisation = factory.SubFactory(ClientFactory)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def email_address(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def totp(obj, create, extracted, **kwargs):
        """Consultancy staff get TOTP by default (they cannot work without it)."""
        wanted = obj.is_consultancy_staff if extracted is None else extracted
        if create and wanted:
            Authenticator.objects.create(
                user=obj, type=Authenticator.Type.TOTP, data={"secret": encrypt(TOTP_SECRET)}
            )


def meeting_soon(programme, *, title="Informatieavond", days=3):
    """An information meeting of `programme` in `days` days, two hours long."""
    import datetime as dt

    from django.utils import timezone

    from programmes.models import Meeting

    start = timezone.now() + dt.timedelta(days=days)
    return Meeting.objects.create(
        organisation=programme.organisation,
        programme=programme,
        kind="information",
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        location="Buurthuis",
    )


def add_invitees(meeting, n, *, start=0, status=None):
    """`n` more invitees of `meeting` ("Genodigde 000" on), made directly: each `status`, or
    mixed: every third coming with a guest, every fifth of the others on the waiting list."""
    import datetime as dt

    from django.utils import timezone

    from programmes.models import Invitee

    now = timezone.now()

    def status_of(i):
        return status or ("accepted" if i % 3 == 0 else "waitlisted" if i % 5 == 0 else "invited")

    Invitee.objects.bulk_create(
        Invitee(
            organisation=meeting.organisation,
            meeting=meeting,
            name=f"Genodigde {i:03d}",
            email=f"genodigde{i}@example.org",
            token_hash=f"{meeting.pk}-{i}",
            status=status_of(i),
            guests=1 if status is None and i % 3 == 0 else 0,
            waitlisted_at=now + dt.timedelta(minutes=i) if status_of(i) == "waitlisted" else None,
        )
        for i in range(start, start + n)
    )
