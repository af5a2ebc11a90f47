"""Pure: when a failed delivery is tried again, and when it is given up (dead-lettered)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 3600.0


def next_delay(
    attempts: int, *, rng: random.Random | None = None, max_delay: float = MAX_DELAY_SECONDS
) -> timedelta:
    """Exponential back-off (1 s, 2 s, 4 s, ... capped) with "equal jitter": half the delay is
    fixed and half random, so retries spread out but never come sooner than half the step."""
    step = min(FIRST_DELAY_SECONDS * 2 ** max(attempts - 1, 0), max_delay)
    jitter = (rng or random).uniform(0, step / 2)
    return timedelta(seconds=step / 2 + jitter)


def is_expired(created_at: datetime, next_attempt: datetime, retry_window: timedelta) -> bool:
    """Give up once the next try would fall outside the retry window."""
    return next_attempt - created_at > retry_window
