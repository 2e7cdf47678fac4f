"""Every RocksDB a worker opens for its document tables shares one block cache and one write-buffer
budget (streams/rocksdb_memory.py), so the worker's memory does not grow with the partitions it holds."""

from __future__ import annotations

import os
from typing import Any

from fugitive_alerts.local.services import wait_for
from schemas import Settings
from streams.app import create_app

MIB = 1024 * 1024


def _tables(tmp_path: Any, cache_mb: float, buffers_mb: float) -> Any:
    settings = Settings(_env_file=None, data_dir=tmp_path, app_id="fa-unit-rocks", documents_check=True,
                        documents_block_cache_mb=cache_mb, documents_write_buffer_mb=buffers_mb)
    built = create_app(settings)
    assert built.documents is not None
    return built.documents


def _sum(dbs: list[Any], prop: str) -> int:
    return sum(db.property_int_value(prop) or 0 for db in dbs)


def test_the_write_buffer_budget_of_the_worker_flushes_memtables_no_partition_would_flush_alone(
    tmp_path: Any,
) -> None:
    """6 MiB written across 6 partitions of two tables, 1 MiB each: every memtable (4 MiB) has room,
    so on its own none would be flushed; over the worker's 2 MiB budget, RocksDB flushes some to disk.
    (The flushes run in the background, and a memtable's size counts its arena blocks, so the total
    in memtables at a given moment can pass the budget; it is not asserted.)"""
    tables = _tables(tmp_path, cache_mb=1, buffers_mb=2)
    dbs = [t.data._db_for_partition(p) for t in (tables.reports, tables.sightings) for p in range(3)]
    value = os.urandom(1000)
    for i in range(6 * 1024):
        dbs[i % len(dbs)][b"key-%08d" % i] = value
    assert tables.memory.usage()["write_buffers"] > 0  # the memtables are charged to the shared budget
    # a flushed memtable is an SST file, at any level (a compaction may move it out of level 0)
    try:
        wait_for(lambda: _sum(dbs, "rocksdb.total-sst-files-size") > 0,
                 60.0, "RocksDB to flush memtables over the budget", interval=0.05)
    except TimeoutError as exc:
        state = {prop: _sum(dbs, f"rocksdb.{prop}") for prop in (
            "cur-size-all-mem-tables", "mem-table-flush-pending", "num-running-flushes", "num-files-at-level0")}
        raise AssertionError(f"{exc}: {state}, budget in use {tables.memory.usage()}") from exc


def test_every_partition_reads_through_the_one_block_cache_of_the_worker(tmp_path: Any) -> None:
    """Each database reports the same cache: the configured capacity, and the usage the worker reads."""
    tables = _tables(tmp_path, cache_mb=2, buffers_mb=1)
    dbs = [t.data._db_for_partition(p) for t in (tables.reports, tables.sightings) for p in range(2)]
    for n, db in enumerate(dbs):
        for i in range(2000):
            db[b"key-%d-%06d" % (n, i)] = b"x" * 200
        db.flush()  # into SST files, so reads go through the block cache
        for i in range(0, 2000, 7):
            assert db[b"key-%d-%06d" % (n, i)] == b"x" * 200
    usage = tables.memory.usage()["block_cache"]
    assert 0 < usage <= 2 * MIB
    for db in dbs:
        assert db.property_int_value("rocksdb.block-cache-capacity") == 2 * MIB
        assert db.property_int_value("rocksdb.block-cache-usage") == usage
