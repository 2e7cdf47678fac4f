"""How far each worker's copy of a Faust RocksDB table has got: read from its data directory, beside it.

Faust keeps, in each table partition's RocksDB, the last changelog offset written to it (the key
``__faust\\0offset__``), for active and standby partitions alike. Opening the database read-only
(RocksDB allows it while the worker writes) tells how far a standby has caught up, which nothing
the worker publishes does: Faust's own standby progress counts against the changelog's end as it was
when the worker started.

A standby copy is never quite level with the changelog: Faust applies standby records in batches of
the table's ``standby_buffer_size`` (1,000 by default) and holds the rest in memory until the next
batch fills, so a copy counts as caught up once it is less than that behind.
"""

from __future__ import annotations

from pathlib import Path

import rocksdict
from faust.stores.rocksdb import Store

__all__ = ["STANDBY_BUFFER", "lagging", "partition_dbs"]

STANDBY_BUFFER = 1000
"""Faust's default ``standby_buffer_size`` (its ``recovery_buffer_size``), which the workers keep."""


def _applied(path: Path) -> int | None:
    try:
        db = rocksdict.Rdict(str(path), options=rocksdict.Options(raw_mode=True),
                             access_type=rocksdict.AccessType.read_only())
    except Exception:  # noqa: BLE001  # a file compacted away while opening: not known this time
        return None
    try:
        raw = db.get(Store.offset_key)
        return int(raw) if raw is not None else -1
    finally:
        db.close()


def partition_dbs(root: Path, table: str) -> dict[int, Path]:
    """The RocksDB directories of ``table``'s partitions under a worker's data directory, by partition."""
    found = {}
    for path in root.rglob(f"{table}-*.db"):
        suffix = path.name[len(table) + 1:-3]
        if path.is_dir() and suffix.isdigit():
            found[int(suffix)] = path
    return found


def lagging(datadirs: list[Path], table: str, ends: dict[int, int], slack: int = STANDBY_BUFFER) -> int:
    """Copies of ``table``'s partitions under ``datadirs`` (active or standby) more than ``slack`` records
    behind the changelog, whose end offset per partition is ``ends``. A copy that cannot be read now
    counts as behind."""
    count = 0
    for root in datadirs:
        for partition, path in partition_dbs(root, table).items():
            applied = _applied(path)
            count += applied is None or ends.get(partition, 0) - 1 - applied > slack
    return count
