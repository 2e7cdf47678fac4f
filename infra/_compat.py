"""The only place that reaches into aiokafka's private API, each use with its reason.

aiokafka has no public call for any of these, and each private one can change in any release
without a deprecation. So they are all here, behind small functions that take and return plain
values, and the version they were checked against is pinned once: :data:`CHECKED_AIOKAFKA`.
Importing this module on another minor version of aiokafka fails at once with a message, rather
than breaking silently on the first ACL or lag request. To move to a new aiokafka: read the
functions below against its source, run ``tests/unit/test_compat.py`` and the integration tests
``test_ops.py`` and ``test_security.py``, then change :data:`CHECKED_AIOKAFKA` (and the pin in
``pyproject.toml``).

What is private, and why there is no public way:

- :func:`open_connection` uses ``aiokafka.conn.create_conn``. A client's ``start()`` reports a
  refused login, an untrusted certificate and a broker that is down all alike, as "Unable to
  bootstrap"; one raw connection raises the real reason.
- :func:`describe_group` uses ``AIOKafkaAdminClient._send_request`` and
  ``DescribeGroupsRequest._CLASSES``. The public ``describe_consumer_groups`` sends DescribeGroups
  v3 to Kafka 4, and aiokafka 0.14 decodes the v3 answer with the v2 schema
  (``DescribeGroupsRequest_v3.RESPONSE_TYPE``): for one group the extra field at the end is
  ignored by luck, for several the groups misalign (checked on Kafka 4.0: the connection drops).
  One group at a time, v0-v2 only, decodes by the schema it was sent with.
- :func:`create_acls` and :func:`describe_acls` use ``AIOKafkaAdminClient._send_request`` and a
  ``Request`` subclass: the admin client has no ACL calls at all.
- :func:`adapt_fetch_wait` wraps ``Fetcher._proc_fetch_request`` (:func:`fetcher_of`: a started
  consumer's ``_fetcher``) and sets ``_fetch_max_wait_ms`` and ``_fetch_min_bytes``, which the fetcher
  reads as it builds each request; it looks at ``_records`` (what is buffered). A consumer's wait and
  minimum bytes are fixed when it is built; there is no public way to wait long while idle, short
  while busy, or to gather only while records flow.
- :func:`set_client_rack` sets ``_client_rack`` on a consumer Faust built (Faust does not pass it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiokafka
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.conn import create_conn
from aiokafka.errors import for_code
from aiokafka.protocol.admin import CreateAclsRequest_v1, DescribeAclsRequest, DescribeGroupsRequest
from aiokafka.protocol.api import Request

from schemas.errors import FugitiveAlertsError

__all__ = [
    "CHECKED_AIOKAFKA",
    "AclRow",
    "IncompatibleLibrary",
    "adapt_fetch_wait",
    "check_aiokafka",
    "client_rack",
    "create_acls",
    "describe_acls",
    "describe_group",
    "error_name",
    "fetcher_of",
    "open_connection",
    "set_client_rack",
]

CHECKED_AIOKAFKA = "0.14"
"""The aiokafka minor version every function here was read against."""

AclRow = tuple[int, str, int, str, int]
"""One ACL binding as the broker stores it: (resource type, resource name, pattern type,
principal, operation), for any host, permission ALLOW. The numbers are Kafka's protocol codes."""

_ALLOW = 3
_ANY = 1


class IncompatibleLibrary(FugitiveAlertsError, ImportError):
    """The installed aiokafka is not the version this module was checked against."""


def check_aiokafka(version: str = aiokafka.__version__) -> None:
    """Raise :class:`IncompatibleLibrary` unless ``version`` is a :data:`CHECKED_AIOKAFKA` release."""
    if version != CHECKED_AIOKAFKA and not version.startswith(CHECKED_AIOKAFKA + "."):
        raise IncompatibleLibrary(
            f"aiokafka {version} is installed, but infra/_compat.py reaches into aiokafka's private API "
            f"and was checked against {CHECKED_AIOKAFKA}.x only: install aiokafka=={CHECKED_AIOKAFKA}.*, "
            "or re-check infra/_compat.py against the new version (its docstring says how)"
        )


check_aiokafka()


def error_name(code: int) -> str:
    """Kafka's name for a protocol error code, e.g. ``TopicAuthorizationFailedError``."""
    return str(for_code(code).__name__)


async def open_connection(host: str, port: int, *, timeout_ms: int, **client_kwargs: Any) -> None:
    """Open one connection to a broker the way every client does (TLS handshake and SASL login),
    then close it. Raises what went wrong: ``ssl.SSLError``, aiokafka's ``SaslAuthenticationFailed``
    or ``AuthenticationFailedError``, ``OSError``, ``KafkaError``."""
    conn = await create_conn(host, port, request_timeout_ms=timeout_ms, **client_kwargs)
    conn.close()


class _DescribeGroups(DescribeGroupsRequest):  # type: ignore[misc]  # aiokafka is untyped
    """DescribeGroups limited to v0-v2 (see the module docstring)."""

    _CLASSES = tuple(c for c in DescribeGroupsRequest._CLASSES if c.API_VERSION <= 2)


async def describe_group(admin: AIOKafkaAdminClient, group: str) -> tuple[int, str] | None:
    """``(active members, state)`` of one consumer group (state ``"Dead"`` if the broker has none),
    or None if the coordinator's answer does not name the group."""
    node = await admin.find_coordinator(group)
    response = await admin._send_request(_DescribeGroups(groups=[group]), node)
    for g in response.groups:
        if g[1] == group:
            return len(g[5]), g[2] or "Dead"
    return None


class _CreateAcls(Request[CreateAclsRequest_v1]):  # type: ignore[misc]  # aiokafka is untyped
    """CreateAcls v1 (API key 30, the baseline of Kafka 4) with many bindings in one request
    (aiokafka's own request class sends one)."""

    API_KEY = 30

    def __init__(self, rows: Sequence[AclRow]) -> None:
        self.rows = rows

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
        return request_struct_class([
            (rtype, name, pattern, principal, "*", operation, _ALLOW) for rtype, name, pattern, principal, operation
            in self.rows
        ])


async def create_acls(admin: AIOKafkaAdminClient, rows: Sequence[AclRow]) -> list[tuple[int, str | None]]:
    """Create ``rows`` (ALLOW, any host) in one request; ``(error code, message)`` per row, in order.
    Creating an ACL that exists already is a no-op on the broker (code 0)."""
    response = await admin._send_request(_CreateAcls(rows))
    return [(code, message) for code, message in response.creation_responses]


async def describe_acls(admin: AIOKafkaAdminClient) -> set[AclRow]:
    """Every ACL binding the broker's authorizer knows now (any resource, principal and operation)."""
    # Filter: any resource type, any name (None), any pattern, any principal and host, any operation
    # and permission.
    response = await admin._send_request(DescribeAclsRequest(_ANY, None, _ANY, None, None, _ANY, _ANY))
    return {(rtype, name, pattern, principal, op)
            for rtype, name, pattern, acls in response.resources for principal, _host, op, _perm in acls}


def set_client_rack(consumer: Any, rack: str) -> None:
    """Set ``client.rack`` (KIP-392) on a consumer Faust built without it: aiokafka takes it only as a
    constructor argument and reads the attribute when ``start()`` builds the fetcher."""
    consumer._client_rack = rack


def client_rack(consumer: Any) -> str | None:
    """The ``client.rack`` a consumer will fetch with (for tests)."""
    rack: str | None = consumer._client_rack
    return rack


def fetcher_of(consumer: Any) -> Any:
    """The ``Fetcher`` a started aiokafka consumer builds in ``start()`` (for :func:`adapt_fetch_wait`)."""
    return consumer._fetcher


def _never_held(tp: Any) -> bool:
    return False


def adapt_fetch_wait(fetcher: Any, busy_ms: int, idle_ms: int, *, gather_ms: int = 0,
                     gather_bytes: int = 1, held: Callable[[Any], bool] = _never_held) -> None:
    """Make a started aiokafka ``Fetcher`` wait ``idle_ms`` after an empty fetch of every partition, else ``busy_ms``;
    with ``gather_ms``, a fetch of every partition that brought records is followed by one that waits up to
    ``gather_ms`` for ``gather_bytes`` (records flow: let a few gather).

    ``held(tp)``: whether the consumer's user never takes the records buffered for ``tp`` (a Faust table's
    changelog, paused once read; by default none). aiokafka leaves a partition with buffered records out of every
    later fetch, so one such partition would otherwise count as "left out" for good: no idle wait and no gather
    again. A fetch that leaves out only held partitions still asks for every partition, and their records count as
    none."""
    handle: Callable[[Any, int, Any], Awaitable[Any]] = fetcher._proc_fetch_request

    async def proc_fetch_request(assignment: Any, node_id: int, request: Any) -> Any:
        result = await handle(assignment, node_id, request)
        records = fetcher._records
        asked = {(topic, p[0]) for topic, partitions in request.topics for p in partitions}
        every = all((tp.topic, tp.partition) in asked or (tp in records and held(tp)) for tp in assignment.tps)
        pending = any(not held(tp) for tp in records)
        idle = every and not pending
        flowing = every and gather_ms > 0 and pending  # nothing was buffered when it was asked
        # read when the next request is built
        fetcher._fetch_max_wait_ms = idle_ms if idle else gather_ms if flowing else busy_ms
        fetcher._fetch_min_bytes = gather_bytes if flowing else 1
        return result

    fetcher._proc_fetch_request = proc_fetch_request
