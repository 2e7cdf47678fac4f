"""A secure cluster for the security tests: SASL_SSL, SCRAM users, ACLs on, and a pipeline over it.

``secure`` (module fixture): a :class:`SecureLocalBroker` of its own (free ports, temporary data
dir), topics and ACLs applied by ``admin`` with the project's own policy (``apply_policy``), and
settings per principal. ``secure_pipeline``: the worker and the dispatcher as processes, each
logged in as its own principal, the dispatcher's SMS going through the recording Twilio proxy.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import TopicAuthorizationFailedError

from fugitive_alerts.acl_policy import Principals
from fugitive_alerts.acls import apply_policy
from fugitive_alerts.local.kafka import BrokerError
from fugitive_alerts.local.services import Service, free_port
from fugitive_alerts.produce import import_bureaus
from infra import TopicMetadata
from schemas import Settings, topics
from tests import factories as f
from tests.integration.secure_kafka import ADMIN, SecureLocalBroker

from .kafka_helpers import produce_json
from .twilio_faults import TwilioFaults
from .world import BUREAUS

AGENCIES = ("ke-immigration", "fr-visas")
SERVICES = Principals()
TWILIO_TOKEN = "twilio-token-7f3c9a1e5b"
# A fictional traveller whose details are easy to find in a log or an SMS, and the notice they match.
NAME = ("Quarrington", "Zephyrine")
BIRTH_DATE = "1947-11-23"
PASSPORT = "ZQ9988776"
NOTICE = f.notice(*NAME, notice_id="2026/77001", dob=BIRTH_DATE, nationality="GB", passport=PASSPORT,
                  requesting="GB", sex="F")
DENIED = "denied"


@dataclass
class Secure:
    broker: SecureLocalBroker
    admin: Settings
    run: Path
    outputs: list[str] = field(default_factory=list)
    """Everything the tests' CLI commands printed (scanned for personal data and secrets)."""

    def as_user(self, user: str, **overrides: Any) -> Settings:
        """The admin's settings, logged in as ``user`` instead."""
        return self.admin.model_copy(update={**self.broker.client_settings(user), **overrides})

    def secrets(self) -> list[str]:
        return [self.broker.password(u) for u in self.broker.users] + [TWILIO_TOKEN]


@pytest.fixture(scope="module")
def secure(settings_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secure]:
    run = tmp_path_factory.mktemp("secure")
    broker = SecureLocalBroker(run / "kafka", free_port(), free_port(),
                               users=[SERVICES.worker, SERVICES.dispatcher, SERVICES.monitor, SERVICES.importer,
                                      SERVICES.directory, *AGENCIES])
    try:
        broker.start(timeout=120.0)
    except BrokerError as exc:
        pytest.fail(f"could not start the secure Kafka broker: {exc}", pytrace=False)
    try:
        bureaus = run / "bureaus.yaml"
        bureaus.write_text(yaml.safe_dump(BUREAUS))
        web_port = free_port()
        admin: Settings = settings_factory(kafka=False, **broker.client_settings(ADMIN),
                                           ingest_agencies=",".join(AGENCIES), twilio_auth_token=TWILIO_TOKEN,
                                           bureaus_file=bureaus, web_port=web_port,
                                           public_url=f"http://127.0.0.1:{web_port}")
        asyncio.run(apply_policy(admin, list(AGENCIES), SERVICES))
        yield Secure(broker, admin, run)
    finally:
        broker.stop()


@pytest.fixture(scope="module")
def secure_pipeline(secure: Secure, twilio_mock_url: str) -> Iterator[tuple[Secure, TwilioFaults]]:
    """The worker and the dispatcher over SASL_SSL, each as its own principal."""
    admin = secure.admin
    asyncio.run(import_bureaus(admin, admin.bureaus_file))  # type: ignore[arg-type]
    produce_json(admin, topics.WANTED, [NOTICE], "notice_id")
    password_file = secure.run / "dispatcher.password"
    password_file.write_text(secure.broker.password(SERVICES.dispatcher) + "\n")
    password_file.chmod(0o600)
    with TwilioFaults(twilio_mock_url) as faults:
        worker_env = secure.as_user(SERVICES.worker).to_env()
        # The dispatcher reads its password from a file (KAFKA_SASL_PASSWORD_FILE), not the environment.
        dispatcher = secure.as_user(SERVICES.dispatcher, kafka_sasl_password=None, twilio_api_base_url=faults.url,
                                    kafka_sasl_password_file=password_file)
        dispatcher_env = {**dispatcher.to_env(), "KAFKA_SASL_PASSWORD": None}
        assert "KAFKA_SASL_PASSWORD" not in dispatcher.to_env()
        services = [
            Service("worker", [sys.executable, "-m", "fugitive_alerts", "worker", "--web-port", str(free_port())],
                    secure.run, env=worker_env),
            Service("dispatcher", [sys.executable, "-m", "fugitive_alerts", "dispatcher"], secure.run,
                    env=dispatcher_env),
        ]
        for service in services:
            service.start()
        try:
            yield secure, faults
        finally:
            for service in services:
                service.stop(30.0)
            for service in services:
                print(f"--- {service.name} log (last lines) ---\n" + service.log_path.read_text()[-3000:])


# -- clients that report a denial instead of retrying forever ------------------------------------


def try_produce(settings: Settings, topic: str, key: bytes, value: bytes) -> str:
    """``"ok"`` when the broker acknowledged the record, :data:`DENIED` when it refused the topic."""

    async def run() -> str:
        producer = AIOKafkaProducer(acks="all", request_timeout_ms=15000, **settings.kafka_client_kwargs())  # type: ignore[arg-type]
        await producer.start()
        try:
            await producer.send_and_wait(settings.topic(topic), key=key, value=value)
            return "ok"
        except TopicAuthorizationFailedError:
            return DENIED
        finally:
            await producer.stop()

    return asyncio.run(run())


def try_read(settings: Settings, topic: str, timeout: float = 15.0) -> list[bytes] | str:
    """The values of partition 0 of ``topic`` from the beginning (at least one), or :data:`DENIED`
    when the broker says the principal may not read it (no READ, or not even DESCRIBE)."""

    async def run() -> list[bytes] | str:
        consumer = AIOKafkaConsumer(group_id=None, enable_auto_commit=False, **settings.kafka_client_kwargs())  # type: ignore[arg-type]
        await consumer.start()
        name = settings.topic(topic)
        try:
            tp = TopicPartition(name, 0)
            consumer.assign([tp])
            async with TopicMetadata(settings.kafka_client_kwargs()) as metadata:  # type: ignore[arg-type]
                described = await metadata.admin.describe_topics([name])  # an existing topic: nothing is created
            if any(t["error_code"] == TopicAuthorizationFailedError.errno for t in described):
                return DENIED  # no DESCRIBE: metadata says error 29
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    await consumer.seek_to_beginning(tp)
                    batches = await consumer.getmany(timeout_ms=500)
                except TopicAuthorizationFailedError:  # DESCRIBE but no READ: the fetch says error 29
                    return DENIED
                got = [r.value for recs in batches.values() for r in recs if r.value is not None]
                if got:
                    return got
            raise AssertionError(f"{name}: neither a record nor a denial within {timeout}s")
        finally:
            await consumer.stop()

    return asyncio.run(run())
