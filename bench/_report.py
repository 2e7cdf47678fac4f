"""The Markdown tables ``pipeline_bench.py`` prints."""

from __future__ import annotations

from typing import Any

__all__ = ["report"]


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def _incomplete(r: dict[str, Any], a: dict[str, Any]) -> str:
    """A ceiling that stopped early (no records for 15 s) measured a part of the topic only."""
    return f" **(incomplete: {r['count']:,} of {a['backlog']:,} records)**" if r.get("incomplete") else ""


def _rate(r: dict[str, Any]) -> tuple[float, float]:
    n = r.get("events", r.get("count", 0))
    return n / r["wall_s"], n / r["cpu_s"] if r.get("cpu_s") else float("nan")


def _mix(m: dict[str, int], sms: int, email: int, digests: int | None = None) -> list[str]:
    n = m["events"] or 1
    review_line = ""
    if digests is not None:  # one email per review hit and analyst before the review queue; digests now
        before, after = sms + email + 2 * m["review_records"], sms + email + digests
        review_line = (f"Review notifications: {2 * m['review_records']:,} emails as one per review-band alert and "
                       f"analyst (before the review queue), {digests:,} digest emails now (at most one per bureau per "
                       f"group interval). Messages per event: {before / n:.2f} before, {after / n:.2f} now.")

    def row(name: str, k: int) -> str:
        return f"| {name} | {k:,} | {k / n:.2%} |"
    return ["### What the paced events were, and what they raised", "",
            "| | events | share of events |", "|---|---:|---:|",
            row("border crossings", m["events"]),
            row("… listed persons (true sightings)", m["listed"]),
            row("… raising a critical alert", m["critical_events"]),
            row("… … of them listed persons", m["critical_events_listed"]),
            row("… raising review-band alerts only (namesakes)", m["review_only_events"]),
            row("… … of them listed persons", m["review_only_events_listed"]),
            row("… listed persons raising nothing", m["listed_without_alert"]), "",
            f"Alert records: {m['critical_records']:,} critical, {m['review_records']:,} review band "
            "(one record per notice matched, so an event can raise several). Product routing "
            "(docs/delivery.md): a critical border-crossing alert goes by SMS and email to the duty officer of "
            "both bureaus (event country, requesting country) = 4 messages; a review-band alert by email to the "
            "analyst of both bureaus = 2 emails, never SMS; since the review queue, a review-band alert is listed in "
            "its bureaus' digest instead (docs/review.md). "
            f"Messages accepted: {sms:,} SMS, {email:,} emails ({(sms + email) / n:.2f} per event).", "",
            *([review_line, ""] if review_line else [])]


def _capacity_headline(c: dict[str, Any]) -> list[str]:
    rounds = c.get("rounds", 1)
    if rounds == 1:
        return [f"**Capacity: {c['capacity']:,.0f} events/s** (the highest step that met every target).", ""]
    return [f"**Capacity: {c['capacity']:,.0f} events/s** (the highest step that met every target in each of "
            f"{rounds} rounds). Rounds met: " + ", ".join(f"{rate:,.0f}/s {k} of {rounds}" for rate, k in c["met"]) + ".",
            "", "The steps in the order they ran:", ""]


def _capacity(c: dict[str, Any]) -> list[str]:
    names = sorted({n for s in c["steps"] for n in s["cpu_share"]})
    out = ["## Capacity at the latency targets", "",
           f"Targets: event → alert p99 ≤ {c['targets']['alert_p99_ms']:g} ms (received), alert → SMS accepted p99 ≤ "
           f"{c['targets']['sms_p99_ms']:g} ms, every event answered, no growing lag (median answer time of a step's "
           "last tenth ≤ 2 × its first tenth + 20 ms).", "",
           (f"Before the first step, {c['prewarm_s']:g} s at {c['prewarm_rate']:g}/s, not measured (a broker just "
            "started compiles its hot paths for about a minute)." if c.get("prewarm_s") else
            "No pre-warm: the first steps include the broker's start-up compilation."), "",
           *_capacity_headline(c),
           "| events/s | answered | alerts | event→alert p99 ms | event→response p99 ms | alert→SMS p99 ms | "
           "alert→email p99 ms | answer p50 first / last tenth ms | worker+broker+dispatcher CPU ms per event | "
           "met | load (1 min) |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|---:|"]
    for s in c["steps"]:
        out.append(f"| {s['rate']:,.0f} | {s['answered']:,}/{s['events']:,} | {s['alerts']:,} | {s['alert_p99_ms']:.1f} | "
                   f"{s['response_p99_ms']:.1f} | {s['sms_p99_ms']:.1f} | {s['email_p99_ms']:.1f} | "
                   f"{s['head_p50_ms']:.1f} / {s['tail_p50_ms']:.1f} | {s['core_cpu_ms_per_event']:.2f} | "
                   f"{'yes' if s['ok'] else 'no'} | {s['load']} |")
    out += ["", "CPU of each process at each step, % of one core:", "",
            "| events/s | " + " | ".join(names) + " |", "|---:|" + "---:|" * len(names)]
    for s in c["steps"]:
        out.append(f"| {s['rate']:,.0f} | " + " | ".join(f"{s['cpu_share'].get(n, float('nan')):.0%}" for n in names) + " |")
    if any("requests_per_s" in s for s in c["steps"]):
        out += ["", "Requests per second each process sent to the broker at each step (TCP data segments, "
                "`bench/_requests.py`; warm-up included):", "",
                "| events/s | " + " | ".join(names) + " |", "|---:|" + "---:|" * len(names)]
        for s in c["steps"]:
            rps = s.get("requests_per_s", {})
            out.append(f"| {s['rate']:,.0f} | " + " | ".join(f"{rps[n]:,.0f}" if n in rps else "" for n in names) + " |")
    return [*out, ""]


def _throughput(res: dict[str, Any], a: dict[str, Any]) -> list[str]:
    out: list[str] = []
    t = res["throughput"]
    wall, cpu = _rate(t)
    out += ["## Throughput (same topic, same records)", "",
            "| consumer | events/s (wall) | events per CPU-second | ratio of pipeline to it (wall) | load (1 min) |",
            "|---|---:|---:|---:|---:|",
            f"| pipeline: {a['workers']} worker(s), screening + alerts + responses | {wall:,.0f} | {cpu:,.0f} | "
            f"| {t['load']} |"]
    for key, name in (("faust_ceiling", "Faust ceiling: no-op agent, same settings"),
                      ("kafka_ceiling", "Kafka ceiling: aiokafka getmany + orjson.loads")):
        if key in res:
            cw, cc = _rate(res[key])
            out.append(f"| {name}{_incomplete(res[key], a)} | {cw:,.0f} | {cc:,.0f} | {wall / cw:.1%} | {res[key]['load']} |")
    out += ["", f"Alerts raised while draining: {t['alerts']:,}; events without a response: {t.get('missing', 0)}.", ""]
    if res.get("variants") or res.get("faust_ceiling_variants"):
        out += ["### Variants (each on its own backlog of the same size)", "",
                "| what | loop, environment | events/s (wall) | events per CPU-second | load (1 min) |",
                "|---|---|---:|---:|---:|"]
        for v in res.get("variants", []):
            w, c = _rate(v)
            out.append(f"| pipeline | {v['variant']} | {w:,.0f} | {c:,.0f} | {v['load']} |")
        for v in res.get("faust_ceiling_variants", []):
            w, c = _rate(v)
            out.append(f"| Faust ceiling{_incomplete(v, a)} | {v['variant']} | {w:,.0f} | {c:,.0f} | {v['load']} |")
        out.append("")
    return out


def report(res: dict[str, Any]) -> str:
    a = res["args"]
    out = ["## Machine", "", "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in res["machine"].items()]
    out += ["", f"Wanted list {a['wanted']:,} notices; backlog {a['backlog']:,} border crossings "
                f"({a['sightings']:.0%} listed persons); {a['workers']} worker(s), {a['partitions']} partition(s); "
                f"loop {a['loop']}; worker env {a['worker_env'] or '-'}.", ""]
    if "capacity" in res:
        out += _capacity(res["capacity"])
    if "throughput" in res:
        out += _throughput(res, a)
    if "latency" in res:
        lat, h = res["latency"], res["handoff"]
        out += [f"## Latency at a steady {a['rate']:g} events/s ({lat['events']:,} events, "
                f"{lat['answered']:,} answered, {len(lat['alert_recv']):,} alerts; load {lat['load']})", "",
                "| ms | p50 | p95 | p99 | max | n |", "|---|---:|---:|---:|---:|---:|"]
        rows = (("event → response, received", lat["resp_recv"]), ("event → response, produced", lat["resp_prod"]),
                ("event → alert, received", lat["alert_recv"]), ("event → alert, produced", lat["alert_prod"]),
                ("alert → SMS accepted (Twilio mock)", h["sms"]), ("alert → email accepted (SMTP)", h["email"]),
                ("… email of a critical alert", h.get("email_alert", [])),
                ("… email of a review-band alert", h.get("email_review", [])))
        for name, v in rows:
            out.append(f"| {name} | {_pct(v, .5):.1f} | {_pct(v, .95):.1f} | {_pct(v, .99):.1f} | "
                       f"{max(v) if v else float('nan'):.1f} | {len(v):,} |")
        if h["failed"]:
            out.append(f"\n{len(h['failed'])} deliveries not sent.")
        out.append("")
        if "mix" in lat:
            out += _mix(lat["mix"], len(h["sms"]), len(h["email"]), h.get("digests"))
    out += ["## Processes", "", "| process | CPU, % of one core (paced phase) | peak RSS MB |", "|---|---:|---:|"]
    for name, peak in res["peak_rss_mb"].items():
        c = res.get("cpu", {}).get(name)
        out.append(f"| {name} | {'-' if c is None else f'{c:.0%}'} | {peak:,.0f} |")
    return "\n".join(out)
