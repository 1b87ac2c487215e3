"""The archive database: tables, migrations, the store that applies a plan in one transaction,
and the read models built on it (progress, exports)."""
