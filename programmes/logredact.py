"""Secrets out of the logs: personal-link tokens and one-time keys in logged paths are masked.

Django logs paths itself (django.request: "Not Found: /invitation/<org>/<token>/", the CSRF
refusals; django.server: every request line of the development server) and gunicorn's access
log writes every request line. The links in our e-mails carry secrets in the path or query
(invitations, meeting replies, password-reset keys, e-mail confirmation keys, the login code),
so the one filter here masks them wherever a line is written: on the console handler of the
Django logging settings and in gunicorn's access log (`config/gunicorn_logger.py`).
Nothing here imports Django, so gunicorn can load it before the application.
"""

import logging
import re

MASK = "[redacted]"

_PATTERNS = [
    # /invitation/<org>/<token>/ and /meeting/<org>/<token>/: the segment after the org.
    re.compile(r"(/(?:invitation|meeting)/[^/\s?#\"']+/)[^/\s?#\"']+"),
    # allauth's password-reset key (its token-free "-set-password" step is left alone) and
    # the e-mail confirmation key.
    re.compile(r"(/accounts/password/reset/key/)(?![^/\s?#\"']*-set-password\b)[^/\s?#\"']+"),
    re.compile(r"(/accounts/confirm-email/)[^/\s?#\"']+"),
    # Secrets in a query string: the login code link and anything named like a key.
    re.compile(r"([?&](?:code|token|key|uid|password)=)[^&\s#\"']+", re.IGNORECASE),
]


def redact(text: str) -> str:
    """`text` with every secret in a path or query masked."""
    if not isinstance(text, str):
        return text
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


class RedactSecretsFilter(logging.Filter):
    """A logging filter (on a handler, so records of every logger that reach it pass) that
    masks secrets in the formatted message; it never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logging's problem, not ours
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True
