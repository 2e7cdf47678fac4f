"""HTML pages of the dispatcher's web app (autoescaped Jinja2, from ``alerting/templates``)."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

__all__ = ["render_ack_confirm", "render_ack_message"]


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=PackageLoader("alerting", "templates"), autoescape=True, auto_reload=False,
                       undefined=StrictUndefined)


def render_ack_confirm(*, alert_id: str, bureau: str, officer: str, action: str, form_key: str) -> str:
    """The confirmation page: the alert reference, the bureau and one button (a POST form)."""
    return _env().get_template("ack_page.html.j2").render(
        title=f"Acknowledge alert {alert_id}?", confirm=True, alert_id=alert_id, bureau=bureau, officer=officer,
        action=action, form_key=form_key, text="")


def render_ack_message(title: str, text: str) -> str:
    """A page with a title and one paragraph (the ack was recorded, or why not)."""
    return _env().get_template("ack_page.html.j2").render(title=title, text=text, confirm=False)
