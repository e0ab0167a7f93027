"""Text helpers shared by the apps."""

import re

from unidecode import unidecode

_APOSTROPHES = re.compile(r"['’`]")
_SEPARATORS = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, accent-free words separated by single spaces, for searching.

    "Territoire Lédonien" and "territoire ledonien" fold to the same string,
    "Clus'Ter" to "cluster", "Aix-Marseille" to "aix marseille", on every
    database: the folded text is stored next to the data and the query is
    folded the same way.
    """
    text = _APOSTROPHES.sub("", unidecode(text or "").lower())
    return _SEPARATORS.sub(" ", text).strip()
