"""The learning loop's library: teaching, approving, and the knowledge the bot serves.

What is served is the knowledge folder (learned.yaml included) plus the store's approved
examples; bot/reload.py swaps in a new version when either changes.
"""

from __future__ import annotations

from pathlib import Path

from .errors import OwnerBotError
from .knowledge import Knowledge, load_knowledge
from .learned import LearnedExample, with_learned
from .question import clean, has_words
from .store import Store, Suggestion


class LearningError(OwnerBotError):
    """A bad id or question in the learning loop; one line saying what to fix."""


def approved_examples(store: Store | None) -> list[LearnedExample]:
    if store is None:
        return []
    return [LearnedExample(s.question, s.entry) for s in store.suggestions("approved")]


def served_knowledge(knowledge_dir: Path, store: Store | None) -> Knowledge:
    """The folder's knowledge with the store's approved examples; raises KnowledgeError."""
    return with_learned(load_knowledge(knowledge_dir), approved_examples(store))


def _checked(knowledge: Knowledge, question: str, entry_id: str) -> str:
    text = clean(question)
    if not has_words(text):
        raise LearningError("the question is empty: give the words people asked, in quotes")
    if knowledge.entry(entry_id) is None:
        known = ", ".join(sorted(e.id for e in knowledge.entries)[:8])
        raise LearningError(f"unknown entry id '{entry_id}' (known: {known}, ...): "
                            "see `owner-bot learned list` or the ids in knowledge/entries/")
    return text


def teach(store: Store, knowledge: Knowledge, question: str, entry_id: str,
          by: str | None = None) -> int:
    """An admin's direct teaching: stored approved at once; its suggestion id."""
    text = _checked(knowledge, question, entry_id)
    return store.add_suggestion(text, entry_id, user=by, approved_by=by or "cli")


def suggest(store: Store, knowledge: Knowledge, question: str, entry_id: str,
            user: str | None, corrects_ref: str | None = None) -> int:
    """An asker's pick of the right area: pending until an admin decides."""
    text = _checked(knowledge, question, entry_id)
    return store.add_suggestion(text, entry_id, user=user, corrects_ref=corrects_ref)


def decide(store: Store, knowledge: Knowledge, suggestion_id: int, approve: bool,
           by: str | None, entry_id: str | None = None) -> Suggestion:
    """Approve (optionally as another entry) or reject; LearningError for a bad id."""
    if entry_id is not None and knowledge.entry(entry_id) is None:
        raise LearningError(f"unknown entry id '{entry_id}'")
    decided = store.decide_suggestion(suggestion_id, "approved" if approve else "rejected", by,
                                      entry_id)
    if decided is None:
        raise LearningError(f"no suggestion with id {suggestion_id}: see `owner-bot learned "
                            "list`")
    return decided
