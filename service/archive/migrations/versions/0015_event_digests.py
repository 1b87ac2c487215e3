"""Audit events a quarter of their size (DECISIONS.md #151): the chain digests stored as bytes,
one byte of CRC a field (service/archive/slim.py). The chains' canonical form is unchanged, so
every hash and head stays as it was. The downgrade gives back 0014's hex text. Both go page by page.

Revision ID: 0015_event_digests
Revises: 0014_compact_events
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_event_digests"
down_revision = "0014_compact_events"
branch_labels = None
depends_on = None


def _swap(suffix: str, kinds: dict) -> None:
    """Replace chain_hash and chain_fields by their ``suffix`` copies (``kinds``: their types)."""
    with op.batch_alter_table("events") as batch:
        for name in kinds:
            batch.drop_column(name)
    with op.batch_alter_table("events") as batch:
        for name, kind in kinds.items():
            batch.alter_column(f"{name}{suffix}", new_column_name=name, existing_type=kind)


def upgrade() -> None:
    from service.archive.slim import digests_to_bytes
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("chain_hash_b", sa.LargeBinary))
        batch.add_column(sa.Column("chain_fields_b", sa.LargeBinary))
    digests_to_bytes(op.get_bind())
    _swap("_b", {"chain_hash": sa.LargeBinary(), "chain_fields": sa.LargeBinary()})


def downgrade() -> None:
    from service.archive.slim import digests_to_hex
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("chain_hash_h", sa.String(64)))
        batch.add_column(sa.Column("chain_fields_h", sa.String(255)))
    digests_to_hex(op.get_bind())
    _swap("_h", {"chain_hash": sa.String(64), "chain_fields": sa.String(255)})
