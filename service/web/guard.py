"""What stands between a public form and the archive: a CSRF token and a per-address rate limit.

Both are server-side and need no JavaScript, cookie or session. The token is an HMAC of the
form's purpose and the moment the page was made, keyed by a secret the process draws at start;
a page older than ``max_age`` or made by another process (a restart) is refused with a plain
message. The rate limit keeps, per address, only the moments of its last ``limit`` posts, for
at most ``addresses`` addresses (least recently seen dropped first): memory stays bounded
whatever arrives.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import threading
from collections import OrderedDict, deque
from datetime import datetime, timedelta


class FormTokens:
    def __init__(self, max_age: timedelta = timedelta(hours=6), key: bytes | None = None) -> None:
        self.key, self.max_age = key or os.urandom(32), max_age

    def _sign(self, purpose: str, stamp: str) -> str:
        return hmac.new(self.key, f"{purpose}\0{stamp}".encode(), hashlib.sha256).hexdigest()

    def make(self, purpose: str, now: datetime) -> str:
        stamp = str(int(now.timestamp()))
        return f"{stamp}.{self._sign(purpose, stamp)}"

    def valid(self, token: str, purpose: str, now: datetime) -> bool:
        stamp, _, signature = (token or "").partition(".")
        if not stamp.isdigit() or not hmac.compare_digest(signature, self._sign(purpose, stamp)):
            return False
        age = now.timestamp() - int(stamp)
        return -300 <= age <= self.max_age.total_seconds()  # a few minutes of clock skew between processes


class RateLimit:
    """At most ``limit`` posts per ``window`` from one address."""

    def __init__(self, limit: int, window: timedelta = timedelta(hours=1), addresses: int = 4096) -> None:
        self.limit, self.window, self.addresses = limit, window.total_seconds(), addresses
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()  # waitress serves requests from several threads

    def allow(self, address: str, now: datetime) -> bool:
        """Count this post when the address is under its limit; False (not counted) when over it."""
        with self._lock:
            return self._allow(address, now.timestamp())

    def _allow(self, address: str, moment: float) -> bool:
        times = self._seen.pop(address, None)
        if times is None:
            times = deque(maxlen=self.limit)
            while len(self._seen) >= self.addresses:
                self._seen.popitem(last=False)
        self._seen[address] = times  # most recently seen last
        while times and moment - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(moment)
        return True

    def __len__(self) -> int:
        return len(self._seen)
