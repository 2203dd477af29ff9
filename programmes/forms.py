"""Forms of the base app: validation and Dutch messages; writes go through services."""

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import BoundedDatesMixin, BoundedModelMultipleChoiceField
from .images import reencode_image
from .models import (
    Goal,
    Meeting,
    Milestone,
    Organisation,
    Partner,
    Programme,
    TemplateMilestone,
    User,
)
from .permissions import CONSULTANCY_ROLES, Role
from .selectors import clients_for, organisations_for
from .services.accounts import ORGANISATION_FIELDS


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = list(ORGANISATION_FIELDS)
        widgets = {"brand_colour": forms.TextInput(attrs={"type": "color"})}
        help_texts = {
            "logo": _("PNG, JPEG or WebP, at most 2 MB. Shown on public pages, mails and PDFs."),
            "brand_colour": _(
                "Used for buttons and headings in this client's pages and documents."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            c for c in Organisation.Kind.choices if c[0] != Organisation.Kind.CONSULTANCY
        ]
        self.fields["logo"].widget = forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/webp"}
        )

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo is False:  # "clear" ticked: no logo (the service stores names, not False)
            return ""
        if logo and hasattr(logo, "content_type"):  # a new upload, not the stored file
            return reencode_image(logo, max_bytes=settings.LOGO_MAX_BYTES, max_side=800)
        return logo

    def clean_postcode(self):
        value = self.cleaned_data.get("postcode", "").strip().upper().replace(" ", "")
        if value and not (len(value) == 6 and value[:4].isdigit() and value[4:].isalpha()):
            raise forms.ValidationError(_("Enter a Dutch postcode such as 1234 AB."))
        return f"{value[:4]} {value[4:]}" if value else ""


class InvitationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    assigned_clients = BoundedModelMultipleChoiceField(
        label=_("Clients (project leaders only)"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    programme = forms.ModelChoiceField(
        label=_("Programme (team members only)"),
        queryset=Programme.objects.none(),
        required=False,
        help_text=_("The team this person joins."),
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES, initial="nl"
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_for(user=user)
        self.fields["assigned_clients"].queryset = clients_for(user=user)
        self.fields["programme"].queryset = Programme.objects.filter(
            organisation__in=clients_for(user=user)
        ).select_related("organisation")
        self.fields["programme"].label_from_instance = lambda p: f"{p.organisation} · {p}"

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("There is already an account with this e-mail address."))
        return email

    def clean(self):
        data = super().clean()
        role, org = data.get("role"), data.get("organisation")
        if role and org:
            if role in CONSULTANCY_ROLES and not org.is_consultancy:
                self.add_error(
                    "organisation", _("Consultancy staff belong to the consultancy itself.")
                )
            elif role not in CONSULTANCY_ROLES and org.is_consultancy:
                self.add_error(
                    "organisation",
                    _("Client staff and team members belong to a client organisation."),
                )
        if role != Role.PROJECT_LEADER:
            data["assigned_clients"] = []
        programme = data.get("programme")
        if role == Role.TEAM_MEMBER:
            if programme is None:
                self.add_error("programme", _("Choose the programme whose team this person joins."))
            elif org and programme.organisation_id != org.pk:
                self.add_error("programme", _("This programme belongs to another organisation."))
        else:
            data["programme"] = None
        return data


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation, **kwargs):
        self.invitation = invitation
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif p1:
            probe = User(email=self.invitation.email, name=data.get("name", ""))
            try:
                password_validation.validate_password(p1, user=probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


# --- Programmes ---------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ProgrammeForm(BoundedDatesMixin, forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "name",
            "neighbourhood",
            "municipality",
            "postcode_areas",
            "start_date",
            "project_leaders",
            "client_contacts",
        ]
        field_classes = {
            "project_leaders": BoundedModelMultipleChoiceField,
            "client_contacts": BoundedModelMultipleChoiceField,
        }
        widgets = {
            "start_date": DateInput(),
            "project_leaders": forms.CheckboxSelectMultiple,
            "client_contacts": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, client: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project_leaders"].queryset = User.objects.filter(
            organisation_id=client.consultancy_id, role__in=CONSULTANCY_ROLES, is_active=True
        )
        self.fields["client_contacts"].queryset = User.objects.filter(
            organisation=client, role=Role.CLIENT_STAFF, is_active=True
        )
        self.fields["client_contacts"].required = False


class IntakeForm(forms.Form):
    vision = forms.CharField(
        label=_("The client's vision"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Why does the client want a BewonersTeam in this neighbourhood?"),
    )
    starting_points = forms.CharField(
        label=_("Starting points"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("The agreements the team works within (uitgangspunten)."),
    )
    # Posted by the "Complete the intake" button, not a checkbox: completing needs no retyping.
    complete = forms.BooleanField(label=_("The intake is complete"), required=False)


class _IntakeRowForm(forms.ModelForm):
    """A goal or partner row of the intake; `id` names the saved row it edits, so saving the
    page unchanged updates every row in place instead of dropping the unchanged ones."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class GoalForm(_IntakeRowForm):
    class Meta:
        model = Goal
        fields = ["description", "measure"]


class PartnerForm(_IntakeRowForm):
    class Meta:
        model = Partner
        fields = ["name", "partner_organisation", "role", "email", "phone"]


GoalFormSet = forms.formset_factory(GoalForm, extra=2, can_delete=True)
PartnerFormSet = forms.formset_factory(PartnerForm, extra=2, can_delete=True)


class MilestoneForm(BoundedDatesMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["phase", "title", "due_date", "owner"]
        widgets = {"due_date": DateInput()}

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        client = programme.organisation
        self.fields["owner"].queryset = User.objects.filter(
            Q(organisation=client, role=Role.CLIENT_STAFF)
            | Q(organisation_id=client.consultancy_id, role__in=CONSULTANCY_ROLES),
            is_active=True,
        )
        self.fields["owner"].required = False


class TemplateMilestoneForm(forms.ModelForm):
    class Meta:
        model = TemplateMilestone
        fields = ["phase", "title", "offset_days", "key"]
        widgets = {
            "key": forms.HiddenInput,
            "phase": forms.Select(attrs={"class": "form-select"}),
            "title": forms.TextInput(attrs={"class": "form-control"}),
            "offset_days": forms.NumberInput(attrs={"class": "form-control", "min": 0, "max": 365}),
        }

    def clean_offset_days(self):
        days = self.cleaned_data["offset_days"]
        if days > 365:
            raise forms.ValidationError(_("Plan within a year of the start."))
        return days


TemplateMilestoneFormSet = forms.formset_factory(TemplateMilestoneForm, extra=3, can_delete=True)
TemplateMilestoneFormSet.deletion_widget = forms.CheckboxInput(attrs={"class": "form-check-input"})


class PastDateConfirmMixin(BoundedDatesMixin):
    """Warn when a date or moment entered lies in the past and ask to confirm it.

    A past date may be right (a meeting recorded afterwards), so it is not refused: the form
    shows a clear warning and a "Yes, this date lies in the past" checkbox, and is valid once
    that is ticked. Only values that changed are checked, so editing another field of an old
    meeting asks nothing. Name the fields in `past_date_fields`; `past_date_message` may be
    overridden per form (e.g. for trainings).
    """

    past_date_fields: tuple[str, ...] = ()
    past_date_is_training = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_past_confirmation = False
        # A hidden field until there is something to confirm, so `{{ form|crispy }}` works.
        self.fields["confirm_past"] = forms.BooleanField(
            label=_("Yes, this date lies in the past"),
            required=False,
            widget=forms.CheckboxInput if self.show_confirm_past else forms.HiddenInput,
        )

    @property
    def show_confirm_past(self) -> bool:
        posted = self.data.get(self.add_prefix("confirm_past"), "")
        return self.needs_past_confirmation or posted not in ("", "False", "false", "0")

    def past_date_message(self, data) -> str:
        if self.past_date_is_training:
            return _(
                "This training starts in the past: whoever you invite gets a date that has "
                "already gone. Are you recording a training afterwards? Then tick “Yes, this "
                "date lies in the past” below."
            )
        return _(
            "This date lies in the past. Are you recording something that already happened? "
            "Then tick “Yes, this date lies in the past” below."
        )

    def _unchanged(self, name: str, value) -> bool:
        """Whether `value` is what the form started with; a moment shown to the minute counts
        as unchanged when it is within that minute of the stored one."""
        initial = self.get_initial_for_field(self.fields[name], name)
        if initial is None or initial == "":
            return False
        if isinstance(value, datetime.datetime) and isinstance(initial, datetime.datetime):
            return abs((value - initial).total_seconds()) < 60
        return value == initial

    def clean(self):
        data = super().clean()
        now = timezone.now()
        past = []
        for name in self.past_date_fields:
            value = data.get(name)
            if value is None or self._unchanged(name, value):
                continue
            if isinstance(value, datetime.datetime):
                is_past = value < now
            else:
                is_past = value < timezone.localdate()
            if is_past:
                past.append(name)
        if past and not data.get("confirm_past"):
            self.needs_past_confirmation = True
            self.fields["confirm_past"].widget = forms.CheckboxInput()
            message = self.past_date_message(data)
            for name in past:
                self.add_error(name, message)
        return data


class MeetingForm(PastDateConfirmMixin, forms.ModelForm):
    past_date_fields = ("starts_at",)
    TRAINING_KINDS = (Meeting.Kind.INTRODUCTION, Meeting.Kind.WORKSHOP, Meeting.Kind.INSTRUCTION)

    class Meta:
        model = Meeting
        fields = ["kind", "title", "starts_at", "ends_at", "location", "capacity", "description"]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        self.past_date_is_training = self.data.get(self.add_prefix("kind")) in self.TRAINING_KINDS
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        return data


class InviteeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, initial="nl", required=False
    )


class MeetingReplyForm(forms.Form):
    attending = forms.TypedChoiceField(
        label=_("Are you coming?"),
        choices=[("yes", _("Yes, I am coming")), ("no", _("No, I cannot come"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    guests = forms.IntegerField(
        label=_("How many people do you bring along?"),
        min_value=0,
        max_value=10,
        initial=0,
        required=False,
        help_text=_("Not counting yourself."),
    )

    def clean_guests(self):
        return self.cleaned_data.get("guests") or 0


class InviteManyForm(forms.Form):
    """Many people at once, one a line: "Name <e-mail>", "Name, e-mail" or the address alone
    (then the part before the @ is the name). Every line must hold one valid address."""

    MAX_LINES = 5000  # what one bulk job takes (programmes.services.bulk.MAX_ITEMS)
    prefix = "many"  # beside the form for one person on the same page: fields of its own

    people = forms.CharField(
        label=_("People, one a line"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=500_000,
        help_text=_("“Name <e-mail>”, “Name, e-mail” or only the e-mail address."),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, initial="nl", required=False
    )

    def clean_people(self):
        lines = [line.strip() for line in self.cleaned_data["people"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > self.MAX_LINES:
            raise forms.ValidationError(_("At most %(n)s people at once.") % {"n": self.MAX_LINES})
        rows, bad = [], []
        for number, line in enumerate(lines, start=1):
            parsed = _name_and_email(line)
            if parsed is None:
                bad.append(str(number))
            else:
                rows.append(parsed)
        if bad:
            raise forms.ValidationError(
                _("No valid e-mail address on line %(lines)s.")
                % {"lines": ", ".join(bad[:10]) + (" …" if len(bad) > 10 else "")}
            )
        return rows


def _name_and_email(line: str) -> tuple[str, str] | None:
    """(name, e-mail) from one line of `InviteManyForm`, or None when it holds no valid
    address."""
    if line.endswith(">") and "<" in line:
        name, _sep, email = line[:-1].rpartition("<")
    else:
        name, _sep, email = line.replace(";", ",").rpartition(",")
    name, email = name.strip().strip('"').strip(), email.strip()
    try:
        validate_email(email)
    except ValidationError:
        return None
    name = name or email.split("@")[0]
    if len(name) > 200 or len(email) > 254:
        return None
    return name, email
