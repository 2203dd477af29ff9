"""The one PDF render function: an HTML template through WeasyPrint, offline.

WeasyPrint is imported inside the function (importing it costs a second). Only local files
under the static folders and media, and data: URLs, may be fetched: a document can never make
the server reach out to the network.

What does not change between documents is made once per process (per thread): the font
configuration with the @font-face fonts loaded, and the URL fetcher (each new one builds an
SSL context, a tenth of a second, although it never fetches over the network).
"""

import threading
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation


class PdfFetchRefused(Exception):
    pass


def _allowed_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    roots += [Path(settings.STATIC_ROOT).resolve(), Path(settings.MEDIA_ROOT).resolve()]
    return roots


def check_fetch_allowed(url: str) -> None:
    """Raise PdfFetchRefused unless `url` is a data: URL or a file in the allowed folders."""
    if url.startswith("data:"):
        return
    if url.startswith("file://"):
        path = Path(unquote(url[len("file://") :].split("?")[0])).resolve()
        if any(path.is_relative_to(root) for root in _allowed_roots()):
            return
    raise PdfFetchRefused(f"refused to fetch {url!r}: documents use local files only")


def _local_fetcher():
    from weasyprint.urls import URLFetcher  # noqa: PLC0415 - WeasyPrint takes seconds to import; only PDF rendering pays it

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            check_fetch_allowed(url)
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols={"file", "data"})


# Fontconfig and Pango objects are not shared between threads: one set per thread (a worker
# process has one).
_per_thread = threading.local()


def _renderer():
    """(font configuration, URL fetcher) of this thread, made on first use."""
    if getattr(_per_thread, "renderer", None) is None:
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 - WeasyPrint takes seconds to import; only PDF rendering pays it

        _per_thread.renderer = (FontConfiguration(), _local_fetcher())
    return _per_thread.renderer


@lru_cache(maxsize=64)
def static_file_url(path: str) -> str:
    """A file:// URL for a static file, for use in PDF templates."""
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(path)
    return Path(found).resolve().as_uri()


def media_file_url(field) -> str:
    """A file:// URL for a stored file (a logo, a photo), or "" when there is none."""
    if not field:
        return ""
    try:
        return Path(field.path).resolve().as_uri()
    except (ValueError, NotImplementedError):
        return ""


def render_html(*, template: str, context: dict, language: str = "nl") -> str:
    ctx = {
        "pdf_css": static_file_url("pdf/base.css"),
        "LANGUAGE_CODE": language,
        **context,
    }
    with translation.override(language):
        return render_to_string(template, ctx)


def render_pdf(*, template: str, context: dict, language: str = "nl") -> bytes:
    """Render `template` (under templates/pdf/) with `context` to PDF bytes."""
    from weasyprint import HTML  # noqa: PLC0415 - WeasyPrint takes seconds to import; only PDF rendering pays it

    html = render_html(template=template, context=context, language=language)
    font_config, fetcher = _renderer()
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).write_pdf(
        font_config=font_config
    )
