"""Logging for the CLI and the running bot: our lines, never a user's words.

Our own modules (`bot.*`) log ids, counts, reasons and versions, never question text. The
libraries we wire in are capped: slack_sdk logs whole request and response bodies at DEBUG
(replies echo the question) and Bolt logs request bodies at INFO (for example on a bad
signature), so libraries never go below INFO and Bolt never below WARNING, whatever level the
operator asks for. `-v` raises our own detail, not theirs.
"""

from __future__ import annotations

import logging

BOLT_LOGGER = "bot.slack.bolt"  # the logger the app hands to Bolt
_LIBRARIES = ("slack_sdk", "urllib3", "websocket", "websockets", "sentence_transformers",
              "transformers", "huggingface_hub", "filelock", "torch")
_BOLT = ("slack_bolt", BOLT_LOGGER)
# Bolt warns about this when SLACK_BOT_TOKEN is set and a client is passed: ours is on purpose.
_EXPECTED_WARNINGS = ("As you gave `client` as well, `token` will be unused",)

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _DropExpected(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_EXPECTED_WARNINGS)


_drop_expected = _DropExpected()


def quiet_libraries() -> None:
    """Cap the libraries' loggers (idempotent): they can carry users' text below these."""
    for name in _LIBRARIES:
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.level, logging.INFO) if logger.level else logging.WARNING)
    for name in _BOLT:
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.level, logging.WARNING))
        if _drop_expected not in logger.filters:
            logger.addFilter(_drop_expected)


def configure(level: str | int, verbose: bool = False) -> None:
    """The process's logging: `level` for our modules (INFO with `verbose`)."""
    if isinstance(level, str):
        level = getattr(logging, level.upper(), logging.WARNING)
    if verbose:
        level = min(level, logging.INFO)
        for name in _LIBRARIES:  # -v shows the libraries' INFO too (retries, reconnects)
            logging.getLogger(name).setLevel(logging.INFO)
    logging.basicConfig(level=level, format=FORMAT)
    logging.getLogger().setLevel(level)
    quiet_libraries()


def silent_logger(name: str) -> logging.Logger:
    """A logger that prints nothing: for calls whose failure we report ourselves, in one line."""
    logger = logging.getLogger(f"bot.silent.{name}")
    logger.setLevel(logging.CRITICAL + 1)
    logger.propagate = False
    return logger
