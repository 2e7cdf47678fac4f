"""Signed acknowledgement links: an HMAC-SHA256 token naming the alert, the officer and an expiry.

    token = base64url(json {"a": alert_id, "b": bureau_id, "o": officer_id, "e": expires_unix}) + "." + base64url(hmac)

The link in an email is ``<public_url>/ack/<token>``. Opening it shows a confirmation page; only
the form on that page (a POST carrying :func:`form_key`) records the acknowledgement, so a link
scanner or a preview that fetches the URL acknowledges nothing. A token that was altered, signed
with a key that is not accepted, or expired is refused.

Keys rotate: :func:`sign_ack` signs with the current key; :func:`verify_ack` accepts any of the
keys it is given (the current one and the previous one, for the links' lifetime).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass

from schemas.errors import FugitiveAlertsError

__all__ = ["AckClaim", "InvalidToken", "form_key", "sign_ack", "verify_ack", "verify_form_key"]


class InvalidToken(FugitiveAlertsError, ValueError):
    """The token is malformed, forged or expired."""


@dataclass(frozen=True, slots=True)
class AckClaim:
    alert_id: str
    bureau_id: str
    officer_id: str
    expires: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, payload: str, purpose: bytes = b"") -> str:
    return _b64(hmac.new(secret, purpose + payload.encode("ascii", "replace"), hashlib.sha256).digest())


def _keys(secrets: bytes | Sequence[bytes]) -> Sequence[bytes]:
    return (secrets,) if isinstance(secrets, bytes) else secrets


def sign_ack(secret: bytes, claim: AckClaim) -> str:
    payload = _b64(json.dumps({"a": claim.alert_id, "b": claim.bureau_id, "o": claim.officer_id,
                               "e": claim.expires}, separators=(",", ":")).encode())
    return f"{payload}.{_mac(secret, payload)}"


def verify_ack(secrets: bytes | Sequence[bytes], token: str, now: float) -> AckClaim:
    """The claim of ``token`` if one of ``secrets`` signed it and it has not expired.

    ``secrets`` is one key or several (current first, then the previous one during a rotation).
    """
    payload, _, mac = token.partition(".")
    if not payload or not mac or len(token) > 1024 or not any(
            hmac.compare_digest(mac, _mac(key, payload)) for key in _keys(secrets)):
        raise InvalidToken("the link is not valid: it was altered or not issued by this system")
    try:
        data = json.loads(_unb64(payload))
        claim = AckClaim(str(data["a"]), str(data["b"]), str(data["o"]), int(data["e"]))
    except (ValueError, KeyError, TypeError):
        raise InvalidToken("the link is not valid") from None
    if now > claim.expires:
        raise InvalidToken("the link has expired: acknowledge by SMS (ACK <reference>) or call your bureau")
    return claim


_FORM = b"ack-form\x00"


def form_key(secret: bytes, token: str) -> str:
    """The anti-forgery value the confirmation page puts in its form: an HMAC of the token under a
    purpose of its own, so it cannot be computed without the key nor reused for another link."""
    return _mac(secret, token, _FORM)


def verify_form_key(secrets: bytes | Sequence[bytes], token: str, value: str) -> bool:
    return bool(value) and any(hmac.compare_digest(value, form_key(key, token)) for key in _keys(secrets))
