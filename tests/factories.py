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
