"""Browser tests in real headless Chromium (Debian's package, driven by Playwright).

Screenshots go to test-artifacts/screenshots/ so people can look at what the tests saw.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("CI_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if REQUIRED:
        return  # let them run and fail loudly: CI must run the browser tests
    marker = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(marker)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}


@pytest.fixture
def phone(browser, playwright):
    device = dict(playwright.devices["Pixel 7"])
    device.pop("default_browser_type", None)
    context = browser.new_context(**device, locale="nl-NL", timezone_id="Europe/Amsterdam")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot():
    """Save a full-page screenshot under test-artifacts/screenshots/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return _shot


AXE_SCRIPT = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_RESULTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "axe"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def axe():
    """Check the page against WCAG 2.1 A/AA with axe-core; fail on serious or critical findings.

    The full result is saved as test-artifacts/axe/<name>.json for people to read.
    """
    import json

    AXE_RESULTS.mkdir(parents=True, exist_ok=True)

    def _axe(page, name: str) -> dict:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol: the pages' CSP (no inline scripts) stays
            # as it is, and no page of the app ever loads axe itself.
            page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;true")
        result = page.evaluate(
            """(tags) => axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations'],
            })""",
            AXE_TAGS,
        )
        (AXE_RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        lines = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            for v in bad
        ]
        assert not bad, f"{name} ({page.url}):\n" + "\n".join(lines)
        return result

    return _axe
