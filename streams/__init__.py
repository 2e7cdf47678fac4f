"""The Faust app: topics, the wanted list in every worker, and the screening agents (thin)."""

from .app import ScreeningApp, create_app
from .screening import Outcome, screen_record, urgency_for
from .wanted_table import WantedTable, apply_record

__all__ = ["ScreeningApp", "create_app", "Outcome", "screen_record", "urgency_for", "WantedTable", "apply_record"]
