"""Publication after a cycle: with ``[publikasi] otomatis``, new archive rows are published at once;
a failure is the cycle's own result (its report, its log row: /kesehatan and `satudata status`)."""
from __future__ import annotations

from rules.rulefile import RuleSet
from service.archive import dberrors
from rules.wilayah import Wilayah
from service.archive.store import Store
from service.config import Config
from service.poller.cycle import CycleReport


def publish_if_archived(config: Config, store: Store, report: CycleReport, rules: RuleSet, wilayah: Wilayah) -> None:
    """Run after the cycle committed and wrote the sheets: the publication is brought up to the
    archive (only what changed since it was last written, so a failed one is caught up); its
    failure is one of the cycle's reported errors and is added to its log row."""
    if report.backend_failed:
        return
    from service.publish.build import publish_after_cycle
    try:
        problem = publish_after_cycle(config, store, rules, wilayah)
    except Exception as exc:  # the archive went away after the cycle: told in a line, never a traceback
        problem = dberrors.describe(exc)
        if problem is None:
            raise
    if problem:
        message = f"Publikasi otomatis gagal: {problem}"
        report.errors.append(message)
        try:
            store.cycle_log.add_error(report.cycle_id, message)
        except Exception as exc:  # the archive went away after the cycle: the report still says it
            if dberrors.describe(exc) is None:
                raise
