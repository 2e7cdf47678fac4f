"""Ops email when a bureau's review queue falls behind: its oldest open item is older than the limit.

Per bureau: one email when its oldest open item passes ``limit``; while it stays past it, a
reminder every ``reminder`` seconds after the previous email; once it is back under the limit (or
empty), one "caught up" email. The decision (:class:`StaleQueues`) is pure; :class:`StaleQueueAlerter`
sends through the project's SMTP channel, as the lag monitor's ops emails do. The emails name
bureaus, counts and ages only: no item content.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Literal

import structlog

from alerting import DeliveryError, EmailContent, SmtpEmail, build_message

__all__ = ["StaleNotice", "StaleQueues", "StaleQueueAlerter"]

log = structlog.get_logger(__name__)

StaleNotice = Literal["alert", "reminder", "recovered"]


class StaleQueues:
    def __init__(self, limit: float, reminder: float) -> None:
        self.limit, self.reminder = limit, reminder
        self._last_sent: dict[str, float] = {}

    def check(self, depths: Mapping[str, tuple[int, float]], now: float) -> list[tuple[str, StaleNotice]]:
        """The emails called for now, given ``bureau -> (open items, oldest age in seconds)``."""
        notices: list[tuple[str, StaleNotice]] = []
        for bureau in sorted({*depths, *self._last_sent}):
            _, age = depths.get(bureau, (0, 0.0))
            last = self._last_sent.get(bureau)
            if age < self.limit:
                if last is not None:
                    del self._last_sent[bureau]
                    notices.append((bureau, "recovered"))
            elif last is None:
                self._last_sent[bureau] = now
                notices.append((bureau, "alert"))
            elif now - last >= self.reminder:
                self._last_sent[bureau] = now
                notices.append((bureau, "reminder"))
        return notices

    def not_sent(self, bureau: str, notice: StaleNotice) -> None:
        """The email could not be sent: try again at the next check."""
        if notice == "recovered":
            self._last_sent[bureau] = float("-inf")
        else:
            self._last_sent.pop(bureau, None)


def _content(bureau: str, notice: StaleNotice, count: int, age: float, limit: float) -> EmailContent:
    what = {"alert": "is falling behind", "reminder": "is STILL behind", "recovered": "has caught up"}[notice]
    subject = f"[fugitive-alerts ops] review queue of {bureau} {what}"
    text = "\n".join([
        f"The review queue of {bureau} {what}.",
        f"Open items: {count}; oldest waiting {age / 3600:.1f} h (limit {limit / 3600:.1f} h).",
        "",
        "The items are in the review console; see docs/review.md.",
    ])
    return EmailContent(subject=subject, text=text, html=f"<pre>{escape(text)}</pre>")


class StaleQueueAlerter:
    def __init__(self, email: SmtpEmail, to: str, *, limit: float, reminder: float) -> None:
        self.email, self.to = email, to
        self.state = StaleQueues(limit, reminder)
        self.sent: list[tuple[str, StaleNotice]] = []

    async def on_depths(self, depths: Mapping[str, tuple[int, float]], now: float) -> None:
        for bureau, notice in self.state.check(depths, now):
            count, age = depths.get(bureau, (0, 0.0))
            content = _content(bureau, notice, count, age, self.state.limit)
            message_id = f"<ops.review.{bureau}.{notice}.{int(now)}@fugitive-alerts>"
            try:
                await self.email.send(build_message(content, sender=self.email.sender, to=self.to,
                                                    message_id=message_id))
            except DeliveryError as exc:
                self.state.not_sent(bureau, notice)
                log.error("ops email failed, will retry", bureau_id=bureau, notice=notice, error=str(exc))
            else:
                self.sent.append((bureau, notice))
                log.warning("ops email sent", bureau_id=bureau, notice=notice, open_items=count)
