"""Name tokens that are frequent world-wide.

The evidence gate (``rules.name_rarity``) counts a part of this list as at least 1 in 200
frequent whatever its count in the indexed list: "Mohamed Ali" or "Wang Wei" says little on
its own, even in a list where it happens to be rare.
"""

from __future__ import annotations

from ._text import token_key

__all__ = ["COMMON", "is_common"]

_WORLD = """
mohamed mohammed muhammad mohammad ahmed ahmad ali hassan hussein hussain omar umar abdul abdullah
ibrahim ismail yusuf youssef mustafa mahmoud khalid fatima aisha maryam mariam nur noor khan
wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo wei min jun
kim lee park choi jung kang cho yoon jang lim nguyen tran le pham hoang phan vu dang bui do
singh kumar sharma devi patel shah das gupta ram lal
ivanov ivan smirnov kuznetsov popov petrov sergei sergey alexander aleksandr andrei dmitry olga elena
tatiana natalia anna maria mary john james david michael robert william joseph smith johnson
williams brown jones garcia martinez rodriguez lopez gonzalez hernandez perez sanchez ramirez
jose juan carlos luis antonio manuel francisco silva santos oliveira souza pereira costa
ferreira rodrigues da de dos jean pierre marie martin bernard dubois thomas muller mueller
schmidt schneider fischer weber meyer wagner rossi russo ferrari esposito bianchi romano
kowalski nowak yilmaz kaya demir sahin celik
"""

COMMON = frozenset(token_key(w) for w in _WORLD.split())
"""Canonical keys of name tokens that are very frequent world-wide."""


def is_common(key: str, df: int, size: int) -> bool:
    """A token is common if world-frequent, or held by many notices of the indexed list."""
    return key in COMMON or len(key) <= 2 or df >= max(25, size // 200)
