"""Keys that must be set (issue 20): rotation, the production check, ``*_FILE`` for every secret,
and no secret in a child's environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from alerting import AckClaim, InvalidToken, form_key, sign_ack, verify_ack, verify_form_key
from consumers.webapp import SeenSids
from schemas import Settings
from schemas.settings import DEV_ACK_SECRET

NEW, OLD = b"n" * 32, b"o" * 32
CLAIM = AckClaim("A-0123456789", "ncb-ke", "ke-duty", 2_000_000_000)


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_a_link_signed_with_the_previous_key_verifies_during_rotation_and_not_after() -> None:
    old_link = sign_ack(OLD, CLAIM)
    assert verify_ack((NEW, OLD), old_link, now=1_900_000_000) == CLAIM
    assert verify_ack((NEW, OLD), sign_ack(NEW, CLAIM), now=1_900_000_000) == CLAIM
    with pytest.raises(InvalidToken):
        verify_ack((NEW,), old_link, now=1_900_000_000)


def test_the_form_key_belongs_to_one_link_and_one_key() -> None:
    token, other = sign_ack(NEW, CLAIM), sign_ack(NEW, AckClaim("A-FFFFFFFFFF", "ncb-ke", "ke-duty", 2_000_000_000))
    assert verify_form_key((NEW, OLD), token, form_key(NEW, token))
    assert not verify_form_key((NEW, OLD), other, form_key(NEW, token))
    assert not verify_form_key((NEW, OLD), token, form_key(b"x" * 32, token))
    assert not verify_form_key((NEW, OLD), token, "")
    assert form_key(NEW, token) != token.partition(".")[2], "the form key is not the link's own MAC"


def test_production_refuses_the_built_in_or_a_short_ack_key_and_names_the_variable() -> None:
    mock = {"twilio_api_base_url": "http://127.0.0.1:4010"}
    [built_in] = _settings(**mock).secret_problems()
    assert "FUGITIVE_ALERTS_ACK_SECRET" in built_in and "built-in" in built_in
    [short] = _settings(**mock, ack_secret="short-key").secret_problems()
    assert "shorter than 32 bytes" in short and "short-key" not in short
    [previous] = _settings(**mock, ack_secret="k" * 32, ack_secret_previous=DEV_ACK_SECRET).secret_problems()
    assert "FUGITIVE_ALERTS_ACK_SECRET_PREVIOUS" in previous
    assert _settings(**mock, ack_secret="k" * 32).secret_problems() == []
    assert len(_settings().secret_problems()) == 2, "the defaults: the built-in key and the test token for Twilio"


def test_the_built_in_twilio_token_is_refused_only_against_the_real_twilio() -> None:
    key = "k" * 32
    [problem] = _settings(ack_secret=key, twilio_api_base_url="https://api.twilio.com").secret_problems()
    assert "TWILIO_AUTH_TOKEN" in problem
    assert _settings(ack_secret=key, twilio_api_base_url="http://127.0.0.1:4010").secret_problems() == []
    assert _settings(ack_secret=key, twilio_auth_token="a-real-token").secret_problems() == []


@pytest.mark.parametrize("env", ["demo", "test"])
def test_the_demo_and_the_tests_accept_the_built_in_values(env: str) -> None:
    assert _settings(env=env, twilio_api_base_url="https://api.twilio.com").secret_problems() == []


def test_an_unknown_environment_is_refused() -> None:
    with pytest.raises(ValidationError):
        _settings(env="staging")


def test_every_secret_can_come_from_a_file(tmp_path: Path) -> None:
    names = ["ack_secret", "ack_secret_previous", "ops_token", "twilio_auth_token", "smtp_password",
             "kafka_sasl_password"]
    files = {}
    for name in names:
        files[f"{name}_file"] = tmp_path / name
        (tmp_path / name).write_text(f"{name}-from-file-{'x' * 32}\n")
    settings = _settings(kafka_security_protocol="SASL_SSL", kafka_sasl_username="worker", **files)
    for name in names:
        secret = getattr(settings, name)
        assert secret is not None and secret.get_secret_value() == f"{name}-from-file-{'x' * 32}", name
    assert settings.ack_keys() == (f"ack_secret-from-file-{'x' * 32}".encode(),
                                   f"ack_secret_previous-from-file-{'x' * 32}".encode())


def test_a_missing_ack_key_file_names_its_variable(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        _settings(ack_secret_file=tmp_path / "nope")
    assert "FUGITIVE_ALERTS_ACK_SECRET_FILE" in str(info.value)


def test_secrets_not_read_from_files_reach_children_as_private_files(tmp_path: Path) -> None:
    settings = _settings(data_dir=tmp_path, ack_secret="a" * 40, ops_token="ops-token-value",
                         twilio_auth_token="tw-token-value", smtp_password="smtp-pw-value")
    env = settings.to_env()
    text = "\n".join(env.values())
    for secret in ("a" * 40, "ops-token-value", "tw-token-value", "smtp-pw-value"):
        assert secret not in text
    for variable, secret in (("FUGITIVE_ALERTS_ACK_SECRET_FILE", "a" * 40),
                             ("FUGITIVE_ALERTS_OPS_TOKEN_FILE", "ops-token-value"),
                             ("TWILIO_AUTH_TOKEN_FILE", "tw-token-value"), ("SMTP_PASSWORD_FILE", "smtp-pw-value")):
        path = Path(env[variable])
        assert path.read_text() == secret and path.stat().st_mode & 0o077 == 0
    child = _settings(**{k.removeprefix("FUGITIVE_ALERTS_").lower(): v for k, v in env.items()})
    assert child.ack_secret.get_secret_value() == "a" * 40 and child.env == "production"


def test_message_sids_are_remembered_and_forgotten_after_their_time() -> None:
    seen = SeenSids(size=3, ttl=10.0)
    assert seen.first_time("SM1", 0.0) and not seen.first_time("SM1", 5.0)
    assert seen.first_time("SM1", 20.0), "forgotten after the ttl"
    for sid in ("SM2", "SM3", "SM4"):
        assert seen.first_time(sid, 21.0)
    assert seen.first_time("SM1", 22.0), "the oldest is forgotten when full"


def test_the_demo_stack_passes_no_secret_value_to_its_processes(tmp_path: Path) -> None:
    """Secrets that did not come from a file go to children as files; exported ones are not inherited."""
    from fugitive_alerts.local.stack import _services
    from schemas.settings import secret_env_names

    settings = _settings(data_dir=tmp_path, ack_secret="d" * 40, twilio_auth_token="tw-demo-token",
                         smtp_port=2525)
    services = _services(tmp_path / "run", settings, worker_port=6067)
    for service in services.values():
        assert not {name for name in secret_env_names() if service.env.get(name) is not None}, service.name
        assert "d" * 40 not in "".join(v or "" for v in service.env.values())
    assert services["dispatcher"].env["FUGITIVE_ALERTS_ACK_SECRET_FILE"]
