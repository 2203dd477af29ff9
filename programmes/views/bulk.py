"""The state of a bulk job (invitations going out): a fragment with a progress bar that htmx
polls, backing off like the document status (1, 2, 4 ... 30 seconds), or JSON for a script."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views import View

from ..mixins import ProgrammeMixin
from ..permissions import Perm
from ..selectors.bulk import get_bulk_job_for
from .common import poll_backoff


class BulkJobStatusView(ProgrammeMixin, View):
    """How far a bulk job of the programme got; another programme's or tenant's job is a 404."""

    permission = Perm.PROGRAMME_MANAGE

    def get(self, request, *args, **kwargs):
        programme = self.get_programme()
        job = get_bulk_job_for(programme=programme, pk=kwargs["job_pk"])
        if request.GET.get("format") == "json":
            return JsonResponse(
                {
                    "status": job.status,
                    "total": job.total,
                    "done": job.done,
                    "failed": job.failed,
                    "percent": job.percent,
                    "text": job.progress_text,
                    "error": job.error,
                }
            )
        return render(
            request,
            "programmes/includes/bulk_job_status.html",
            {
                "job": job,
                "programme": programme,
                **poll_backoff(request),
            },
        )
