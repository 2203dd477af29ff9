"""The audit log speaks Dutch: every action code the services write has a label."""

import re
from pathlib import Path

from django.utils import translation

from programmes.audit import audit_action_label, audit_actions_registered

ROOT = Path(__file__).resolve().parents[2]
APPS = ("programmes", "recruitment", "trainings", "patrols", "reporting")
LITERAL = re.compile(
    r"""action=\s*"([a-z_]+\.[a-z_]+)"|"([a-z_]+\.[a-z_]+)"\s+if\s|else\s+"([a-z_]+\.[a-z_]+)\""""
)
TEMPLATED = re.compile(r"""action=\s*f"([a-z_]+)\.\{""")


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path.read_text(encoding="utf-8")


def test_every_audit_action_has_a_label():
    registered = audit_actions_registered()
    codes = {c for text in _sources() for m in LITERAL.finditer(text) for c in m.groups() if c}
    assert "signal.reported" in codes and "programme.created" in codes
    missing = sorted(c for c in codes if c not in registered)
    assert not missing, f"audit actions without a label: {missing}"
    prefixes = {m.group(1) for text in _sources() for m in TEMPLATED.finditer(text)}
    for prefix in prefixes:
        assert any(code.startswith(prefix + ".") for code in registered), prefix


def test_labels_are_dutch():
    with translation.override("nl"):
        assert audit_action_label("signal.reported") == "Melding gedaan"
        assert audit_action_label("signal.resolved") == "Melding gezet op: Opgelost"
        assert audit_action_label("application.selected") == "Aanmelding naar: Geselecteerd"
    assert audit_action_label("unknown.code") == "unknown.code"
