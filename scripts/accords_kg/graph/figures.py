"""What each région and département covers, computed from a release's communes.

The coverage queries (``accord-coverage``, ``intercommunalities-concerned``) used to walk
every commune of the territories an accord concerns — about 12,600 for three régions, one
index lookup each for its population or its EPCI — and grew with every accord. The
territorial layer now states, for each région and département whose communes it holds:

- ``acc:communeCount``: how many communes lie in it;
- ``acc:communesPopulation``: the sum of their municipal populations (those the release
  gives; a commune without one adds nothing, as the queries always counted it);

and, for each EPCI, ``acc:hasMemberIn`` each such région and département where one of its
member communes lies. They are derived, never read from a file: the layer's generator
writes them from the same communes it writes, and whole-graph validation recomputes them
from the graph (:func:`accords_kg.validation.checks.layer_figures`).

Plain functions over the release's records (dicts), so that the generator and the tests
share them without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterable

#: A unit's key (``region/32``, ``departement/62``) → (communes, population).
Figures = dict[str, tuple[int, int]]


def _areas(commune: dict) -> tuple[str, str]:
    return f"region/{commune['region']}", f"departement/{commune['departement']}"


def unit_figures(communes: Iterable[dict], regions: set[str] | None = None) -> Figures:
    """The number of communes and their summed municipal population for each région in
    ``regions`` (every région if None) and each of its départements."""
    out: Figures = {}
    for commune in communes:
        if regions is not None and commune.get("region") not in regions:
            continue
        population = commune.get("population")
        added = population if isinstance(population, int) else 0
        for key in _areas(commune):
            count, total = out.get(key, (0, 0))
            out[key] = (count + 1, total + added)
    return out


def epci_reach(
    epci: Iterable[dict], communes: Iterable[dict], regions: set[str] | None = None
) -> dict[str, list[str]]:
    """For each EPCI (by SIREN), the régions in ``regions`` (all if None) and their
    départements where at least one of its member communes lies, sorted. Members that are
    not among ``communes`` (the communes the layer writes) are not counted."""
    where = {c["code"]: c for c in communes}
    out: dict[str, list[str]] = {}
    for unit in epci:
        keys: set[str] = set()
        for member in unit["membres"]:
            commune = where.get(member["code"])
            if commune and (regions is None or commune.get("region") in regions):
                keys.update(_areas(commune))
        if keys:
            out[unit["code"]] = sorted(keys)
    return out
