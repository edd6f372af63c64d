"""Parameter values as the command line gives them, made into what a query binds.

``--param KEY=VALUE`` pairs are read once each (a key given twice is refused, not silently
overridden), and an IRI may be written as the tables print it: relative to the resources'
base (``accord/declaration-de-bethune-2023``) or as a prefixed name (``role:president``,
``acc:Accord``) with the project's prefixes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..errors import UsageError
from ..namespaces import PREFIXES
from ..resources import ID_BASE

_PREFIXED = re.compile(r"([A-Za-z][\w-]*):([^/].*)?\Z")
_RELATIVE = re.compile(r"[a-z][a-z0-9-]*/[^\s:]+\Z")


def parse_pairs(pairs: Sequence[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings as a map; a key given twice is a usage error."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--param needs KEY=VALUE, got {pair!r} / --param attend CLÉ=VALEUR")
        if key in params:
            raise UsageError(
                f"--param {key} given twice ({params[key]!r}, {value!r}): give it once / "
                f"--param {key} donné deux fois : le donner une seule fois"
            )
        params[key] = value
    return params


def expand_iri(value: str) -> str:
    """The absolute IRI ``value`` stands for: a prefixed name with a project prefix is
    expanded, a path like ``person/xavier-bertrand`` is resolved against the resources'
    base; anything else is returned as given (and checked by the caller)."""
    match = _PREFIXED.match(value)
    if match and match[1] in PREFIXES and not value.startswith(f"{match[1]}://"):
        return PREFIXES[match[1]] + (match[2] or "")
    if _RELATIVE.match(value):
        return ID_BASE + value
    return value
