"""Ops alerting: email the ops contact when a consumer group stays failing.

A group whose status is failing (ERR, STOP, STALL or REWIND: Burrow's error class, see
``consumers.burrow.FAILING``) for ``after`` seconds gets one email; while it stays failing, a
reminder every ``reminder`` seconds after the previous email; once it is healthy again, one
"recovered" email (only if it had been alerted). The decision (:class:`OpsAlertState`) is pure;
:class:`OpsAlerter` sends through the same SMTP channel as alerts (``alerting.SmtpEmail``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import structlog

from alerting import DeliveryError, EmailContent, SmtpEmail, build_message

from .burrow import FAILING, Status
from .lag import GroupLag, LagReport

__all__ = ["Notice", "OpsAlertState", "OpsAlerter"]

log = structlog.get_logger(__name__)

Notice = Literal["alert", "reminder", "recovered"]


@dataclass(slots=True)
class _Group:
    failing_since: float | None = None
    last_sent: float | None = None


class OpsAlertState:
    """Which email (if any) each evaluation calls for, per group."""

    def __init__(self, after: float, reminder: float) -> None:
        self.after, self.reminder = after, reminder
        self._groups: dict[str, _Group] = {}

    def check(self, group: str, status: Status, now: float) -> Notice | None:
        g = self._groups.setdefault(group, _Group())
        if status not in FAILING:
            alerted = g.last_sent is not None
            g.failing_since = g.last_sent = None
            return "recovered" if alerted else None
        if g.failing_since is None:
            g.failing_since = now
        if g.last_sent is None:
            if now - g.failing_since >= self.after:
                g.last_sent = now
                return "alert"
            return None
        if now - g.last_sent >= self.reminder:
            g.last_sent = now
            return "reminder"
        return None

    def not_sent(self, group: str) -> None:
        """The email could not be sent: try again at the next evaluation."""
        g = self._groups.get(group)
        if g is not None and g.failing_since is not None:
            g.last_sent = None

    def failing_for(self, group: str, now: float) -> float:
        g = self._groups.get(group)
        return 0.0 if g is None or g.failing_since is None else now - g.failing_since


def _content(notice: Notice, group: GroupLag, failing_for: float) -> EmailContent:
    what = {"alert": "is failing", "reminder": "is STILL failing", "recovered": "has recovered"}[notice]
    subject = f"[fugitive-alerts ops] consumer group {group.group} {what}: {group.status}"
    lines = [
        f"Consumer group {group.group} {what}.",
        f"Status: {group.status} (members: {group.members}, state: {group.state})",
        f"Lag: {group.lag} records, oldest unconsumed record {group.lag_seconds:.0f} s old.",
    ]
    if notice != "recovered":
        lines.append(f"Failing for {failing_for / 60:.1f} min.")
    lines.append("")
    lines += [f"  {p.topic}[{p.partition}] committed={p.committed} end={p.end} lag={p.lag} "
              f"lag_seconds={p.lag_seconds:.0f} status={p.status}" for p in group.partitions]
    lines += ["", "Statuses: docs/ops.md. Check with: fugitive-alerts lag"]
    text = "\n".join(lines)
    from html import escape

    return EmailContent(subject=subject, text=text, html=f"<pre>{escape(text)}</pre>")


class OpsAlerter:
    """Feeds each lag report to :class:`OpsAlertState` and emails ``to`` when it says so."""

    def __init__(self, email: SmtpEmail, to: str, *, after: float, reminder: float) -> None:
        self.email, self.to = email, to
        self.state = OpsAlertState(after, reminder)
        self.sent: list[tuple[str, Notice]] = []

    async def on_report(self, report: LagReport, now: float | None = None) -> None:
        now = time.time() if now is None else now
        for group in report.groups:
            failing_for = self.state.failing_for(group.group, now)
            notice = self.state.check(group.group, group.status, now)
            if notice is None:
                continue
            if notice != "recovered":
                failing_for = self.state.failing_for(group.group, now)
            content = _content(notice, group, failing_for)
            message_id = f"<ops.{group.group}.{notice}.{int(now)}@fugitive-alerts>"
            try:
                await self.email.send(build_message(content, sender=self.email.sender, to=self.to,
                                                    message_id=message_id))
                self.sent.append((group.group, notice))
                log.warning("ops email sent", group=group.group, notice=notice, status=str(group.status))
            except DeliveryError as exc:
                self.state.not_sent(group.group)
                log.error("ops email failed, will retry", group=group.group, notice=notice, error=str(exc))
