"""Real services for the tests, each started on a free port the first time a test asks for it.

Session fixtures (lazy: a test run that requests none of them starts nothing):

- ``kafka_bootstrap`` → ``"127.0.0.1:PORT"``: a single-node Apache Kafka (KRaft) in a temporary
  directory, or the broker named by ``KAFKA_BOOTSTRAP_SERVERS`` when that is set (it must answer).
- ``kafka_broker`` → the session's :class:`~fugitive_alerts.local.kafka.LocalBroker` (fails when
  ``KAFKA_BOOTSTRAP_SERVERS`` is set). Don't kill it: fault tests use ``local_broker_factory``.
- ``smtp_sink`` → :class:`~fugitive_alerts.local.smtp_catcher.SmtpSink`, plain SMTP. It is shared by
  the session: find your messages by something unique (an id in the subject), not by count.
- ``smtp_sink_tls`` → an ``SmtpSink`` that requires STARTTLS; trust ``smtp_sink_tls.cafile``.
- ``twilio_mock_url`` → ``"http://127.0.0.1:PORT"``: Prism serving Twilio's OpenAPI spec (with
  429/500/503 available through ``Prefer: code=...``, see ``fugitive_alerts/twilio_mock.py``).

- ``settings_factory(**overrides) -> Settings`` (session-scoped, so package/module fixtures can
  use it; every call is unique): unique topic prefix, app id and dispatcher group, a fresh data
  dir, and the session's services; nothing read from the environment or ``.env``.
  ``kafka=False`` / ``smtp=False`` / ``twilio=False`` skip starting that service (its address
  then points at a closed port).

Function fixtures:

- ``local_broker_factory(start=True) -> LocalBroker``: a broker of the test's own (free ports,
  temporary data dir) that it may kill and restart; stopped after the test.

A service that cannot start fails the tests that need it, with the reason; nothing is skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from fugitive_alerts.local.kafka import BrokerError, LocalBroker, broker_answers
from fugitive_alerts.local.services import free_port
from fugitive_alerts.local.smtp_catcher import SmtpSink
from fugitive_alerts.local.twilio_mock import TwilioMockError, start_twilio_mock
from schemas import Settings

CLOSED_PORT = 1
"""Nothing listens on TCP port 1 here: the address of a service a test did not ask for."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything under tests/integration/ carries the ``integration`` marker (``-m "not integration"``)."""
    root = Path(__file__).parent / "integration"
    for item in items:
        if root in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.integration)


def _two_ports() -> tuple[int, int]:
    first = free_port()
    second = free_port()
    while second == first:
        second = free_port()
    return first, second


def _start_broker(data_dir: Path) -> LocalBroker:
    broker = LocalBroker(data_dir, *_two_ports())
    try:
        broker.start(timeout=120.0)
    except BrokerError as exc:
        pytest.fail(f"could not start the test Kafka broker: {exc}", pytrace=False)
    return broker


# -- Kafka -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    """The session's own local broker (started on first use, stopped at the end)."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        pytest.fail(
            "this test needs the tests' own local broker, but KAFKA_BOOTSTRAP_SERVERS is set; "
            "unset it to run this test",
            pytrace=False,
        )
    broker = _start_broker(tmp_path_factory.mktemp("kafka"))
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(request: pytest.FixtureRequest) -> str:
    """``host:port`` of a real Kafka broker: ``KAFKA_BOOTSTRAP_SERVERS`` if set, else our own."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        if not broker_answers(external, 10.0):
            pytest.fail(
                f"KAFKA_BOOTSTRAP_SERVERS={external} does not answer; start that broker, "
                "or unset the variable and the tests start their own",
                pytrace=False,
            )
        return external
    broker: LocalBroker = request.getfixturevalue("kafka_broker")
    return broker.bootstrap


@pytest.fixture
def local_broker_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., LocalBroker]]:
    """Make brokers of the test's own (free ports, own data dir); all stopped after the test."""
    brokers: list[LocalBroker] = []

    def make(start: bool = True) -> LocalBroker:
        data_dir = tmp_path_factory.mktemp("own-kafka")
        broker = _start_broker(data_dir) if start else LocalBroker(data_dir, *_two_ports())
        brokers.append(broker)
        return broker

    yield make
    for broker in brokers:
        broker.stop()


# -- SMTP --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="session")
def smtp_sink_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpSink]:
    """Like ``smtp_sink`` but STARTTLS is required; its certificate is ``.cafile``."""
    with SmtpSink.with_starttls(tmp_path_factory.mktemp("smtp-tls")) as sink:
        yield sink


# -- Twilio ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def twilio_mock_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of Prism serving Twilio's official API spec (set ``client.api.base_url`` to it)."""
    port = free_port()
    try:
        service = start_twilio_mock(port, tmp_path_factory.mktemp("twilio-mock"))
    except TwilioMockError as exc:
        pytest.fail(f"could not start the Twilio mock: {exc}", pytrace=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        service.stop()


# -- settings ----------------------------------------------------------------------------------


class IsolatedSettings(Settings):
    """``Settings`` built from keyword arguments only: no environment variables, no ``.env``."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


@pytest.fixture(scope="session")
def settings_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., Settings]:
    """``make(*, kafka=True, smtp=True, twilio=True, **overrides) -> Settings`` for one test."""

    def make(*, kafka: bool = True, smtp: bool = True, twilio: bool = True, **overrides: Any) -> Settings:
        uid = uuid.uuid4().hex[:8]
        values: dict[str, Any] = {
            "env": "test",  # the built-in ack key and Twilio token are accepted (FUGITIVE_ALERTS_ENV)
            "topic_prefix": f"t{uid}.",
            "app_id": f"fa-test-{uid}",
            "dispatcher_group": f"fa-test-{uid}-dispatcher",
            "data_dir": tmp_path_factory.mktemp(f"data-{uid}"),
            "kafka_bootstrap_servers": f"127.0.0.1:{CLOSED_PORT}",
            "smtp_host": "127.0.0.1",
            "smtp_port": CLOSED_PORT,
            "twilio_api_base_url": f"http://127.0.0.1:{CLOSED_PORT}",
            # no index snapshots (forked writers) unless a test asks: tests/integration/test_index_snapshot.py
            "index_snapshot": False,
        }
        if kafka:
            values["kafka_bootstrap_servers"] = request.getfixturevalue("kafka_bootstrap")
        if smtp:
            sink: SmtpSink = request.getfixturevalue("smtp_sink")
            values |= {"smtp_host": sink.host, "smtp_port": sink.port}
        if twilio:
            values["twilio_api_base_url"] = request.getfixturevalue("twilio_mock_url")
        values |= overrides
        return IsolatedSettings(**values)

    return make
