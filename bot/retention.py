"""Stored questions are deleted after OWNER_BOT_RETENTION_DAYS (learned examples would stay)."""

from __future__ import annotations

import logging
import threading

from .store import Store

logger = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 24 * 3600


def start_retention(store: Store, days: int) -> threading.Event:
    """Purge now and then daily in a daemon thread; set the returned event to stop it.
    `days` 0 keeps everything."""
    stop = threading.Event()
    if days <= 0:
        return stop

    def purge() -> None:
        while True:
            try:
                deleted = store.delete_older_than(days)
                logger.info("retention: deleted %d row(s) older than %d days", deleted, days)
                # Rate-limit windows of people who stopped asking a day ago or more.
                store.rate_prune()
            except Exception:  # the bot must outlive a failed purge; it retries tomorrow
                logger.exception("retention purge failed")
            if stop.wait(PURGE_EVERY_SECONDS):
                return

    threading.Thread(target=purge, name="retention", daemon=True).start()
    return stop
