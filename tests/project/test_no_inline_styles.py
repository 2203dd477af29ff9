"""The pages' Content-Security-Policy allows no inline style attribute (`style-src` is self and
a nonce), so a `style="..."` in a page template is silently dropped by the browser: a
progress bar stays empty, a width never applies. Pages use classes (static/css) or elements
that carry their own presentation (`<progress value=...>`). PDFs and mails are not pages and
may style inline."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_PAGES = ("pdf", "email")
STYLE_ATTRIBUTE = re.compile(r"""<[a-zA-Z][^>]*\sstyle\s*=""")


def test_page_templates_have_no_inline_style_attribute():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        relative = path.relative_to(ROOT / "templates")
        if relative.parts[0] in NOT_PAGES:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if STYLE_ATTRIBUTE.search(line):
                found.append(f"templates/{relative}:{number}")
    assert found == [], f"inline style attributes, blocked by the CSP: {found}"
