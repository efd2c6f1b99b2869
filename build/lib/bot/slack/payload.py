"""Reading Slack payloads defensively: a missing or odd field is None, never a crash."""

from __future__ import annotations

from typing import Any


def text_field(value: Any) -> str | None:
    """A payload field that should be a string: the string, or None for anything else."""
    return value if isinstance(value, str) and value else None


def object_field(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def user_of(body: dict[str, Any]) -> str | None:
    return text_field(object_field(body.get("user")).get("id")) or text_field(body.get("user_id"))


def channel_of(body: dict[str, Any]) -> str | None:
    return (text_field(object_field(body.get("channel")).get("id"))
            or text_field(body.get("channel_id")))


def is_from_bot(event: dict[str, Any]) -> bool:
    return bool(event.get("bot_id") or event.get("bot_profile")
                or not text_field(event.get("user")))


def is_new_human_dm(event: dict[str, Any]) -> bool:
    """A person's new message in a DM: not an edit, deletion, join or any other subtype."""
    return (
        event.get("channel_type") == "im"
        and "subtype" not in event
        and not is_from_bot(event)
    )
