"""The layers point one way: `programmes` is the base and imports no other app; recruitment,
trainings and patrols import the base only, never each other; nothing imports reporting.

Every .py file of the five apps is parsed (migrations included), and every import counts,
also one inside a function and a literal `import_module("...")`/`__import__("...")`: a lazy
import is still a dependency."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("programmes", "recruitment", "trainings", "patrols", "reporting")

# Which other apps each app may import. Reporting may read all of them; nobody imports it.
ALLOWED = {
    "programmes": set(),
    "recruitment": {"programmes"},
    "trainings": {"programmes"},
    "patrols": {"programmes"},
    "reporting": {"programmes", "recruitment", "trainings", "patrols"},
}


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in `source`, at any depth. Relative
    imports stay inside their own app, so they are left out."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def violations(app: str, source: str, where: str = "<source>") -> list[str]:
    """Each import in `source` (a file of `app`) that breaks the direction of the layers."""
    problems = []
    for line, module in imported_modules(source):
        target = module.split(".")[0]
        if target in APPS and target != app and target not in ALLOWED[app]:
            problems.append(f"{where}:{line}: {app} imports {module}")
    return problems


def _app_files():
    for app in APPS:
        files = sorted((ROOT / app).rglob("*.py"))
        assert files, f"no Python files found for {app}"
        for path in files:
            yield app, path


def test_the_apps_import_only_downwards():
    problems = []
    n_files = 0
    for app, path in _app_files():
        n_files += 1
        problems += violations(app, path.read_text(), str(path.relative_to(ROOT)))
    assert n_files > 50  # the walk really saw the apps
    assert problems == []


def test_migrations_are_checked_too():
    assert any("migrations" in path.parts for _app, path in _app_files())


@pytest.mark.parametrize(
    ("app", "source"),
    [
        ("programmes", "from recruitment.models import Campaign\n"),
        ("programmes", "import patrols.services\n"),
        ("programmes", "def f():\n    from trainings import selectors\n"),
        ("recruitment", "from trainings.models import Track\n"),
        ("trainings", "def f():\n    import patrols.models as m\n"),
        ("patrols", "from recruitment import services\n"),
        ("patrols", "from reporting.views import x\n"),
        ("recruitment", "import reporting\n"),
        ("programmes", "from importlib import import_module\nimport_module('patrols.demo')\n"),
    ],
)
def test_the_checker_catches_a_violation(app, source):
    assert len(violations(app, source)) == 1


@pytest.mark.parametrize(
    ("app", "source"),
    [
        ("programmes", "from . import selectors\nfrom .models import Programme\n"),
        ("programmes", "from django.db import models\nimport programmes.models\n"),
        ("recruitment", "from programmes import services\nfrom ..models import Campaign\n"),
        ("patrols", "def f():\n    from programmes.selectors import roster\n"),
        ("reporting", "from patrols import selectors\nfrom recruitment.models import Campaign\n"),
        ("trainings", "import programmes_extra  # only a similar name\n"),
    ],
)
def test_the_checker_allows_what_the_rule_allows(app, source):
    assert violations(app, source) == []
