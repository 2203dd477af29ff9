"""The certificate PDF (A4 landscape) and its delivery by e-mail once it is made."""

from django.utils.translation import gettext as _

from programmes.links import reverse_absolute
from programmes.mail import mail_queue
from programmes.models import Document
from programmes.pdf import media_file_url
from programmes.qr import qr_data_uri
from programmes.selectors import roster

from .models import Certificate, TeamIntroduction

# The document kinds this app owns (`Document.kind`), registered in `TrainingsConfig.ready()`.
CERTIFICATE = "certificate"
INTRODUCTION_FLYER = "introduction_flyer"
INTRODUCTION_POSTER = "introduction_poster"


def verify_url(certificate) -> str:
    return reverse_absolute(
        "trainings:certificate_verify",
        kwargs={"org": certificate.organisation.slug, "code": certificate.code},
    )


def mail_certificate(document: Document) -> None:
    """Once the certificate's PDF is made, mail it to its holder."""
    certificate = Certificate.objects.select_related("user").get(pk=int(document.ref))
    user = certificate.user
    if user is None:  # the holder's account was deleted: the certificate stays, unmailed
        return
    mail_queue(
        organisation=certificate.organisation,
        programme=certificate.programme,
        to=user.email,
        to_name=user.name,
        language=user.language,
        template="trainings/certificate",
        context={"certificate": certificate, "verify_url": verify_url(certificate)},
        attachment=document,
    )


def certificate_pdf(document: Document):
    """The certificate (A4 landscape) with the QR code of its public check."""
    certificate = Certificate.objects.select_related("programme", "organisation").get(
        pk=int(document.ref)
    )
    client = certificate.organisation
    url = verify_url(certificate)
    context = {
        "certificate": certificate,
        "client": client,
        "consultancy": client.consultancy,
        "brand": client.brand_colour,
        "logo_url": media_file_url(client.logo),
        "consultancy_logo_url": media_file_url(client.consultancy.logo),
        "verify_url": url,
        "qr": qr_data_uri(url),
    }
    return "pdf/certificate.html", context, "nl"


def _introduction_context(document: Document) -> dict:
    programme = document.programme
    client = programme.organisation
    intro = TeamIntroduction.objects.filter(programme=programme).first()
    names = [m.user.first_name for m in roster(programme=programme)]
    return {
        "programme": programme,
        "client": client,
        "brand": client.brand_colour,
        "logo_url": media_file_url(client.logo),
        "photo_url": media_file_url(intro.photo) if intro else "",
        "headline": _("Meet your BewonersTeam!"),
        "names": names,
        "body": _(
            "These neighbours look after %(hood)s together: they walk rounds, signal what is "
            "wrong and are there for a chat. Recognise them by their bodywarmer."
        )
        % {"hood": programme.neighbourhood},
        "footer_title": _("Reach the team"),
        "footer_text": intro.contact if intro else "",
        "qr": "",
    }


def introduction_flyer(document: Document):
    """The A5 flyer that introduces the team to the neighbourhood."""
    return "pdf/flyer_a5.html", _introduction_context(document), "nl"


def introduction_poster(document: Document):
    """The A3 poster that introduces the team."""
    return "pdf/poster_a3.html", _introduction_context(document), "nl"
