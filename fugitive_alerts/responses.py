"""``publish --wait-response`` and ``responses tail``: the publisher's side of request/response."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from consumers import await_responses, ensure_topics
from consumers.tail import follow
from schemas import ACTIONS, EVENT_ADAPTER, AnyEvent, Response, Settings, Tip, response_topic

from .common import fail
from .jsonl import Reading, read_jsonl, report_bad_lines
from .produce import publish_events

__all__ = ["publish_and_wait", "tail_responses", "response_line"]

_STYLE = {"hit": "bold red", "review": "yellow", "cleared": "cyan", "no_hit": "green", "rejected": "magenta"}


def response_line(r: Response) -> str:
    style = _STYLE[r.result]
    line = f"[{style}]{r.result.upper():<6}[/{style}] {r.event_id} ({r.event_type or 'unreadable'}, {r.agency})"
    if r.error:
        line += f"\n         refused: {escape(r.error)}"
    for h in r.hits:
        call = f" Call {h.call.name}" + (f" on {h.call.phone}." if h.call.phone else ".") if h.call else ""
        caution = f" CAUTION: {escape(h.caution)}." if h.caution else ""
        line += f"\n         {h.alert_id} {escape(f'[{h.band}, {h.notice_type} notice]')}{caution} {h.action}{call}"
    for c in r.cleared:
        line += (f"\n         {c.alert_id} cleared as a namesake by {escape(c.cleared_by)} ({escape(c.bureau_id)}) on "
                 f"{c.cleared_at:%Y-%m-%d}: {ACTIONS['cleared']}")
    return line


async def publish_and_wait(settings: Settings, path: Path, timeout: float, ingest: bool = False,
                           rate: float | None = None) -> None:
    """Publish the events in ``path`` and print each answer; exit 1 if one does not come in time.

    ``ingest``: publish to the agencies' ``ingest.<agency>.*`` topics (``publish --ingest``).
    ``rate``: events per second (``publish --rate``); the ``timeout`` starts once all are sent.
    """
    reading: Reading[AnyEvent] = Reading()
    events = [e for _, _, e in read_jsonl(path, EVENT_ADAPTER.validate_json, reading)]
    if reading.bad:
        report_bad_lines(path, reading.bad)
        fail("nothing was published: fix the malformed lines first", code=2)
    expected = {e.event_id for e in events if not (isinstance(e, Tip) and not e.respond)}
    agencies = sorted({e.agency for e in events})
    if not ingest:  # with ACLs an agency cannot create topics: an admin did (`fugitive-alerts acls apply`)
        await ensure_topics(settings, agencies)
    names = [settings.topic(response_topic(a)) for a in agencies]
    answers = await await_responses(names, expected, settings.kafka_client_kwargs(),
                                    lambda: publish_events(settings, path, ingest=ingest, rate=rate), timeout)
    console = Console(soft_wrap=True)
    for event in events:
        if event.event_id in answers:
            console.print(response_line(answers[event.event_id]), highlight=False)
        elif event.event_id in expected:
            console.print(f"[red]NO ANSWER[/red] {event.event_id}: nothing on {settings.topic(response_topic(event.agency))} "
                          f"within {timeout:g}s. Is a worker running (`fugitive-alerts worker`)?", highlight=False)
        else:
            console.print(f'{event.event_id}: tip published; no answer requested ("respond": true asks for one)',
                          highlight=False)
    if not expected <= set(answers):
        sys.exit(1)


async def tail_responses(settings: Settings, agency: str, *, from_beginning: bool, as_json: bool) -> None:
    await ensure_topics(settings, [agency])
    console = Console(soft_wrap=True)
    async for rec in follow([settings.topic(response_topic(agency))], settings.kafka_client_kwargs(),
                            from_beginning=from_beginning):
        try:
            response = Response.model_validate_json(rec.value or b"")
        except ValueError:
            console.print(f"[red]unreadable record[/red] {rec.topic}:{rec.partition}:{rec.offset}")
            continue
        if as_json:
            print(response.model_dump_json(), flush=True)
        else:
            console.print(response_line(response), highlight=False)
