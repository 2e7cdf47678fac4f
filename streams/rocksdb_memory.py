"""One memory budget for every RocksDB a worker opens for its tables, whatever their number.

Faust opens one RocksDB per table partition a worker holds, active or standby, and gives each its
own block cache and write buffers. A bound per database makes the worker's memory grow with the
partitions it holds, and with the data until each cache is full: 12 partitions of 2 tables at
8 MiB of cache and 2 x 4 MiB of write buffers each is 384 MiB. Here every database of the worker
shares one LRU block cache and one write-buffer manager (RocksDB's own mechanisms for this), so
the budget is the two settings, per worker. The cache is a hard bound; the write buffers' budget
makes RocksDB flush, in the background, so writes can pass it for a while; the index and filter
blocks stay outside both (docs/documents.md, "RocksDB memory").

Faust's ``RocksDBOptions`` builds the options each time it opens a database; :class:`SharedMemory`
keeps Faust's database options and replaces the table factory's cache with the shared one. It
relies on faust-streaming's RocksDB store reading ``Store.rocksdb_options`` when it opens a
partition (checked on 0.15.3).
"""

from __future__ import annotations

from typing import Any

import rocksdict
from faust.stores.rocksdb import RocksDBOptions
from faust.types import TableT

__all__ = ["SharedMemory", "WRITE_BUFFER_BYTES"]

WRITE_BUFFER_BYTES = 4 * 1024 * 1024
"""One memtable of one partition's database; RocksDB flushes it to disk when full, or sooner when
the worker's write buffers are all in use."""


class SharedMemory:
    """The block cache and write-buffer budget shared by every table database of one worker."""

    def __init__(self, block_cache_bytes: int, write_buffer_bytes: int) -> None:
        self.cache = rocksdict.Cache(block_cache_bytes)
        # No stall: a write that finds the budget used makes RocksDB flush memtables. A stall (writes wait
        # until memory is freed) hung a test for good, with small memtables in many databases.
        self.write_buffers = rocksdict.WriteBufferManager(write_buffer_bytes, False)

    def use_for(self, table: TableT[Any, Any]) -> None:
        """Make ``table``'s RocksDB store open every partition's database within this budget."""
        store = table.data
        store.rocksdb_options = _SharedOptions(self, store.rocksdb_options)  # type: ignore[attr-defined]

    def usage(self) -> dict[str, int]:
        """Bytes in use now: the block cache and the memtables."""
        return {"block_cache": self.cache.get_usage(), "write_buffers": self.write_buffers.get_usage()}


class _SharedOptions(RocksDBOptions):
    def __init__(self, memory: SharedMemory, base: RocksDBOptions) -> None:
        super().__init__(max_open_files=base.max_open_files, write_buffer_size=WRITE_BUFFER_BYTES,
                         max_write_buffer_number=2, target_file_size_base=base.target_file_size_base,
                         bloom_filter_size=base.bloom_filter_size, use_rocksdict=True, ttl=base.ttl,
                         **base.extra_options)
        self.memory = memory

    def as_options(self) -> rocksdict.Options:
        options: rocksdict.Options = super().as_options()
        table = rocksdict.BlockBasedOptions()
        table.set_bloom_filter(self.bloom_filter_size, True)
        table.set_block_cache(self.memory.cache)
        # The index and filter blocks stay outside the cache, held by each open file (about 1 byte per
        # document held; rocksdb.estimate-table-readers-mem). In a cache smaller than them, every lookup
        # would read them again: a 10M-document load ran 5 times slower with them in a 32 MiB cache.
        table.set_index_type(rocksdict.BlockBasedIndexType.binary_search())
        options.set_block_based_table_factory(table)
        options.set_write_buffer_manager(self.memory.write_buffers)
        return options
