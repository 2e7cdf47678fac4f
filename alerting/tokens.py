"""Signed acknowledgement links: an HMAC-SHA256 token naming the alert, the officer and an expiry.

    token = base64url(json {"a": alert_id, "b": bureau_id, "o": officer_id, "e": expires_unix}) + "." + base64url(hmac)

The link in an email is ``<public_url>/ack/<token>``. Opening it records an acknowledgement by
that officer, for that bureau. A token that was altered, signed with another secret or expired
is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

from schemas.errors import FugitiveAlertsError

__all__ = ["AckClaim", "InvalidToken", "sign_ack", "verify_ack"]


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


def _mac(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest())


def sign_ack(secret: bytes, claim: AckClaim) -> str:
    payload = _b64(json.dumps({"a": claim.alert_id, "b": claim.bureau_id, "o": claim.officer_id,
                               "e": claim.expires}, separators=(",", ":")).encode())
    return f"{payload}.{_mac(secret, payload)}"


def verify_ack(secret: bytes, token: str, now: float) -> AckClaim:
    payload, _, mac = token.partition(".")
    if not payload or not mac or not hmac.compare_digest(mac, _mac(secret, payload)):
        raise InvalidToken("the link is not valid: it was altered or not issued by this system")
    try:
        data = json.loads(_unb64(payload))
        claim = AckClaim(str(data["a"]), str(data["b"]), str(data["o"]), int(data["e"]))
    except (ValueError, KeyError, TypeError):
        raise InvalidToken("the link is not valid") from None
    if now > claim.expires:
        raise InvalidToken("the link has expired: acknowledge by SMS (ACK <reference>) or call your bureau")
    return claim
