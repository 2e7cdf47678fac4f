"""A local Apache Kafka cluster: N KRaft nodes (broker + controller each) on 127.0.0.1.

Every node is a :class:`~.kafka.LocalBroker` with a :class:`~.kafka.ClusterRole`: one controller
quorum of all the nodes (three voters: any one node may die), Kafka's internal topics with
replication factor N and ``min.insync.replicas`` a majority (2 of 3), and ``broker.rack`` set to
the node's own rack, so that the replicas of a partition land on different nodes as they would
across racks or zones. Layout::

    <data_dir>/cluster.json     the cluster id and each node's ports
    <data_dir>/node-<id>/       one LocalBroker's data directory (server.properties, logs, data)

It is what ``fugitive-alerts broker start --nodes 3`` runs, and what the broker-failover test kills
nodes of. Point the project at it with ``KAFKA_BOOTSTRAP_SERVERS`` (all the nodes) and
``FUGITIVE_ALERTS_REPLICATION_FACTOR=3`` (see docs/reliability.md).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .jars import BrokerError, _stderr
from .kafka import ClusterRole, LocalBroker, _new_cluster_id
from .services import wait_for

__all__ = ["LocalCluster", "is_cluster"]


def is_cluster(data_dir: Path) -> bool:
    """True if ``data_dir`` holds a local cluster (``cluster.json``) rather than a single broker."""
    return (Path(data_dir) / "cluster.json").exists()


def _in_thread(coro: Any) -> Any:
    """Run a coroutine on a private loop in a thread (safe with or without a running loop)."""
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="kafka-cluster") as pool:
        return pool.submit(asyncio.run, coro).result()


class LocalCluster:
    """The local cluster whose state lives in ``data_dir``.

    ``ports``: (client port, controller port) of each node, for a new cluster; ``None`` reads them
    from ``cluster.json``.
    """

    def __init__(self, data_dir: Path, ports: Sequence[tuple[int, int]] | None = None) -> None:
        self.data_dir = Path(data_dir).absolute()
        state = self._saved()
        if ports is None:
            if state is None:
                raise BrokerError(f"no local cluster in {self.data_dir} (no cluster.json); start one with --nodes 3")
            ports = [(n["port"], n["controller_port"]) for n in state["nodes"]]
            cluster_id = str(state["cluster_id"])
        else:
            cluster_id = str(state["cluster_id"]) if state else _new_cluster_id()
        if len(ports) < 1:
            raise BrokerError("a cluster needs at least one node")
        voters = ",".join(f"{i}@127.0.0.1:{controller}" for i, (_, controller) in enumerate(ports, 1))
        self.cluster_id = cluster_id
        self.nodes = [
            LocalBroker(self.data_dir / f"node-{i}", port, controller,
                        role=ClusterRole(node_id=i, voters=voters, replicas=len(ports), cluster_id=cluster_id,
                                         rack=f"rack-{i}"))
            for i, (port, controller) in enumerate(ports, 1)
        ]

    def __repr__(self) -> str:
        return f"LocalCluster({str(self.data_dir)!r}, bootstrap={self.bootstrap!r})"

    def _saved(self) -> dict[str, Any] | None:
        try:
            saved: dict[str, Any] = json.loads((self.data_dir / "cluster.json").read_text())
        except (OSError, ValueError):
            return None
        return saved

    @property
    def bootstrap(self) -> str:
        """Every node's ``127.0.0.1:<port>``, comma-separated, for ``KAFKA_BOOTSTRAP_SERVERS``."""
        return ",".join(node.bootstrap for node in self.nodes)

    def node(self, node_id: int) -> LocalBroker:
        """The node with Kafka's ``node.id`` ``node_id`` (1-based)."""
        return self.nodes[node_id - 1]

    # -- state of the cluster, as its brokers report it --

    async def _metadata(self, client_kwargs: Mapping[str, Any] | None, topics: list[str] | None) -> dict[str, Any]:
        """Cluster and topic metadata from the first running node that answers.

        Asked of one node at a time: a node that was just killed is still listed as a broker until
        the controller fences it, and a client that picks "any known node" may pick that one.
        """
        from aiokafka.client import AIOKafkaClient
        from aiokafka.protocol.metadata import MetadataRequest

        running = [(i, n) for i, n in enumerate(self.nodes, 1) if n.is_running()]
        last: Exception | None = None
        for node_id, node in running:
            client = AIOKafkaClient(**{**(client_kwargs or {}), "bootstrap_servers": node.bootstrap},
                                    request_timeout_ms=5000)
            try:
                await asyncio.wait_for(client.bootstrap(), 10)
                response = await asyncio.wait_for(
                    client.send(node_id, MetadataRequest(topics, allow_auto_topic_creation=False)), 10)
                described: dict[str, Any] = response.to_object()
                return {"cluster": {k: v for k, v in described.items() if k != "topics"},
                        "topics": described["topics"] if topics is not None else []}
            except Exception as exc:  # noqa: BLE001 - try the next node
                last = exc
            finally:
                with contextlib.suppress(Exception):
                    await client.close()
        raise BrokerError(f"no node of the cluster in {self.data_dir} answered: {last!r}")

    def metadata(self, topics: list[str] | None = None,
                 client_kwargs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """``{"cluster": describe_cluster(), "topics": describe_topics(topics)}`` from a running node."""
        result: dict[str, Any] = _in_thread(self._metadata(client_kwargs, topics))
        return result

    def live_brokers(self, client_kwargs: Mapping[str, Any] | None = None) -> set[int]:
        """The node ids the cluster reports as live brokers (empty if no node answers)."""
        try:
            cluster = self.metadata(None, client_kwargs)["cluster"]
        except Exception:  # noqa: BLE001 - a cluster that does not answer has no live broker
            return set()
        if cluster.get("controller_id", -1) == -1:
            return set()
        return {int(b["node_id"]) for b in cluster.get("brokers", [])}

    def leaders(self, topics: list[str], client_kwargs: Mapping[str, Any] | None = None) -> dict[tuple[str, int], int]:
        """``(topic, partition) -> leader node id`` (-1 while a partition has no leader)."""
        described = self.metadata(topics, client_kwargs)["topics"]
        return {(t["topic"], p["partition"]): int(p["leader"]) for t in described for p in t["partitions"]}

    def under_replicated(self, topics: list[str], client_kwargs: Mapping[str, Any] | None = None) -> list[str]:
        """``topic-partition`` of each partition whose in-sync replicas are fewer than its replicas."""
        described = self.metadata(topics, client_kwargs)["topics"]
        return [f"{t['topic']}-{p['partition']}" for t in described for p in t["partitions"]
                if len(p["isr"]) < len(p["replicas"]) or p["leader"] == -1]

    # -- lifecycle --

    def _save(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        nodes = [{"node_id": i, "port": n.port, "controller_port": n.controller_port} for i, n in enumerate(self.nodes, 1)]
        (self.data_dir / "cluster.json").write_text(json.dumps({"cluster_id": self.cluster_id, "nodes": nodes}) + "\n")

    def start(self, timeout: float = 120.0, progress: Callable[[str], None] = _stderr) -> None:
        """Start every node that is not running, then wait until all of them are live brokers."""
        self._save()
        stopped = [node for node in self.nodes if not node.is_running()]
        want = set(range(1, len(self.nodes) + 1))
        try:
            with concurrent.futures.ThreadPoolExecutor(max(1, len(stopped))) as pool:  # formats in parallel
                for launched in [pool.submit(node.launch, progress) for node in stopped]:
                    launched.result()
            for node in self.nodes:  # fails early, with the node's log, if a JVM dies
                node.wait_answering(lambda: want <= self.live_brokers(), timeout)
        except BrokerError:
            self.stop(10.0)
            raise
        progress(f"Kafka cluster of {len(self.nodes)} nodes is up on {self.bootstrap}.")

    def start_node(self, node_id: int, timeout: float = 120.0, progress: Callable[[str], None] = _stderr) -> None:
        """(Re)start one node on its data, and wait until the cluster counts it as a live broker again."""
        node = self.node(node_id)
        if not node.is_running():
            node.launch(progress)
        node.wait_answering(lambda: node_id in self.live_brokers(), timeout)

    def kill(self, node_id: int) -> None:
        """SIGKILL one node, as a crash would, and wait until its process is gone."""
        node = self.node(node_id)
        node.kill()
        node.wait_stopped()

    def wait_healed(self, topics: list[str], timeout: float = 120.0,
                    client_kwargs: Mapping[str, Any] | None = None) -> None:
        """Wait until every node is a live broker and every partition of ``topics`` is fully in sync."""
        want = set(range(1, len(self.nodes) + 1))

        def healed() -> bool:
            try:
                return want <= self.live_brokers(client_kwargs) and not self.under_replicated(topics, client_kwargs)
            except Exception:  # noqa: BLE001 - a node that does not answer yet: not healed
                return False

        wait_for(healed, timeout, f"the cluster in {self.data_dir} to heal (all nodes up, every replica in sync)",
                 interval=0.5)

    def is_running(self) -> bool:
        """True while any node runs."""
        return any(node.is_running() for node in self.nodes)

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop every node at once (SIGTERM, SIGKILL after ``timeout``). False if none was running.

        All at once: a node stopped after the others can no longer reach a controller quorum for its
        controlled shutdown, and would wait out ``timeout``.
        """
        running = [node for node in self.nodes if node.is_running()]
        with concurrent.futures.ThreadPoolExecutor(max(1, len(running))) as pool:
            list(pool.map(lambda node: node.stop(timeout), running))
        return bool(running)
