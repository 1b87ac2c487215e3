"""Deciding one tab's cycle, purely: the plan types, what changed in a row, which rows to skip,
and `reconcile(snapshot, memory, context, now) -> Plan` itself (in `tab`)."""
