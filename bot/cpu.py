"""The CPU budget: numpy's BLAS runs one thread, so nothing spins between questions.

The encoder caps its own threads (bot/encoders.py), but the index product in bot/matcher.py runs
in numpy's BLAS, which starts one thread per core and keeps them busy-waiting after each product:
a question cost 103-133 ms of CPU at 5 questions/s against 12 ms at saturation (issue 10). The
products are matrix-vector sized (texts x 512 by 512 x 1): one thread computes them as fast.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger(__name__)

DEFAULT_BLAS_THREADS = 1
_ENV = "OWNER_BOT_BLAS_THREADS"  # 0: leave the BLAS library's default (for measuring)


def blas_threads() -> int:
    raw = os.environ.get(_ENV, "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_BLAS_THREADS


def cap_numeric_threads() -> None:
    """Limit every BLAS/OpenMP pool loaded in this process (numpy's OpenBLAS among them).

    Called once the numeric libraries are loaded (building the matcher loads them); the limit
    stays for the life of the process, so no per-question call is needed.
    """
    threads = blas_threads()
    if threads <= 0:
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
    logger.debug("BLAS limited to %d thread(s)", threads)


def serving_threads(configured: int | None) -> int | None:
    """The encoder's threads in the running bot: OWNER_BOT_THREADS when set, else the BLAS cap.

    The encoder asks its BLAS for its own thread count on every encode (threadpoolctl), above
    the cap: with 2, the second OpenBLAS thread spun ~100 ms after each question, so a question
    cost 128 ms of CPU at 5 a second against 35 ms at saturation; with 1, 15 ms against 15 ms
    (bench/cpu_budget.py). A question is two short sentences: one thread encodes it as fast.
    With the cap off (OWNER_BOT_BLAS_THREADS=0) the encoder keeps its default, as before.
    """
    if configured is not None:
        return configured
    return blas_threads() or None
