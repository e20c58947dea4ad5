"""How long to wait before reading an activation status again."""

from __future__ import annotations

FIRST_POLL_DELAY = 0.1
# A quarter of the time waited so far: a change is seen at most 25 % late (a 2 s activation within
# 0.5 s), and a long activation is polled no harder than every `poll_interval` seconds.
LAG_SHARE = 0.25


def next_delay(elapsed: float, poll_interval: float) -> float:
    """Seconds until the next status read, `elapsed` seconds after the wait began."""
    return min(max(FIRST_POLL_DELAY, elapsed * LAG_SHARE), poll_interval)
