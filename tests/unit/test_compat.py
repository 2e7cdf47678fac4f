"""The aiokafka version pin of infra/_compat.py, and the one exception base."""

from __future__ import annotations

import pytest

from infra._compat import CHECKED_AIOKAFKA, IncompatibleLibrary, check_aiokafka
from schemas.errors import FugitiveAlertsError


@pytest.mark.parametrize("version", [CHECKED_AIOKAFKA, f"{CHECKED_AIOKAFKA}.0", f"{CHECKED_AIOKAFKA}.7"])
def test_the_checked_aiokafka_minor_version_is_accepted(version: str) -> None:
    check_aiokafka(version)


@pytest.mark.parametrize("version", ["0.15.0", "0.13.1", f"{CHECKED_AIOKAFKA}0", "1.0.0"])
def test_another_aiokafka_version_fails_with_a_message_naming_both(version: str) -> None:
    with pytest.raises(IncompatibleLibrary) as caught:
        check_aiokafka(version)
    assert version in str(caught.value) and CHECKED_AIOKAFKA in str(caught.value)
    assert isinstance(caught.value, FugitiveAlertsError) and isinstance(caught.value, ImportError)


def test_every_error_the_project_raises_on_purpose_has_the_one_base() -> None:
    """Each keeps its built-in base too, so existing ``except ValueError`` / ``RuntimeError`` still work."""
    from alerting import AlertingError, DeliveryError, DirectoryError, InvalidToken
    from consumers import BrokerUnavailable
    from fugitive_alerts.acls import AclError
    from fugitive_alerts.importers import InputError, RowError
    from fugitive_alerts.local.jars import BrokerError
    from fugitive_alerts.local.services import ServiceError
    from fugitive_alerts.local.twilio_mock import TwilioMockError
    from fugitive_alerts.sent import RecordsRefused
    from infra import TopicNotFound

    for cls in (AlertingError, DeliveryError, DirectoryError, InvalidToken, InputError, RowError):
        assert issubclass(cls, FugitiveAlertsError), cls
    for cls in (InvalidToken, InputError, RowError):
        assert issubclass(cls, ValueError), cls
    for cls in (BrokerUnavailable, AclError, BrokerError, ServiceError, TwilioMockError, TopicNotFound,
                RecordsRefused):
        assert issubclass(cls, FugitiveAlertsError) and issubclass(cls, RuntimeError), cls


def test_the_error_tree_in_the_docstring_names_every_subclass() -> None:
    """schemas/errors.py draws the tree; a new error class must be drawn there too."""
    import importlib
    import pkgutil

    import schemas.errors

    for package in ("schemas", "matching", "infra", "streams", "consumers", "alerting", "fugitive_alerts"):
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if not info.name.endswith("__main__"):
                importlib.import_module(info.name)
    todo, found = [FugitiveAlertsError], set()
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.split(".")[0] != "tests":
                found.add(sub)
                todo.append(sub)
    assert found, "the project has subclasses of FugitiveAlertsError"
    missing = sorted(c.__name__ for c in found if c.__name__ not in (schemas.errors.__doc__ or ""))
    assert not missing, f"add these to the tree in schemas/errors.py: {missing}"
