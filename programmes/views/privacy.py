"""The consultancy admin's privacy page: the register of personal data, the retention rules
and their runs, the requests about people's data, and a person's page where everything found
about them is exported as one ZIP or erased (after typing their e-mail address or name)."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from .. import privacy
from ..mixins import ClientMixin, PermissionMixin
from ..pagination import paginate
from ..permissions import Perm, Role
from ..selectors import accounts as account_selectors
from ..selectors import privacy as selectors
from ..selectors.reads import reads_about
from ..services import privacy as services
from .common import query_param


class PersonSearchForm(forms.Form):
    org = forms.ChoiceField(label=gettext_lazy("Organisation"))
    q = forms.CharField(
        label=gettext_lazy("E-mail address or full name"), max_length=200, min_length=3
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.slug, o.name) for o in organisations]


class PrivacyView(PermissionMixin, TemplateView):
    """The register, the retention rules and latest runs, the search for a person and the
    requests (waiting ones first). A post runs the retention rules now."""

    permission = Perm.PRIVACY_MANAGE
    method_permissions = {"POST": Perm.PRIVACY_MANAGE}
    template_name = "programmes/privacy.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        organisations = account_selectors.organisations_for(user=user).filter(
            consultancy__isnull=False
        )
        page = paginate(self.request, selectors.privacy_requests_for(user=user))
        rules = privacy.retention_rules()
        labels = {rule.code: rule.label for rule in rules}
        # A run cut off (worker or database gone) never gets its end: after an hour it is
        # shown as broken off; each rule removes what expired, so the next run catches up.
        cut_off_before = timezone.now() - dt.timedelta(hours=1)
        runs = [
            {
                "run": run,
                "lines": [(labels.get(code, code), n) for code, n in run.counts.items() if n],
                "broken_off": run.finished_at is None and run.started_at < cut_off_before,
                "running": run.finished_at is None and run.started_at >= cut_off_before,
            }
            for run in selectors.retention_runs_latest()
        ]
        return super().get_context_data(
            entries=privacy.register_entries(),
            rules=rules,
            runs=runs,
            page=page,
            form=PersonSearchForm(organisations=organisations),
            **kwargs,
        )

    def post(self, request):
        run = services.retention_run()
        messages.success(
            request,
            _("Retention run done: %(n)s rows removed or anonymised.") % {"n": run.total},
        )
        return redirect("privacy")


class PrivacyPersonView(PermissionMixin, TemplateView):
    """Everything found about one person in one organisation, by source, with Export (a ZIP
    download) and Erase (confirmed by typing the e-mail address or name searched)."""

    permission = Perm.PRIVACY_MANAGE
    method_permissions = {"POST": Perm.PRIVACY_MANAGE}
    template_name = "programmes/privacy_person.html"

    def setup_person(self, data):
        organisations = account_selectors.organisations_for(user=self.request.user).filter(
            consultancy__isnull=False
        )
        form = PersonSearchForm(data, organisations=organisations)
        if not form.is_valid():
            return form, None
        organisation = selectors.get_privacy_organisation_for(
            user=self.request.user, slug=form.cleaned_data["org"]
        )
        return form, organisation

    def get(self, request, *args, **kwargs):
        form, organisation = self.setup_person(
            {"org": query_param(request, "org"), "q": query_param(request, "q", 200)}
        )
        found, reads = [], None
        if organisation is not None:
            subject = form.cleaned_data["q"]
            person = services.person_for(organisation=organisation, subject=subject)
            found = privacy.person_find(person)
            reads = paginate(request, self.reads(organisation, subject, found), per_page=25)
            for entry in reads:
                entry.role_label = Role(entry.reader_role).label if entry.reader_role else ""
        context = self.get_context_data(
            form=form,
            organisation=organisation,
            found=found,
            total=sum(len(i) for _s, i in found),
            reads=reads,
        )
        return self.render_to_response(context)

    MAX_SUBJECTS = 500  # records named one by one; more are found by the e-mail address

    def reads(self, organisation, subject, found):
        """Who was shown this person's data: reads of the records found and of anything
        carrying the e-mail address searched for."""
        records = [item.obj for _source, items in found for item in items]
        records = [r for r in records if getattr(r, "pk", None) is not None][: self.MAX_SUBJECTS]
        return reads_about(
            email=subject if "@" in subject else "", organisation=organisation, subjects=records
        )

    def post(self, request, *args, **kwargs):
        form, organisation = self.setup_person(request.POST)
        if organisation is None:
            messages.error(request, _("Choose an organisation and type an e-mail or name."))
            return redirect("privacy")
        subject = form.cleaned_data["q"]
        back = reverse("privacy_person") + "?" + urlencode({"org": organisation.slug, "q": subject})
        if request.POST.get("action") == "export":
            archive, _count = services.privacy_export(
                actor=request.user, organisation=organisation, subject=subject
            )
            response = HttpResponse(archive, content_type="application/zip")
            name = slugify(subject.replace("@", "-at-"))[:60] or "persoon"
            response["Content-Disposition"] = f'attachment; filename="gegevens-{name}.zip"'
            return response
        if request.POST.get("action") == "erase":
            confirm = request.POST.get("confirm", "").replace("\x00", "")[:200]
            try:
                counts = services.privacy_erase(
                    actor=request.user, organisation=organisation, subject=subject, confirm=confirm
                )
            except ValidationError as error:
                for text in error.messages:
                    messages.error(request, text)
                return redirect(back)
            records = sum(n for code, n in counts.items() if code != "mentions")
            messages.success(
                request,
                _(
                    "Erased: %(records)s records anonymised or deleted, "
                    "%(mentions)s mentions removed."
                )
                % {"records": records, "mentions": counts.get("mentions", 0)},
            )
            return redirect("privacy")
        return redirect(back)


class MyDataView(PermissionMixin, TemplateView):
    """A team member's own data: download it all as one ZIP, or ask for it to be erased (a
    waiting request the consultancy admin handles, who is told at once)."""

    permission = Perm.OWN_RECORDS_VIEW
    method_permissions = {"POST": Perm.OWN_RECORDS_VIEW}
    template_name = "programmes/my_data.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        waiting = selectors.erasure_waiting_for(user=user)
        return super().get_context_data(
            waiting=waiting, organisation=user.organisation, client=user.organisation, **kwargs
        )

    def post(self, request):
        user = request.user
        if request.POST.get("action") == "download":
            archive, _count = services.privacy_export(
                actor=user, organisation=user.organisation, subject=user.email
            )
            response = HttpResponse(archive, content_type="application/zip")
            response["Content-Disposition"] = 'attachment; filename="mijn-gegevens.zip"'
            return response
        if request.POST.get("action") == "erase":
            services.erasure_request_create(
                user=user, organisation=user.organisation, email=user.email
            )
            messages.success(
                request,
                _(
                    "Your request has been sent. The consultancy erases your data and lets "
                    "you know."
                ),
            )
        return redirect("my_data")


class RetentionTermsForm(forms.Form):
    """One number of days per retention rule, within the rule's bounds."""

    def __init__(self, *args, terms: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for rule in privacy.retention_rules():
            self.fields[rule.code] = forms.IntegerField(
                label=rule.label,
                min_value=rule.minimum,
                max_value=rule.maximum,
                initial=rule.days_for(terms),
                help_text=_("Days; %(min)s to %(max)s, standard %(default)s.")
                % {"min": rule.minimum, "max": rule.maximum, "default": rule.default},
            )


class RetentionTermsView(ClientMixin, PermissionMixin, TemplateView):
    """A client's own retention terms, per rule within the product's bounds."""

    permission = Perm.PRIVACY_MANAGE
    method_permissions = {"POST": Perm.PRIVACY_MANAGE}
    template_name = "programmes/retention_terms.html"

    def get(self, request, *args, **kwargs):
        client = self.get_client()
        form = RetentionTermsForm(terms=selectors.retention_terms_of(organisation=client))
        return self.render_to_response(self.get_context_data(client=client, form=form))

    def post(self, request, *args, **kwargs):
        client = self.get_client()
        form = RetentionTermsForm(
            request.POST, terms=selectors.retention_terms_of(organisation=client)
        )
        if form.is_valid():
            try:
                services.retention_terms_set(
                    actor=request.user, organisation=client, terms=form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Retention terms saved."))
                return redirect("retention_terms", org=client.slug)
        return self.render_to_response(self.get_context_data(client=client, form=form))
