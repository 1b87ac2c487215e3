"""Covering indexes for the dashboard's two row scans: live rows counted per OPD and state
(the Ringkasan) and live rows with findings in sheet order (the Temuan pages), each answered
from the index alone. The first replaces ix_rows_progress, whose columns it starts with
after ``removed`` (the phase tracking's per-OPD state lookup uses it the same way).

Revision ID: 0009_dashboard_indexes
Revises: 0008_event_people
"""
from alembic import op

revision = "0009_dashboard_indexes"
down_revision = "0008_event_people"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_rows_progress", "rows")
    op.create_index("ix_rows_progress", "rows", ["removed", "opd", "state", "updated_at", "galat", "peringatan"])
    op.create_index("ix_rows_findings", "rows", ["removed", "opd", "position", "row_id", "galat", "peringatan"])


def downgrade() -> None:
    op.drop_index("ix_rows_findings", "rows")
    op.drop_index("ix_rows_progress", "rows")
    op.create_index("ix_rows_progress", "rows", ["opd", "removed", "state"])
