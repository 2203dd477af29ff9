"""The register of personal data, the retention runner and a person's export and erasure.

Each app declares, in its own `privacy.py` registered from `AppConfig.ready()`, what personal
data its models hold (`PersonalData`: the kind of person, the fields, the purpose, the legal
ground, how long it is kept and who sees it), which text and file fields hold none
(`register_not_personal`), the retention rules that delete or anonymise what expired
(`RetentionRule`) and where a person's records are found, exported and erased
(`PersonSource`). The base runs what is registered and names no app; a test walks every
model's text, e-mail, file and JSON fields and fails on one that is in neither list, so a new
field cannot be forgotten.

Erasure anonymises rather than deletes wherever a row is counted in the programme's figures
(a member's rounds and signals, an applicant's stage): the person goes, the counts, categories
and dates stay. After each source erased its rows, the names, addresses, e-mail addresses and
phone numbers it reported are replaced in every registered personal text field of the
organisation (notes, mail bodies, audit lines), so no stray mention is left behind.
"""

import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F, TextField, Value
from django.db.models.functions import Cast, Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled

# The kinds of people whose data the product keeps.
APPLICANT = "applicant"
MEMBER = "member"
RESPONDENT = "respondent"
CLIENT_CONTACT = "client_contact"
RESIDENT = "resident"
STAFF = "staff"

KIND_LABELS = {
    APPLICANT: _("Applicant"),
    MEMBER: _("Team member"),
    RESPONDENT: _("Survey respondent"),
    CLIENT_CONTACT: _("Client contact"),
    RESIDENT: _("Resident in a signal or photo"),
    STAFF: _("Staff of the consultancy or client"),
}

# Legal grounds (AVG article 6).
CONSENT = "consent"
CONTRACT = "contract"
LEGITIMATE_INTEREST = "legitimate_interest"
PUBLIC_TASK = "public_task"
LEGAL_OBLIGATION = "legal_obligation"

GROUND_LABELS = {
    CONSENT: _("Consent"),
    CONTRACT: _("Agreement (volunteer or assignment)"),
    LEGITIMATE_INTEREST: _("Legitimate interest"),
    PUBLIC_TASK: _("Public task of the client"),
    LEGAL_OBLIGATION: _("Legal obligation"),
}

# What replaces a name, address or other mention of an erased person.
ERASED = "[verwijderd]"

# Field types that may hold personal data: each such field of every model is declared either
# personal (in a `PersonalData` entry) or not personal.
TEXT_FIELD_TYPES = (
    models.CharField,  # EmailField and SlugField are CharFields
    models.TextField,
    models.FileField,  # ImageField is a FileField
    models.GenericIPAddressField,
    models.JSONField,
)

APPS = ("programmes", "recruitment", "trainings", "patrols", "reporting")


# The register -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalData:
    """One model's personal data: whose (`kind`), which `fields`, why (`purpose`), on what
    legal ground, how long it is kept (`retention`, in words; the rule that enforces it is a
    `RetentionRule`) and who sees it (`seen_by`)."""

    model: str  # "app_label.ModelName"
    kind: str
    fields: tuple[str, ...]
    purpose: str
    legal_ground: str
    retention: str
    seen_by: str
    # In words where the model's or fields' own verbose names are not (translated) words.
    label: str = ""
    fields_label: str = ""

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def ground_label(self) -> str:
        return str(GROUND_LABELS.get(self.legal_ground, self.legal_ground))

    @property
    def where(self) -> str:
        """The model in words (its verbose name), not its code."""
        if self.label:
            return str(self.label)
        return str(apps.get_model(self.model)._meta.verbose_name).capitalize()

    @property
    def field_labels(self) -> list[str]:
        """The fields in words (their verbose names)."""
        if self.fields_label:
            return [str(self.fields_label)]
        meta = apps.get_model(self.model)._meta
        return [str(meta.get_field(name).verbose_name) for name in self.fields]


_register: dict[tuple[str, str], PersonalData] = {}
_not_personal: dict[str, set[str]] = {}


def register_personal(*entries: PersonalData) -> None:
    """Add entries to the register; one for the same model and kind replaces the earlier."""
    for entry in entries:
        _register[(entry.model.lower(), entry.kind)] = entry


def register_not_personal(declarations: dict[str, Iterable[str]]) -> None:
    """Declare {"app.Model": field names} as holding no personal data (codes, statuses,
    texts the consultancy wrote, hashes)."""
    for model, names in declarations.items():
        _not_personal.setdefault(model.lower(), set()).update(names)


def register_entries() -> list[PersonalData]:
    """The register, by kind and model: what the admin's privacy page shows."""
    order = list(KIND_LABELS)
    return sorted(
        _register.values(),
        key=lambda e: (order.index(e.kind) if e.kind in order else 99, e.model),
    )


def personal_fields(model_label: str) -> set[str]:
    """The fields of a model declared personal under any kind."""
    label = model_label.lower()
    return {name for (m, _k), e in _register.items() if m == label for name in e.fields}


def not_personal_fields(model_label: str) -> set[str]:
    return set(_not_personal.get(model_label.lower(), ()))


def undeclared_fields() -> list[str]:
    """Every text, e-mail, file and JSON field of the project's models that the register
    neither declares personal nor not personal ("app.Model.field"): must be empty."""

    missing = []
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            label = model._meta.label
            declared = personal_fields(label) | not_personal_fields(label)
            for f in model._meta.concrete_fields:
                if isinstance(f, TEXT_FIELD_TYPES) and f.name not in declared:
                    missing.append(f"{label}.{f.name}")
    return missing


# Retention ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRule:
    """A periodic deletion or anonymisation. `run(organisation=..., cutoff=...)` acts on the
    organisation's rows older than `cutoff` (inside a scope on it) and returns how many rows
    it removed or anonymised. The term is `default` days, which a client may set between
    `minimum` and `maximum` (its `RetentionSetting`)."""

    code: str
    label: str
    kind: str
    run: Callable[..., int]
    default: int  # days
    minimum: int
    maximum: int
    order: int = 100

    def days_for(self, settings: dict) -> int:
        """The term for a client whose settings are {code: days}, within the bounds."""
        days = settings.get(self.code, self.default)
        return max(self.minimum, min(self.maximum, days))


_rules: dict[str, RetentionRule] = {}


def register_retention_rule(rule: RetentionRule) -> RetentionRule:
    _rules[rule.code] = rule
    return rule


def retention_rules() -> list[RetentionRule]:
    return sorted(_rules.values(), key=lambda r: (r.order, r.code))


def retention_rule(code: str) -> RetentionRule:
    return _rules[code]


@transaction.atomic
def retention_run(*, now=None):
    """Run every retention rule for every organisation with its own term and log the run
    (`RetentionRun`) with what each rule removed, summed over the organisations. Scoping is
    switched on per organisation, so a rule only ever sees one tenant's rows."""
    from .models import Organisation, RetentionRun, RetentionSetting  # noqa: PLC0415 - apps' privacy modules import this one before the models load

    now = now or timezone.now()
    run = RetentionRun.objects.create(started_at=now, counts={})
    settings_of: dict[int, dict] = {}
    with scopes_disabled():  # every client's terms, named by their organisation
        for s in RetentionSetting.objects.values("organisation_id", "rule", "days"):
            settings_of.setdefault(s["organisation_id"], {})[s["rule"]] = s["days"]
    counts = {rule.code: 0 for rule in retention_rules()}
    for organisation in Organisation.objects.order_by("pk"):
        mine = settings_of.get(organisation.pk, {})
        with scope(organisation=organisation.pk):
            for rule in retention_rules():
                cutoff = now - timedelta(days=rule.days_for(mine))
                counts[rule.code] += rule.run(organisation=organisation, cutoff=cutoff) or 0
    run.counts = counts
    run.total = sum(counts.values())
    run.finished_at = timezone.now()
    run.full_clean()
    run.save(update_fields=["counts", "total", "finished_at"])
    return run


# A person's records -------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Who is looked for: in one organisation, by e-mail address or name (exact, any case)."""

    organisation: object
    email: str = ""
    name: str = ""


@dataclass
class Found:
    """One record of a person a source found: what it is in words, its data for the export,
    its files ((name in the archive, field file)) and the strings that identify the person in
    it (name, address, e-mail address, phone number), which erasure scrubs everywhere."""

    source: str
    obj: object
    label: str
    data: dict
    files: list = field(default_factory=list)
    identifiers: list = field(default_factory=list)


@dataclass(frozen=True)
class PersonSource:
    """Where an app keeps records of a kind of person. `find(person)` returns `Found` items
    (inside a scope on the person's organisation); `erase(found)` deletes or anonymises one
    record, leaving the rows the figures count."""

    code: str
    label: str
    kind: str
    find: Callable[..., list]
    erase: Callable[..., None]
    order: int = 100


_sources: dict[str, PersonSource] = {}


def register_person_source(source: PersonSource) -> PersonSource:
    _sources[source.code] = source
    return source


def person_sources() -> list[PersonSource]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.code))


def person_find(person: Person) -> list[tuple[PersonSource, list[Found]]]:
    """Every registered source's records of the person, sources without any left out."""
    out = []
    for source in person_sources():
        found = source.find(person)
        if found:
            out.append((source, found))
    return out


def person_archive(person: Person) -> bytes:
    """The person's records as one ZIP: `gegevens.json` (every record by source) and their
    photos and documents under `bestanden/`. Only what the sources found is in it."""
    found = person_find(person)
    buffer = io.BytesIO()
    payload = {
        "organisation": str(person.organisation),
        "made_at": timezone.now(),
        "records": {},
    }
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for source, items in found:
            payload["records"][source.code] = [item.data for item in items]
            for item in items:
                for name, file in item.files:
                    try:
                        with file.open("rb") as fh:
                            archive.writestr(f"bestanden/{name}", fh.read())
                    except (OSError, ValueError):
                        continue  # deleted since (retention): the record itself is in the JSON
        archive.writestr(
            "gegevens.json",
            json.dumps(payload, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False, default=str),
        )
    return buffer.getvalue()


def identifiers_of(found: list[tuple[PersonSource, list[Found]]]) -> set[str]:
    """The strings that identify the person in the found records (short ones left out: they
    would match inside other words)."""
    return {
        ident.strip()
        for _source, items in found
        for item in items
        for ident in item.identifiers
        if ident and len(ident.strip()) >= 5
    }


def scrub(*, organisation, identifiers: set[str]) -> int:
    """Replace each identifier in every registered personal text field of the organisation's
    rows (and of models without an organisation key, such as users, limited to the
    organisation where they have one); returns how many rows changed."""
    changed = 0
    for entry in _register.values():
        model = apps.get_model(entry.model)
        names = {f.name for f in model._meta.concrete_fields}
        fields = [model._meta.get_field(name) for name in entry.fields if name in names]
        base = model._base_manager.all()
        if any(f.name == "organisation" for f in model._meta.concrete_fields):
            base = base.filter(organisation=organisation)
        for f in fields:
            if isinstance(f, models.JSONField):
                changed += _scrub_json(base, f.name, identifiers)
                continue
            if not isinstance(f, models.CharField | models.TextField) or f.choices:
                continue
            for ident in identifiers:
                for variant in {ident, ident.lower()}:
                    rows = base.filter(**{f"{f.name}__contains": variant})
                    changed += rows.update(
                        **{f.name: Replace(F(f.name), Value(variant), Value(ERASED))}
                    )
    return changed


def _scrub_json(base, name: str, identifiers: set[str]) -> int:
    changed = 0
    for ident in identifiers:
        rows = base.annotate(_text=Cast(name, TextField())).filter(_text__icontains=ident)
        for pk, value in rows.values_list("pk", name):
            text = json.dumps(value, ensure_ascii=False)
            for variant in {ident, ident.lower()}:
                text = text.replace(json.dumps(variant, ensure_ascii=False)[1:-1], ERASED)
            base.filter(pk=pk).update(**{name: json.loads(text)})
            changed += 1
    return changed


def person_erase(person: Person) -> dict:
    """Erase or anonymise every record of the person and scrub the mentions left; returns
    {source code: records, "mentions": rows scrubbed}. The caller logs it."""
    found = person_find(person)
    identifiers = identifiers_of(found)
    counts = {}
    for source, items in found:
        for item in items:
            source.erase(item)
        counts[source.code] = len(items)
    counts["mentions"] = scrub(organisation=person.organisation, identifiers=identifiers)
    return counts


# Mentions in free text ------------------------------------------------------------------------


def mentions_find(person: Person) -> list:
    """Where the person's name or e-mail address is written in a registered text field of
    the organisation (a resident named in a signal, a member in meeting notes): one record per
    model and field with how often and a short excerpt around the first mention. Erasure
    replaces every one of them (`scrub`), so these need no erase of their own."""
    needle = (person.email or person.name).strip()
    if len(needle) < 5:
        return []
    found = []
    for entry in register_entries():
        model = apps.get_model(entry.model)
        names = {f.name: f for f in model._meta.concrete_fields}
        base = model._base_manager.all()
        if "organisation" in names:
            base = base.filter(organisation=person.organisation)
        for name in entry.fields:
            f = names.get(name)
            if not isinstance(f, models.CharField | models.TextField) or f.choices:
                continue
            if isinstance(f, models.EmailField) or name in ("name", "to_name", "contact_name"):
                continue  # the person's own records: their sources list those
            rows = list(
                base.filter(**{f"{name}__icontains": needle}).values_list(name, flat=True)[:50]
            )
            if not rows:
                continue
            text = rows[0]
            at = text.lower().find(needle.lower())
            excerpt = text[max(0, at - 60) : at + len(needle) + 60]
            found.append(
                Found(
                    source="mentions",
                    obj=None,
                    label=f"{entry.where}: {f.verbose_name} ({len(rows)})",
                    data={
                        "where": entry.where,
                        "field": str(f.verbose_name),
                        "count": len(rows),
                        "excerpt": excerpt,
                    },
                    identifiers=[needle],
                )
            )
    return found


def mentions_erase(found) -> None:
    """Nothing of its own: `person_erase` scrubs every mention after the sources ran."""
