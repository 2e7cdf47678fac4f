"""The local stack for the demo: Kafka, an SMTP catcher, the Twilio mock, a worker, a dispatcher and the review console.

Every part runs as a detached background process with its pid file and log under
``<data_dir>/demo/run/``; ``stack.json`` beside it records the ports and the topic prefix, so a
later ``fugitive-alerts demo --stop`` finds everything. Ports: the usual defaults (Kafka 9092, SMTP
1025, Twilio mock 4010) when free, otherwise any free port.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from pydantic import SecretStr

from schemas import Settings
from schemas.settings import secret_env_names

from .kafka import LocalBroker, broker_answers
from .services import Service, free_port, port_is_free
from .twilio_mock import start_twilio_mock

__all__ = ["DEMO_ANALYST", "Stack", "demo_analyst", "start_stack", "stop_stack", "stack_dir"]

_LOCAL = {"127.0.0.1", "localhost"}


def stack_dir(settings: Settings) -> Path:
    return (settings.data_dir / "demo").absolute()


@dataclass
class Stack:
    bootstrap: str
    local_kafka: bool
    smtp_port: int
    twilio_url: str
    topic_prefix: str
    worker_port: int
    web_port: int
    review_port: int = 0
    """The review console (``review-console``); its demo analyst's password is made per run (``demo_analyst``)."""

    def settings(self, base: Settings) -> Settings:
        """``base`` pointed at this stack's Kafka, SMTP catcher, Twilio mock and topics."""
        return base.model_copy(update={
            "kafka_bootstrap_servers": self.bootstrap, "smtp_host": "127.0.0.1", "smtp_port": self.smtp_port,
            "smtp_starttls": False, "smtp_username": None, "smtp_password": None,
            "twilio_api_base_url": self.twilio_url, "topic_prefix": self.topic_prefix,
            "app_id": f"{self.topic_prefix}worker", "dispatcher_group": f"{self.topic_prefix}dispatcher",
            "web_port": self.web_port, "public_url": f"http://127.0.0.1:{self.web_port}",
            "review_web_port": self.review_port, "review_public_url": f"http://127.0.0.1:{self.review_port}",
        })


def _port(preferred: int) -> int:
    return preferred if port_is_free(preferred) else free_port()


def _services(run: Path, settings: Settings | None = None, worker_port: int = 0) -> dict[str, Service]:
    # No secret value reaches a child's environment: to_env() passes secrets as files (*_FILE), and a
    # secret exported in this shell is removed from what the children inherit.
    env: dict[str, str | None] = dict.fromkeys(secret_env_names())
    env |= settings.to_env() if settings else {}
    py = [sys.executable, "-m", "fugitive_alerts"]
    return {
        "smtp": Service("smtp-catcher", [sys.executable, "-m", "fugitive_alerts.local.smtp_catcher",
                                         "--port", env.get("SMTP_PORT") or "0", "--maildir", str(run.parent / "mail")],
                        run, env=dict.fromkeys(secret_env_names())),
        "worker": Service("worker", [*py, "worker", "--web-port", str(worker_port)], run, env=env),
        "dispatcher": Service("dispatcher", [*py, "dispatcher"], run, env=env),
        "review-console": Service("review-console", [*py, "review-console"], run, env=env),
    }


def _kafka_broker(settings: Settings, root: Path, say: Callable[[str], None]) -> tuple[str, bool]:
    """Use the broker named by the settings if it answers or is not local; else start the local one."""
    servers = settings.kafka_bootstrap_servers
    host, _, port = servers.split(",")[0].rpartition(":")
    if host not in _LOCAL or broker_answers(servers, 3.0):
        say(f"Kafka: using the broker at {servers}")
        return servers, False
    broker = LocalBroker(root / "kafka", port=int(port))
    broker.start(progress=say)
    return broker.bootstrap, True


def start_stack(base: Settings, say: Callable[[str], None], prefix: str) -> tuple[Stack, Settings]:
    """Start whatever is not already running and return the stack with its settings."""
    root = stack_dir(base)
    run = root / "run"
    run.mkdir(parents=True, exist_ok=True)
    stop_stack(base, say, kafka=False)  # a previous demo's worker and mocks, if any
    bootstrap, local = _kafka_broker(base, root, say)
    stack = Stack(bootstrap=bootstrap, local_kafka=local, smtp_port=_port(1025),
                  twilio_url="", topic_prefix=prefix, worker_port=_port(6066), web_port=_port(8070),
                  review_port=_port(8071))
    twilio = start_twilio_mock(_port(4010), run, progress=say)
    stack.twilio_url = f"http://127.0.0.1:{twilio.argv[twilio.argv.index('-p') + 1]}"
    # A fresh acknowledgement key per run: the built-in one is refused outside FUGITIVE_ALERTS_ENV=demo|test,
    # and links of an earlier demo must not acknowledge this one's alerts.
    settings = stack.settings(base).model_copy(update={"ack_secret": SecretStr(secrets.token_urlsafe(48)),
                                                       "documents_check": True,  # the demo shows a document hit
                                                       "ack_secret_file": None, "ack_secret_previous": None,
                                                       "ack_secret_previous_file": None,
                                                       # the review console's demo analyst, quick digests
                                                       "review_officers_file": root / "officers.json",
                                                       "review_group_wait_seconds": 5.0,
                                                       "review_group_interval_minutes": 1.0})
    (root / "stack.json").write_text(json.dumps(asdict(stack), indent=2))
    services = _services(run, settings)
    services["smtp"].start()
    services["smtp"].wait_ready(lambda: not port_is_free(stack.smtp_port), 30, "the SMTP catcher to listen")
    say(f"SMTP catcher on 127.0.0.1:{stack.smtp_port}; mail is kept in {root / 'mail'}")
    say(f"Twilio mock (Prism serving Twilio's OpenAPI spec) on {stack.twilio_url}")
    return stack, settings


DEMO_ANALYST = "demo-analyst"


def demo_analyst(settings: Settings, bureaus: list[str]) -> str:
    """Write the console's officers file with one analyst of every sample bureau; return its password (new per run)."""
    from consumers.review_auth import hash_password

    password = secrets.token_urlsafe(12)
    path = settings.review_officers_file
    assert path is not None
    path.touch(mode=0o600)
    path.write_text(json.dumps({"officers": [{"id": DEMO_ANALYST, "bureaus": bureaus,
                                              "password_hash": hash_password(password)}]}))
    return password


def start_pipeline(settings: Settings, base: Settings, stack: Stack, say: Callable[[str], None]) -> dict[str, Service]:
    services = _services(stack_dir(base) / "run", settings, stack.worker_port)
    for name in ("worker", "dispatcher", "review-console"):
        services[name].start()
        say(f"{name} started (pid {services[name].pid}, log {services[name].log_path})")
    # events published before the worker has its partitions would wait for it: the demo's latencies
    # would then measure the worker's start, not the pipeline
    started = time.monotonic()
    ready = f"http://127.0.0.1:{stack.worker_port}/ready"
    services["worker"].wait_ready(lambda: _answers(ready), 180, "the worker to be ready (its /ready page)")
    say(f"worker ready: it has its partitions ({time.monotonic() - started:.1f} s)")
    return services


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2.0) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def stop_stack(base: Settings, say: Callable[[str], None], *, kafka: bool = True) -> int:
    """Stop every demo process that runs; return how many were stopped."""
    root = stack_dir(base)
    run = root / "run"
    stopped = 0
    names = ["review-console", "dispatcher", "worker", "smtp-catcher", "twilio-mock"]
    for name in names:
        service = Service(name, ["true"], run)
        if service.stop(30.0):
            say(f"stopped {name}")
            stopped += 1
    if kafka:
        state = root / "stack.json"
        local = json.loads(state.read_text()).get("local_kafka", True) if state.exists() else True
        broker = LocalBroker(root / "kafka")
        if local and broker.stop():
            say(f"stopped Kafka ({broker.bootstrap}); its data stays in {broker.data_dir}")
            stopped += 1
    return stopped
