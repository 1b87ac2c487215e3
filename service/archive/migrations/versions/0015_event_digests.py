"""Audit events a quarter of their size (DECISIONS.md #151): the chain digests stored as bytes,
one byte of CRC a field; reason, oleh, bagaimana and column_key stored once in event_texts and
named by each event; the cell values' JSON deflated against a fixed dictionary
(service/archive/slim.py, texts.py, cells.py). The chains' canonical form is unchanged, so every
hash and head stays as it was. The downgrade gives back 0014's columns. Both go page by page.

Revision ID: 0015_event_digests
Revises: 0014_compact_events
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0015_event_digests"
down_revision = "0014_compact_events"
branch_labels = None
depends_on = None

LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
Blob = sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")
TEXTS = {"reason": LongText, "oleh": LongText, "bagaimana": LongText, "column_key": sa.String(64)}
PACKED = {"chain_hash": sa.LargeBinary(), "chain_fields": sa.LargeBinary(), "cell_values": Blob}
PLAIN = {"chain_hash": sa.String(64), "chain_fields": sa.String(255), "cell_values": LongText}


def _swap(suffix: str, kinds: dict) -> None:
    """Replace the columns ``kinds`` names by their ``suffix`` copies (``kinds``: the copies' types)."""
    with op.batch_alter_table("events") as batch:
        for name in kinds:
            batch.drop_column(name)
    with op.batch_alter_table("events") as batch:
        for name, kind in kinds.items():
            batch.alter_column(f"{name}{suffix}", new_column_name=name, existing_type=kind,
                               nullable=name != "cell_values")


def upgrade() -> None:
    from service.archive.slim import cells_to_bytes, digests_to_bytes, texts_to_refs
    with op.batch_alter_table("events") as batch:
        for name, kind in PACKED.items():
            batch.add_column(sa.Column(f"{name}_b", kind))
        batch.add_column(sa.Column("teks", sa.Integer))
    op.create_table(
        "event_texts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sidik", sa.String(64), nullable=False, unique=True),
        sa.Column("reason", LongText),
        sa.Column("ubah", sa.Boolean, nullable=False),
        sa.Column("oleh", LongText),
        sa.Column("bagaimana", LongText),
        sa.Column("column_key", sa.String(64)),
    )
    conn = op.get_bind()
    digests_to_bytes(conn)
    texts_to_refs(conn)
    cells_to_bytes(conn)
    with op.batch_alter_table("events") as batch:
        for name in TEXTS:
            batch.drop_column(name)
        batch.alter_column("teks", existing_type=sa.Integer, nullable=False)
    _swap("_b", PACKED)


def downgrade() -> None:
    from service.archive.slim import cells_to_text, digests_to_hex, refs_to_texts
    with op.batch_alter_table("events") as batch:
        for name, kind in {**TEXTS, **PLAIN}.items():
            batch.add_column(sa.Column(name if name in TEXTS else f"{name}_h", kind))
    conn = op.get_bind()
    cells_to_text(conn)
    _swap("_h", {"cell_values": LongText})
    refs_to_texts(conn)
    digests_to_hex(conn)
    with op.batch_alter_table("events") as batch:
        batch.drop_column("teks")
        batch.alter_column("reason", existing_type=LongText, nullable=False)
    op.drop_table("event_texts")
    _swap("_h", {"chain_hash": sa.String(64), "chain_fields": sa.String(255)})
