"""docker-compose.yml is valid (checked offline: no Docker engine needed) and wired as documented."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> list[str]:
    """``docker compose`` if the plugin works, else Debian's ``docker-compose``; never a skip."""
    docker = shutil.which("docker")
    if docker is not None:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy is None:
        pytest.fail(
            "neither `docker compose` nor `docker-compose` is installed; run scripts/bootstrap "
            "(it installs Debian's docker-compose) or install the compose plugin",
            pytrace=False,
        )
    return [legacy]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    return subprocess.run(
        [*_compose(), "-f", str(ROOT / "docker-compose.yml"), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def resolved() -> dict[str, Any]:
    result = _run("config")
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def test_compose_file_is_valid() -> None:
    result = _run("config", "-q")
    assert result.returncode == 0, result.stderr


def test_services_and_their_wiring(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    assert {"kafka", "mailcatcher", "twilio-mock", "worker", "dispatcher", "monitor"} <= set(services)
    assert services["kafka"]["image"].startswith("apache/kafka:4.")
    assert "broker,controller" in str(services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"])
    for name, command in (("worker", "worker"), ("dispatcher", "dispatcher")):
        service = services[name]
        assert service["command"][0] == command
        env = service["environment"]
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert env["SMTP_HOST"] == "mailcatcher" and str(env["SMTP_PORT"]) == "1025"
        assert env["TWILIO_API_BASE_URL"] == "http://twilio-mock:4010"
        assert env["BUREAUS_FILE"] == "/app/data/bureaus.yaml"
        assert any(str(v).endswith(":/app/data/bureaus.yaml:ro") or "/app/data/bureaus.yaml" in str(v)
                   for v in service["volumes"])  # fmt: skip
        assert service["depends_on"]["kafka"]["condition"] == "service_healthy"
    # What the images are built from exists.
    assert (ROOT / "Dockerfile").exists()
    assert (ROOT / "tools" / "twilio-mock" / "Dockerfile").exists()
    assert (ROOT / "fugitive_alerts" / "sample" / "bureaus.yaml").exists()
