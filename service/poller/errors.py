"""Why a poll did not run, as one small hierarchy: ``permanent`` says whether waiting for the next
turn can help (a loop retries a transient failure and reports a permanent one)."""
from __future__ import annotations


class PollerError(Exception):
    """A cycle that did not run; the message is in Bahasa Indonesia."""

    permanent = False

    def __init__(self, message: str, *, permanent: bool | None = None) -> None:
        super().__init__(message)
        if permanent is not None:
            self.permanent = permanent


class PollerBusy(PollerError):
    """Another poller holds the lease on this archive: the next turn may find it free."""


class ArchiveUnavailable(PollerError):
    """The archive cannot be written (disk full, read-only, locked): no cycle this turn; a person
    may fix it while the loop waits."""
