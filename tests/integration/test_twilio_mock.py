"""The real ``twilio`` client against Prism serving Twilio's official OpenAPI spec."""

from __future__ import annotations

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

SID = "AC" + "0" * 32


def _client(base_url: str, http_client: TwilioHttpClient | None = None) -> Client:
    client = Client(SID, "test-token", http_client=http_client)
    client.api.base_url = base_url
    return client


def _messages_url(base_url: str) -> str:
    return f"{base_url}/2010-04-01/Accounts/{SID}/Messages.json"


def test_messages_create_gets_201(twilio_mock_url: str) -> None:
    message = _client(twilio_mock_url).messages.create(to="+254700000001", from_="+15005550006", body="x")
    assert message.sid is not None and message.sid.startswith("SM")
    assert message.status == "queued"


def test_request_without_to_is_rejected(twilio_mock_url: str) -> None:
    client = _client(twilio_mock_url)
    response = client.request(
        "POST", _messages_url(twilio_mock_url), data={"From": "+15005550006", "Body": "x"}
    )
    assert response.status_code == 422
    assert "required property 'To'" in response.text


def test_request_without_credentials_is_401(twilio_mock_url: str) -> None:
    response = requests.post(
        _messages_url(twilio_mock_url),
        data={"To": "+254700000001", "From": "+15005550006", "Body": "x"},
        timeout=10,
    )
    assert response.status_code == 401


class _PreferHttpClient(TwilioHttpClient):
    """Asks Prism for a given response status (``Prefer: code=...``)."""

    def __init__(self, code: int) -> None:
        super().__init__()
        self.code = code

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,  # type: ignore[no-untyped-def]
                allow_redirects=False):  # fmt: skip
        headers = {**(headers or {}), "Prefer": f"code={self.code}"}
        return super().request(method, url, params, data, headers, auth, timeout, allow_redirects)


@pytest.mark.parametrize("code", [429, 500, 503])
def test_errors_on_request(twilio_mock_url: str, code: int) -> None:
    client = _client(twilio_mock_url, _PreferHttpClient(code))
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to="+254700000001", from_="+15005550006", body="x")
    assert caught.value.status == code
    assert caught.value.code == 20000 + code


def test_the_sms_channel_check_reads_the_account_status(twilio_mock_url: str) -> None:
    """``TwilioSms.check``, which the dispatcher runs at start, gets the account through the real client."""
    import asyncio

    from alerting import TwilioSms

    async def check() -> str:
        sms = TwilioSms(SID, "test-token", "+15005550006", twilio_mock_url)
        try:
            return await sms.check()
        finally:
            await sms.close()

    assert asyncio.run(check()) in {"active", "suspended", "closed"}


def test_the_sms_channel_check_of_an_unreachable_twilio_is_a_transient_error() -> None:
    import asyncio

    from alerting import TransientDeliveryError, TwilioSms
    from fugitive_alerts.local.services import free_port

    async def check() -> str:
        sms = TwilioSms(SID, "test-token", "+15005550006", f"http://127.0.0.1:{free_port()}", timeout=5.0)
        try:
            return await sms.check()
        finally:
            await sms.close()

    with pytest.raises(TransientDeliveryError, match="twilio unreachable"):
        asyncio.run(check())
