"""The one test the script readers share: does a holder of ``nationality`` (one code, several,
or none) hold one of a set of countries (``JAPANESE_COUNTRIES``, ``PERSIAN_COUNTRIES``...)."""

from __future__ import annotations

from collections.abc import Collection

__all__ = ["holds"]


def holds(nationality: str | tuple[str, ...] | None, countries: Collection[str]) -> bool:
    """Whether ``nationality`` (a code, a tuple of codes, or ``None``) is among ``countries``."""
    if not nationality:
        return False
    if isinstance(nationality, str):
        return nationality in countries
    return any(n in countries for n in nationality)
