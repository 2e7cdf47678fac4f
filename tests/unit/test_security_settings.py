"""Kafka security settings (issue 6): every client gets TLS and SASL from one place; secrets stay secret."""

from __future__ import annotations

import ssl
from pathlib import Path

import faust
import pytest
from pydantic import SecretStr, ValidationError

from fugitive_alerts.acl_policy import Operation, PatternType, ResourceType, policy
from schemas import Settings, response_topic, topics
from streams.kafka_auth import faust_credentials


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


SASL = {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "worker", "kafka_sasl_password": "s3cret-pw"}


def test_plaintext_clients_get_only_the_bootstrap_servers() -> None:
    assert _settings(kafka_bootstrap_servers="a:1,b:2").kafka_client_kwargs() == {"bootstrap_servers": ["a:1", "b:2"]}
    assert faust_credentials(_settings()) is None


def test_sasl_ssl_gives_every_aiokafka_client_the_login_and_a_verifying_tls_context() -> None:
    kwargs = _settings(**SASL).kafka_client_kwargs()
    assert kwargs["security_protocol"] == "SASL_SSL" and kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert kwargs["sasl_plain_username"] == "worker" and kwargs["sasl_plain_password"] == "s3cret-pw"
    context = kwargs["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_the_faust_app_gets_the_same_credentials() -> None:
    creds = faust_credentials(_settings(**SASL, kafka_sasl_mechanism="SCRAM-SHA-256"))
    assert isinstance(creds, faust.SASLCredentials)
    assert creds.protocol.value == "SASL_SSL" and creds.mechanism.value == "SCRAM-SHA-256"
    assert creds.username == "worker" and creds.password == "s3cret-pw" and creds.ssl_context is not None
    assert "s3cret-pw" not in repr(creds)
    plain = faust_credentials(_settings(**{**SASL, "kafka_security_protocol": "SASL_PLAINTEXT"}))
    assert isinstance(plain, faust.SASLCredentials) and plain.protocol.value == "SASL_PLAINTEXT"
    assert isinstance(faust_credentials(_settings(kafka_security_protocol="SSL")), faust.SSLCredentials)


def test_sasl_without_a_password_is_refused_at_start_and_the_error_holds_no_secret() -> None:
    with pytest.raises(ValidationError) as info:
        _settings(kafka_security_protocol="SASL_SSL", kafka_sasl_password="only-the-pw")
    assert "KAFKA_SASL_USERNAME" in str(info.value) and "only-the-pw" not in str(info.value)


def test_secrets_never_show_in_repr_or_str() -> None:
    settings = _settings(**SASL, twilio_auth_token="tw-token-123", smtp_password="smtp-pw-123")
    for text in (repr(settings), str(settings)):
        for secret in ("s3cret-pw", "tw-token-123", "smtp-pw-123"):
            assert secret not in text


def test_secrets_can_come_from_files_and_stay_out_of_child_environments(tmp_path: Path) -> None:
    for name, secret in (("kafka", "from-file-pw"), ("twilio", "tw-from-file"), ("smtp", "smtp-from-file")):
        (tmp_path / name).write_text(secret + "\n")
    settings = _settings(kafka_security_protocol="SASL_SSL", kafka_sasl_username="worker",
                         kafka_sasl_password_file=tmp_path / "kafka", twilio_auth_token_file=tmp_path / "twilio",
                         smtp_password_file=tmp_path / "smtp")
    assert settings.kafka_client_kwargs()["sasl_plain_password"] == "from-file-pw"
    assert settings.twilio_auth_token.get_secret_value() == "tw-from-file"
    assert settings.smtp_password == SecretStr("smtp-from-file")
    env = settings.to_env()
    assert env["KAFKA_SASL_PASSWORD_FILE"] == str(tmp_path / "kafka")
    assert not {"KAFKA_SASL_PASSWORD", "TWILIO_AUTH_TOKEN", "SMTP_PASSWORD"} & set(env)


def test_a_missing_secret_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        _settings(twilio_auth_token_file=tmp_path / "nope")
    assert "TWILIO_AUTH_TOKEN_FILE" in str(info.value)


def test_ingest_agencies_are_a_comma_separated_list() -> None:
    assert _settings(ingest_agencies=" ke-immigration, fr-visas,,ke-immigration ").ingest_agency_list == [
        "ke-immigration", "fr-visas"]


# -- the ACL policy ------------------------------------------------------------------------------


def _allowed(principal: str, settings: Settings, agencies: list[str]) -> set[tuple[str, str, str, str]]:
    return {(b.resource_type.name, b.pattern.name, b.name, b.operation.name)
            for b in policy(settings, agencies) if b.principal == f"User:{principal}"}


def test_an_agency_may_write_only_its_own_ingest_prefix_and_read_only_its_own_responses() -> None:
    settings = _settings(topic_prefix="p.")
    rules = _allowed("ke-immigration", settings, ["ke-immigration", "fr-visas"])
    assert rules == {
        ("TOPIC", "PREFIXED", "p.ingest.ke-immigration.", "WRITE"),
        ("TOPIC", "LITERAL", "p." + response_topic("ke-immigration"), "READ"),
        ("GROUP", "PREFIXED", "ke-immigration.", "READ"),
    }


def test_the_dispatcher_may_not_write_any_event_topic() -> None:
    settings = _settings(topic_prefix="p.")
    writes = {name for rtype, _, name, op in _allowed("dispatcher", settings, []) if op in ("WRITE", "ALL")}
    assert not {settings.topic(t) for t in topics.EVENT_TOPICS.values()} & writes
    assert not any(name.startswith(("p.ingest.", "p.events.b", "p.events.v", "p.events.t")) for name in writes)


def test_the_importer_owns_the_wanted_list_only_and_the_directory_the_bureaus_only() -> None:
    settings = _settings(topic_prefix="p.")
    assert _allowed("importer", settings, ["ke-immigration"]) == {
        ("TOPIC", "LITERAL", "p.wanted.notices", "READ"), ("TOPIC", "LITERAL", "p.wanted.notices", "WRITE")}
    assert _allowed("directory", settings, ["ke-immigration"]) == {
        ("TOPIC", "LITERAL", "p.bureaus", "READ"), ("TOPIC", "LITERAL", "p.bureaus", "WRITE")}
    dispatcher = _allowed("dispatcher", settings, [])
    assert ("TOPIC", "LITERAL", "p.bureaus", "READ") in dispatcher
    assert not {r for r in dispatcher if r[2] == "p.bureaus" and r[3] != "READ"}, "the dispatcher only reads bureaus"
    writers = {b.principal for b in policy(settings, ["ke-immigration"])
               if b.name == "p.wanted.notices" and b.operation.name in ("WRITE", "ALL")}
    assert writers == {"User:importer"}


def test_the_policy_only_allows_and_never_grants_wildcards() -> None:
    bindings = policy(_settings(topic_prefix="p."), ["ke-immigration"])
    assert all(b.name not in ("*", "") for b in bindings)
    assert all(isinstance(b.operation, Operation) and isinstance(b.pattern, PatternType) for b in bindings)
    assert {b.resource_type for b in bindings} <= {ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID}


# -- the secure test broker's certificates --------------------------------------------------------


def test_the_generated_broker_certificate_is_signed_by_the_ca_for_127_0_0_1(tmp_path: Path) -> None:
    import subprocess

    from tests.integration.secure_kafka import generate_tls

    ca = generate_tls(tmp_path, "store-pw", days=1)
    decoded = ssl._ssl._test_decode_cert(str(tmp_path / "broker.pem"))  # type: ignore[attr-defined]
    assert ("IP Address", "127.0.0.1") in decoded["subjectAltName"]
    verify = subprocess.run(["openssl", "verify", "-CAfile", str(ca), str(tmp_path / "broker.pem")],
                            capture_output=True, text=True, check=False)
    assert verify.returncode == 0, verify.stderr
    assert (tmp_path / "broker.p12").stat().st_mode & 0o077 == 0  # the key store is private
