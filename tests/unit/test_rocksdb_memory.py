"""Every RocksDB a worker opens for its document tables shares one block cache and one write-buffer
budget (streams/rocksdb_memory.py), so the worker's memory does not grow with the partitions it holds."""

from __future__ import annotations

import os
from typing import Any

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


def test_memtables_of_all_partitions_stay_within_the_workers_write_buffer_budget(tmp_path: Any) -> None:
    """60 MiB written across 6 partitions of two tables: on their own, their memtables (4 MiB, two
    allowed each) would hold up to 48 MiB; within the 8 MiB budget they hold at most that plus one
    arena block (512 KiB) per database, at every moment."""
    tables = _tables(tmp_path, cache_mb=1, buffers_mb=8)
    dbs = [t.data._db_for_partition(p) for t in (tables.reports, tables.sightings) for p in range(3)]
    value = os.urandom(1000)
    most = 0
    for i in range(60 * 1024):
        dbs[i % len(dbs)][b"key-%08d" % i] = value
        if i % 1024 == 0:
            most = max(most, _sum(dbs, "rocksdb.cur-size-all-mem-tables"))
    assert 4 * MIB < most <= 8 * MIB + len(dbs) * MIB // 2
    assert 0 < tables.memory.usage()["write_buffers"] <= 8 * MIB + len(dbs) * MIB // 2


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
