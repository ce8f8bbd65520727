"""Keeping credentials out of logs.

Scrapy logs every overridden setting when a crawl starts ("Overridden
settings: {...}"), credentials passed with ``-s AWS_SECRET_ACCESS_KEY=...``
included. This filter masks the values of secret-looking settings and the
passwords inside URLs before such records are written.
"""

from __future__ import annotations

import logging
import re

SECRET_SETTING = re.compile(
    r"""(['"]?\b(?:AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|[A-Z0-9_]*(?:SECRET|PASSWORD|TOKEN|"""
    r"""CREDENTIALS)[A-Z0-9_]*)\b['"]?\s*[:=]\s*)(['"])(.*?)\2"""
)
URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s'\"]*:)([^@/\s'\"]+)(@)", re.I)
MASK = "***"


def redact(text: str) -> str:
    """``text`` with secret setting values and URL passwords masked."""
    text = SECRET_SETTING.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}", text)
    return URL_PASSWORD.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", text)


class RedactingFilter(logging.Filter):
    """Masks credentials in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


# Loggers that print settings or URLs with credentials.
REDACTED_LOGGERS = ("scrapy.crawler", "scrapy.utils.log", "scrapy.addons", "scrapy.middleware")


def install() -> None:
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
