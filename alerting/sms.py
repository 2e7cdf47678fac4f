"""SMS through Twilio's Messages API, with the official ``twilio`` client.

The client has no base-URL setting; ``client.api.base_url`` is overridden with
``TWILIO_API_BASE_URL`` so tests and the demo talk to Prism serving Twilio's OpenAPI spec
(``fugitive_alerts/local/twilio_mock.py``). Errors are mapped onto ``TransientDeliveryError`` (5xx, 429, timeouts,
connection failures) and ``PermanentDeliveryError`` (other 4xx, e.g. an invalid number).
"""

from __future__ import annotations

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from .errors import PermanentDeliveryError, TransientDeliveryError

__all__ = ["TwilioSms"]


class TwilioSms:
    channel = "sms"

    def __init__(self, account_sid: str, auth_token: str, from_number: str, base_url: str,
                 timeout: float = 10.0) -> None:
        self._http = AsyncTwilioHttpClient(timeout=timeout)
        self._client = Client(account_sid, auth_token, http_client=self._http)
        self._client.api.base_url = base_url.rstrip("/")
        self._from = from_number

    async def send(self, to: str, body: str, status_callback: str | None = None) -> str:
        """Hand one SMS to Twilio; return the message SID. Twilio posts status changes to ``status_callback``."""
        kwargs: dict[str, str] = {"to": to, "from_": self._from, "body": body}
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            message = await self._client.messages.create_async(**kwargs)
        except TwilioRestException as exc:
            retry_after = None
            if exc.status == 429 or exc.status >= 500:
                raise TransientDeliveryError(
                    f"twilio answered {exc.status} (code {exc.code})", channel="sms", retry_after=retry_after
                ) from None
            raise PermanentDeliveryError(f"twilio refused the message: {exc.status} (code {exc.code})",
                                         channel="sms") from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TransientDeliveryError(f"twilio unreachable: {type(exc).__name__}", channel="sms") from None
        return str(message.sid or "")

    async def close(self) -> None:
        await self._http.close()
