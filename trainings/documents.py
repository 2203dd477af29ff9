"""The certificate PDF (A4 landscape) and its delivery by e-mail once it is made."""

from django.conf import settings
from django.urls import reverse

from programmes.mail import mail_queue
from programmes.models import Document
from programmes.pdf import media_file_url
from programmes.qr import qr_data_uri
from programmes.services.documents import register_builder


def verify_url(certificate) -> str:
    return settings.SITE_URL + reverse(
        "certificate_verify",
        kwargs={"org": certificate.organisation.slug, "code": certificate.code},
    )


def _mail_certificate(document: Document) -> None:
    from .models import Certificate

    certificate = Certificate.objects.select_related("user").get(pk=int(document.ref))
    user = certificate.user
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


@register_builder(Document.Kind.CERTIFICATE, needs_ref=True, on_ready=_mail_certificate)
def certificate_pdf(document: Document):
    from .models import Certificate

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
