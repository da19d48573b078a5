"""Reconnect delays: exponential backoff with full jitter.

Full jitter (a uniform draw between 0 and the exponential cap) spreads the clients of a
restarted server over the whole window instead of having them all return at once.
"""
from __future__ import annotations

import random
from typing import Callable, Optional


class Backoff:
    def __init__(
        self,
        min_delay: float = 0.5,
        max_delay: float = 20.0,
        factor: float = 2.0,
        rand: Optional[Callable[[float, float], float]] = None,
    ) -> None:
        if min_delay < 0 or max_delay < min_delay:
            raise ValueError("need 0 <= min_delay <= max_delay")
        self.min_delay = min_delay
        self.max_delay = max_delay
        self.factor = factor
        self.attempt = 0
        self._rand = rand or random.uniform

    def cap(self) -> float:
        """The upper bound of the next delay: min_delay * factor**attempt, at most max_delay."""
        return min(self.max_delay, self.min_delay * (self.factor ** min(self.attempt, 64)))

    def next_delay(self) -> float:
        delay = self._rand(0.0, self.cap())
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0
