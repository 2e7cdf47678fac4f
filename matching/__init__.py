"""The screening engine: normalisation, transliteration, candidate index, scoring, explanations.

Pure: imports only ``schemas`` and third-party libraries, never Kafka. See ``docs/matching.md``.

    matcher = Matcher(alert_threshold=0.80, review_threshold=0.60)
    matcher.upsert(notice)            # add/replace; inactive status removes
    hits = matcher.screen(event)      # [Hit(notice_id, score, band, reasons, notice)], best first
"""

from . import snapshot
from ._core import available as compiled_core_built
from ._warm import warm_up
from .matcher import Hit, Matcher
from .rules import RULES, Evidence

__all__ = ["Matcher", "Hit", "RULES", "Evidence", "compiled_core_built", "snapshot", "warm_up"]
