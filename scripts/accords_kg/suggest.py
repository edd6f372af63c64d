"""Did you mean…? The nearest of the known names to a mistyped one."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable


def fold(text: str) -> str:
    """``text`` compared as a person reads it: no accents, no case, one kind of apostrophe,
    dashes as spaces, single spaces (``Béthune`` and ``bethune``, ``xavier  Bertrand`` and
    ``Xavier Bertrand``, ``Pas-de-Calais`` and ``pas de calais`` fold alike)."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    plain = plain.replace("’", "'")
    for dash in "-\u2010\u2011\u2013":
        plain = plain.replace(dash, " ")
    return " ".join(plain.casefold().split())


def nearest(word: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` of ``known`` closest to ``word`` (compared folded), best first."""
    by_fold: dict[str, str] = {}
    for name in sorted(known):
        by_fold.setdefault(fold(name), name)
    close = difflib.get_close_matches(fold(word), list(by_fold), n=n, cutoff=0.6)
    return [by_fold[c] for c in close]


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` — did you mean X? / vouliez-vous dire X ?`` or "" where nothing is close."""
    close = nearest(word, known, n=1)
    if not close:
        return ""
    return f" — did you mean {close[0]!r}? / vouliez-vous dire {close[0]!r} ?"
