"""Every write goes through a service: views, forms, selectors, tasks and every other module
outside `<app>/services/` call no `.save()`, `.create()`, `.update()`, `.delete()` (nor the
bulk and get-or-create variants) themselves.

The check reads the source (an AST walk), so it cannot tell a model from a dict: the few
calls that are not model writes, and the few modules that legitimately write, are listed
below with the reason. A new entry needs as good a reason; a write in a view does not have
one (put it in a service, with `apply_changes` and an audit entry: see
`programmes.services.common`).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("programmes", "recruitment", "trainings", "patrols", "reporting")
WRITES = frozenset(
    {
        "save",
        "create",
        "update",
        "delete",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
    }
)

# Folders and modules that may write, and why.
WRITERS = {
    "services": "the services: every write lives there",
    "migrations": "schema and data migrations",
    "management": "management commands build demo and benchmark data outside any request",
    "demo.py": "the demo data: made through the services, then dated back in time",
    "reporting/generate": "the benchmark data generator: bulk rows, no person's action",
    "programmes/models": "the user manager's create_user, Django's own contract",
    "programmes/audit.py": "the audit log's own writer",
    "programmes/mail.py": "the outbox's writer: `mail_queue` adds one row per message",
    # Retention and erasure of personal data: the register (programmes/privacy.py) runs each
    # app's rules and logs every run and request; the rules empty, anonymise or delete rows
    # in bulk by age, which no person's action and no audited state change is.
    "programmes/privacy.py": "the retention runner and the erasure's scrub of mentions",
    "programmes/personal_data.py": "the base's retention rules and a person's erasure",
    "recruitment/privacy.py": "recruitment's retention rules and a person's erasure",
    "trainings/privacy.py": "trainings' erasure of a member's records",
    "patrols/privacy.py": "patrols' retention rules and a member's erasure",
}

# Calls outside those that are not model writes (or are bookkeeping), and why:
# (module, the receiver as written, method).
NOT_MODEL_WRITES = {
    ("programmes/adapters.py", "OutboxMessage.objects", "create"): (
        "an account mail (login code, reset) queued in the outbox, bookkeeping like mail_queue"
    ),
    ("programmes/files.py", "names", "update"): "a set of file names",
    ("programmes/files.py", "default_storage", "delete"): "removes a file from storage",
    ("programmes/images.py", "image", "save"): "Pillow writes the re-encoded image",
    ("programmes/qr.py", "image", "save"): "the QR code library writes the image",
    ("programmes/readiness.py", "reasons", "update"): "a dict of reasons",
    ("programmes/tasks.py", "total", "update"): "a dict of counts",
}


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            parts = rel.split("/")
            if any(
                key in parts or rel == key or rel.startswith(key + "/") or parts[-1] == key
                for key in WRITERS
            ):
                continue
            yield rel, path


def _writes(source: str):
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITES
        ):
            yield node.lineno, ast.unparse(node.func.value), node.func.attr


def test_no_writes_outside_services():
    found = []
    for rel, path in _modules():
        for line, receiver, method in _writes(path.read_text(encoding="utf-8")):
            if (rel, receiver, method) not in NOT_MODEL_WRITES:
                found.append(f"{rel}:{line}: {receiver}.{method}(...)")
    assert not found, "writes outside a service (move them into one):\n" + "\n".join(found)


def test_the_walk_sees_views_forms_selectors_and_tasks():
    """The exemptions do not hide the modules the rule is about."""
    seen = {rel for rel, _path in _modules()}
    for module in (
        "programmes/forms.py",
        "programmes/tasks.py",
        "recruitment/views.py",
        "recruitment/selectors.py",
        "trainings/views.py",
        "patrols/api.py",
        "patrols/tasks.py",
    ):
        assert module in seen, module
    assert not any("/services/" in rel or rel.endswith("/demo.py") for rel in seen)


def test_the_check_catches_a_write():
    source = (
        "def post(self, request):\n"
        "    Signal.objects.filter(pk=1).update(status='resolved')\n"
        "    form.save()\n"
    )
    assert [(r, m) for _line, r, m in _writes(source)] == [
        ("Signal.objects.filter(pk=1)", "update"),
        ("form", "save"),
    ]


def test_every_allowance_is_still_needed():
    """An allowance whose call is gone is removed, so the list stays the truth."""
    used = set()
    for rel, path in _modules():
        for _line, receiver, method in _writes(path.read_text(encoding="utf-8")):
            used.add((rel, receiver, method))
    stale = sorted(set(NOT_MODEL_WRITES) - used)
    assert not stale, f"allowances no longer used: {stale}"


PRIVACY_MODULES = frozenset({"recruitment/privacy.py", "patrols/privacy.py"})


def test_workflow_history_is_written_by_the_workflow_helper_only():
    """A signal's status and an application's stage move through
    `programmes.services.workflow`: no other module builds or creates their history rows."""
    import patrols.services  # noqa: F401, PLC0415 - importing describes the app's workflows
    import recruitment.services  # noqa: F401, PLC0415 - importing describes the app's workflows
    from programmes.services.workflow import workflows_registered  # noqa: PLC0415 - after those

    histories = {w.history.__name__ for w in workflows_registered()}
    assert {"SignalEvent", "ApplicationEvent"} <= histories
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "migrations" in rel.split("/") or rel.endswith("/demo.py"):
                continue
            if rel in PRIVACY_MODULES:  # empty the free text of old history rows, never add any
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = ast.unparse(node.func)
                if func in histories or any(
                    func.startswith(f"{name}.objects.") and func.endswith(tuple(WRITES))
                    for name in histories
                ):
                    found.append(f"{rel}:{node.lineno}: {func}(...)")
    assert not found, "history rows written outside the workflow helper:\n" + "\n".join(found)
