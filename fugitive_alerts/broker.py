"""``fugitive-alerts broker start|stop|status``: the local Apache Kafka (KRaft) broker.

The broker itself is :class:`fugitive_alerts.local.kafka.LocalBroker`; this module is its
command line, and re-exports the Python API (``LocalBroker``, ``ensure_jars``,
``broker_answers``, ``wait_for_broker``).

Which broker:

- ``--data-dir`` defaults to ``<data_dir>/kafka`` (``FUGITIVE_ALERTS_DATA_DIR``, default ``var``).
- ``--port`` defaults to the port of ``KAFKA_BOOTSTRAP_SERVERS`` when that names 127.0.0.1 or
  localhost, else to the port the broker of that data directory last used, else 9092.
  ``--controller-port`` defaults likewise, else to the port + 1.
- When ``KAFKA_BOOTSTRAP_SERVERS`` names another host, ``start`` starts nothing: it checks that
  the named broker answers and says it is the one in use.
- ``start --nodes 3`` starts a three-node cluster (:class:`fugitive_alerts.local.cluster.LocalCluster`)
  in the data directory instead: node *i* listens on port + 2(i-1), its controller on the next port.
  ``stop`` and ``status`` recognise a cluster's data directory by its ``cluster.json``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from .local.cluster import LocalCluster, is_cluster
from .local.kafka import (
    LOCAL_HOSTS,
    BrokerError,
    LocalBroker,
    broker_answers,
    ensure_jars,
    kafka_version,
    wait_for_broker,
)

__all__ = ["BrokerError", "LocalBroker", "app", "broker_answers", "ensure_jars", "wait_for_broker"]

app = typer.Typer(no_args_is_help=True, help="Start, stop or inspect the local Apache Kafka (KRaft) broker.")

PortOpt = Annotated[
    int | None, typer.Option("--port", min=1, max=65535, help="Client port on 127.0.0.1 [default: 9092].")
]
ControllerPortOpt = Annotated[
    int | None,
    typer.Option("--controller-port", min=1, max=65535, help="KRaft controller port [default: port + 1]."),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", file_okay=False, help="Broker state, logs, pid file [default: <data_dir>/kafka]."
    ),
]


def _echo(message: str) -> None:
    typer.echo(message, err=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _split_bootstrap(servers: str) -> list[tuple[str, int | None]]:
    result: list[tuple[str, int | None]] = []
    for item in servers.split(","):
        host, sep, port = item.strip().rpartition(":")
        if not sep:
            host, port = port, ""
        result.append((host.strip().lower(), int(port) if port.isdigit() else None))
    return result


def _resolve(
    port: int | None, controller_port: int | None, data_dir: Path | None
) -> tuple[LocalBroker, str | None]:
    """The local broker the options name, and the external bootstrap servers if configured."""
    # Imported here: schemas pulls in pydantic models the broker commands do not otherwise need.
    from schemas import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        raise _fail(f"invalid settings (environment or .env): {exc}", 2) from None
    external = None
    if "kafka_bootstrap_servers" in settings.model_fields_set:
        servers = _split_bootstrap(settings.kafka_bootstrap_servers)
        if all(host in LOCAL_HOSTS for host, _ in servers):
            env_port = servers[0][1]
            if port is None:
                port = env_port
            elif env_port is not None and env_port != port:
                _echo(
                    f"note: KAFKA_BOOTSTRAP_SERVERS is {settings.kafka_bootstrap_servers}; "
                    f"the other commands will not use a broker on port {port}."
                )
        else:
            external = settings.kafka_bootstrap_servers
    directory = data_dir if data_dir is not None else settings.data_dir / "kafka"
    return LocalBroker(directory, port, controller_port), external


def _cluster(broker: LocalBroker, nodes: int | None) -> LocalCluster | None:
    """The local cluster in the broker's data directory (or a new one of ``nodes`` nodes), else None."""
    if is_cluster(broker.data_dir):
        cluster = LocalCluster(broker.data_dir)
        if nodes is not None and nodes != len(cluster.nodes):
            raise _fail(f"{broker.data_dir} holds a cluster of {len(cluster.nodes)} nodes, not {nodes}; "
                        "use another --data-dir", 2)
        return cluster
    if nodes is None or nodes == 1:
        return None
    if broker.state_path.exists() or (broker.data_dir / "data").exists():
        raise _fail(f"{broker.data_dir} holds a single-node broker; give the cluster another --data-dir", 2)
    return LocalCluster(broker.data_dir, [(broker.port + 2 * i, broker.port + 2 * i + 1) for i in range(nodes)])


def _start_cluster(cluster: LocalCluster, timeout: float) -> None:
    if len(cluster.live_brokers()) == len(cluster.nodes):
        _echo(f"The Kafka cluster already runs on {cluster.bootstrap}.")
    else:
        try:
            cluster.start(timeout=timeout, progress=_echo)
        except BrokerError as exc:
            raise _fail(str(exc)) from None
    n = len(cluster.nodes)
    _echo(f"Use it with: KAFKA_BOOTSTRAP_SERVERS={cluster.bootstrap} FUGITIVE_ALERTS_REPLICATION_FACTOR={n}")
    _echo("Stop it with: fugitive-alerts broker stop" + (f" --data-dir {cluster.data_dir}"))
    typer.echo(cluster.bootstrap)


def _quiet_clients() -> None:
    """aiokafka logs every refused connection while probing; a CLI shows its own summary."""
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)


@app.command()
def start(
    port: PortOpt = None,
    controller_port: ControllerPortOpt = None,
    data_dir: DataDirOpt = None,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds to wait for the broker to answer.")] = 90.0,
    nodes: Annotated[
        int | None,
        typer.Option("--nodes", min=1, max=9, help="Nodes: 3 runs a KRaft cluster of three brokers "
                     "(ports: port, port+2, port+4; controllers on the next port each) [default: 1]."),
    ] = None,
) -> None:
    """Start the broker in the background (fetching Kafka's jars once) and wait until it answers.

    With --nodes 3, a three-node cluster (replication factor 3, min.insync.replicas 2); then set
    KAFKA_BOOTSTRAP_SERVERS to all three and FUGITIVE_ALERTS_REPLICATION_FACTOR=3, as it prints.
    """
    _quiet_clients()
    broker, external = _resolve(port, controller_port, data_dir)
    if external is not None:
        _echo(f"KAFKA_BOOTSTRAP_SERVERS names {external}: using that broker, not starting a local one.")
        try:
            from schemas import Settings

            wait_for_broker(external, min(timeout, 30.0), Settings().kafka_client_kwargs())  # TLS/SASL if set
        except BrokerError as exc:
            raise _fail(f"{exc} (or unset KAFKA_BOOTSTRAP_SERVERS to run a local broker)") from None
        _echo(f"The broker at {external} answers.")
        return
    cluster = _cluster(broker, nodes)
    if cluster is not None:
        _start_cluster(cluster, max(timeout, 120.0))
        return
    if broker.is_running() and broker.answers():
        _echo(f"Kafka already runs on {broker.bootstrap} (pid {broker.pid}); log: {broker.log_path}")
        return
    try:
        broker.start(timeout=timeout, progress=_echo)
    except BrokerError as exc:
        raise _fail(str(exc)) from None
    _echo(f"Log: {broker.log_path}")
    _echo("Stop it with: fugitive-alerts broker stop")
    typer.echo(broker.bootstrap)


@app.command()
def stop(
    port: PortOpt = None,
    controller_port: ControllerPortOpt = None,
    data_dir: DataDirOpt = None,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds to wait before SIGKILL.")] = 30.0,
) -> None:
    """Stop the broker (SIGTERM, a clean shutdown; SIGKILL if it has not exited in time)."""
    broker, _ = _resolve(port, controller_port, data_dir)
    cluster = _cluster(broker, None)
    if cluster is not None:
        _echo(f"Stopping the Kafka cluster in {cluster.data_dir} ..." if cluster.is_running()
              else f"The Kafka cluster in {cluster.data_dir} is not running.")
        if cluster.stop(timeout):
            _echo("Stopped.")
        return
    pid = broker.pid
    if pid is None:
        _echo(f"Kafka is not running (data dir {broker.data_dir}).")
        return
    _echo(f"Stopping Kafka (pid {pid}) ...")
    broker.stop(timeout)
    _echo("Stopped.")


@app.command()
def status(
    port: PortOpt = None,
    controller_port: ControllerPortOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Say whether the broker runs: pid, port, log. Exit code 1 when it does not run."""
    _quiet_clients()
    broker, external = _resolve(port, controller_port, data_dir)
    if external is not None:
        from schemas import Settings

        if broker_answers(external, 5.0, Settings().kafka_client_kwargs()):  # TLS/SASL if configured
            typer.echo(f"using KAFKA_BOOTSTRAP_SERVERS={external}: answers")
            return
        typer.echo(f"using KAFKA_BOOTSTRAP_SERVERS={external}: does not answer")
        raise typer.Exit(1)
    cluster = _cluster(broker, None)
    if cluster is not None:
        live = cluster.live_brokers() if cluster.is_running() else set()
        for i, node in enumerate(cluster.nodes, 1):
            state = "live broker" if i in live else ("running, not live" if node.is_running() else "not running")
            typer.echo(f"node {i}  {node.bootstrap}  pid {node.pid or '-'}  {state}  log {node.log_path}")
        typer.echo(f"cluster of {len(cluster.nodes)} nodes, {len(live)} live; bootstrap {cluster.bootstrap}")
        if len(live) < len(cluster.nodes):
            raise typer.Exit(1)
        return
    pid = broker.pid
    if pid is None:
        typer.echo(f"not running  (data dir {broker.data_dir}, log {broker.log_path})")
        raise typer.Exit(1)
    state = "answers" if broker.answers() else "starting or not answering"
    typer.echo(
        f"running  pid {pid}  bootstrap {broker.bootstrap}  controller port {broker.controller_port}  "
        f"({state})\n  Kafka {kafka_version()}, data dir {broker.data_dir}\n  log {broker.log_path}"
    )
