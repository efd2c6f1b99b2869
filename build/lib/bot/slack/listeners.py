"""Wire Slack's surfaces to the module-level handlers: nothing but registration here.

Events are acked by Bolt before the listener runs; commands and buttons ack in `ack_only` and do
their work in lazy listeners, so Slack never waits on the matcher or the database.
"""

from __future__ import annotations

import re

from slack_bolt import Ack, App

from . import actions, command, events
from .blocks import ACTION_SHARE, ACTION_VOTE_DOWN, ACTION_VOTE_UP, ALT_ACTION_PATTERN
from .context import BotContext
from .payload import is_new_human_dm

_ANYTHING = re.compile(r".*")


def ack_only(ack: Ack) -> None:
    ack()


def register_listeners(app: App, bot: BotContext) -> None:
    """The three surfaces (mention, /owner, DM) and the buttons, answered through `bot`.

    Bolt passes a listener the arguments its parameter names ask for, so each lambda names
    exactly what its handler reads.
    """
    app.event("app_mention")(lambda event, client: events.on_mention(bot, event, client))
    app.event("message", matchers=[is_new_human_dm])(
        lambda event, client: events.on_direct_message(bot, event, client))
    app.event("message")(events.ignore_message)
    app.command(command.COMMAND)(ack=ack_only, lazy=[lambda body: command.on_command(bot, body)])
    vote = [lambda body, action: actions.on_vote(bot, body, action)]
    app.action(ACTION_VOTE_UP)(ack=ack_only, lazy=vote)
    app.action(ACTION_VOTE_DOWN)(ack=ack_only, lazy=vote)
    app.action(ACTION_SHARE)(ack=ack_only,
                             lazy=[lambda body, action: actions.on_share(bot, body, action)])
    app.action(ALT_ACTION_PATTERN)(ack=ack_only, lazy=[
        lambda body, action, client: actions.on_alternative(bot, body, action, client)])
    # Anything else Slack sends (another event type, a command or button of another app
    # version) is acked and ignored: an unacked request is retried and shows the user an error.
    app.event(_ANYTHING)(events.ignore_message)
    app.command(_ANYTHING)(ack_only)
    app.action(_ANYTHING)(ack_only)
