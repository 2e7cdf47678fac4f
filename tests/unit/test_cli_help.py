"""Help texts read as paragraphs in any terminal width (fugitive_alerts/cli.py)."""

from __future__ import annotations

from typer.testing import CliRunner

from fugitive_alerts.cli import _reflow, app


def test_a_docstring_paragraph_is_one_line_and_lists_keep_their_lines() -> None:
    doc = """Summary line.

        A paragraph wrapped at the
        source's width.

        - a list item
        - another
        """
    assert _reflow(doc) == "Summary line.\n\nA paragraph wrapped at the source's width.\n\n- a list item\n- another"


def test_a_command_help_wraps_at_the_terminal_not_at_the_source() -> None:
    """At 200 columns, a sentence that spans two source lines of the docstring is on one line of the help."""
    text = CliRunner().invoke(app, ["review", "revoke", "--help"], env={"COLUMNS": "200", "TERM": "dumb"}).output
    assert "under the item id (compacted: it becomes the item's last word)" in text
