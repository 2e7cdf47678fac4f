"""The worker loads the matcher's lazy romanisation tables before it screens, not on the first notice."""

from __future__ import annotations

from matching import _japanese, _wadegiles, warm_up


def test_warm_up_builds_the_lazy_romanisation_tables() -> None:
    """After warm_up the Japanese reader and the Wade-Giles table exist: no notice pays for them later."""
    warm_up()
    assert _japanese._kakasi.cache_info().currsize == 1
    assert _wadegiles._pypinyin_table.cache_info().currsize == 1
