"""SMS through Twilio's Messages API, with the official ``twilio`` client.

The client has no base-URL setting. Its documented extension point is the HTTP client it is
given: ``_BaseUrlHttpClient`` (an ``AsyncTwilioHttpClient``) sends every request for
``https://api.twilio.com`` to ``TWILIO_API_BASE_URL`` instead, so tests and the demo talk to
Prism serving Twilio's OpenAPI spec; with the default base URL nothing is rewritten. Errors are
mapped onto ``TransientDeliveryError`` (5xx, 429, timeouts, connection failures) and
``PermanentDeliveryError`` (other 4xx, e.g. an invalid number).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import cast
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from .errors import PermanentDeliveryError, TransientDeliveryError

__all__ = ["TwilioSms", "TWILIO_API", "rewrite_url"]

TWILIO_API = "https://api.twilio.com"
_FIND_LIMIT = 200
"""Messages to an officer looked through when a send is in doubt (4 pages of 50)."""
_NOT_SENT = frozenset({"failed", "canceled"})
"""Statuses of a message that never went out (an undelivered one did: the carrier refused it)."""


def rewrite_url(base_url: str, url: str) -> str:
    """``url`` with ``https://api.twilio.com`` replaced by ``base_url`` (other URLs unchanged)."""
    parts, base = urlsplit(url), urlsplit(base_url.rstrip("/"))
    if f"{parts.scheme}://{parts.netloc}" != TWILIO_API:
        return url
    return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, parts.fragment))


class _BaseUrlHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]
    """Sends requests for ``https://api.twilio.com/...`` to ``base_url/...``.

    The account's credentials go in an ``Authorization`` header, not as the ``auth`` argument the
    twilio client passes: aiohttp deprecates ``auth=`` (and the ``BasicAuth`` the twilio client
    would build from it), and removes it in aiohttp 4, which would stop every SMS."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self._base_url = base_url

    async def request(self, method: str, url: str, *args: object, **kwargs: object) -> Response:
        auth = kwargs.pop("auth", None)
        if auth is not None:
            login, password = cast("tuple[str, str]", auth)
            headers = cast("dict[str, str] | None", kwargs.get("headers")) or {}
            kwargs["headers"] = {**headers, "Authorization": aiohttp.encode_basic_auth(login, password)}
        response: Response = await super().request(method, rewrite_url(self._base_url, url), *args, **kwargs)
        return response


class TwilioSms:
    channel = "sms"

    def __init__(self, account_sid: str, auth_token: str, from_number: str, base_url: str = TWILIO_API,
                 timeout: float = 10.0) -> None:
        self._http = _BaseUrlHttpClient(base_url, timeout=timeout)
        self._twilio = Client(account_sid, auth_token, http_client=self._http)
        self._from = from_number
        self._account_sid = account_sid

    async def check(self) -> str:
        """Fetch the account once and return its status (``active``, ``suspended`` or ``closed``).

        Checks the credentials before the first alert rather than on it, and opens the connection the
        first SMS then finds ready: the first request of a process pays for it (a TLS handshake at
        Twilio; 120-240 ms against the mock, docs/benchmarks.md "The first SMS of a dispatcher"). Raises
        ``PermanentDeliveryError`` when Twilio refuses the credentials, ``TransientDeliveryError`` when
        it cannot be reached.
        """
        with _delivery_errors(_classify_credentials):
            account = await self._twilio.api.v2010.accounts(self._account_sid).fetch_async()
        return str(account.status or "")

    async def send(self, to: str, body: str, status_callback: str | None = None) -> str:
        """Hand one SMS to Twilio; return the message SID. Twilio posts status changes to ``status_callback``."""
        kwargs: dict[str, str] = {"to": to, "from_": self._from, "body": body}
        if status_callback:
            kwargs["status_callback"] = status_callback
        with _delivery_errors():
            message = await self._twilio.messages.create_async(**kwargs)
        return str(message.sid or "")

    async def find(self, to: str, body: str, since: datetime) -> str | None:
        """The SID of a message already handed to Twilio (from our number, to ``to``, with exactly this
        body, created at or after ``since``), or ``None``: the Messages list resource, filtered by
        ``To`` and ``From``, newest first, up to ``_FIND_LIMIT`` messages.

        Not filtered by ``DateSent``: a message Twilio still queues has no ``date_sent`` yet, and
        that is the one most likely to be in doubt. The resource does not echo ``StatusCallback``,
        so the delivery key cannot be matched there; the body can, because it is rendered from the
        delivery key's alert, kind and level alone (same key, same body).
        """
        with _delivery_errors():
            messages = await self._twilio.messages.list_async(to=to, from_=self._from, page_size=50,
                                                              limit=_FIND_LIMIT)
        for message in messages:
            created = message.date_created
            if message.body == body and created is not None and created >= since and \
                    message.status not in _NOT_SENT:
                return str(message.sid or "")
        return None

    async def close(self) -> None:
        await self._http.close()


def _classify(exc: TwilioRestException) -> TransientDeliveryError | PermanentDeliveryError:
    if exc.status == 429 or exc.status >= 500:
        return TransientDeliveryError(f"twilio answered {exc.status} (code {exc.code})", channel="sms")
    return PermanentDeliveryError(f"twilio refused the message: {exc.status} (code {exc.code})", channel="sms")


def _classify_credentials(exc: TwilioRestException) -> TransientDeliveryError | PermanentDeliveryError:
    """``_classify`` for the account check: a refusal there is about the credentials, not a message."""
    if exc.status in (401, 403, 404):
        return PermanentDeliveryError(f"twilio refused the account credentials ({exc.status}): check "
                                      "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN", channel="sms")
    return _classify(exc)


@contextmanager
def _delivery_errors(classify: Callable[[TwilioRestException], TransientDeliveryError | PermanentDeliveryError]
                     = _classify) -> Iterator[None]:
    """Twilio's answers and connection failures inside the ``with`` as ``DeliveryError``s."""
    try:
        yield
    except TwilioRestException as exc:
        raise classify(exc) from None
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise TransientDeliveryError(f"twilio unreachable: {type(exc).__name__}", channel="sms") from None
