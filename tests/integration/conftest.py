"""Fixtures shared by the integration tests; the services themselves start in ``tests/conftest.py``."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from .review_world import write_officers
from .twilio_faults import TwilioFaults
from .world import pipeline

__all__ = ["bureaus_file", "faults", "officers_file", "pipeline"]


@pytest.fixture(scope="module")
def faults(twilio_mock_url: str) -> Iterator[TwilioFaults]:
    """The session's Twilio mock behind a proxy that injects faults and records what reached Twilio."""
    with TwilioFaults(twilio_mock_url) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def bureaus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The delivery tests' bureau directory (``test_delivery.BUREAUS``) as a file."""
    from .test_delivery import BUREAUS

    path = tmp_path_factory.mktemp("bureaus") / "bureaus.yaml"
    path.write_text(yaml.safe_dump(BUREAUS))
    return path


@pytest.fixture(scope="module")
def officers_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The review console's officers file (``review_world.OFFICERS``, one password for all)."""
    return write_officers(tmp_path_factory.mktemp("review") / "officers.yaml")
