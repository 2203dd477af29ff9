"""The export downloads of the client portal: one URL per dataset and format, with the
dashboard's filters in the query string."""

from django.http import Http404
from django.shortcuts import render
from django.views import View

from programmes.mixins import ClientMixin, PermissionMixin
from programmes.permissions import Perm

from ..exports.datasets import DATASETS
from ..exports.filters import FORMATS, ExportFilterForm
from ..exports.formats import csv_response, xlsx_response
from ..selectors.exports import export_scope, is_main_category
from ..services.exports import export_record


class ExportView(ClientMixin, PermissionMixin, View):
    """A dataset of the client's programmes that the user reads (the portal's scoping: a
    project leader those they lead; another client's programme is a 404) for a period, as a
    streamed CSV or XLSX download; logged in the audit log. Wrong filters get a page that
    says what was wrong (400)."""

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
