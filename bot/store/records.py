"""What the store keeps and hands back: plain records, nothing of Slack or of a backend."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from ..errors import OwnerBotError


class StoreError(OwnerBotError):
    """The database cannot be used; the message is one line saying what to fix."""


def new_ref() -> str:
    """A reference for one answer: the reply's buttons carry it back."""
    return uuid.uuid4().hex


def is_ref(value: str) -> bool:
    """Whether a button's value can be a ref we made (a forged click's cannot)."""
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


@dataclass(frozen=True)
class Asker:
    """Who asked where, for the records."""

    user: str | None = None
    channel: str | None = None
    surface: str = ""  # mention | dm | command | alternative | share


@dataclass(frozen=True)
class AnswerRecord:
    ref: str
    question: str
    lang: str
    decision: str
    entry: str
    team: str
    score: float
    user: str | None
    channel: str | None


@dataclass(frozen=True)
class Vote:
    ref: str
    user: str
    vote: int  # 1 or -1
    question: str | None
    entry: str | None
    team: str | None
    score: float | None
    channel: str | None
    time: str


@dataclass(frozen=True)
class Asked:
    """One question as the report reads it: answered, ambiguous or declined, with its votes."""

    ref: str
    question: str
    lang: str
    decision: str  # answer | ambiguous | decline
    entry: str | None  # the answer's entry; for a decline, the closest one
    team: str | None
    surface: str | None
    user: str | None
    created_at: str
    up: int = 0
    down: int = 0


@dataclass(frozen=True)
class Suggestion:
    id: int
    question: str
    entry: str
    user: str | None
    corrects_ref: str | None  # the answer it corrects, when it came from one
    status: str  # pending | approved | rejected
    created_at: str
    decided_by: str | None = None
    decided_at: str | None = None


# What became of a request offered to the inbox: stored, already there (a redelivery), or
# refused because the backlog is at its bound (not acked: Slack retries it later).
Admission = Literal["added", "duplicate", "full"]


@dataclass(frozen=True)
class InboxItem:
    """One acked request waiting for its answer: `payload` is what the worker replays."""

    id: int
    key: str  # event:<event_id>, or command:/action:<unique id>
    kind: str  # event | command | action
    payload: str
    received_at: float  # seconds since the epoch
    attempts: int  # claims so far, this one included
