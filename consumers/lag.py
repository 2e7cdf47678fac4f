"""Consumer lag from Kafka: committed and end offsets, lag in records and seconds, Burrow statuses.

Where each number comes from:

- **commits**: the broker's own ``__consumer_offsets`` topic, read with a group-less consumer
  (the way Burrow reads it). Every commit of every group is there, with the broker's commit
  time, including groups with no active member. The newest commit per (group, topic,
  partition) is the committed offset; the recent ones form the Burrow window
  (:mod:`consumers.burrow`).
- **lag at a commit**: the partition's end offset at the commit time, found with ListOffsets by
  timestamp (the first record stamped after the commit), minus the committed offset.
- **end offset** and **log-start offset**: ListOffsets, now.
- **lag_seconds**: now minus the timestamp of the oldest unconsumed record, i.e. the record at
  the committed offset, fetched (one record per lagging partition). Not interpolated.

The project's own groups (the Faust app id and the dispatcher group) are reported for the
topics they read even before their first commit: a group with no commit starts from the
log-start offset (both use ``auto.offset.reset=earliest``), so all of it is lag.
"""

from __future__ import annotations

import asyncio
import struct
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Self

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition

from infra import TopicMetadata
from infra._compat import describe_group
from schemas import Settings, topics

from .burrow import Commit, Status, Window, evaluate_partition, group_status

__all__ = ["GroupLag", "LagMonitor", "LagReport", "PartitionLag", "parse_offset_commit"]

log = structlog.get_logger(__name__)

OFFSETS_TOPIC = "__consumer_offsets"


@dataclass(slots=True)
class PartitionLag:
    group: str
    topic: str
    partition: int
    committed: int | None
    """None: the group never committed on this partition (it will start at the log start)."""
    end: int
    lag: int
    lag_seconds: float
    status: Status


@dataclass(slots=True)
class GroupLag:
    group: str
    status: Status
    members: int
    state: str
    lag: int
    lag_seconds: float
    partitions: list[PartitionLag] = field(default_factory=list)


@dataclass(slots=True)
class LagReport:
    evaluated_at: float
    groups: list[GroupLag]

    def failing(self) -> list[GroupLag]:
        from .burrow import FAILING

        return [g for g in self.groups if g.status in FAILING]

    def to_json(self) -> dict[str, Any]:
        """``{evaluated_at, groups: [{group, status, members, state, lag, lag_seconds}], partitions: [...]}``."""
        groups = [{k: v for k, v in asdict(g).items() if k != "partitions"} for g in self.groups]
        parts = [asdict(p) for g in self.groups for p in g.partitions]
        for item in (*groups, *parts):
            item["status"] = str(item["status"])
            item["lag_seconds"] = round(item["lag_seconds"], 3)
        return {"evaluated_at": self.evaluated_at, "groups": groups, "partitions": parts}


def _string(buf: bytes, pos: int) -> tuple[str, int]:
    (n,) = struct.unpack_from(">h", buf, pos)
    pos += 2
    return (buf[pos:pos + n].decode() if n > 0 else ""), pos + max(n, 0)


def _uvarint(buf: bytes, pos: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def parse_offset_commit(key: bytes | None, value: bytes | None) -> tuple[str, str, int, int | None, float | None] | None:
    """Decode one ``__consumer_offsets`` record: ``(group, topic, partition, offset, commit_time)``.

    None for records that are not offset commits (group metadata, KIP-848 records). A tombstone
    (offsets deleted) gives offset and time None. Formats: Kafka's ``OffsetCommitKey`` (key
    versions 0 and 1) and ``OffsetCommitValue`` versions 0 to 4.
    """
    if not key or len(key) < 2:
        return None
    (kver,) = struct.unpack_from(">h", key, 0)
    if kver not in (0, 1):
        return None
    group, pos = _string(key, 2)
    topic, pos = _string(key, pos)
    (partition,) = struct.unpack_from(">i", key, pos)
    if value is None:
        return group, topic, partition, None, None
    (vver,) = struct.unpack_from(">h", value, 0)
    (offset,) = struct.unpack_from(">q", value, 2)
    pos = 10
    if vver >= 3:
        pos += 4  # leader epoch
    if vver >= 4:  # flexible version: compact string (length + 1 as an unsigned varint)
        n, pos = _uvarint(value, pos)
        pos += max(n - 1, 0)
    else:
        _, pos = _string(value, pos)
    (commit_ms,) = struct.unpack_from(">q", value, pos)
    return group, topic, partition, offset, commit_ms / 1000.0


Key = tuple[str, str, int]


class LagMonitor:
    """Reads commits and offsets; :meth:`evaluate` returns a :class:`LagReport`.

    ``groups``: the groups to report. Default: the project's own (``settings.app_id`` and
    ``settings.dispatcher_group``). ``all_groups``: every group with a commit on the cluster.
    When ``settings.topic_prefix`` is set, only topics with that prefix are reported.
    """

    def __init__(self, settings: Settings, *, groups: list[str] | None = None, all_groups: bool = False) -> None:
        self.settings = settings
        self.all_groups = all_groups
        self.own: dict[str, list[str]] = {
            settings.app_id: [settings.topic(t) for t in topics.EVENT_TOPICS.values()],
            settings.dispatcher_group: [settings.topic(topics.ALERTS)],
        }
        self.groups = list(groups) if groups else list(self.own)
        self._windows: dict[Key, Window] = {}
        self._committed: dict[Key, int] = {}
        self._offsets: AIOKafkaConsumer | None = None
        self._probe: AIOKafkaConsumer | None = None
        self._metadata: TopicMetadata | None = None
        self._assigned: set[TopicPartition] = set()

    async def start(self) -> None:
        kwargs = self.settings.kafka_client_kwargs()
        self._offsets = AIOKafkaConsumer(group_id=None, enable_auto_commit=False, **kwargs)
        self._probe = AIOKafkaConsumer(group_id=None, enable_auto_commit=False, max_partition_fetch_bytes=65536,
                                       **kwargs)
        self._metadata = TopicMetadata(kwargs)
        try:
            await self._offsets.start()
            await self._probe.start()
            await self._metadata.start()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        for client in (self._offsets, self._probe):
            if client is not None:
                await client.stop()
        if self._metadata is not None:
            await self._metadata.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- commits ------------------------------------------------------------------------------

    def _wanted(self, group: str, topic: str) -> bool:
        if self.settings.topic_prefix and not topic.startswith(self.settings.topic_prefix):
            return False
        return self.all_groups or group in self.groups

    async def _read_commits(self) -> None:
        """Read ``__consumer_offsets`` from where we were up to its current end."""
        consumer, metadata = self._offsets, self._metadata
        assert consumer is not None and metadata is not None
        tps = set(await metadata.topic_partitions([OFFSETS_TOPIC]))
        new = tps - self._assigned
        if new:
            consumer.assign(sorted(tps, key=lambda tp: tp.partition))
            await consumer.seek_to_beginning(*new)
            self._assigned = tps
        if not tps:
            return
        ends = await consumer.end_offsets(list(tps))
        pending = {tp for tp in tps if await consumer.position(tp) < ends[tp]}
        s = self.settings
        while pending:
            batches = await consumer.getmany(*pending, timeout_ms=1000)
            for records in batches.values():
                for rec in records:
                    parsed = parse_offset_commit(rec.key, rec.value)
                    if parsed is None or not self._wanted(parsed[0], parsed[1]):
                        continue
                    group, topic, partition, offset, at = parsed
                    key = (group, topic, partition)
                    if offset is None or at is None:
                        self._windows.pop(key, None)
                        self._committed.pop(key, None)
                        continue
                    window = self._windows.get(key)
                    if window is None:
                        window = self._windows[key] = Window(s.lag_window_commits, s.lag_window_seconds,
                                                             s.lag_min_distance_seconds)
                    window.add(Commit(offset=offset, timestamp=at))
                    self._committed[key] = offset
            for tp in list(pending):
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)

    async def _fill_lags(self, now: float, ends: dict[TopicPartition, int]) -> None:
        """Lag at each commit: end offset at the commit time (first record after it) - offset."""
        consumer = self._offsets
        assert consumer is not None
        todo: dict[TopicPartition, list[Commit]] = {}
        for (_group, topic, partition), window in self._windows.items():
            tp = TopicPartition(topic, partition)
            if tp in ends:
                todo.setdefault(tp, []).extend(c for c in window.commits(now) if c.lag is None)
        todo = {tp: commits for tp, commits in todo.items() if commits}
        while todo:  # one ListOffsets round per commit depth (at most the window's size)
            batch = {tp: commits.pop() for tp, commits in todo.items()}
            todo = {tp: commits for tp, commits in todo.items() if commits}
            found = await consumer.offsets_for_times({tp: int(c.timestamp * 1000) for tp, c in batch.items()})
            for tp, commit in batch.items():
                at = found.get(tp)
                end_then = at.offset if at is not None else ends[tp]
                commit.lag = max(0, end_then - commit.offset)

    # -- evaluation ---------------------------------------------------------------------------

    async def _members(self, groups: list[str]) -> dict[str, tuple[int, str]]:
        """(active members, state) per group, one group at a time (:func:`infra._compat.describe_group`
        says why aiokafka's ``describe_consumer_groups`` cannot be used)."""
        metadata = self._metadata
        assert metadata is not None
        out: dict[str, tuple[int, str]] = {}
        for group in groups:
            try:
                described = await describe_group(metadata.admin, group)
                if described is not None:
                    out[group] = described
            except Exception as exc:  # noqa: BLE001 - membership is informative only; lag is still reported
                log.warning("could not describe consumer group", group=group, error=type(exc).__name__)
        return out

    async def _record_ages(self, wanted: dict[TopicPartition, set[int]]) -> dict[tuple[TopicPartition, int], float]:
        """Age (s) of the record at each (partition, offset): the oldest record a group has not consumed."""
        probe = self._probe
        assert probe is not None
        ages: dict[tuple[TopicPartition, int], float] = {}
        todo = {tp: sorted(offsets) for tp, offsets in wanted.items() if offsets}
        while todo:  # one round per distinct offset on a partition (usually one)
            round_ = {tp: offsets.pop() for tp, offsets in todo.items()}
            todo = {tp: offsets for tp, offsets in todo.items() if offsets}
            probe.assign(list(round_))
            for tp, offset in round_.items():
                probe.seek(tp, offset)
            left = set(round_)
            deadline = time.monotonic() + 5.0
            while left and time.monotonic() < deadline:
                batches = await probe.getmany(*left, timeout_ms=500, max_records=1)
                for tp, records in batches.items():
                    if records and tp in left:
                        # Measured now, not at the evaluation's start: the record may be younger than that.
                        ages[(tp, round_[tp])] = max(0.0, time.time() - records[0].timestamp / 1000.0)
                        left.discard(tp)
        return ages

    async def evaluate(self) -> LagReport:
        """Read new commits, fetch offsets, and evaluate every group's partitions."""
        consumer, metadata = self._offsets, self._metadata
        assert consumer is not None and metadata is not None
        await self._read_commits()
        now = time.time()
        groups = sorted({g for g, _, _ in self._committed} | set(self.groups)) if self.all_groups else self.groups
        keys: dict[str, set[TopicPartition]] = {g: set() for g in groups}
        for group, topic, partition in self._committed:
            if group in keys:
                keys[group].add(TopicPartition(topic, partition))
        own = await metadata.partitions(name for names in self.own.values() for name in names)
        for group, names in self.own.items():
            if group in keys:
                for name in names:
                    keys[group].update(TopicPartition(name, p) for p in own.get(name, ()))
        all_tps = list({tp for tps in keys.values() for tp in tps})
        ends = await consumer.end_offsets(all_tps) if all_tps else {}
        starts = await consumer.beginning_offsets(all_tps) if all_tps else {}
        await self._fill_lags(now, ends)

        wanted: dict[TopicPartition, set[int]] = {}
        rows: list[tuple[str, TopicPartition, int | None, int, int]] = []
        for group in groups:
            for tp in sorted(keys[group]):
                committed = self._committed.get((group, tp.topic, tp.partition))
                position = max(committed if committed is not None else 0, starts[tp])
                lag = max(0, ends[tp] - (committed if committed is not None else starts[tp]))
                rows.append((group, tp, committed, lag, position))
                if ends[tp] > position:
                    wanted.setdefault(tp, set()).add(position)
        ages = await self._record_ages(wanted)
        members = await self._members(groups)

        report: list[GroupLag] = []
        by_group: dict[str, list[PartitionLag]] = {g: [] for g in groups}
        for group, tp, committed, lag, position in rows:
            window = self._windows.get((group, tp.topic, tp.partition))
            commits = window.commits(now) if window is not None else []
            lost = committed is not None and committed < starts[tp]
            age = ages.get((tp, position), 0.0) if lag > 0 else 0.0
            status = evaluate_partition(commits, lag, now, records_lost=lost)
            by_group[group].append(PartitionLag(group, tp.topic, tp.partition, committed, ends[tp], lag, age, status))
        for group in groups:
            parts = by_group[group]
            count, state = members.get(group, (0, "Dead"))
            report.append(GroupLag(
                group=group, status=group_status(p.status for p in parts), members=count, state=state,
                lag=sum(p.lag for p in parts), lag_seconds=max((p.lag_seconds for p in parts), default=0.0),
                partitions=parts,
            ))
        return LagReport(evaluated_at=now, groups=report)

    async def end_offsets(self, names: list[str]) -> dict[str, int]:
        """Sum of end offsets per topic (for throughput: the difference between two calls)."""
        consumer, metadata = self._offsets, self._metadata
        assert consumer is not None and metadata is not None
        tps = await metadata.topic_partitions(names)
        ends = await consumer.end_offsets(tps) if tps else {}
        out = dict.fromkeys(names, 0)
        for tp, end in ends.items():
            out[tp.topic] += end
        return out


async def lag_report(settings: Settings, *, groups: list[str] | None = None, all_groups: bool = False,
                     timeout: float = 30.0) -> LagReport:
    """One evaluation (the ``lag`` command without ``--watch``)."""
    async with LagMonitor(settings, groups=groups, all_groups=all_groups) as monitor:
        return await asyncio.wait_for(monitor.evaluate(), timeout)
