"""Summarise a py-spy raw profile (``pipeline_bench.py --py-spy FILE``): the share of samples per function.

    .venv/bin/python bench/pyspy_summary.py FILE [--top 30] [--thread MainThread]

Each line of a raw (collapsed) profile is ``frame;frame;...;frame COUNT``. Prints, as Markdown, the
functions with the largest inclusive share (samples with the function anywhere on the stack) and
the largest self share (samples with it on top), over all samples or one thread's.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_LINE = re.compile(r"\s*\(([^)]*)\)")


def _frame(frame: str) -> str:
    """``func (path/to/file.py:123)`` -> ``func (file.py)``: the same function across its lines."""
    m = re.match(r"(.*?) \((.*?)(?::\d+)?\)$", frame)
    if not m:
        return frame
    return f"{m.group(1)} ({m.group(2).rsplit('/', 1)[-1]})"


def summarise(path: Path, thread: str | None) -> tuple[int, Counter[str], Counter[str]]:
    total, inclusive, self_ = 0, Counter[str](), Counter[str]()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        if thread and thread not in frames[0]:
            continue
        n = int(count)
        total += n
        names = [_frame(f) for f in frames[1:]] or [frames[0]]
        for name in set(names):
            inclusive[name] += n
        self_[names[-1]] += n
    return total, inclusive, self_


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", type=Path)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--thread", help="only the stacks whose first frame (the thread) contains this")
    args = ap.parse_args()
    total, inclusive, self_ = summarise(args.file, args.thread)
    print(f"{total:,} samples{' in ' + args.thread if args.thread else ''}\n")
    for title, counter in (("inclusive", inclusive), ("self", self_)):
        print(f"| {title} | function |\n|---:|---|")
        for name, n in counter.most_common(args.top):
            print(f"| {n / total:.1%} | `{name}` |")
        print()


if __name__ == "__main__":
    main()
