"""The local Kafka broker: start, round trip, crash and restart on the same data, and the CLI."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from fugitive_alerts.local.kafka import BrokerError, LocalBroker, broker_answers
from fugitive_alerts.local.services import free_port


def _create_topic(bootstrap: str, topic: str) -> None:
    async def run() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
        finally:
            await admin.close()

    asyncio.run(run())


def _produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    async def run() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            for value in values:
                await producer.send_and_wait(topic, value, key=b"k")
        finally:
            await producer.stop()

    asyncio.run(run())


def _read_all(bootstrap: str, topic: str, expected: int, timeout: float = 30.0) -> list[bytes]:
    """Read ``topic`` from the start through a consumer group until ``expected`` records arrived."""

    async def run() -> list[bytes]:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=f"g-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            got: list[bytes] = []
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while len(got) < expected and loop.time() < deadline:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    got.extend(r.value for r in batch if r.value is not None)
            await consumer.commit()
            committed = await consumer.committed(TopicPartition(topic, 0))
            assert committed == len(got), "the group's offset commit was not stored"
            return got
        finally:
            await consumer.stop()

    return asyncio.run(run())


def _topics(bootstrap: str) -> set[str]:
    async def run() -> set[str]:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            return set(await admin.list_topics())
        finally:
            await admin.close()

    return asyncio.run(run())


def test_round_trip_then_crash_and_restart_keeps_topic_and_records(
    local_broker_factory: Callable[..., LocalBroker],
) -> None:
    broker = local_broker_factory()
    assert broker.is_running() and broker.answers()
    assert broker.log_path.exists() and broker.pid_path.exists()

    _create_topic(broker.bootstrap, "keep")
    _produce(broker.bootstrap, "keep", [b"one", b"two", b"three"])
    assert _read_all(broker.bootstrap, "keep", 3) == [b"one", b"two", b"three"]

    # A crash (SIGKILL): the same data dir comes back with the topic and its records.
    pid = broker.pid
    assert broker.kill()
    assert not broker.is_running()
    broker.start(timeout=120.0)
    assert broker.pid != pid
    assert "keep" in _topics(broker.bootstrap)
    _produce(broker.bootstrap, "keep", [b"four"])

    # A clean stop and start: still all there.
    assert broker.stop()
    assert not broker.is_running() and not broker.pid_path.exists()
    assert not broker.answers(1.0)
    broker.start(timeout=120.0)
    assert _read_all(broker.bootstrap, "keep", 4) == [b"one", b"two", b"three", b"four"]

    # Reopened from its data dir alone, the broker object knows its ports.
    again = LocalBroker(broker.data_dir)
    assert (again.port, again.controller_port) == (broker.port, broker.controller_port)
    assert again.is_running() and again.pid == broker.pid


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        broker = LocalBroker(tmp_path / "kafka", port, free_port())
        with pytest.raises(BrokerError, match=f"port {port} .*in use"):
            broker.start(timeout=10.0)
    assert not broker.is_running()


# -- the command line ----------------------------------------------------------------------------


def _cli(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 180.0
) -> subprocess.CompletedProcess[str]:
    script = shutil.which("fugitive-alerts", path=str(Path(sys.executable).parent))
    assert script, "the fugitive-alerts console script is not installed in this venv: pip install -e ."
    return subprocess.run(
        [script, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_cli_start_status_stop(tmp_path: Path) -> None:
    port, controller = free_port(), free_port()
    data = tmp_path / "kafka"
    # KAFKA_BOOTSTRAP_SERVERS naming 127.0.0.1 picks the local broker's port; cwd has no .env.
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{port}"}
    opts = ["--data-dir", str(data)]

    status = _cli(["broker", "status", *opts], env, tmp_path)
    assert status.returncode == 1 and "not running" in status.stdout

    try:
        start = _cli(["broker", "start", *opts, "--controller-port", str(controller)], env, tmp_path)
        assert start.returncode == 0, start.stderr
        assert start.stdout.strip() == f"127.0.0.1:{port}"
        assert str(data / "logs" / "server.log") in start.stderr

        status = _cli(["broker", "status", *opts], env, tmp_path)
        assert status.returncode == 0, status.stdout + status.stderr
        broker = LocalBroker(data)
        assert f"pid {broker.pid}" in status.stdout and f"127.0.0.1:{port}" in status.stdout
        assert "answers" in status.stdout and str(broker.log_path) in status.stdout

        # A produce/consume round trip on the broker the CLI started.
        _create_topic(broker.bootstrap, "cli")
        _produce(broker.bootstrap, "cli", [b"hello"])
        assert _read_all(broker.bootstrap, "cli", 1) == [b"hello"]

        again = _cli(["broker", "start", *opts], env, tmp_path)
        assert again.returncode == 0 and "already runs" in again.stderr
    finally:
        stop = _cli(["broker", "stop", *opts], env, tmp_path)
    assert stop.returncode == 0, stop.stderr
    assert "Stopped" in stop.stderr
    assert not broker_answers(f"127.0.0.1:{port}", 1.0)

    status = _cli(["broker", "status", *opts], env, tmp_path)
    assert status.returncode == 1 and "not running" in status.stdout
    assert _cli(["broker", "stop", *opts], env, tmp_path).returncode == 0  # idempotent


def test_cli_uses_a_remote_broker_named_by_the_environment(tmp_path: Path) -> None:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": "kafka.invalid:9092"}
    result = _cli(["broker", "start", "--data-dir", str(tmp_path / "kafka"), "--timeout", "2"], env, tmp_path)
    assert result.returncode == 1
    assert "using that broker, not starting a local one" in result.stderr
    assert "kafka.invalid:9092 did not answer" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "kafka").exists()


def test_cli_bad_usage_exits_2(tmp_path: Path) -> None:
    result = _cli(["broker", "start", "--port", "0", "--data-dir", str(tmp_path)], dict(os.environ), tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
