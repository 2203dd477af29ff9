"""Recruitment material in the client's style: a flyer (A5) and a poster (A3) with a QR code
that leads to the programme's application page. Rendered by the base app's document pipeline."""

from django.utils.translation import gettext as _

from programmes.links import reverse_absolute
from programmes.models import Document
from programmes.pdf import media_file_url
from programmes.qr import qr_data_uri

from .models import Survey
from .services import campaign_for

# The document kinds this app owns (`Document.kind`), registered in `RecruitmentConfig.ready()`.
RECRUITMENT_FLYER = "recruitment_flyer"
RECRUITMENT_POSTER = "recruitment_poster"
SURVEY_REPORT = "survey_report"


def _material_context(document: Document) -> dict:
    programme = document.programme
    client = programme.organisation
    campaign = campaign_for(programme=programme)
    url = reverse_absolute(
        "recruitment:apply", kwargs={"org": client.slug, "programme_pk": programme.pk}
    )
    return {
        "programme": programme,
        "client": client,
        "campaign": campaign,
        "brand": client.brand_colour,
        "logo_url": media_file_url(client.logo),
        "photo_url": media_file_url(campaign.photo),
        "apply_url": url,
        "qr": qr_data_uri(url),
        "headline": campaign.headline,
        "body": campaign.material_text,
        "footer_title": _("Sign up"),
        "footer_text": _("Scan the code or go to") + "\n" + url,
    }


def recruitment_flyer(document: Document):
    """The A5 flyer that asks neighbours to sign up."""
    return "pdf/flyer_a5.html", _material_context(document), "nl"


def recruitment_poster(document: Document):
    """The A3 poster with the same call and QR code."""
    return "pdf/poster_a3.html", _material_context(document), "nl"


def survey_report(document: Document):
    """The survey's results with the project leader's conclusions, in the client's style; a
    follow-up's report compares it with its baseline first."""
    from .selectors import (  # noqa: PLC0415 - the selectors import this module
        survey_comparison,
        survey_counts,
    )

    programme = document.programme
    survey = Survey.objects.get(programme=programme, pk=int(document.ref))
    client = programme.organisation
    context = {
        "programme": programme,
        "client": client,
        "consultancy": client.consultancy,
        "survey": survey,
        "results": survey_counts(survey=survey),
        # A follow-up also shows the change since its baseline, question by question.
        "comparison": survey_comparison(survey=survey),
        "brand": client.brand_colour,
        "logo_url": media_file_url(client.logo),
    }
    return (
        "pdf/survey_report.html",
        context,
        getattr(document.requested_by, "language", "nl") or "nl",
    )
