"""The alert email's bytes (``alerting._mime``), read back with the standard library's parser."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alerting import EmailContent, build_message


def _parse(data: bytes) -> EmailMessage:
    """As a mail reader sees it: CRLF is the wire's line end, the parser wants native ones."""
    return message_from_bytes(data.replace(b"\r\n", b"\n"), policy=policy.default)  # type: ignore[return-value]


def _bodies(msg: EmailMessage) -> tuple[str, str]:
    text, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_headers_and_both_parts_read_back_as_written() -> None:
    text = ("ALERT A-1B2C3D4E5F at NBO-JKIA-T1\n.\nFrom here on \u00e9\u00e8 \u0422\u0435\u043e\u0433\u0435\u043d \n"
            + "x" * 300 + "\n")
    content = EmailContent(subject="[REVIEW] possible match A-1B2C3D4E5F", text=text, html="<p>\u00e9 &amp; \u0422</p>")
    out = build_message(content, sender="alerts@x.example", to="duty@ke.example", message_id="<k@fugitive-alerts>")
    msg = _parse(out.data)
    assert (msg["From"], msg["To"], msg["Subject"], msg["Message-ID"], msg["Auto-Submitted"]) == (
        "alerts@x.example", "duty@ke.example", "[REVIEW] possible match A-1B2C3D4E5F", "<k@fugitive-alerts>",
        "auto-generated")
    assert msg.get_content_type() == "multipart/alternative" and msg["Date"] is not None
    assert _bodies(msg) == (text, "<p>\u00e9 &amp; \u0422</p>")
    assert all(len(line) <= 78 for line in out.data.split(b"\r\n")), "quoted-printable keeps lines short"
    assert b"\n" not in out.data.replace(b"\r\n", b""), "CRLF line ends only"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=30), max_size=12))
def test_any_ascii_subject_reads_back(words: list[str]) -> None:
    subject = " ".join(words)
    out = build_message(EmailContent(subject=subject, text="t", html="h"), sender="a@x.example", to="b@x.example",
                        message_id="<m@x>")
    assert str(_parse(out.data)["Subject"]) == subject


def test_a_long_ascii_subject_is_folded_not_encoded_and_reads_back() -> None:
    subject = "[REVIEW] possible match A-1B2C3D4E5F at KE-POST-123 (border crossing) for NCB Nairobi analysts"
    out = build_message(EmailContent(subject=subject, text="t", html="h"), sender="a@x.example", to="b@x.example",
                        message_id="<m@x>")
    assert b"=?utf-8?" not in out.data and all(len(line) <= 78 for line in out.data.split(b"\r\n"))
    assert str(_parse(out.data)["Subject"]) == subject


def test_a_non_ascii_or_long_subject_is_encoded_and_reads_back() -> None:
    subject = "ALERTE \u00e0 la fronti\u00e8re " + "r\u00e9f\u00e9rence " * 10
    out = build_message(EmailContent(subject=subject, text="t", html="h"), sender="a@x.example", to="b@x.example",
                        message_id="<m@x>")
    assert out.data.isascii()
    assert str(_parse(out.data)["Subject"]) == subject


def test_non_ascii_address_takes_the_general_path() -> None:
    out = build_message(EmailContent(subject="s", text="t\n", html="h"), sender="Agence Fran\u00e7aise <a@x.example>",
                        to="b@x.example", message_id="<m@x>")
    msg = _parse(out.data)
    assert msg["From"].addresses[0].display_name == "Agence Fran\u00e7aise"
    assert _bodies(msg)[0] == "t\n"  # EmailMessage.set_content, as before


@pytest.mark.parametrize("field", ["subject", "to", "sender"])
def test_a_line_break_in_a_header_value_is_refused(field: str) -> None:
    values = {"subject": "s", "to": "b@x.example", "sender": "a@x.example"}
    values[field] = values[field] + "\r\nBcc: evil@x.example"
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        build_message(EmailContent(subject=values["subject"], text="t", html="h"), sender=values["sender"],
                      to=values["to"], message_id="<m@x>")


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=400))
def test_any_body_text_reads_back_unchanged(text: str) -> None:
    out = build_message(EmailContent(subject="s", text=text, html=text), sender="a@x.example", to="b@x.example",
                        message_id="<m@x>")
    plain, html = _bodies(_parse(out.data))
    assert plain == text and html == text
