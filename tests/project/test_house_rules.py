"""House rules that ruff cannot check by itself.

ruff (PLC0415) refuses an import inside a function in the shipped code; where one must stay
(a circular import, an expensive library only one worker needs, the app registry not ready
yet), it is kept with `# noqa: PLC0415 - <reason>`. ruff accepts a bare noqa too, so this
test asks for the reason: a few words after the code, on the same line."""

import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Not shipped: the tests and benchmarks may import inside functions (pyproject.toml says why),
# and the rest is not ours or not Python we run.
SKIP_DIRS = {"tests", "bench", "node_modules", "static", "var", "media", "__pycache__"}

NOQA = re.compile(r"#\s*noqa:\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)(?P<rest>.*)")
# "- <reason>": a dash, then at least three words.
REASON = re.compile(r"^\s*-+\s*\S+(?:\s+\S+){2,}")


def shipped_files() -> list[Path]:
    """Every .py file of the project outside the tests, benchmarks and hidden directories."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts[:-1]
        if any(part.startswith(".") or part in SKIP_DIRS for part in parts):
            continue
        found.append(path)
    return found


def bare_import_noqas(source: str) -> list[int]:
    """Lines of `source` whose `noqa: PLC0415` comment gives no reason after it."""
    lines = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        match = NOQA.search(token.string)
        if not match:
            continue
        codes = {code.strip() for code in match["codes"].split(",")}
        if "PLC0415" in codes and not REASON.match(match["rest"]):
            lines.append(token.start[0])
    return lines


@pytest.mark.parametrize(
    ("comment", "bare"),
    [
        ("    from . import x  # noqa: PLC0415 - the models import this module\n", False),
        ("    from . import x  # noqa: PLC0415, F401 - the app registry must be ready\n", False),
        ("    from . import x  # noqa: PLC0415\n", True),
        ("    from . import x  # noqa: PLC0415 - lazy\n", True),
        ("    from . import x  # noqa: PLC0415 circular import here\n", True),
        ("    from . import x  # noqa: F401\n", False),
    ],
)
def test_the_check_tells_a_reason_from_none(comment, bare):
    source = f"def f():\n{comment}"
    assert bool(bare_import_noqas(source)) is bare


def test_the_shipped_code_is_found():
    names = {p.relative_to(ROOT).as_posix() for p in shipped_files()}
    assert {"manage.py", "programmes/tasks.py", "config/settings/base.py"} <= names
    assert not any(n.startswith(("tests/", "bench/", ".venv/")) for n in names)


def test_every_import_inside_a_function_says_why():
    bare = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in shipped_files()
        for line in bare_import_noqas(path.read_text(encoding="utf-8"))
    ]
    assert not bare, "`# noqa: PLC0415` without `- <reason>` after it: " + ", ".join(bare)
