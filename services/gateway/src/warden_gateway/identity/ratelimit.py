"""Failed-login throttling per (user, client IP): after `max_failures` within `window_s`, further attempts are
refused until the oldest failure leaves the window. In-process: each gateway replica counts its own, which bounds
guessing to `replicas * max_failures` per window; a shared store is the next step if that is too loose."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class LoginLimiter:
    def __init__(self, max_failures: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._max = max_failures
        self._window = window_s
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def retry_after(self, user: str, ip: str) -> float:
        """Seconds until (user, ip) may try again; 0 if it may now."""
        failures = self._recent(user, ip)
        if len(failures) < self._max:
            return 0.0
        return max(0.0, failures[0] + self._window - self._clock())

    def failed(self, user: str, ip: str) -> None:
        self._recent(user, ip).append(self._clock())

    def succeeded(self, user: str, ip: str) -> None:
        self._failures.pop((user, ip), None)

    def _recent(self, user: str, ip: str) -> deque[float]:
        failures = self._failures.setdefault((user, ip), deque())
        horizon = self._clock() - self._window
        while failures and failures[0] <= horizon:
            failures.popleft()
        if len(self._failures) > 100_000:  # a flood of distinct names: forget the quiet ones
            self._failures = {key: value for key, value in self._failures.items() if value}
        return failures
