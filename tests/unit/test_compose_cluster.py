"""docker-compose.cluster.yml turns the stack's one broker into a three-node cluster (checked offline)."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pytest
import yaml

from .test_compose import ROOT, _compose


@pytest.fixture(scope="module")
def merged() -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    result = subprocess.run(
        [*_compose(), "-f", str(ROOT / "docker-compose.yml"), "-f", str(ROOT / "docker-compose.cluster.yml"), "config"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def test_three_kraft_nodes_one_quorum_each_in_its_own_rack(merged: dict[str, Any]) -> None:
    nodes = [merged["services"][name] for name in ("kafka", "kafka-2", "kafka-3")]
    envs = [node["environment"] for node in nodes]
    assert [str(e["KAFKA_NODE_ID"]) for e in envs] == ["1", "2", "3"]
    assert len({e["KAFKA_BROKER_RACK"] for e in envs}) == 3
    assert len({e["CLUSTER_ID"] for e in envs}) == 1
    for env in envs:
        assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093,2@kafka-2:9093,3@kafka-3:9093"
        assert str(env["KAFKA_DEFAULT_REPLICATION_FACTOR"]) == "3" and str(env["KAFKA_MIN_INSYNC_REPLICAS"]) == "2"
        assert str(env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"]) == "3"
        assert str(env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"]) == "2"
    # "127.0.0.1:<host port>:19092/tcp": each node reachable from the host on its own port
    assert {str(p).split(":")[1] for node in nodes for p in node["ports"]} == {"9092", "9094", "9096"}


def test_the_services_use_all_three_brokers_with_three_replicas(merged: dict[str, Any]) -> None:
    for name in ("worker", "dispatcher", "monitor"):
        service = merged["services"][name]
        env = service["environment"]
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092,kafka-2:9092,kafka-3:9092"
        assert str(env["FUGITIVE_ALERTS_REPLICATION_FACTOR"]) == "3"
        assert env["SMTP_HOST"] == "mailcatcher"  # the rest of the base file's environment is kept
        assert {"kafka", "kafka-2", "kafka-3"} <= set(service["depends_on"])
