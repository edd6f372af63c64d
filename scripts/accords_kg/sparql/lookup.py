"""Finding what a person means, and saying why an answer is empty.

A saved query matches exact terms; people type names as they say them. Before ``person``
runs, its ``name`` is matched against the graph's ``foaf:name`` values folded (no case, no
accents: ``xavier bertrand``); before ``territory`` runs, a ``code`` that is not a code is
taken as a unit's name (``Douai``, ``bethune``) and replaced by that unit's official code.
Both read the graph through ``run``, so they work on the embedded store and on an endpoint
alike, and the query itself — the same on every engine — is left as it is.

When a query answers nothing, :func:`explain_empty` says why where it can tell: a unit code
none of the loaded territorial layers has, an IRI nothing in the graph mentions.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rdflib import URIRef
from rdflib.term import Node

from ..suggest import fold, nearest
from .results import Result

#: Runs a query with bindings, on whatever holds the graph.
Run = Callable[[str, dict[str, Node]], Result]

_CODE = re.compile(r"[0-9][0-9AaBb][0-9]{0,7}\Z")  # région, département, commune, SIREN

_PERSON_NAMES = """
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT DISTINCT ?name WHERE { ?person foaf:name ?name }
"""

_UNIT_NAMES = """
PREFIX acc: <https://w3id.org/accords-kg/ontology#>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?code ?name ?kind WHERE {
  VALUES ?kind { acc:Region acc:Departement acc:EPCI acc:Commune }
  ?unit a ?kind ; skos:prefLabel ?name .
  { ?unit igeo:codeINSEE ?code } UNION { ?unit a acc:EPCI ; acc:siren ?code }
}
"""

_MENTIONED = "ASK { { ?iri ?p ?o } UNION { ?s ?iri ?o } UNION { ?s ?p ?iri } }"

FRANCE_HINT = (
    "--territories france loads every commune and EPCI of France / "
    "--territories france charge toutes les communes et EPCI de France"
)


def _kind(term: Node) -> str:
    return str(term).rsplit("#", 1)[-1].lower()


def resolve(
    query: str, params: dict[str, str], run: Run, scope: str | None
) -> tuple[dict[str, str], list[str]]:
    """``params`` with a person's or a unit's name made exact; notes to show when the name
    matches nothing. Several units of one name: a usage error listing their codes."""
    from ..errors import UsageError

    if query == "person" and params.get("name"):
        names = [str(row[0]) for row in run(_PERSON_NAMES, {}).rows]
        exact = [n for n in names if fold(n) == fold(params["name"])]
        if exact:
            return {**params, "name": exact[0]}, []
        close = ", ".join(nearest(params["name"], names)) or "—"
        return params, [
            f"no person named {params['name']!r} in the graph; nearest: {close} / "
            f"personne de ce nom dans le graphe ; les plus proches : {close}"
        ]
    value = params.get("code", "")
    if query != "territory" or not value or _CODE.match(value.strip()):
        return params, []
    units = {(str(c), str(n), _kind(k)) for c, n, k in run(_UNIT_NAMES, {}).rows}
    found = sorted({(c, k) for c, n, k in units if fold(n) == fold(value)})
    if len(found) == 1:
        return {**params, "code": found[0][0]}, []
    if found:
        listing = ", ".join(f"{kind} {code}" for code, kind in found[:10])
        raise UsageError(
            f"several units are named {value!r}: {listing}; give --param code=… / "
            f"plusieurs unités portent ce nom : donner le code"
        )
    close = ", ".join(
        f"{name} ({kind} {code})"
        for name in nearest(value, {n for _, n, _ in units})
        for code, n, kind in sorted(units)
        if n == name
    )
    notes = [
        f"no unit named {value!r} in the loaded territorial layers; nearest: {close or '—'} / "
        f"aucune unité de ce nom dans les couches chargées"
    ]
    return params, notes + ([FRANCE_HINT] if scope not in (None, "france") else [])


def explain_empty(query: str, bindings: dict[str, Node], run: Run, scope: str | None) -> list[str]:
    """Why a query answered nothing, where the graph can tell: a unit code or an IRI it
    does not hold."""
    if query == "territory":
        code = bindings.get("_code", bindings.get("__code"))
        if code is None:
            return []
        notes = [
            f"no territorial unit has code {code!s} in the loaded layers / "
            f"aucune unité de code {code!s} dans les couches chargées"
        ]
        return notes + ([FRANCE_HINT] if scope not in (None, "france") else [])
    notes = []
    for term in bindings.values():
        if isinstance(term, URIRef) and not run(_MENTIONED, {"iri": term}).boolean:
            notes.append(f"nothing in the graph mentions <{term}> / rien dans le graphe ne cite")
    return notes
