"""The export downloads of the client portal: one URL per dataset and format, with the
dashboard's filters in the query string. A small export streams at once; a large one
(`STREAM_MAX_ROWS`) is made in the background, and its page shows the progress, then the
download link, to its requester only."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views import View

from programmes.mixins import ClientMixin, PermissionMixin
from programmes.permissions import Perm
from programmes.views.common import poll_backoff

from ..exports.datasets import DATASETS
from ..exports.filters import FORMATS, ExportFilterForm
from ..exports.formats import (
    CSV_TYPE,
    STREAM_MAX_ROWS,
    XLSX_TYPE,
    csv_response,
    xlsx_response,
)
from ..models.exports import ExportJob
from ..selectors.exports import (
    export_row_count,
    export_scope,
    get_export_job_for,
    is_main_category,
)
from ..services.exports import export_job_request, export_job_retry, export_record


class ExportView(ClientMixin, PermissionMixin, View):
    """A dataset of the client's programmes that the user reads (the portal's scoping: a
    project leader those they lead; another client's programme is a 404) for a period, as a
    streamed CSV or XLSX download; logged in the audit log. Wrong filters get a page that
    says what was wrong (400). Above `STREAM_MAX_ROWS` rows (counted up to the limit on the
    rows' own index) a background export is asked for and the user sees its page."""

    permission = Perm.PORTAL_VIEW
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        dataset, file_format = self.kwargs["dataset"], self.kwargs["fmt"]
        if dataset not in DATASETS or file_format not in FORMATS:
            raise Http404
        client = self.get_client()
        form = ExportFilterForm(request.GET, dataset=dataset)
        if not form.is_valid():
            return self.refuse(form.messages())
        data = form.cleaned_data
        scope = export_scope(
            user=request.user,
            organisation=client,
            programme_pk=data.get("programme"),
            start=data["start"],
            end=data["end"],
        )
        options = {}
        if dataset == "signals":
            options = {"status": data.get("status") or "", "category": data.get("category")}
            category = options["category"]
            if category is not None and not is_main_category(scope=scope, pk=category):
                form.add_error("category", form.fields["category"].error_messages["invalid"])
                return self.refuse(form.messages())
        limit = STREAM_MAX_ROWS[file_format]
        total = export_row_count(scope=scope, dataset=dataset, options=options, cap=limit + 1)
        filters = {"start": scope.start.isoformat(), "end": scope.end.isoformat(), **options}
        if total > limit:
            if scope.programme is not None:
                filters["programme"] = scope.programme.pk
            job, _created = export_job_request(
                actor=request.user,
                organisation=client,
                programme=scope.programme,
                dataset=dataset,
                file_format=file_format,
                filters={k: v for k, v in filters.items() if v not in (None, "")},
                # Counted up to the limit only: the task's progress shows rows written.
                total=total,
            )
            return redirect("reporting:export_job", org=client.slug, job_pk=job.pk)
        export = DATASETS[dataset](scope=scope, **options)
        export_record(
            actor=request.user,
            organisation=client,
            programme=scope.programme,
            dataset=dataset,
            file_format=file_format,
            filters={
                "start": scope.start.isoformat(),
                "end": scope.end.isoformat(),
                **options,
            },
        )
        if file_format == "csv":
            return csv_response(export)
        return xlsx_response(export)

    def refuse(self, messages: list[str]):
        return render(
            self.request,
            "reporting/export_refused.html",
            {"client": self.get_client(), "problems": messages},
            status=400,
        )


class ExportJobView(ClientMixin, PermissionMixin, View):
    """The page of a background export: "being made" with its progress (polled), then the
    download link; failed with "try again". Its requester's only: anyone else's is a 404."""

    permission = Perm.PORTAL_VIEW
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        client = self.get_client()
        job = get_export_job_for(user=request.user, organisation=client, pk=kwargs["job_pk"])
        return render(
            request, "reporting/export_job.html", {"client": client, "job": job, "delay": 1}
        )


class ExportJobStatusView(ClientMixin, PermissionMixin, View):
    """The state of a background export as a fragment that htmx polls, backing off like the
    other progress boxes (1, 2, 4 ... 30 seconds); a finished job stops asking."""

    permission = Perm.PORTAL_VIEW
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        client = self.get_client()
        job = get_export_job_for(user=request.user, organisation=client, pk=kwargs["job_pk"])
        return render(
            request,
            "reporting/export_job_status.html",
            {"client": client, "job": job, **poll_backoff(request)},
        )


class ExportJobDownloadView(ClientMixin, PermissionMixin, View):
    """The file of a ready background export, for its requester; anything else is a 404
    (not theirs, not ready, expired)."""

    permission = Perm.PORTAL_VIEW
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        client = self.get_client()
        job = get_export_job_for(user=request.user, organisation=client, pk=kwargs["job_pk"])
        if job.status != ExportJob.Status.READY or not job.file:
            raise Http404
        try:
            handle = default_storage.open(job.file.name, "rb")
        except FileNotFoundError as error:
            raise Http404 from error
        return FileResponse(
            handle,
            as_attachment=True,
            filename=job.download_name,
            content_type=XLSX_TYPE if job.file_format == "xlsx" else CSV_TYPE,
        )


class ExportJobRetryView(ClientMixin, PermissionMixin, View):
    """ "Try again" for a failed background export of the requester."""

    permission = Perm.PORTAL_VIEW
    # Asking for the same export again: what the portal's reader may do (it was theirs).
    method_permissions = {"POST": Perm.PORTAL_VIEW}
    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs):
        client = self.get_client()
        job = get_export_job_for(user=request.user, organisation=client, pk=kwargs["job_pk"])
        export_job_retry(actor=request.user, job=job)
        return redirect("reporting:export_job", org=client.slug, job_pk=job.pk)
