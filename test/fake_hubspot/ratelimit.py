"""HubSpot-like rate limits: search requests per rolling second and other
requests per rolling 10 seconds, both per account (this fake has one).

Only accepted requests use up the budget; a rejected request does not.
"""

import threading
import time
from collections import deque

DAILY_LIMIT = 250000
BURST_INTERVAL_S = 10.0
SEARCH_INTERVAL_S = 1.0


class RateLimiter:
    def __init__(self, search_rate=5, burst=100, enabled=True):
        self.lock = threading.Lock()
        self.search_rate = search_rate
        self.burst = burst
        self.enabled = enabled
        self.reset()

    def reset(self):
        with self.lock:
            self.search_times = deque()
            self.burst_times = deque()
            self.daily = 0

    def configure(self, search_rate=None, burst=None, enabled=None):
        with self.lock:
            if search_rate is not None:
                self.search_rate = int(search_rate)
            if burst is not None:
                self.burst = int(burst)
            if enabled is not None:
                self.enabled = bool(enabled)

    def settings(self):
        return {"search_rate": self.search_rate, "burst": self.burst, "enabled": self.enabled}

    @staticmethod
    def _trim(times, now, interval):
        while times and times[0] <= now - interval:
            times.popleft()

    def check_search(self, now=None):
        """True when a search request may proceed (and counts it)."""
        now = time.monotonic() if now is None else now
        with self.lock:
            self._trim(self.search_times, now, SEARCH_INTERVAL_S)
            if self.enabled and len(self.search_times) >= self.search_rate:
                return False
            self.search_times.append(now)
            self.daily += 1
            return True

    def check_burst(self, now=None):
        """(allowed, headers) for a non-search request; counts it if allowed."""
        now = time.monotonic() if now is None else now
        with self.lock:
            self._trim(self.burst_times, now, BURST_INTERVAL_S)
            allowed = not (self.enabled and len(self.burst_times) >= self.burst)
            if allowed:
                self.burst_times.append(now)
                self.daily += 1
            headers = {
                "X-HubSpot-RateLimit-Daily": str(DAILY_LIMIT),
                "X-HubSpot-RateLimit-Daily-Remaining": str(max(DAILY_LIMIT - self.daily, 0)),
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(BURST_INTERVAL_S * 1000)),
                "X-HubSpot-RateLimit-Max": str(self.burst),
                "X-HubSpot-RateLimit-Remaining": str(max(self.burst - len(self.burst_times), 0)),
            }
            return allowed, headers
