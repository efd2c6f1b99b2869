"""Keep Slack tokens and the signing secret out of every log record.

The code never logs a token on purpose; this is the second guard, for a library's debug line or
an exception message that carries one. `install_redaction` rewrites each record as it is
created, so every handler (console, file, a test's capture) sees the redacted text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable

# Slack token shapes: bot, user, app-level, refresh and legacy workspace tokens.
_TOKEN = re.compile(r"\b(?:xox[abposre]|xapp)-[A-Za-z0-9-]+")
REDACTED = "[redacted]"


class Redactor:
    def __init__(self, secrets: Iterable[str | None] = ()):
        # Longest first, so a secret that contains another is replaced whole.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN.sub(REDACTED, text)

    def record(self, record: logging.LogRecord) -> logging.LogRecord:
        """Redact a record in place: its message (args merged in) and its traceback."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is rather than lose the record
            message = f"{record.msg} {record.args}"
        record.msg, record.args = self(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self(record.exc_text)
        if record.stack_info:
            record.stack_info = self(record.stack_info)
        return record


def install_redaction(secrets: Iterable[str | None] = ()) -> Callable[[], None]:
    """Redact every log record created from now on; returns the function that undoes it."""
    redactor = Redactor(secrets)
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        return redactor.record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)

    def uninstall() -> None:
        if logging.getLogRecordFactory() is factory:
            logging.setLogRecordFactory(previous)

    return uninstall
