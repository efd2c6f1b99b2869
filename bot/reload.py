"""Swap in edited knowledge without a restart, keeping the last good version on a bad edit.

The new Matcher is built entirely on the side (only changed texts are embedded, thanks to the
cache) and published by replacing `Serving.matcher`, one reference. A request reads that
reference once; its Match carries the knowledge it was computed from, so a question in flight
finishes on the version it started with and no answer mixes two versions.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .cache import EmbeddingCache
from .knowledge import KnowledgeError, source_fingerprint
from .learning import served_knowledge
from .matcher import Matcher, build_index
from .store import Store, StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadResult:
    changed: bool  # a new version is now served
    version: str  # the version served after the attempt
    problems: tuple[str, ...] = ()  # why the edit was rejected; empty when it was fine

    @property
    def ok(self) -> bool:
        return not self.problems


class Serving:
    """The matcher being served right now: read `matcher` once per request."""

    def __init__(self, matcher: Matcher):
        self.matcher = matcher
        self.warmed = threading.Event()  # the encoder has answered once: the model is loaded

    def warm_up(self) -> None:
        """Load the model now (encoders load lazily), so the first question does not wait."""
        self.matcher.encoder.encode_queries(["warm-up"])
        self.warmed.set()


class KnowledgeReloader:
    def __init__(self, serving: Serving, knowledge_dir: str | Path, cache: EmbeddingCache,
                 store: Store | None = None):
        """With a store, its approved learned examples are served too, and a new one is
        picked up by the watcher like a file edit."""
        self.serving = serving
        self.knowledge_dir = Path(knowledge_dir)
        self.cache = cache
        self.store = store
        self._lock = threading.Lock()  # one rebuild at a time
        self._fingerprint: tuple[object, ...] = ((), ())
        self._fingerprint = self._sources()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def reload(self) -> ReloadResult:
        """Load, validate and publish the knowledge folder; never raises for a bad edit."""
        with self._lock:
            before, self._fingerprint = self._fingerprint, self._sources()
            matcher = self.serving.matcher
            current = matcher.knowledge.version
            try:
                knowledge = served_knowledge(self.knowledge_dir, self.store)
            except StoreError as exc:
                log.warning("knowledge not reloaded, still serving version %s: %s", current, exc)
                return ReloadResult(False, current)
            except KnowledgeError as exc:
                log.warning(
                    "knowledge edit rejected, still serving version %s: %s",
                    current,
                    "; ".join(exc.problems),
                )
                return ReloadResult(False, current, tuple(exc.problems))
            if knowledge.version == current:
                return ReloadResult(False, current)
            # Only new texts are embedded (the cache has the rest): a learned example costs one.
            # When only learned examples changed, the decision rule is kept: one example more
            # barely moves it, and refitting took seconds that the other replicas would wait.
            keep = matcher.index.rule if before[0] == self._fingerprint[0] else None
            index = build_index(knowledge, matcher.encoder, self.cache, matcher.thresholds,
                                rule=keep)
            self.serving.matcher = matcher.with_index(index)  # the atomic publish
            log.info("knowledge reloaded: version %s -> %s", current, knowledge.version)
            return ReloadResult(True, knowledge.version)

    def _sources(self) -> tuple[object, ...]:
        # The store's state covers the learned examples and the replicas' reload signals: a
        # change made through any replica on a shared database shows up here.
        try:
            shared = self.store.sync_state() if self.store is not None else ()
        except StoreError:
            shared = self._fingerprint[1]  # the store is away: nothing new to see
        return (source_fingerprint(self.knowledge_dir), shared)

    def tell_replicas(self) -> None:
        """Ask every replica on this store to reload (an admin's `/owner reload`)."""
        if self.store is None:
            return
        try:
            self.store.signal("reload")
        except StoreError as exc:
            log.warning("the other replicas were not told to reload: %s", exc)

    def poll_once(self) -> ReloadResult | None:
        """Reload if a knowledge file or the learned examples changed since the last look;
        cheap when nothing did."""
        if self._sources() == self._fingerprint:
            return None
        return self.reload()

    def start(self, interval: float = 2.0,
              on_result: Callable[[ReloadResult], None] | None = None) -> None:
        """Watch the folder in a daemon thread; `on_result` hears of every reload it tried."""
        if self._thread:
            return
        self._stop.clear()

        def watch() -> None:
            while not self._stop.wait(interval):
                try:
                    result = self.poll_once()
                    if result is not None and on_result is not None:
                        on_result(result)
                except Exception:  # the watcher must outlive any surprise; log with traceback
                    log.exception("knowledge watcher failed; will retry")

        self._thread = threading.Thread(target=watch, name="knowledge-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None
