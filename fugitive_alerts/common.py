"""Helpers shared by the CLI commands: settings, logging, errors that say what to do."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from schemas import Settings

from .logs import configure_logging

__all__ = ["SAMPLE_DIR", "fail", "load_settings", "refuse_weak_secrets"]

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
"""Fictional sample data shipped with the package: wanted list, events, bureau directory."""


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``message`` on stderr and exit with ``code`` (1 failure, 2 bad usage or input)."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


def load_settings() -> Settings:
    """Read settings once from the environment and ``.env``, and set up logging."""
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False))
        fail(f"invalid settings ({problems}); check your environment variables and .env", code=2)
    configure_logging(json=settings.log_json)
    return settings


def refuse_weak_secrets(settings: Settings, command: str) -> None:
    """Exit with code 2 and say which variable to set when ``command`` must not start with these
    secrets (the built-in or a short ack key, the test Twilio token against the real Twilio)."""
    problems = settings.secret_problems()
    if problems:
        fail(f"{command} refuses to start: " + "; ".join(problems)
             + " (FUGITIVE_ALERTS_ENV=demo or test accepts the built-in values, never in production)", code=2)
