"""Publish the dataset to a SPARQL server: every layer in its named graph, switched in one
SPARQL Update so that a failure half-way leaves the previous version.

1. Each layer is uploaded with the SPARQL 1.1 Graph Store Protocol (``PUT``) to a *staging*
   graph (``<graph>-staging``); in ``copy`` mode, the union of the layers too.
2. The staging graphs' triple counts are checked against the local ones.
3. One SPARQL Update ``COPY``s every staging graph onto its live graph (the union's onto the
   default graph in ``copy`` mode) and drops the live graphs of layers no longer published
   (``--territories none`` after a France-wide publish). ``COPY`` and ``DROP SILENT`` are
   idempotent: a switch whose answer was lost is sent again and gives the same graphs (a
   ``MOVE`` sent twice would move empty staging graphs over the live ones).
4. The live graphs' counts are checked, then the staging graphs dropped — also when any step
   fails, so that they do not linger (on a server whose default graph is the union of its
   named graphs, readers see them while a publish runs).

The default graph (``default_graph``): ``copy`` writes the union of the layers there (a
server whose default graph is a graph of its own: Oxigraph, Fuseki by default); ``union``
leaves it alone (a server that shows the union of its named graphs there: Virtuoso, Oxigraph
``--union-default-graph``, Fuseki's ``unionDefaultGraph``), so that no triple is there
twice; ``none`` empties it; ``auto`` asks the server which it is (a probe graph, visible in
the default graph or not). Every triple is thus in each layer that states it and nowhere
else; the saved queries give facts as ``DISTINCT`` rows, right under either layout.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from ..errors import AccordsError
from ..graph.store import Store
from ..resources import GRAPH_BASE
from ..sparql import endpoint, graphstore, terms
from ..sparql.endpoint import EndpointError, query


@dataclass(frozen=True)
class Endpoints:
    """The three URLs of a server (Oxigraph's layout by default: /store, /query, /update)."""

    store: str
    query: str
    update: str

    @classmethod
    def from_store(cls, store: str, update: str | None = None, query: str | None = None):
        base = store.removesuffix("/store")
        return cls(store, query or base + "/query", update or base + "/update")


def staging(graph_iri: str) -> str:
    return graph_iri + "-staging"


def union_graph(graph_base: str) -> str:
    """The name of the union's staging graph (``copy`` mode): it is never live."""
    return graph_base + "union"


def graphs(store: Store, graph_base: str = GRAPH_BASE) -> dict[str, bytes]:
    """Live graph IRI → its content as N-Triples (one triple a line), one per layer; written
    by Oxigraph from the store, terms as they are stored."""
    return {
        graph_base + name: store.oxigraph().dump(
            format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(GRAPH_BASE + name)
        )
        for name in store.layer_names()
    }


def union(store: Store) -> bytes:
    """The union of the layers (the store's default graph) as N-Triples."""
    return store.oxigraph().dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())


def triples(data: bytes) -> int:
    return data.count(b"\n")


def _graph_url(endpoints: Endpoints, iri: str) -> str:
    return f"{endpoints.store}?graph={quote(iri, safe='')}"


def put(endpoints: Endpoints, iri: str, data: bytes) -> None:
    """Replace the named graph ``iri`` by ``data``, N-Triples (Graph Store Protocol ``PUT``)."""
    graphstore.put(_graph_url(endpoints, iri), data, "application/n-triples", timeout=300)


def update(endpoints: Endpoints, text: str) -> None:
    """Run a SPARQL Update made of idempotent operations (it may be sent twice)."""
    endpoint.update(endpoints.update, text, timeout=300)


def upload(endpoints: Endpoints, iri: str, data: bytes) -> None:
    """PUT ``data`` (N-Triples) into the staging graph of ``iri``."""
    put(endpoints, staging(iri), data)


def count(endpoints: Endpoints, iri: str) -> int:
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {terms.iri(iri)} {{ ?s ?p ?o }} }}"
    return int(query(endpoints.query, text).rows[0][0])


def published(endpoints: Endpoints, graph_base: str) -> set[str]:
    """The live graphs under ``graph_base`` the server holds (staging ones left out)."""
    text = (
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER (STRSTARTS(STR(?g), {terms.string(graph_base)})) }}"
    )
    found = {str(row[0]) for row in query(endpoints.query, text).rows}
    return {g for g in found if not g.endswith("-staging") and g != union_graph(graph_base)}


def detect(endpoints: Endpoints, graph_base: str) -> str:
    """``union`` if a triple put in a named graph shows in the server's default graph, else
    ``copy``."""
    probe = f"{graph_base}probe-{uuid.uuid4()}"
    put(endpoints, probe, f"<{probe}> <{probe}> <{probe}> .\n".encode())
    try:
        answer = query(endpoints.query, f"ASK {{ {terms.iri(probe)} ?p ?o }}")
    finally:
        update(endpoints, f"DROP SILENT GRAPH {terms.iri(probe)}")
    return "union" if answer.boolean else "copy"


def switch_update(live: list[str], stale: list[str], default_graph: str, graph_base: str) -> str:
    """The one SPARQL Update that puts every staged graph live: idempotent, since it may be
    sent twice."""
    operations = [f"COPY GRAPH {terms.iri(staging(iri))} TO GRAPH {terms.iri(iri)}" for iri in live]
    operations += [f"DROP SILENT GRAPH {terms.iri(iri)}" for iri in stale]
    if default_graph == "copy":
        operations.append(f"COPY GRAPH {terms.iri(staging(union_graph(graph_base)))} TO DEFAULT")
    elif default_graph == "none":
        operations.append("CLEAR SILENT DEFAULT")
    return " ;\n".join(operations)


def _check(endpoints: Endpoints, expected: dict[str, int], what: str) -> None:
    for iri, n in expected.items():
        found = count(endpoints, iri)
        if found != n:
            raise EndpointError(
                f"{what} {iri} holds {found} triples, expected {n} / "
                f"le graphe {iri} contient {found} triplets au lieu de {n}"
            )


def publish(
    store: Store,
    endpoints: Endpoints,
    graph_base: str = GRAPH_BASE,
    default_graph: str = "auto",
    log=lambda message: None,
) -> dict[str, int]:
    """Upload, check and switch; returns the triple count of each live graph (``""``: the
    default graph, in ``copy`` mode)."""
    content = graphs(store, graph_base)
    if default_graph == "auto":
        default_graph = detect(endpoints, graph_base)
        log(f"default graph / graphe par défaut : {default_graph}")
    staged = dict(content)
    if default_graph == "copy":
        staged[union_graph(graph_base)] = union(store)
    drops = " ;\n".join(f"DROP SILENT GRAPH {terms.iri(staging(i))}" for i in staged)
    try:
        for iri, data in staged.items():
            log(f"uploading / envoi : {iri} ({triples(data)} triples)")
            upload(endpoints, iri, data)
        _check(endpoints, {staging(i): triples(d) for i, d in staged.items()}, "staging graph")
        stale = sorted(published(endpoints, graph_base) - set(content))
        update(endpoints, switch_update(sorted(content), stale, default_graph, graph_base))
        _check(endpoints, {i: triples(d) for i, d in content.items()}, "live graph")
        log("switched / basculé")
    except BaseException:
        with contextlib.suppress(AccordsError):  # the first failure is the one to report
            update(endpoints, drops)
        raise
    update(endpoints, drops)
    counts = {iri: triples(data) for iri, data in content.items()}
    if default_graph == "copy":
        counts[""] = triples(staged[union_graph(graph_base)])
    return counts
