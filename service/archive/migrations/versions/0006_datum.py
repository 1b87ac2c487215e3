"""Archive identity is the datum (OPD, item, Rincian, Tahun), not the sheet row (DECISIONS.md #4).

Adds the datum key columns, the Kemendagri code of the Rincian and the item's Standar Data
to every archive version. Versions of one row that span years are split into their data and
numbered per datum in the order they were archived; each row's remembered version follows.
Versions archived before this revision have no Standar Data (it was never archived): empty.

Revision ID: 0006_datum
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0006_datum"
down_revision = "0005"
branch_labels = None
depends_on = None

LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
STANDAR_DATA = ("konsep", "definisi", "klasifikasi", "ukuran", "frekuensi")
NEW_TEXT = ("item_key", "rincian_key", *STANDAR_DATA)

archive = sa.table("archive", sa.column("id"), sa.column("opd"), sa.column("row_id"), sa.column("version"),
                   sa.column("kode_data"), sa.column("uraian_data"), sa.column("rincian"), sa.column("tahun"),
                   sa.column("datum"), sa.column("item_key"), sa.column("rincian_key"),
                   sa.column("kode_wilayah"), *(sa.column(c) for c in STANDAR_DATA))
rows = sa.table("rows", sa.column("opd"), sa.column("row_id"), sa.column("archived_version"))


def upgrade() -> None:
    with op.batch_alter_table("archive") as batch:
        batch.add_column(sa.Column("datum", sa.String(64)))
        batch.add_column(sa.Column("kode_wilayah", sa.String(32)))
        for name in NEW_TEXT:
            batch.add_column(sa.Column(name, LongText))
        batch.drop_constraint("uq_archive_version", type_="unique")
    op.drop_index("ix_archive_content", "archive")
    _fill_datum_keys()
    with op.batch_alter_table("archive") as batch:
        batch.alter_column("datum", existing_type=sa.String(64), nullable=False)
        batch.alter_column("kode_wilayah", existing_type=sa.String(32), nullable=False)
        for name in NEW_TEXT:
            batch.alter_column(name, existing_type=LongText, nullable=False)
        batch.create_unique_constraint("uq_archive_datum_version", ["opd", "datum", "version"])
    op.create_index("ix_archive_row", "archive", ["opd", "row_id", "version"])
    _follow_row_versions()


def _fill_datum_keys() -> None:
    """Key every version by its datum and number versions per datum, oldest first."""
    from rules.datum import datum_of, kode_wilayah
    from rules.wilayah import Wilayah

    wilayah = Wilayah.load()
    conn = op.get_bind()
    counters: dict[tuple[str, str], int] = {}
    updates = []
    query = sa.select(archive.c.id, archive.c.opd, archive.c.kode_data, archive.c.uraian_data,
                      archive.c.rincian, archive.c.tahun).order_by(archive.c.id)
    for r in conn.execute(query).all():
        tahun = "" if r.tahun is None else str(r.tahun)
        d = datum_of({"kode_data": r.kode_data, "uraian_data": r.uraian_data, "rincian": r.rincian,
                      "tahun": tahun}, wilayah)
        number = counters[(r.opd, d.key)] = counters.get((r.opd, d.key), 0) + 1
        updates.append({"_id": r.id, "datum": d.key, "item_key": d.item, "rincian_key": d.rincian,
                        "kode_wilayah": kode_wilayah(r.rincian, wilayah), "version": number,
                        **dict.fromkeys(STANDAR_DATA, "")})
    if updates:
        values = {k: sa.bindparam("_" + k) for k in updates[0] if k != "_id"}
        params = [{k if k == "_id" else "_" + k: v for k, v in u.items()} for u in updates]
        conn.execute(archive.update().where(archive.c.id == sa.bindparam("_id")).values(**values), params)


def _follow_row_versions() -> None:
    """A row remembers the version of what it archived last: renumbered with its datum."""
    conn = op.get_bind()
    latest = (sa.select(archive.c.opd, archive.c.row_id, sa.func.max(archive.c.id).label("last"))
              .group_by(archive.c.opd, archive.c.row_id).subquery())
    query = sa.select(archive.c.opd, archive.c.row_id, archive.c.version).join(latest, archive.c.id == latest.c.last)
    updates = [{"_opd": r.opd, "_rid": r.row_id, "_v": r.version} for r in conn.execute(query).all()]
    if updates:
        conn.execute(rows.update().where(rows.c.opd == sa.bindparam("_opd"), rows.c.row_id == sa.bindparam("_rid"))
                     .values(archived_version=sa.bindparam("_v")), updates)


def downgrade() -> None:
    """Back to versions per row (numbered per row in archive order); the new fields are dropped."""
    op.drop_index("ix_archive_row", "archive")
    with op.batch_alter_table("archive") as batch:
        batch.drop_constraint("uq_archive_datum_version", type_="unique")
    conn = op.get_bind()
    counters: dict[tuple[str, str], int] = {}
    updates = []
    for r in conn.execute(sa.select(archive.c.id, archive.c.opd, archive.c.row_id).order_by(archive.c.id)).all():
        number = counters[(r.opd, r.row_id)] = counters.get((r.opd, r.row_id), 0) + 1
        updates.append({"_id": r.id, "_v": number})
    if updates:
        conn.execute(archive.update().where(archive.c.id == sa.bindparam("_id"))
                     .values(version=sa.bindparam("_v")), updates)
    _follow_row_versions()
    with op.batch_alter_table("archive") as batch:
        for name in ("datum", "kode_wilayah", *NEW_TEXT):
            batch.drop_column(name)
        batch.create_unique_constraint("uq_archive_version", ["opd", "row_id", "version"])
    op.create_index("ix_archive_content", "archive", ["opd", "row_id", "content_hash"])
