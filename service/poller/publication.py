"""Publication after a cycle: with ``[publikasi] otomatis``, new archive rows are published at once."""
from __future__ import annotations

from rules.rulefile import RuleSet
from rules.wilayah import Wilayah
from service.archive.store import Store
from service.config import Config
from service.poller.cycle import CycleReport


def publish_if_archived(config: Config, store: Store, report: CycleReport, rules: RuleSet, wilayah: Wilayah) -> None:
    if archived := sum(t.archived for t in report.tabs):
        from service.publish.build import publish_after_cycle
        publish_after_cycle(config, store, archived, rules, wilayah)
