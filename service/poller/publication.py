"""Publication after a cycle: with ``[publikasi] otomatis``, new archive rows are published at once."""
from __future__ import annotations

from rules.rulefile import RuleSet
from rules.wilayah import Wilayah
from service.archive.store import Store
from service.config import Config
from service.poller.cycle import CycleReport


def publish_if_archived(config: Config, store: Store, report: CycleReport, rules: RuleSet, wilayah: Wilayah) -> None:
    """Run after the cycle committed and wrote the sheets: the publication is brought up to the
    archive (only what changed since it was last written, so a failed one is caught up); its
    failure is one of the cycle's reported errors."""
    if report.backend_failed:
        return
    from service.publish.build import publish_after_cycle
    if failure := publish_after_cycle(config, store, rules, wilayah):
        report.errors.append(failure)
