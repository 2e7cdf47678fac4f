"""The screening engine: normalisation, transliteration, candidate index, scoring, explanations.

Pure: imports only ``schemas`` and third-party libraries, never Kafka. See ``docs/matching.md``.

    matcher = Matcher(alert_threshold=0.80, review_threshold=0.60)
    matcher.upsert(notice)            # add/replace; inactive status removes
    hits = matcher.screen(event)      # [Hit(notice_id, score, band, reasons, notice)], best first
"""

from . import _compiled

_compiled.install()  # before any compiled module is imported: a stale build must not run

from . import snapshot  # noqa: E402
from ._core import available as compiled_core_built  # noqa: E402
from ._warm import warm_up  # noqa: E402
from .matcher import Hit, Matcher  # noqa: E402
from .rules import RULES, Evidence  # noqa: E402

__all__ = ["Matcher", "Hit", "RULES", "Evidence", "compiled_core_built", "snapshot", "warm_up"]
