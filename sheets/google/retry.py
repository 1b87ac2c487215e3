"""Our own retry policy for Google requests (gspread's BackOffHTTPClient retries forever in 6.2).

Retried: 429 (and Drive's 403 rate limits) and 500/502/503/504 answers, timeouts and dropped connections; at most ``attempts``
tries with full jitter (a random wait between 0 and ``min(cap, base * 2**n)``) and a 60 s cap.
Permanent: every other answer (400, 401, 403, 404, ...). A request that is not idempotent (adding a
tab) is retried only when Google certainly did not run it: a 429 or a failed connect.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from google.auth import exceptions as auth_errors

from ..base import BackendError

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
# Drive answers its rate limits with 403 (domain usageLimits), not 429: retried like 429
RATE_LIMIT_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED"})


class GoogleError(BackendError):
    """A Google request that failed for good. ``status`` is the HTTP status (None: no answer),
    ``reason`` Google's error status or reason (e.g. PERMISSION_DENIED, SERVICE_DISABLED)."""

    def __init__(self, message: str, status: int | None = None, reason: str = "", attempts: int = 1) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.attempts = attempts


def error_of(response: requests.Response) -> tuple[str, str]:
    """(message, reason) from Google's error body, whatever its shape."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        return response.text[:200] or response.reason or "", ""
    if not isinstance(error, dict):  # OAuth errors: {"error": "invalid_grant", ...}
        return str(error), str(error)
    reasons = [d.get("reason", "") for d in error.get("details", []) if isinstance(d, dict)]
    reasons += [e.get("reason", "") for e in error.get("errors", []) if isinstance(e, dict)]
    reason = next((r for r in reasons if r), "") or error.get("status", "")
    return str(error.get("message", "")), str(reason)


def rate_limited(response: requests.Response, reason: str) -> bool:
    """A 429, or Drive's 403 rate limit (userRateLimitExceeded/rateLimitExceeded, domain usageLimits)."""
    if response.status_code == 429:
        return True
    if response.status_code != 403:
        return False
    if reason in RATE_LIMIT_REASONS:
        return True
    try:
        errors = response.json().get("error", {}).get("errors", [])
    except (ValueError, AttributeError):
        return False
    return any(isinstance(e, dict) and e.get("domain") == "usageLimits" for e in errors)


@dataclass
class RetryPolicy:
    attempts: int = 5
    base: float = 2.0
    cap: float = 60.0
    sleep: Callable[[float], Any] = time.sleep
    rand: Callable[[], float] = random.random

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Full jitter for the ``retry``-th retry (1-based); a Retry-After header is a floor."""
        wait = self.rand() * min(self.cap, self.base * 2 ** (retry - 1))
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(self.cap, wait)

    def run(self, send: Callable[[], requests.Response], what: str, idempotent: bool = True,
            limited: Callable[[float | None, int | None], Any] | None = None) -> requests.Response:
        """Call ``send`` until it answers below 400, fails for good, or the attempts run out;
        ``limited(retry_after, stated limit)`` is told of every rate-limit answer (the budget lowers)."""
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                response = send()
            except auth_errors.RefreshError as exc:  # the key was revoked, deleted or is wrong
                raise GoogleError(f"{what}: kunci akun layanan ditolak Google ({str(exc)[:120]})",
                                  401, "invalid_grant", attempt) from None
            except auth_errors.TransportError as exc:  # the token server could not be reached
                if last:
                    raise GoogleError(f"{what}: server token Google tidak dapat dihubungi ({type(exc).__name__})",
                                      attempts=attempt) from None
                self._wait(attempt, None)
                continue
            except requests.ConnectTimeout as exc:  # never reached Google: always safe to repeat
                if last:
                    raise GoogleError(f"{what}: Google tidak dapat dihubungi ({type(exc).__name__})",
                                      attempts=attempt) from None
                self._wait(attempt, None)
                continue
            except (requests.ConnectionError, requests.Timeout) as exc:
                if last or not idempotent:
                    raise GoogleError(f"{what}: koneksi ke Google gagal ({type(exc).__name__})",
                                      attempts=attempt) from None
                self._wait(attempt, None)
                continue
            if response.status_code < 400:
                return response
            message, reason = error_of(response)
            status = response.status_code
            # a rate limit means Google did not run the request: safe to repeat even if not idempotent
            limit = rate_limited(response, reason)
            if limit and limited is not None:
                limited(_retry_after(response), stated_limit(response))
            retryable = limit or (status in RETRY_STATUS and idempotent)
            if not retryable or last:
                raise GoogleError(f"{what}: Google menjawab {status} {reason} {message}".strip(),
                                  status, reason, attempt)
            self._wait(attempt, _retry_after(response))
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, attempt: int, retry_after: float | None) -> None:
        self.sleep(self.delay(attempt, retry_after))


def stated_limit(response: requests.Response) -> int | None:
    """The per-minute limit a 429 names (ErrorInfo metadata ``quota_limit_value``), when it does."""
    try:
        details = response.json().get("error", {}).get("details", [])
        values = [d.get("metadata", {}).get("quota_limit_value") for d in details if isinstance(d, dict)]
        return next(int(v) for v in values if v is not None and str(v).isdigit())
    except (ValueError, AttributeError, StopIteration):
        return None


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
