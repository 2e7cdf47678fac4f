"""``fugitive-alerts``: one console script for every command (the README's "Command line").

Exit codes: 0 ok, 1 a failure the user must see, 2 bad usage or input.
"""

from __future__ import annotations

import inspect

import typer

from .broker import app as broker_app
from .cmd_data import alerts_app, bureaus_app, publish, responses_app, wanted_app
from .cmd_documents import documents_app
from .cmd_ops import lag, monitor  # ops (issue 5)
from .cmd_pipeline import dispatcher, worker
from .cmd_review import review_app, review_console  # review (issue 17)
from .cmd_security import acls_app  # security (issue 6)
from .demo import demo
from .screen import screen_command

app = typer.Typer(
    name="fugitive-alerts",
    help="Real-time screening of border crossings, visa applications and tips against wanted lists, "
         "with alerts to the duty officers of national bureaus by SMS and email.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(broker_app, name="broker", help="Start, stop or inspect the local Apache Kafka (KRaft) broker.")
app.command()(worker)
app.command()(dispatcher)
app.add_typer(wanted_app, name="wanted")
app.add_typer(documents_app, name="documents")
app.command()(publish)
app.add_typer(alerts_app, name="alerts")
app.add_typer(bureaus_app, name="bureaus")
app.add_typer(responses_app, name="responses")
app.command("screen")(screen_command)
app.command()(demo)
app.command()(lag)  # ops (issue 5)
app.command()(monitor)  # ops (issue 5)
app.add_typer(acls_app, name="acls")  # security (issue 6)
app.command("review-console")(review_console)  # review (issue 17)
app.add_typer(review_app, name="review")  # review (issue 17): revoke a clearance


def _reflow(doc: str) -> str:
    """A docstring as help text: each paragraph's lines joined, as the terminal wraps them anyway.

    In Typer's rich mode a single line break is kept, so a docstring wrapped at the source's width
    came out ragged in an 80-column terminal. Paragraphs with a list or an indented block keep theirs.
    """
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(
        para if any(line.startswith((" ", "- ", "* ")) for line in para.splitlines()) else " ".join(para.split("\n"))
        for para in paragraphs)


def _reflow_help(group: typer.Typer) -> None:
    for command in group.registered_commands:
        if command.callback is not None and command.callback.__doc__:
            command.callback.__doc__ = _reflow(command.callback.__doc__)
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _reflow_help(sub.typer_instance)


_reflow_help(app)


def main() -> None:
    app()
