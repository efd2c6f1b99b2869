"""Acks under a burst: N signed events at S concurrent senders into `owner-bot run --http`.

    python -m bench.ack_burst --events 1500 --senders 32

Reports ack latency (send to HTTP 200), connection errors (resets, refusals), non-200 answers,
and how long until every reply reached the fake Web API. Everything on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .measure import REPO, summary_ms
from .slack_path import BotProcess, Replies, _slackfakes


def burst(events: int, senders: int) -> dict[str, object]:
    fakes = _slackfakes()
    fake, thread = fakes.start_fake_slack()
    replies = Replies(fake)
    with tempfile.TemporaryDirectory(prefix="owner-bot-burst-") as data:
        bot = BotProcess(fakes, fake, REPO / "knowledge", Path(data))
        try:
            bot.wait_healthy()
            acks: list[float] = []
            errors: list[str] = []
            statuses: dict[int, int] = {}
            acked: list[str] = []

            def send(n: int) -> None:
                ts = f"1700009000.{n:06d}"
                body = json.dumps(fakes.event_body(fakes.mention_event(
                    "谁负责写代码？", ts=ts, channel=f"C{n % 7:03d}"), f"EvBurst{n}")).encode()
                start = time.perf_counter()
                try:
                    status = fakes.post(bot.url + "/slack/events", body,
                                        "application/json").status
                except OSError as exc:
                    errors.append(type(exc).__name__)
                    return
                acks.append(time.perf_counter() - start)
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200:
                    acked.append(ts)

            started = time.perf_counter()
            with ThreadPoolExecutor(senders) as pool:
                list(pool.map(send, range(events)))
            acked_in = time.perf_counter() - started
            # Only acked events are owed a reply (a 503 is Slack's to send again).
            last = max((replies.wait(ts, timeout=300) for ts in acked), default=started)
        finally:
            bot.stop()
            fake.server.shutdown()
            fake.server.server_close()
            thread.join(5)
    return {"events": events, "senders": senders, "ack": summary_ms(acks),
            "statuses": statuses, "connection_errors": len(errors),
            "acks_per_s": round(events / acked_in, 1),
            "all_replied_after_s": round(last - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1500)
    parser.add_argument("--senders", type=int, default=32)
    args = parser.parse_args()
    print(json.dumps(burst(args.events, args.senders)))


if __name__ == "__main__":
    main()
