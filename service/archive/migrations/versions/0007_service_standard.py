"""The service standard (DECISIONS.md #6): when each OPD's list was handed out, and a log of its
phase changes for the per-step begin and end. Existing archives start the log at the phase
they are in now and the handout at the OPD's first recorded event.

Revision ID: 0007_service_standard
Revises: 0006_datum
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_service_standard"
down_revision = "0006_datum"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tabs") as batch:
        batch.add_column(sa.Column("handed_out_at", sa.DateTime))
    op.create_table(
        "phases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("opd", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("phase_order", sa.Integer),
    )
    op.create_index("ix_phases_opd", "phases", ["opd", "id"])
    conn = op.get_bind()
    tabs = sa.table("tabs", sa.column("opd"), sa.column("phase_order"), sa.column("phase_started_at"),
                    sa.column("handed_out_at"))
    events = sa.table("events", sa.column("opd"), sa.column("at"))
    phases = sa.table("phases", sa.column("opd"), sa.column("at"), sa.column("phase_order"))
    started = conn.execute(sa.select(tabs.c.opd, tabs.c.phase_order, tabs.c.phase_started_at)
                           .where(tabs.c.phase_started_at.is_not(None))).all()
    if started:
        conn.execute(sa.insert(phases), [{"opd": r.opd, "at": r.phase_started_at, "phase_order": r.phase_order}
                                         for r in started])
    first = conn.execute(sa.select(events.c.opd, sa.func.min(events.c.at)).group_by(events.c.opd)).all()
    for opd, at in first:
        conn.execute(tabs.update().where(tabs.c.opd == opd).values(handed_out_at=at))


def downgrade() -> None:
    op.drop_index("ix_phases_opd", "phases")
    op.drop_table("phases")
    with op.batch_alter_table("tabs") as batch:
        batch.drop_column("handed_out_at")
