"""Hostile and odd questions, and random payloads, through the matcher, the reply builders and
the real Bolt app over HTTP: nothing crashes, everything is acked, nothing pings anyone."""

from __future__ import annotations

import json
import logging
import re
import shutil
import urllib.parse
from itertools import count
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hardening_support import REPO_ROOT, matcher_on
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slackfakes import (
    BOT_USER,
    RunningBot,
    action_payload,
    block_text,
    command_form,
    dm_event,
    event_body,
    mention_event,
    post,
    sign,
)

from bot.knowledge import Knowledge
from bot.matcher import Matcher
from bot.question import MAX_QUESTION_CHARS
from bot.reply import contact_text
from bot.slack.answers import answer_entry, help_reply, reply_to, shared_answer
from bot.slack.blocks import ACTION_ALT_PREFIX, ACTION_SHARE, ACTION_VOTE_DOWN, ACTION_VOTE_UP
from bot.slack.gate import MAX_BODY_BYTES
from bot.slack.guard import malformed
from bot.store import AnswerRecord, SqliteStore

# Slack's message limits the replies must stay within.
MAX_TEXT = 4000
MAX_BLOCK_TEXT = 3000
MAX_BLOCKS = 50

MARKUP = [
    "<!channel>", "<!here>", "<!everyone>", "<@U123>", "<@W999|bob>", "<!subteam^S1>",
    "<!subteam^S1|@team>", "<https://x|y>", "<https://evil.example>", "<#C123|general>",
    "<mailto:a@b.c|mail>", "&lt;!channel&gt;", "&lt;@U1&gt;", "&amp;lt;!here&amp;gt;",
    "@channel", "@here", "@everyone", "```", "`code`", "```\nrm -rf /\n```", "\u200b", "\u200d",
    "\u202e", "\u202d", "\u2066", "\ufeff", "\x00", "\x1b[31m", "\r\n", "<", ">", "&", "<!",
    "<@", "谁负责", "写代码", "who owns", "the budget", "预算", "مَن يملك", "🤔", "👍🏽", " ",
]
fragment = st.sampled_from(MARKUP) | st.text(st.characters(), max_size=20)
hostile_text = (
    st.lists(fragment, max_size=12).map("".join)
    | st.tuples(fragment, st.integers(1, 6000)).map(lambda t: t[0] * t[1])  # very long
    | st.tuples(st.lists(fragment, max_size=4).map("".join), st.sampled_from(MARKUP))
    .map(lambda t: f"<@{BOT_USER}> {t[0]} {t[1]}")
)

_MARKUP_TOKEN = re.compile(r"<[^<>]*>")
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def knowledge_markup(knowledge: Knowledge) -> set[str]:
    """The mentions and links the knowledge itself puts in replies (contact ids)."""
    teams = [*knowledge.teams.values(), knowledge.fallback]
    return {token for team in teams
            for token in _MARKUP_TOKEN.findall(contact_text(team.contact, slack=True))}


def strings(value: Any) -> list[str]:
    """Every string in a message body: text, block texts, fields, buttons."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def live_markup(message: Any, allowed: set[str]) -> list[str]:
    """Markup that would ping, mention or link, other than the knowledge's own."""
    bad = []
    for text in strings(message):
        bad += [t for t in _MARKUP_TOKEN.findall(text) if t not in allowed]
        bad += [m.group(0) for m in _BROADCAST.finditer(text)]
    return bad


def check_reply(reply, allowed: set[str]) -> None:
    message = {"text": reply.text, "blocks": reply.blocks}
    assert reply.text and len(reply.text) <= MAX_TEXT
    assert len(reply.blocks) <= MAX_BLOCKS
    for block in reply.blocks:
        for text in strings(block):
            assert len(text) <= MAX_BLOCK_TEXT
    assert live_markup(message, allowed) == [], message


class RecordingEncoder:
    """The real encoder, noting the longest text it was asked to embed."""

    def __init__(self, real: Any):
        self.real = real
        self.longest = 0

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.longest = max([self.longest, *map(len, texts)])
        return self.real.encode_queries(texts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.fixture(scope="module")
def marked(matcher: Matcher, data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """A matcher on knowledge whose engineering contact is a real channel link and group
    mention, wrapped so the test sees what is embedded."""
    folder = tmp_path_factory.mktemp("marked") / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", folder)
    teams = folder / "teams.yaml"
    teams.write_text(teams.read_text("utf-8").replace(
        'contact: {channel: "#eng-help", usergroup: "@eng-oncall"}',
        'contact: {channel: "#eng-help", channel_id: C0ENG, usergroup: "@eng-oncall", '
        "usergroup_id: S0ENG}"), "utf-8")
    own, _ = matcher_on(folder, matcher, data_dir)
    encoder = RecordingEncoder(own.encoder)
    recording = Matcher(own.index, encoder, own.thresholds)  # type: ignore[arg-type]
    allowed = knowledge_markup(recording.knowledge)
    assert allowed == {"<#C0ENG>", "<!subteam^S0ENG>"}
    return recording, encoder, allowed


HOSTILE = {
    "empty": "",
    "whitespace": " \t\n\u3000 ",
    "emoji": "🤔🔥👍🏽🇨🇳",
    "huge": "谁负责写代码？" + "写代码" * 17_000,  # ~50,000 characters
    "control": "who\x00 writes\x07 the\x1b[31m code\x7f?",
    "zero_width": "谁\u200b负\u200c责\u200d写\ufeff代码？",
    "rtl": "\u202eمن يكتب الكود؟\u202c",
    "bare_mention": "<@U123>",
    "bot_mention_only": f"<@{BOT_USER}>",
    "markup": "<!channel> <!here> <@U123> <!subteam^S1> <https://x|y> who writes the code?",
    "escaped_markup": "&lt;!channel&gt; &lt;@U123&gt; 谁负责写代码？",
    "code_block": "```\nSELECT * FROM budget; -- who owns this?\n```",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_hostile_question_gets_a_sensible_reply(name: str, marked):
    recording, encoder, allowed = marked
    store = SqliteStore(":memory:")
    reply = reply_to(recording, HOSTILE[name], store=store)
    check_reply(reply, allowed)
    if name in ("empty", "whitespace", "bare_mention", "bot_mention_only"):
        help_text = help_reply(recording.knowledge.speaks_japanese).text
        assert reply.text == help_text and "&lt;question&gt;" in reply.text
    elif name == "emoji":
        assert reply.match is not None and reply.match.reason == "no_words"
    else:
        assert reply.match is not None
        assert len(reply.match.question) <= MAX_QUESTION_CHARS
    if name in ("huge", "control", "zero_width", "markup", "escaped_markup"):
        assert reply.match is not None and reply.match.best is not None
        assert reply.match.best.team.id == "engineering"
        assert "<!subteam^S0ENG>" in block_text(reply.blocks)  # the knowledge's own mention
    assert encoder.longest <= MAX_QUESTION_CHARS  # cut before embedding, however long


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=hostile_text, sharer=st.one_of(st.none(), st.sampled_from(["U555", "W123"]),
                                           hostile_text),
       score=st.floats(allow_nan=True, allow_infinity=True))
def test_property_replies_never_crash_never_ping_stay_bounded(marked, text: str, sharer,
                                                              score: float):
    recording, encoder, allowed = marked
    store = SqliteStore(":memory:")
    reply = reply_to(recording, text, store=store, share=True)
    check_reply(reply, allowed)
    assert encoder.longest <= MAX_QUESTION_CHARS
    if reply.match is not None:
        assert len(reply.match.question) <= MAX_QUESTION_CHARS

    entry = recording.knowledge.entries[0]
    picked = answer_entry(recording.knowledge, entry.id, text, "zh", score, store=store)
    assert picked is not None
    check_reply(picked, allowed)
    record = AnswerRecord("ref", text, "en", "answer", entry.id, entry.team, 0.5, None, None)
    shared = shared_answer(recording.knowledge, record, sharer)
    assert shared is not None
    sharer_mention = {f"<@{sharer}>"} if sharer in ("U555", "W123") else set()
    check_reply(shared, allowed | sharer_mention)


# --------------------------------------------------------------------------- random payloads

ids = count()
odd = st.one_of(st.none(), st.integers(), st.booleans(), st.just(""), st.just([]),
                st.just({}), hostile_text)
user = st.sampled_from(["U222", "U333", BOT_USER]) | odd
channel = st.sampled_from(["C111", "D111", "G111"]) | odd


def _optional(**fields: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


events = st.builds(
    lambda base, extra: {**base, **extra},
    st.fixed_dictionaries({"type": st.sampled_from(["app_mention", "message", "reaction_added",
                                                    "app_home_opened", "member_joined_channel"])
                           | odd}),
    _optional(user=user, channel=channel, text=hostile_text | odd,
              ts=st.sampled_from(["1700000001.000100"]) | odd, thread_ts=odd,
              channel_type=st.sampled_from(["im", "channel", "group"]) | odd,
              subtype=st.sampled_from(["message_changed", "bot_message"]) | odd,
              bot_id=odd, event_ts=odd),
)
event_payloads = st.builds(lambda event, extra: {**event_body(event, f"EvRand{next(ids)}"),
                                                 **extra},
                           events | odd, _optional(team_id=odd, authorizations=odd))
commands = st.builds(dict, _optional(text=hostile_text, user_id=st.text(max_size=12),
                                     channel_id=st.text(max_size=12),
                                     command=st.sampled_from(["/owner", "/other"])),
                     )
action_ids = st.sampled_from([ACTION_VOTE_UP, ACTION_VOTE_DOWN, ACTION_SHARE,
                              f"{ACTION_ALT_PREFIX}finance-budget", f"{ACTION_ALT_PREFIX}nope",
                              "some.other.button"])
actions = st.builds(
    lambda action_id, value, extra: {"type": "block_actions",
                                     "actions": [{"action_id": action_id, "value": value,
                                                  "type": "button", "block_id": "b"}], **extra},
    action_ids, st.one_of(hostile_text, st.just("ref|zh|0.5"), st.just("x|en|nan")),
    _optional(user=st.fixed_dictionaries({"id": user}) | odd, channel=odd,
              container=st.fixed_dictionaries({"is_ephemeral": st.booleans()}) | odd,
              message=odd, team=odd),
)


def _send(bot: RunningBot, kind: str, payload: dict[str, Any], good_signature: bool):
    if kind == "event":
        raw = json.dumps(payload).encode()
        content_type = "application/json"
    else:
        if kind == "action":  # Slack always gives a response_url with a button click
            payload = {"response_url": bot.fake.response_url(f"act{next(ids)}"), **payload}
            payload = {"payload": json.dumps(payload)}
        else:
            payload = {"command": "/owner", "team_id": "T111", **payload,
                       "response_url": bot.fake.response_url(f"rand{next(ids)}")}
        raw = urllib.parse.urlencode(payload).encode()
        content_type = "application/x-www-form-urlencoded"
    signature = None if good_signature else sign(raw, 0, "not-the-secret")
    return post(bot.events_url, raw, content_type, signature=signature), len(raw)


def test_property_random_payloads_are_acked_and_nothing_escapes(bot: RunningBot, logs):
    statuses: list[tuple[bool, int]] = []

    @settings(max_examples=120, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(request=st.one_of(st.tuples(st.just("event"), event_payloads),
                             st.tuples(st.just("command"), commands),
                             st.tuples(st.just("action"), actions)),
           good_signature=st.sampled_from([True, True, True, False]))
    def run(request: tuple[str, dict[str, Any]], good_signature: bool) -> None:
        kind, payload = request
        result, size = _send(bot, kind, payload, good_signature)
        if size > MAX_BODY_BYTES:  # hypothesis can grow a field past the gate's limit
            assert result.status == 413, (kind, size)
            return
        statuses.append((good_signature, result.status))
        assert result.status == (200 if good_signature else 401), (kind, payload)

    run()
    bot.settle()
    assert {s for good, s in statuses if good} == {200}
    assert any(not good for good, _ in statuses)  # forged requests were really tried
    problems = [r for r in logs.records if r.levelno >= logging.ERROR or r.exc_info]
    assert problems == [], [logs.format(r) for r in problems]
    for call in bot.fake.replies():
        assert live_markup(call.body, set()) == [], call.body

    # And the bot still answers a real question afterwards.
    before = len(bot.fake.posts("chat.postMessage"))
    bot.send_json(event_body(mention_event("谁负责写代码？", ts="1700000999.000001"), "EvAfter"))
    posts = bot.fake.wait_for(lambda c: c.method == "chat.postMessage", count=before + 1)
    assert any("开发团队" in block_text(p.body.get("blocks") or []) for p in posts[before:])


def test_hostile_questions_over_http_ping_nobody(bot: RunningBot):
    for i, text in enumerate(HOSTILE.values()):
        bot.send_json(event_body(dm_event(text, ts=f"1700000800.{i:06d}"), f"EvHostile{i}"))
        bot.send_json(event_body(mention_event(text, ts=f"1700000900.{i:06d}"), f"EvHm{i}"))
    bot.settle()
    replies = bot.fake.posts("chat.postMessage")
    assert len(replies) == 2 * len(HOSTILE)  # everyone got a reply or a polite decline
    for call in replies:
        assert live_markup(call.body, set()) == [], call.body
        assert len(call.body["text"]) <= MAX_TEXT


def test_malformed_payload_shapes_are_recognised_and_real_ones_pass():
    good = [event_body(mention_event("hi"), "Ev1"), event_body(dm_event("hi"), "Ev2"),
            command_form("hi", "http://127.0.0.1/r"),
            action_payload(ACTION_VOTE_UP, "ref", "http://127.0.0.1/r", ephemeral=True)]
    assert [malformed(body) for body in good] == [None] * len(good)
    bad = [None, [], "x", {**event_body(mention_event("hi"), "Ev3"), "event": None},
           {**event_body(mention_event("hi"), "Ev4"), "authorizations": 0},
           event_body({"type": "app_mention", "channel": 5}, "Ev5"),
           {"type": "block_actions", "actions": "x"}, {"type": "block_actions", "user": "U1",
                                                       "actions": [{"action_id": "a"}]},
           {"command": "/owner", "text": ["x"]}, {"team": {"id": 7}}]
    assert all(malformed(body) for body in bad)
