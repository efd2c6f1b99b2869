"""Swap in edited knowledge without a restart, keeping the last good version on a bad edit.

The new Index is built entirely on the side (only changed texts are embedded, thanks to the
cache) and then published with one attribute assignment, so a question in flight finishes on
the version it started with and no answer mixes two versions.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .cache import EmbeddingCache
from .knowledge import KnowledgeError, load_knowledge, source_fingerprint
from .matcher import Matcher, build_index

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadResult:
    changed: bool  # a new version is now served
    version: str  # the version served after the attempt
    problems: tuple[str, ...] = ()  # why the edit was rejected; empty when it was fine

    @property
    def ok(self) -> bool:
        return not self.problems


class KnowledgeReloader:
    def __init__(self, matcher: Matcher, knowledge_dir: str | Path, cache: EmbeddingCache):
        self.matcher = matcher
        self.knowledge_dir = Path(knowledge_dir)
        self.cache = cache
        self._lock = threading.Lock()  # one rebuild at a time
        self._fingerprint = source_fingerprint(self.knowledge_dir)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def reload(self) -> ReloadResult:
        """Load, validate and publish the knowledge folder; never raises for a bad edit."""
        with self._lock:
            self._fingerprint = source_fingerprint(self.knowledge_dir)
            current = self.matcher.index.knowledge.version
            try:
                knowledge = load_knowledge(self.knowledge_dir)
            except KnowledgeError as exc:
                log.warning(
                    "knowledge edit rejected, still serving version %s: %s",
                    current,
                    "; ".join(exc.problems),
                )
                return ReloadResult(False, current, tuple(exc.problems))
            if knowledge.version == current:
                return ReloadResult(False, current)
            index = build_index(knowledge, self.matcher.encoder, self.cache,
                                self.matcher.thresholds)
            self.matcher.index = index  # the atomic publish
            log.info("knowledge reloaded: version %s -> %s", current, knowledge.version)
            return ReloadResult(True, knowledge.version)

    def poll_once(self) -> ReloadResult | None:
        """Reload if any knowledge file changed since the last look; cheap when nothing did."""
        if source_fingerprint(self.knowledge_dir) == self._fingerprint:
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
