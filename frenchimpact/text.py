"""Text helpers shared by the apps."""

import re

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced text, for searching.

    "Territoire Lédonien" and "territoire ledonien" fold to the same string,
    on every database: the folded text is stored next to the data and the
    query is folded the same way.
    """
    return _SPACES.sub(" ", unidecode(text or "")).strip().lower()
