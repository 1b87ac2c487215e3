"""Compact audit events: an event keeps only the cells that changed since its row's previous
snapshot (from -> to), the row's first snapshot the whole row; the audit chains are re-chained
over the new text (service/archive/compact.py, DECISIONS.md #65). The downgrade writes every
snapshot whole again. Both go OPD by OPD, page by page.

Revision ID: 0014_compact_events
Revises: 0012_metadata
"""
from alembic import op

revision = "0014_compact_events"
down_revision = "0012_metadata"
branch_labels = None
depends_on = None


def _rewrite(compact: bool) -> None:
    from datetime import datetime, timezone

    from service.archive.compact import record, rewrite
    conn = op.get_bind()
    done = rewrite(conn, compact=compact)
    if done.heads or done.left:  # an empty archive has nothing to note
        record(conn, done, revision if compact else f"{revision} (turun)", datetime.now(timezone.utc))


def upgrade() -> None:
    _rewrite(compact=True)


def downgrade() -> None:
    _rewrite(compact=False)
