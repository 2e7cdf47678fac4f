"""Document numbers: normalised for exact comparison (upper case, separators dropped)."""

from __future__ import annotations

import re

__all__ = ["doc_key", "mask"]

_SEP = re.compile(r"[^0-9A-Z]")


def doc_key(number: str) -> str:
    """``"rw 123-4567"`` -> ``"RW1234567"``. Letters O/0 are kept distinct (MRZ keeps them)."""
    number = number.upper()
    if number.isascii() and number.isalnum():  # nothing for _SEP to drop (most numbers)
        return number
    return _SEP.sub("", number)


def mask(number: str) -> str:
    """The number as printed in reasons (normalised; full: reasons travel only in e-mail)."""
    return doc_key(number)
