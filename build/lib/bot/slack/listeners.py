"""Wire Slack's surfaces to the module-level handlers: nothing but registration here.

Events are acked by Bolt before the listener runs; commands and buttons ack in `ack_only` and do
their work in lazy listeners, so Slack never waits on the matcher or the database.
"""

from __future__ import annotations

import re

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
    # The learning loop: "pick the right area" (options while typing, then the pick) and the
    # admins' review queue in App Home.
    app.options(ACTION_PICK)(lambda body, ack: picker.on_pick_options(bot, body, ack))
    app.action(ACTION_PICK)(ack=ack_only,
                            lazy=[lambda body, action: picker.on_pick(bot, body, action)])
    app.event("app_home_opened")(lambda event, client: home.on_home_opened(bot, event, client))
    review = [lambda body, action, client: home.on_review(bot, body, action, client)]
    for action_id in (home.ACTION_APPROVE, home.ACTION_REJECT, home.ACTION_OTHER_AREA):
        app.action(action_id)(ack=ack_only, lazy=review)
    # Anything else Slack sends (another event type, a command or button of another app
    # version) is acked and ignored: an unacked request is retried and shows the user an error.
    app.event(_ANYTHING)(events.ignore_message)
    app.command(_ANYTHING)(ack_only)
    app.action(_ANYTHING)(ack_only)
    app.options(_ANYTHING)(lambda ack: ack(options=[]))
