"""Peak memory of `fugitive-alerts wanted import` on a large list (issue 20: importers that stream).

    .venv/bin/python bench/import_rss.py [--mb 200] [--format jsonl|csv] [--dir /tmp]

Writes a list of fictional notices of about ``--mb`` MB in ``--dir``, starts a local Kafka of its
own (or uses ``KAFKA_BOOTSTRAP_SERVERS``), runs the real CLI on it as a child process, and prints
the child's peak resident set size (``ru_maxrss`` from ``wait4``), the time and the notices sent.
The target is a 200 MB list in under 300 MB of RSS. The generated file and the broker's data are
removed afterwards.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fugitive_alerts.local.kafka import LocalBroker
from fugitive_alerts.local.services import free_port
from schemas import Settings

_SYL = ["ka", "lo", "mi", "ren", "sa", "tor", "vel", "qui", "zan", "dor", "bel", "fi", "gan", "hul", "jor", "wex"]
_COUNTRIES = ["RW", "KE", "FR", "GB", "DE", "NG", "BR", "TH", "UA", "IR"]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYL) for _ in range(rng.randint(2, 4))).capitalize()


def _notice(i: int, rng: random.Random) -> dict[str, object]:
    nat = rng.choice(_COUNTRIES)
    return {
        "notice_id": f"2026/{i:08d}", "notice_type": "red", "status": "active", "requesting_country": nat,
        "names": [{"given": _name(rng), "family": _name(rng)} for _ in range(rng.randint(1, 4))],
        "birth_dates": [f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"],
        "sex": rng.choice("MF"), "nationalities": [nat],
        "documents": [{"type": "passport", "number": f"{nat}{rng.randint(10**6, 10**7 - 1)}", "country": nat}],
        "offences": [rng.choice(["fraud", "murder", "genocide", "war crimes", "trafficking"])], "caution": None,
    }


def generate(path: Path, megabytes: int, fmt: str) -> int:
    """Write about ``megabytes`` MB of notices to ``path``; return how many."""
    rng = random.Random(20)
    target = megabytes * 1024 * 1024
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out) if fmt == "csv" else None
        if writer is not None:
            writer.writerow(["notice_id", "given", "family", "alias", "birth_date", "sex", "nationality",
                             "passport", "requesting_country", "offence"])
        while out.tell() < target:
            n = _notice(count, rng)
            if writer is None:
                out.write(json.dumps(n, ensure_ascii=False) + "\n")
            else:
                names = n["names"]
                buf = io.StringIO()
                csv.writer(buf).writerow([
                    n["notice_id"], names[0]["given"], names[0]["family"],  # type: ignore[index]
                    ";".join(f"{x['given']} {x['family']}" for x in names[1:]),  # type: ignore[index]
                    n["birth_dates"][0], n["sex"], n["nationalities"][0],  # type: ignore[index]
                    n["documents"][0]["number"], n["requesting_country"], n["offences"][0]])  # type: ignore[index]
                out.write(buf.getvalue())
            count += 1
    return count


def main() -> None:
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # the broker's start probes, refused until it is up
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--file", type=Path, help="import this list instead of generating one (left in place)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="import-rss-") as tmp:
        root = Path(tmp)
        t0 = time.monotonic()
        if args.file:
            path = args.file
            with path.open("rb") as fh:
                count = sum(1 for _ in fh) - (1 if args.format == "csv" else 0)
        else:
            path = root / f"list.{args.format}"
            count = generate(path, args.mb, args.format)
        size_mb = path.stat().st_size / 1024 / 1024
        print(f"list {path} : {size_mb:.0f} MB, {count:,} notices ({time.monotonic() - t0:.0f}s)", flush=True)
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        broker = None
        if not bootstrap:
            broker = LocalBroker(root / "kafka", free_port(), free_port())
            broker.start(timeout=120)
            bootstrap = broker.bootstrap
        try:
            settings = Settings(_env_file=None, env="test", kafka_bootstrap_servers=bootstrap,
                                topic_prefix=f"rss{os.getpid()}.", data_dir=root / "data")
            env = {**os.environ, **settings.to_env()}
            t0 = time.monotonic()
            child = subprocess.Popen([sys.executable, "-m", "fugitive_alerts", "wanted", "import", "--format",
                                      args.format, str(path)], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.monotonic() - t0
            out = (child.stdout.read() if child.stdout else b"").decode()
            err = (child.stderr.read() if child.stderr else b"").decode()
        finally:
            if broker is not None:
                broker.stop()
        code = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss / 1024
        print(out.strip()[-600:])
        if code != 0:
            print(err[-2000:], file=sys.stderr)
        print()
        print("| format | file | notices | exit | seconds | notices/s | peak RSS | target |")
        print("|---|---|---|---|---|---|---|---|")
        print(f"| {args.format} | {size_mb:.0f} MB | {count:,} | {code} | {seconds:.0f} | {count / seconds:,.0f} "
              f"| {peak:.0f} MB | < 300 MB: {'met' if peak < 300 and code == 0 else 'NOT met'} |")


if __name__ == "__main__":
    main()
