"""The base names no app: `programmes` and the base's templates never refer to a page or a
document kind of recruitment, trainings or patrols. Apps plug their tabs, portal links, team
home and document kinds into `programmes.registry`; the base renders what is registered.

What counts as naming an app: a URL name in one of the apps' namespaces (`patrols:team_home`)
and an app's document kind, as its code in quotes (`"certificate"`) or as a constant
(`CERTIFICATE`). The apps and their kinds are read from the running project, so a new app or
kind is covered without editing this test.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps

from programmes import registry

ROOT = Path(__file__).resolve().parents[2]
BASE = "programmes"

# The base's templates: the page chrome, the shared includes and error pages, the base app's
# own pages, mails and its one PDF. Everything else under templates/ belongs to an app.
BASE_TEMPLATES = (
    "*.html",
    "includes/**/*",
    "errors/**/*",
    "account/**/*",
    "allauth/**/*",
    "programmes/**/*",
    "email/*",
    "email/programmes/**/*",
    "pdf/plan.html",
)

# The only files of the base that may name an app, each with its reason.
ALLOWED = {
    # Migrations are history: the first ones list the kinds `Document.kind` had as choices
    # then; a migration that ran is never edited.
    "programmes/migrations/",
}


def app_labels() -> list[str]:
    """The project's own apps built on the base (their URL namespaces carry the same name)."""
    return sorted(
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).parent == ROOT and config.label != BASE
    )


def app_kinds() -> list[str]:
    """The document kinds an app registered (its builder lives in that app)."""
    return sorted(
        kind.code
        for kind in registry.document_kinds()
        if kind.builder.__module__.split(".")[0] != BASE
    )


def patterns(labels, kinds) -> list[re.Pattern]:
    names = "|".join(map(re.escape, labels))
    codes = "|".join(map(re.escape, kinds))
    constants = "|".join(re.escape(code.upper()) for code in kinds)
    return [
        re.compile(rf"\b(?:{names}):\w"),  # a namespaced URL name: "patrols:team_home"
        re.compile(rf"""["'](?:{codes})["']"""),  # a kind's code: "certificate"
        re.compile(rf"\b(?:{constants})\b"),  # a kind's constant: Kind.CERTIFICATE
    ]


def findings(text: str, where: str, checks) -> list[str]:
    return [
        f"{where}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)}"
        for check in checks
        for match in check.finditer(text)
    ]


def base_files() -> list[Path]:
    files = set((ROOT / BASE).rglob("*.py"))
    for pattern in BASE_TEMPLATES:
        files |= {path for path in (ROOT / "templates").glob(pattern) if path.is_file()}
    return sorted(files)


def test_the_base_names_no_app_page_or_document_kind():
    labels, kinds = app_labels(), app_kinds()
    assert {"recruitment", "trainings", "patrols"} <= set(labels)
    assert {"certificate", "recruitment_flyer", "survey_report"} <= set(kinds)
    assert "plan" not in kinds  # the base's own kind
    checks = patterns(labels, kinds)
    problems, seen = [], 0
    for path in base_files():
        where = str(path.relative_to(ROOT))
        if any(where.startswith(allowed) for allowed in ALLOWED):
            continue
        seen += 1
        problems += findings(path.read_text(), where, checks)
    assert seen > 100  # the walk saw the base's code and templates
    assert problems == []


def test_the_templates_of_the_base_are_walked():
    walked = {str(path.relative_to(ROOT)) for path in base_files()}
    for name in (
        "templates/base.html",
        "templates/programmes/includes/programme_nav.html",
        "templates/programmes/portal_home.html",
        "templates/programmes/portal_programme.html",
        "programmes/views/home.py",
    ):
        assert name in walked
    assert not any(name.startswith("templates/patrols/") for name in walked)


@pytest.mark.parametrize(
    "source",
    [
        "{% url 'patrols:team_home' org=user.organisation.slug %}",
        'return redirect("trainings:programme_trainings", org=org)',
        "kind = 'certificate'",
        'documents.filter(kind="recruitment_flyer")',
        "Document.Kind.SURVEY_REPORT",
    ],
)
def test_the_checker_catches_a_name(source):
    checks = patterns(["patrols", "recruitment", "trainings"], app_kinds())
    assert len(findings(source, "<source>", checks)) == 1


@pytest.mark.parametrize(
    "source",
    [
        "{% url 'programme_detail' org=client.slug programme_pk=programme.pk %}",
        "Progress.CERTIFICATES_ISSUED",  # the plan's milestone, a base feature
        "# a certificate points at its document",
        'kind = request.POST.get("kind", PLAN_OF_APPROACH)',
        "patrols_enabled = True",
    ],
)
def test_the_checker_allows_the_base_its_own_words(source):
    checks = patterns(["patrols", "recruitment", "trainings"], app_kinds())
    assert findings(source, "<source>", checks) == []
