"""Live, personal-data-free lines for alerts and deliveries (``alerts tail`` and the demo)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from pydantic import ValidationError
from rich.console import Console

from consumers.tail import follow
from schemas import Acknowledgement, Alert, Delivery, Settings, topics

__all__ = ["alert_line", "delivery_line", "ack_line", "print_live"]

_URGENCY_STYLE = {"critical": "bold red", "high": "yellow", "normal": "cyan"}


def alert_line(alert: Alert) -> str:
    style = _URGENCY_STYLE.get(alert.urgency, "")
    return (
        f"[{style}]ALERT[/{style}] {alert.alert_id} {alert.urgency:<8} {alert.band:<6} score={alert.score:.2f} "
        f"{alert.event_type} {alert.event_id} in {alert.country} ~ notice {alert.notice_id}"
        f"{' (requested by ' + alert.requesting_country + ')' if alert.requesting_country else ''}"
    )


_KIND = {"alert": "", "escalation": "ESCALATION step {level} ", "seen_again": "SEEN AGAIN ",
         "withdrawn": "STAND DOWN "}


def delivery_line(d: Delivery) -> str:
    style = "green" if d.status in ("sent", "queued", "delivered") else "yellow" if d.status == "skipped" else "red"
    extra = f" ({d.error})" if d.error else ""
    kind = _KIND[d.kind].format(level=d.level)
    return (f"  [{style}]{kind}{d.channel.upper():<5} {d.status}[/{style}] {d.alert_id} -> {d.bureau_id}/{d.recipient}"
            f" attempts={d.attempts}{extra}")


def ack_line(a: Acknowledgement) -> str:
    return f"  [bold green]ACK[/bold green] {a.alert_id} by {a.bureau_id}/{a.officer} ({a.channel})"


async def print_live(settings: Settings, console: Console, *, from_beginning: bool = False,
                     deliveries: bool = True, as_json: bool = False, stop: asyncio.Event | None = None,
                     on_record: Callable[[str, object], None] | None = None) -> None:
    models: dict[str, type[Alert | Delivery | Acknowledgement]] = {settings.topic(topics.ALERTS): Alert}
    if deliveries:
        models[settings.topic(topics.DELIVERIES)] = Delivery
        models[settings.topic(topics.ACKS)] = Acknowledgement
    shown: set[bytes] = set()
    async for rec in follow(list(models), settings.kafka_client_kwargs(), from_beginning=from_beginning, stop=stop):
        if rec.topic == settings.topic(topics.ALERTS) and rec.key:
            if rec.key in shown:  # a replayed or re-screened record of an alert already shown: same alert
                continue
            shown.add(rec.key)
        try:
            item = models[rec.topic].model_validate_json(rec.value or b"")
        except ValidationError:
            console.print(f"[red]unreadable record[/red] {rec.topic}:{rec.partition}:{rec.offset}")
            continue
        if as_json:
            # Alerts carry the event and notice (personal data): print only the ids and the verdict.
            if isinstance(item, Alert):
                print(item.model_dump_json(include={"alert_id", "event_id", "event_type", "notice_id", "band",
                                                    "score", "urgency", "country",
                                                    "requesting_country", "raised_at"}))
            else:
                print(item.model_dump_json())
        else:
            line = (alert_line(item) if isinstance(item, Alert) else
                    delivery_line(item) if isinstance(item, Delivery) else ack_line(item))
            console.print(line, highlight=False)
        if on_record is not None:
            on_record(rec.topic, item)
