"""Reviewing a signal's photo before the client sees it: blur parts of it or release it as it
is (`patrols.services.photo_review`). The project leader (and the consultancy admin) does it
from the signal's page in the portal. The page draws rectangles on the photo in the browser
(static/js/photo-blur.js) and posts them as fractions of the image; the server blurs."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from programmes.mixins import ClientMixin, PermissionMixin
from programmes.permissions import Perm

from . import selectors
from .services import photo_review

# The posted rectangles: a JSON list of at most MAX_REGIONS lists of four numbers.
MAX_REGIONS_BYTES = 4096


def _regions(request):
    raw = request.POST.get("regions", "")
    if len(raw) > MAX_REGIONS_BYTES:
        raise ValidationError(_("The rectangles could not be read."), code="bad_region")
    try:
        return json.loads(raw or "[]")
    except ValueError:
        raise ValidationError(_("The rectangles could not be read."), code="bad_region") from None


class _ReviewMixin:
    template_name = "patrols/photo_review.html"

    def get_signal(self):
        raise NotImplementedError

    def urls(self, signal, photo) -> dict:
        raise NotImplementedError

    def get_photo(self, signal):
        return selectors.get_signal_photo(signal=signal, pk=self.kwargs["photo_pk"])

    def get_context_data(self, **kwargs):
        signal = self.get_signal()
        photo = self.get_photo(signal)
        return super().get_context_data(
            signal=signal,
            photo=photo,
            max_regions=photo_review.MAX_REGIONS,
            **self.urls(signal, photo),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        signal = self.get_signal()
        photo = self.get_photo(signal)
        try:
            if "clear" in request.POST:
                photo_review.signal_photo_clear(actor=request.user, photo=photo)
                messages.success(request, _("The photo is shown to the client as it is."))
            else:
                photo_review.signal_photo_blur(
                    actor=request.user, photo=photo, regions=_regions(request)
                )
                messages.success(
                    request,
                    _("The marked parts were blurred; only the blurred photo is kept."),
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(request.path)


class PortalPhotoReviewView(_ReviewMixin, ClientMixin, PermissionMixin, TemplateView):
    """The consultancy reviews a photo of a client's signal (the client's staff cannot)."""

    permission = Perm.PROGRAMME_MANAGE
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def get_signal(self):
        return selectors.get_signal_for_client(
            user=self.request.user, organisation=self.get_client(), pk=self.kwargs["signal_pk"]
        )

    def urls(self, signal, photo) -> dict:
        org = self.kwargs["org"]
        return {
            "client": self.get_client(),
            "image_url": reverse(
                "patrols:portal_signal_photo",
                kwargs={"org": org, "signal_pk": signal.pk, "photo_pk": photo.pk},
            ),
            "back_url": reverse(
                "patrols:portal_signal", kwargs={"org": org, "signal_pk": signal.pk}
            ),
        }
