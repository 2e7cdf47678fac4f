"""Fixtures shared by the integration tests; the services themselves start in ``tests/conftest.py``."""

from .world import pipeline

__all__ = ["pipeline"]
