"""Nothing acked is lost: requests go to the store's inbox before the ack; workers answer them.

Intake (HTTP or Socket Mode) calls `Inbox.admit` with the verified payload and acks only when
it was stored ("added") or is a redelivery ("duplicate"). Worker threads claim the oldest item
with a lease, replay it through Bolt (`app.dispatch`, listeners run in the worker's thread) and
mark it done once its replies are delivered or recorded as failed: a reply Slack turned away
for now is parked (bot/slack/schedule.py) while the worker takes the next item, and the item
stays claimed, its lease renewed by the lease keeper, until the reply is settled. Items a
dead process held (parked replies included) come back when their lease runs out; items left at
shutdown are served first by the next start. An item may be answered twice only if the process
dies between the reply reaching Slack and the done mark (milliseconds).

When the store cannot take the request (a shared database away for a few seconds), it is held
in memory and answered all the same, with a WARNING: the ack is never refused for our fault,
and only a crash during the outage can lose what is held.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_bolt.request import BoltRequest

from ..store import Admission, InboxItem, Store, StoreError
from .schedule import owing

logger = logging.getLogger(__name__)

# A response_url (slash command, button) takes replies for 30 minutes; past that, don't try.
RESPONSE_URL_SECONDS = 30 * 60
# Slack redelivers for about five minutes; answered keys are remembered a day, so a redelivery
# after a long outage and a restart is still recognised.
REMEMBER_SECONDS = 24 * 3600
_PRUNE_EVERY_SECONDS = 600
# Keys of requests held in memory during an outage, to recognise Slack's retries of them.
_MEMORY_KEYS = 10_000
_WARN_EVERY_SECONDS = 10.0


@dataclass(frozen=True)
class InboxLimits:
    """The numbers that decide the inbox's behaviour, from Settings (bot/config.py)."""

    workers: int = 4
    backlog: int = 1000  # past this, requests are not acked (503) and Slack retries them
    lease_seconds: float = 120.0  # longer than one answer with its delivery retries
    poll_seconds: float = 2.0  # how often an idle worker looks for expired leases (new work
    # wakes a worker at once; this only bounds how late a dead process's lease is noticed)


def kind_and_key(payload: dict[str, Any]) -> tuple[str, str]:
    """("event" | "command" | "action", the inbox key) for a Slack payload."""
    if payload.get("type") == "event_callback":
        event_id = payload.get("event_id")
        return "event", f"event:{event_id}" if event_id else f"event:{uuid.uuid4().hex}"
    # Slack does not redeliver commands or clicks: each delivery is its own request.
    kind = "command" if payload.get("command") else "action"
    return kind, f"{kind}:{uuid.uuid4().hex}"


def replay(app: App, item: InboxItem) -> None:
    """Run the stored request through Bolt, listeners included, in this thread."""
    stored = json.loads(item.payload)
    if stored["mode"] == "socket_mode":
        request = BoltRequest(body=stored["body"], mode="socket_mode")
    else:
        request = BoltRequest(body=stored["body"],
                              headers={"content-type": [stored.get("content_type") or ""]})
    app.dispatch(request)


class Inbox:
    """The intake's door and the worker pool behind it."""

    def __init__(self, store: Store, handle: Callable[[InboxItem], None],
                 limits: InboxLimits = InboxLimits()):
        self.store, self.handle, self.limits = store, handle, limits
        self._wake = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._pruned_at = 0.0
        self._held: deque[InboxItem] = deque()  # taken while the store could not be written
        self._held_keys: OrderedDict[str, None] = OrderedDict()
        self._held_lock = threading.Lock()
        self._warned_at = 0.0
        self._in_hand: set[int] = set()  # ids claimed from the store and not yet done

    def admit(self, kind: str, key: str, stored: dict[str, Any]) -> Admission:
        """Store one verified request; the caller acks unless the answer is "full"."""
        try:
            admission = self.store.inbox_add(key, kind, json.dumps(stored),
                                             limit=self.limits.backlog)
        except StoreError as exc:
            admission = self._hold(kind, key, json.dumps(stored), exc)
        if admission == "added":
            with self._wake:
                self._wake.notify()
        elif admission == "full":
            logger.warning("inbox full (%d requests waiting): a %s was not acked, Slack will "
                           "send it again later", self.limits.backlog, kind)
        return admission

    def _hold(self, kind: str, key: str, payload: str, why: StoreError) -> Admission:
        """Keep the request in memory (not durable) while the store is away."""
        with self._held_lock:
            if key in self._held_keys:
                return "duplicate"
            if len(self._held) >= self.limits.backlog:
                return "full"
            self._held_keys[key] = None
            if len(self._held_keys) > _MEMORY_KEYS:
                self._held_keys.popitem(last=False)
            self._held.append(InboxItem(-len(self._held_keys), key, kind, payload, time.time(),
                                        1))
        self._warn(f"the inbox is held in memory, not durable, until the store is back: {why}")
        return "added"

    def _warn(self, message: str) -> None:
        # Once every few seconds: an outage would otherwise log a line per request.
        if time.monotonic() - self._warned_at > _WARN_EVERY_SECONDS:
            self._warned_at = time.monotonic()
            logger.warning("%s", message)

    def _keep_leases(self) -> None:
        """Renew the leases of what this process is answering, a few times per lease: a slow
        answer (Slack retrying, a busy CPU) is never taken over by another worker."""
        every = max(0.2, self.limits.lease_seconds / 3)
        while not self._stop.wait(every):
            with self._held_lock:
                ids = sorted(self._in_hand)
            try:
                self.store.inbox_extend(ids, self._owner, self.limits.lease_seconds)
            except StoreError as exc:
                self._warn(f"could not renew the inbox leases: {exc}")

    def _take(self) -> InboxItem | None:
        with self._held_lock:
            if self._held:
                return self._held.popleft()
        try:
            item = self.store.inbox_claim(self._owner, self.limits.lease_seconds)
            if item is not None:
                with self._held_lock:
                    self._in_hand.add(item.id)
            return item
        except StoreError as exc:
            self._warn(f"could not take a request from the inbox: {exc}")
        except Exception:
            logger.exception("could not take a request from the inbox")
        return None

    def start(self) -> None:
        keeper = threading.Thread(target=self._keep_leases, name="owner-bot-inbox-leases",
                                  daemon=True)
        keeper.start()
        self._threads.append(keeper)
        for n in range(self.limits.workers):
            thread = threading.Thread(target=self._work, name=f"owner-bot-inbox-{n}",
                                      daemon=True)
            thread.start()
            self._threads.append(thread)

    def backlog(self) -> int:
        with self._held_lock:
            held = len(self._held)
        try:
            return self.store.inbox_backlog() + held
        except StoreError:
            return held

    def stop(self, grace_seconds: float = 0.0) -> int:
        """Drain for up to `grace_seconds`, then stop the workers (each finishes its item);
        how many requests were left in the inbox for the next start."""
        deadline = time.monotonic() + grace_seconds
        while time.monotonic() < deadline and self.backlog() > 0:
            time.sleep(0.05)
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        for thread in self._threads:
            thread.join(max(1.0, deadline - time.monotonic()))
        left = self.backlog()
        if left:
            logger.info("stopped with %d request(s) in the inbox: served at the next start",
                        left)
        return left

    def _work(self) -> None:
        while not self._stop.is_set():
            item = self._take()
            if item is None:
                self._idle()
                continue
            self._serve(item)

    def _idle(self) -> None:
        with self._wake:
            self._wake.wait(self.limits.poll_seconds)
        if time.monotonic() - self._pruned_at > _PRUNE_EVERY_SECONDS:
            self._pruned_at = time.monotonic()
            try:
                self.store.inbox_prune(REMEMBER_SECONDS)
            except StoreError as exc:
                self._warn(f"could not prune the inbox: {exc}")

    def _serve(self, item: InboxItem) -> None:
        # Done when the handler has returned and every reply it parked is settled; until then
        # the lease keeper renews the item's lease, parked replies included.
        with owing(lambda: self._done(item.id)):
            try:
                if (item.kind != "event"
                        and time.time() - item.received_at > RESPONSE_URL_SECONDS):
                    logger.warning("dropped a %s (inbox id %d) older than 30 minutes: its "
                                   "response_url no longer takes replies", item.kind, item.id)
                else:
                    self.handle(item)
            except Exception:
                # Our bug, not a transient failure: served again it would fail again.
                logger.exception("a %s from the inbox (id %d) failed", item.kind, item.id)

    def _done(self, item_id: int) -> None:
        try:
            if item_id > 0:  # an item held in memory (< 0) has nothing stored to mark
                self.store.inbox_done(item_id)
        except StoreError as exc:
            # Served again once its lease runs out: this one reply may be posted twice.
            self._warn(f"could not mark inbox item {item_id} done: {exc}")
        except Exception:  # served again after its lease: at worst answered twice
            logger.exception("could not mark inbox id %d done", item_id)
        finally:
            # No longer renewed: if it was not marked done, its lease runs out and it is
            # served again.
            with self._held_lock:
                self._in_hand.discard(item_id)
