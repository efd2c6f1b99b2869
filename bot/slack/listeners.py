"""Wire Slack's surfaces to the module-level handlers: nothing but registration here.

Slack's request was acked when it reached the inbox (bot/slack/inbox.py); a worker replays it
through Bolt and the listener runs there, in the worker's thread, to the end. Bolt's ack() is
still called (Bolt requires it) and goes nowhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from . import actions, command, events, home, picker
from .blocks import (
    ACTION_PICK,
    ACTION_SHARE,
    ACTION_VOTE_DOWN,
    ACTION_VOTE_UP,
    ALT_ACTION_PATTERN,
)
from .context import BotContext
from .payload import is_new_human_dm, text_field

_ANYTHING = re.compile(r".*")


def ack_only(ack: Ack) -> None:
    ack()


def acked(work: Callable[..., None]) -> Callable[..., None]:
    """A listener that acks for Bolt, then does `work` with the arguments Bolt passes."""

    def listener(ack: Ack, body: dict[str, Any], action: dict[str, Any] | None,
                 client: Any) -> None:
        ack()
        work(body=body, action=action, client=client)

    return listener


def register_listeners(app: App, bot: BotContext) -> None:
    """The three surfaces (mention, /owner, DM) and the buttons, answered through `bot`.

    Bolt passes a listener the arguments its parameter names ask for, so each lambda names
    exactly what its handler reads.
    """
    app.event("app_mention")(lambda body, event, client: events.on_mention(
        bot, event, client, text_field(body.get("event_id"))))
    app.event("message", matchers=[is_new_human_dm])(
        lambda body, event, client: events.on_direct_message(
            bot, event, client, text_field(body.get("event_id"))))
    app.event("message")(events.ignore_message)
    app.command(command.COMMAND)(acked(lambda body, **_: command.on_command(bot, body)))
    vote = acked(lambda body, action, **_: actions.on_vote(bot, body, action))
    app.action(ACTION_VOTE_UP)(vote)
    app.action(ACTION_VOTE_DOWN)(vote)
    app.action(ACTION_SHARE)(acked(lambda body, action, **_: actions.on_share(bot, body, action)))
    app.action(ALT_ACTION_PATTERN)(acked(
        lambda body, action, client: actions.on_alternative(bot, body, action, client)))
    # The learning loop: "pick the right area" (options while typing, then the pick) and the
    # admins' review queue in App Home. Options are answered at once, never through the inbox:
    # Slack shows them while the person types, and a lost one is only a menu to reopen.
    app.options(ACTION_PICK)(lambda body, ack: picker.on_pick_options(bot, body, ack))
    app.action(ACTION_PICK)(acked(lambda body, action, **_: picker.on_pick(bot, body, action)))
    app.event("app_home_opened")(lambda event, client: home.on_home_opened(bot, event, client))
    review = acked(lambda body, action, client: home.on_review(bot, body, action, client))
    for action_id in (home.ACTION_APPROVE, home.ACTION_REJECT, home.ACTION_OTHER_AREA):
        app.action(action_id)(review)
    # Anything else Slack sends (another event type, a command or button of another app
    # version) is acked and ignored: an unacked request is retried and shows the user an error.
    app.event(_ANYTHING)(events.ignore_message)
    app.command(_ANYTHING)(ack_only)
    app.action(_ANYTHING)(ack_only)
    app.options(_ANYTHING)(lambda ack: ack(options=[]))
