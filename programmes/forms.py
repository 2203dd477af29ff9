"""Forms of the base app: validation and Dutch messages; writes go through services."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .images import reencode_image
from .models import Organisation, User
from .permissions import CONSULTANCY_ROLES, Role
from .selectors import clients_for, organisations_for


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "logo",
            "brand_colour",
            "street_address",
            "postcode",
            "city",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
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
    assigned_clients = forms.ModelMultipleChoiceField(
        label=_("Clients (project leaders only)"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES, initial="nl"
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_for(user=user)
        self.fields["assigned_clients"].queryset = clients_for(user=user)

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
