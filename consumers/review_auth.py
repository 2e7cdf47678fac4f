"""Who is signed in to the review console: the officers file, argon2 passwords, sessions, CSRF, a trusted proxy.

Two ways to sign in (docs/review.md, "Signing in"):

- **the officers file** (``FUGITIVE_ALERTS_REVIEW_OFFICERS_FILE``, YAML or JSON)::

      officers:
        - id: fr-analyst-1          # the officer's id in the bureau directory
          bureaus: [ncb-fr]         # or `bureau: ncb-fr`; a unit is a bureau id too (war-crimes-unit)
          password_hash: "$argon2id$v=19$m=65536,t=3,p=4$..."   # `fugitive-alerts review-console --hash-password`

- **a trusted auth proxy** (``FUGITIVE_ALERTS_REVIEW_TRUSTED_PROXY``): a request whose TCP peer is
  that address and that carries ``X-Forwarded-User`` (and ``X-Forwarded-Groups`` with the officer's
  bureau ids) is signed in as that officer. The header is ignored from any other address.

Sessions are random ids (256 bits) kept in the console's memory, with an absolute expiry; each has
its own random CSRF token that every state-changing form must echo.
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas import describe_validation_error

from .review_rules import Principal

__all__ = ["OfficersError", "OfficerLogin", "Officers", "Session", "Sessions", "SignInThrottle", "csrf_ok",
           "proxy_principal", "hash_password"]

_Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
_HASHER = PasswordHasher()


class OfficersError(ValueError):
    """The officers file cannot be used; the message names the file and the entry."""


class OfficerLogin(BaseModel):
    """One officer who may sign in with a password."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: _Id
    bureau: _Id | None = None
    bureaus: list[_Id] = []
    password_hash: Annotated[str, Field(pattern=r"^\$argon2(id|i|d)\$")]

    @model_validator(mode="after")
    def _some_bureau(self) -> OfficerLogin:
        if not self.all_bureaus():
            raise ValueError("an officer needs `bureau` or `bureaus`")
        return self

    def all_bureaus(self) -> frozenset[str]:
        return frozenset([*([self.bureau] if self.bureau else []), *self.bureaus])


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    officers: list[OfficerLogin]


def hash_password(password: str) -> str:
    """An argon2id hash for the officers file (argon2-cffi's default parameters, RFC 9106's second choice)."""
    return _HASHER.hash(password)


class Officers:
    """The officers file, read once at start."""

    def __init__(self, officers: list[OfficerLogin]) -> None:
        self.by_id = {o.id: o for o in officers}
        if len(self.by_id) != len(officers):
            raise OfficersError("an officer id appears twice in the officers file")
        self._dummy = _HASHER.hash(secrets.token_hex(16))

    @classmethod
    def load(cls, path: Path) -> Officers:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise OfficersError(f"cannot read the officers file {path}: {exc.strerror}") from None
        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            where = getattr(exc, "problem_mark", None)
            line = f" (line {where.line + 1})" if where is not None else ""
            raise OfficersError(f"the officers file {path} is not valid {'JSON' if path.suffix == '.json' else 'YAML'}"
                                f"{line}") from None
        try:
            parsed = _File.model_validate(data)
        except ValidationError as exc:
            raise OfficersError(f"the officers file {path} is invalid: {describe_validation_error(exc)}") from None
        return cls(parsed.officers)

    def verify(self, officer_id: str, password: str) -> Principal | None:
        """The officer if the password matches its hash; ``None`` otherwise (same work for an unknown id)."""
        officer = self.by_id.get(officer_id)
        try:
            _HASHER.verify(officer.password_hash if officer else self._dummy, password)
        except (VerificationError, InvalidHashError):
            return None
        return Principal(officer.id, officer.all_bureaus()) if officer else None


@dataclass(slots=True)
class Session:
    id: str
    principal: Principal
    csrf: str
    expires_at: datetime


class Sessions:
    """Sessions in memory: a restart signs everyone out, which is the safe direction."""

    def __init__(self, lifetime: timedelta) -> None:
        self.lifetime = lifetime
        self._by_id: dict[str, Session] = {}

    def create(self, principal: Principal, now: datetime) -> Session:
        self._expire(now)
        session = Session(secrets.token_urlsafe(32), principal, secrets.token_urlsafe(32), now + self.lifetime)
        self._by_id[session.id] = session
        return session

    def get(self, session_id: str | None, now: datetime) -> Session | None:
        """The live session of this id, or ``None`` (unknown or expired; an expired one is forgotten)."""
        if not session_id:
            return None
        session = self._by_id.get(session_id)
        if session is None:
            return None
        if now >= session.expires_at:
            del self._by_id[session_id]
            return None
        return session

    def drop(self, session_id: str) -> None:
        self._by_id.pop(session_id, None)

    def _expire(self, now: datetime) -> None:
        for sid in [sid for sid, s in self._by_id.items() if now >= s.expires_at]:
            del self._by_id[sid]

    def __len__(self) -> int:
        return len(self._by_id)


class SignInThrottle:
    """At most ``attempts`` failed password sign-ins per officer id per ``window``; then 429 until it passes.

    Online guessing gets 5 tries per quarter hour per officer. The price is that someone who knows an
    officer id can keep that officer out meanwhile; the proxy sign-in is not affected.
    """

    def __init__(self, attempts: int = 5, window: timedelta = timedelta(minutes=15), max_ids: int = 10_000) -> None:
        self.attempts, self.window, self.max_ids = attempts, window, max_ids
        self._failures: dict[str, list[datetime]] = {}

    def blocked(self, officer_id: str, now: datetime) -> bool:
        recent = [t for t in self._failures.get(officer_id, []) if now - t < self.window]
        return len(recent) >= self.attempts

    def failed(self, officer_id: str, now: datetime) -> None:
        if officer_id not in self._failures and len(self._failures) >= self.max_ids:
            self._failures = {k: v for k, v in self._failures.items() if now - v[-1] < self.window}
            while len(self._failures) >= self.max_ids:  # still full of fresh ids: forget the oldest
                del self._failures[next(iter(self._failures))]
        times = [t for t in self._failures.pop(officer_id, []) if now - t < self.window]
        self._failures[officer_id] = [*times, now][-self.attempts:]

    def succeeded(self, officer_id: str) -> None:
        self._failures.pop(officer_id, None)


def csrf_ok(session: Session | None, submitted: str | None) -> bool:
    """The submitted token is the session's own (constant-time comparison)."""
    if session is None or not submitted:
        return False
    return hmac.compare_digest(session.csrf.encode(), submitted.encode())


def proxy_principal(remote: str | None, headers: dict[str, str], trusted: str | None, user_header: str,
                    bureaus_header: str) -> Principal | None:
    """The officer a trusted proxy vouches for; ``None`` unless the peer is the configured proxy address.

    ``headers`` maps lower-cased header names to values. The officer id must look like an id, and at
    least one bureau must be named; otherwise nobody is signed in.
    """
    if not trusted or remote is None or remote != trusted:
        return None
    user = headers.get(user_header.lower(), "").strip()
    bureaus = frozenset(b.strip() for b in headers.get(bureaus_header.lower(), "").split(",") if b.strip())
    try:
        _Check.model_validate({"user": user, "bureaus": sorted(bureaus)})
    except ValidationError:
        return None
    return Principal(user, bureaus) if bureaus else None


class _Check(BaseModel):
    user: _Id
    bureaus: list[_Id]
