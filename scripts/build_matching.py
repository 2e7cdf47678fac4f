"""Compile the matcher's Python modules with mypyc (called by scripts/bootstrap).

    .venv/bin/python scripts/build_matching.py          # build when the sources changed
    .venv/bin/python scripts/build_matching.py --force  # build anyway
    .venv/bin/python scripts/build_matching.py --clean  # remove the build: run the sources

The modules listed in ``matching._compiled.MODULES`` are compiled together (one shared library,
``matching/_compiled__mypyc``, and one small extension per module) in a temporary directory, then
moved beside their sources by renaming, so a running worker keeps the copies it loaded.
``matching/_compiled.stamp`` (the sources' digest) is removed first and written last: a process
that starts meanwhile runs the sources. Exit status 1 when the build fails; the matcher then
keeps running its sources, with the same hits.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "matching"


def _compiled_files() -> list[Path]:
    return sorted(p for p in PACKAGE.glob("*.so") if not p.name.startswith("_fast."))


def clean() -> None:
    from matching import _compiled

    _compiled.STAMP.unlink(missing_ok=True)
    for path in _compiled_files():
        path.unlink()


def build(log: Path) -> None:
    from mypyc.build import mypycify
    from setuptools import setup

    from matching import _compiled

    digest = _compiled.source_digest()  # before compiling: a source edited meanwhile leaves the stamp stale
    with tempfile.TemporaryDirectory(prefix="mypyc-") as tmp, contextlib.chdir(ROOT):
        out = Path(tmp) / "lib"
        with log.open("w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            extensions = mypycify([f"matching/{m}.py" for m in _compiled.MODULES], opt_level="3",
                                  debug_level="0", group_name="matching._compiled", target_dir=f"{tmp}/c")
            setup(name="fugitive-alerts-matching", ext_modules=extensions,
                  script_args=["build_ext", "--build-lib", str(out), "--build-temp", f"{tmp}/o"])
        built = sorted((out / "matching").glob("*.so"))
        if len(built) != len(_compiled.MODULES) + 1:
            raise RuntimeError(f"expected {len(_compiled.MODULES) + 1} modules, the build made {len(built)}")
        _compiled.STAMP.unlink(missing_ok=True)
        for stale in _compiled_files():
            if stale.name not in {p.name for p in built}:
                stale.unlink()
        for path in built:
            os.replace(path, PACKAGE / path.name)
        _compiled.STAMP.write_text(digest + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--force", action="store_true", help="build even when the stamp is current")
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules and the stamp")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ["FUGITIVE_ALERTS_MATCHING_CORE"] = "python"  # import the sources, never a build being replaced
    from matching import _compiled

    if args.clean:
        clean()
        return 0
    current = _compiled.STAMP.exists() and _compiled.STAMP.read_text().strip() == _compiled.source_digest()
    if current and not args.force and len(_compiled_files()) == len(_compiled.MODULES) + 1:
        return 0
    log = ROOT / ".venv" / "mypyc-build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"build_matching: compiling {len(_compiled.MODULES)} matching modules with mypyc", file=sys.stderr)
    try:
        build(log)
    except Exception as exc:  # noqa: BLE001 - any failure: say where the output is
        print(f"build_matching: failed ({type(exc).__name__}: {exc}); the output is in {log}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
