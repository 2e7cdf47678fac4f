"""Signing in to the review console: the officers file, argon2 passwords, sessions, CSRF tokens, the trusted proxy."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from consumers.review_auth import Officers, OfficersError, Sessions, csrf_ok, hash_password, proxy_principal
from consumers.review_rules import Principal

from .review_factory import T0

HASH = hash_password("correct horse battery staple")


def _file(tmp_path: Path, data: object, name: str = "officers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data))
    return path


def test_the_officers_file_is_read_from_yaml_or_json_and_checks_passwords(tmp_path: Path) -> None:
    data = {"officers": [{"id": "ke-analyst-1", "bureau": "ncb-ke", "password_hash": HASH},
                         {"id": "wcu-analyst-1", "bureaus": ["war-crimes-unit", "ncb-rw"], "password_hash": HASH}]}
    for name in ("officers.yaml", "officers.json"):
        officers = Officers.load(_file(tmp_path, data, name))
        assert officers.verify("ke-analyst-1", "correct horse battery staple") == Principal(
            "ke-analyst-1", frozenset({"ncb-ke"}))
        assert officers.verify("wcu-analyst-1", "correct horse battery staple") == Principal(
            "wcu-analyst-1", frozenset({"war-crimes-unit", "ncb-rw"}))
        assert officers.verify("ke-analyst-1", "wrong") is None
        assert officers.verify("nobody", "correct horse battery staple") is None


@pytest.mark.parametrize(("content", "message"), [
    ("officers: [", r"is not valid YAML \(line"),
    (yaml.safe_dump({"officers": [{"id": "a", "password_hash": HASH}]}), "needs `bureau` or `bureaus`"),
    (yaml.safe_dump({"officers": [{"id": "a", "bureau": "b", "password_hash": "plain-text"}]}), "password_hash"),
    (yaml.safe_dump({"officers": [{"id": "a", "bureau": "b", "password_hash": HASH, "pw": "x"}]}), "officers.0.pw"),
    (yaml.safe_dump({"officers": [{"id": "a", "bureau": "b", "password_hash": HASH}] * 2}), "appears twice"),
    (yaml.safe_dump(["not", "a", "mapping"]), "is invalid"),
])
def test_a_bad_officers_file_is_a_clear_error_naming_the_entry(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "officers.yaml"
    path.write_text(content)
    with pytest.raises(OfficersError, match=message) as refused:
        Officers.load(path)
    assert HASH not in str(refused.value), "the error must not echo a password hash"


def test_a_missing_officers_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(OfficersError, match="cannot read the officers file"):
        Officers.load(tmp_path / "absent.yaml")


def test_sessions_are_random_and_expire() -> None:
    sessions = Sessions(timedelta(minutes=30))
    who = Principal("ke-analyst-1", frozenset({"ncb-ke"}))
    a, b = sessions.create(who, T0), sessions.create(who, T0)
    assert a.id != b.id and a.csrf != b.csrf and len(a.id) >= 43 and len(a.csrf) >= 43
    assert sessions.get(a.id, T0 + timedelta(minutes=29)) is a
    assert sessions.get(a.id, T0 + timedelta(minutes=30)) is None
    assert sessions.get(a.id, T0) is None, "an expired session is forgotten"
    assert sessions.get("made-up", T0) is None and sessions.get(None, T0) is None
    sessions.drop(b.id)
    assert sessions.get(b.id, T0) is None


def test_the_csrf_token_must_be_the_sessions_own() -> None:
    sessions = Sessions(timedelta(minutes=30))
    who = Principal("ke-analyst-1", frozenset({"ncb-ke"}))
    a, b = sessions.create(who, T0), sessions.create(who, T0)
    assert csrf_ok(a, a.csrf)
    assert not csrf_ok(a, b.csrf)
    assert not csrf_ok(a, "")
    assert not csrf_ok(a, None)
    assert not csrf_ok(None, a.csrf)


def test_the_proxy_header_counts_only_from_the_configured_proxy_address() -> None:
    headers = {"x-forwarded-user": "ke-analyst-1", "x-forwarded-groups": "ncb-ke, war-crimes-unit"}
    args = ("X-Forwarded-User", "X-Forwarded-Groups")
    assert proxy_principal("10.0.0.5", headers, "10.0.0.5", *args) == Principal(
        "ke-analyst-1", frozenset({"ncb-ke", "war-crimes-unit"}))
    assert proxy_principal("10.0.0.6", headers, "10.0.0.5", *args) is None
    assert proxy_principal("10.0.0.5", headers, None, *args) is None
    assert proxy_principal(None, headers, "10.0.0.5", *args) is None
    assert proxy_principal("10.0.0.5", {"x-forwarded-user": "ke-analyst-1"}, "10.0.0.5", *args) is None
    assert proxy_principal("10.0.0.5", {**headers, "x-forwarded-user": "<script>"}, "10.0.0.5", *args) is None


def test_failed_sign_ins_are_throttled_per_officer_for_the_window() -> None:
    from consumers.review_auth import SignInThrottle

    throttle = SignInThrottle(attempts=3, window=timedelta(minutes=15))
    for minute in range(3):
        assert not throttle.blocked("ke-analyst-1", T0 + timedelta(minutes=minute))
        throttle.failed("ke-analyst-1", T0 + timedelta(minutes=minute))
    assert throttle.blocked("ke-analyst-1", T0 + timedelta(minutes=3))
    assert not throttle.blocked("fr-analyst-1", T0 + timedelta(minutes=3)), "other officers are not affected"
    assert not throttle.blocked("ke-analyst-1", T0 + timedelta(minutes=15)), "the oldest failure left the window"
    throttle.succeeded("ke-analyst-1")
    assert not throttle.blocked("ke-analyst-1", T0 + timedelta(minutes=3))


def test_the_throttle_forgets_ids_rather_than_grow_without_bound() -> None:
    from consumers.review_auth import SignInThrottle

    throttle = SignInThrottle(attempts=1, window=timedelta(minutes=15), max_ids=100)
    for n in range(1000):
        throttle.failed(f"guess-{n}", T0)
    assert len(throttle._failures) <= 100
    assert throttle.blocked("guess-999", T0)
