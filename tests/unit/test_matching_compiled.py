"""The matcher's modules compiled by mypyc (``matching._compiled``): which code a process runs,
and the same hits as the interpreted source (``test_matching_core`` compares the JSON of
``fugitive-alerts screen`` both ways, and the Rust core with the Python one in process)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from matching import _compiled
from tests.unit.screen_cli import screen_both_ways

ROOT = Path(__file__).resolve().parents[2]

_PROBE = ("import json, warnings; warnings.simplefilter('always');"
          "import matching, matching._compiled as c, matching.rules as r;"
          "print(json.dumps({'active': c.active(), 'rules': r.__file__}))")


def _probe(env: dict[str, str], path: Path = ROOT) -> tuple[dict[str, object], str]:
    done = subprocess.run([sys.executable, "-c", _PROBE], check=True, capture_output=True, text=True, cwd=path,
                          env={**os.environ, "PYTHONPATH": str(path), **env})
    return json.loads(done.stdout), done.stderr


def _needs_build() -> None:
    # as test_matching_core requires the Rust core: bootstrap builds both on this machine kind, and a
    # build that broke must fail here, not leave the matcher silently interpreted
    assert _compiled._built(), "the compiled modules are not built: run scripts/bootstrap (see .venv/mypyc-build.log)"


def test_a_current_build_is_what_a_process_runs() -> None:
    _needs_build()
    got, err = _probe({"FUGITIVE_ALERTS_MATCHING_CORE": "compiled"})
    assert got["active"] is True and str(got["rules"]).endswith(".so"), err


def test_the_environment_chooses_the_interpreted_source() -> None:
    """``FUGITIVE_ALERTS_MATCHING_CORE=python`` runs the reference as written, not only without
    the Rust core."""
    _needs_build()
    got, _ = _probe({"FUGITIVE_ALERTS_MATCHING_CORE": "python"})
    assert got == {"active": False, "rules": str(ROOT / "matching" / "rules.py")}


def test_a_build_older_than_its_source_is_not_run(tmp_path: Path) -> None:
    """A rule edited after the build: the source runs, with a warning that names the fix."""
    _needs_build()
    shutil.copytree(ROOT / "matching", tmp_path / "matching", ignore=shutil.ignore_patterns("core-rs", "__pycache__"))
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas", ignore=shutil.ignore_patterns("__pycache__"))
    rules = tmp_path / "matching" / "rules.py"
    rules.write_text(rules.read_text() + "\n# edited after the build\n")
    got, err = _probe({"FUGITIVE_ALERTS_MATCHING_CORE": "compiled"}, tmp_path)
    assert got == {"active": False, "rules": str(rules)}
    assert "do not match their source" in err and "scripts/bootstrap" in err


def test_the_stamp_is_the_digest_of_every_compiled_source() -> None:
    _needs_build()
    assert _compiled.STAMP.read_text().strip() == _compiled.source_digest()
    assert {p.name.split(".")[0] for p in (ROOT / "matching").glob("*.cpython-*.so")} == {
        *_compiled.MODULES, "_compiled__mypyc"}


def test_same_hits_on_an_evaluation_set_both_ways(tmp_path: Path) -> None:
    """tools/evalgen with its extra cultures (every script and convention the matcher reads),
    screened by the interpreted source and by the build: the same bytes."""
    _needs_build()
    subprocess.run([sys.executable, str(ROOT / "tools" / "evalgen" / "gen_eval.py"), "--seed", "37", "--out",
                    str(tmp_path), "--wanted", "1200", "--events", "4000", "--extra-cultures"],
                   check=True, capture_output=True)
    reference, compiled = screen_both_ways(tmp_path / "wanted.jsonl", tmp_path / "events.jsonl", tmp_path)
    assert reference == compiled and reference.count(b"\n") > 800


def test_a_snapshot_of_the_build_is_foreign_to_the_source() -> None:
    """The build pickles the index's objects otherwise than the source: a worker that switches
    rebuilds its index instead of loading the other's snapshot (``matching.snapshot``)."""
    _needs_build()
    probe = "import matching.snapshot as s; print(s.CODE_VERSION)"
    versions = {core: subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True,
                                     env={**os.environ, "FUGITIVE_ALERTS_MATCHING_CORE": core}).stdout.strip()
                for core in ("python", "compiled")}
    assert versions["python"] != versions["compiled"] and all(versions.values())
