"""A misspelt event loop is a usage error, not Faust's traceback (fugitive_alerts/_loop_option.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fugitive_alerts._loop_option import loop_named, refuse_unknown_loop


@pytest.mark.parametrize(("argv", "environ", "named"), [
    (["worker", "--loop", "uvloop"], {}, ("uvloop", "--loop")),
    (["worker", "--loop=aio"], {}, ("aio", "--loop")),
    (["worker", "-L", "x"], {}, ("x", "-L")),
    (["worker"], {"FAUST_LOOP": "y"}, ("y", "FAUST_LOOP")),
    (["worker", "--loop", "aio"], {"FAUST_LOOP": "y"}, ("aio", "--loop")),  # the command line first, as Faust
    (["worker"], {}, None),
])
def test_the_loop_is_found_where_faust_looks_for_it(argv: list[str], environ: dict[str, str],
                                                     named: tuple[str, str] | None) -> None:
    assert loop_named(argv, environ) == named


def test_a_known_loop_passes_and_an_unknown_one_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    refuse_unknown_loop(["worker", "--loop", "aio"], {})
    refuse_unknown_loop(["worker"], {})
    with pytest.raises(SystemExit) as exc:
        refuse_unknown_loop(["worker", "--loop", "uvlop"], {})
    assert exc.value.code == 2
    assert "unknown event loop 'uvlop' (--loop): the loop is aio or uvloop" in capsys.readouterr().err


def test_the_command_line_says_so_without_a_traceback() -> None:
    done = subprocess.run([sys.executable, "-m", "fugitive_alerts", "worker", "--loop", "uvlop"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "unknown event loop 'uvlop'" in done.stderr
    assert "Traceback" not in done.stderr
