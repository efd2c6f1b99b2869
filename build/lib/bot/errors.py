"""Errors a user or an admin can fix: each message is one line saying what to fix.

The CLI and the running bot turn any `OwnerBotError` into that one line (exit 1), never a
traceback; everything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class OwnerBotError(Exception):
    """A setting, file or input that a person can fix; `str(error)` says how, in one line."""


def unusable_data_file(what: str, path: object, exc: Exception) -> str:
    """One line for a data file that cannot be opened, naming the setting that moves it."""
    reason = getattr(exc, "strerror", None) or str(exc)
    return f"cannot use the {what} {path}: {reason}: set OWNER_BOT_DATA_DIR to a writable folder"
