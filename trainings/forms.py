"""The forms of the track page, one per thing a project leader does there. Each cuts its text
to the length the page allows; ids stay plain numbers, looked up through the selectors."""

from django import forms
from django.utils.translation import gettext_lazy

from programmes.fields import BoundedModelMultipleChoiceField
from programmes.forms import PastDateConfirmMixin


class TrackForm(PastDateConfirmMixin, forms.Form):
    """Plan the three meetings of the track."""

    past_date_fields = ("introduction", "workshop", "instruction")
    past_date_is_training = True

    introduction = forms.DateTimeField(
        label=gettext_lazy("Introduction meeting"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    workshop = forms.DateTimeField(
        label=gettext_lazy("Workshop Effective Communication"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    instruction = forms.DateTimeField(
        label=gettext_lazy("Instruction meeting"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    trainer = forms.CharField(
        label=gettext_lazy("Trainer of the workshop"), max_length=200, required=False
    )


class CutText(forms.CharField):
    """Text cut to `cut` characters rather than refused for its length (as the page always
    did: a pasted list longer than allowed keeps what fits); optional, never stripped here
    (the services strip)."""

    def __init__(self, *, cut: int, **kwargs):
        self.cut = cut
        super().__init__(required=False, strip=False, **kwargs)

    def to_python(self, value):
        return super().to_python(value)[: self.cut]


class Flag(forms.Field):
    """Yes when "1" was posted, no for anything else (a hidden field's value)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        return value == "1"


class Present(forms.Field):
    """Whether the field was posted at all (a confirmation button's name)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        return value is not None


class PostedId(forms.Field):
    """The id of a thing on the page; 0 (which matches nothing, so the lookup answers 404)
    when it is missing or not a plain number."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        value = value if isinstance(value, str) else ""
        return int(value) if value.isdigit() and len(value) < 12 else 0


class CohortForm(TrackForm):
    """A newcomers' cohort: its three meetings and who is in it (members of this team not
    trained yet are offered, checked)."""

    members = BoundedModelMultipleChoiceField(
        label=gettext_lazy("Newcomers in this cohort"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        field.queryset = members
        field.label_from_instance = lambda m: m.user.name


class CertificatesForm(forms.Form):
    """Issue the certificates of one cohort's workshop (the founding team's by default)."""

    cohort = forms.IntegerField(min_value=1, max_value=999, required=False)


class InviteForm(forms.Form):
    """Invite the whole team to one training."""

    training = PostedId()


class AssessForm(forms.Form):
    """The workshop's verdict on one member: passed ("1") or not ("0"), with a note."""

    user = PostedId()
    passed = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1"
    )
    note = CutText(cut=2000)


class RulesForm(forms.Form):
    """The rules of the team."""

    text = CutText(cut=10000)


class ReadyForm(forms.Form):
    """Let a member walk rounds (or not), with the reason."""

    user = PostedId()
    ready = Flag()
    reason = CutText(cut=300)


class GearForm(forms.Form):
    """Tick (or untick) one item handed out to a member (the service knows the items)."""

    user = PostedId()
    item = CutText(cut=100)
    given = Flag()


class StreetsForm(forms.Form):
    """The streets of the flyer round, one per line."""

    streets = CutText(cut=200_000)


class IntroductionForm(forms.Form):
    """How to reach the team, and its photo (checked and re-encoded by the service)."""

    contact = CutText(cut=2000)
    photo = forms.Field(required=False, widget=forms.FileInput)  # the service checks it


class RevokeForm(forms.Form):
    """Revoke a certificate (or undo that), with the reason the holder is told."""

    certificate = PostedId()
    reason = CutText(cut=300)
    confirm = Present()
