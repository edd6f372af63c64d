"""Publish the dataset to a SPARQL server: every layer in its named graph, the default graph
their union, switched in one SPARQL Update so that a failure half-way changes nothing.

1. Each layer, and the union, is uploaded with the SPARQL 1.1 Graph Store HTTP Protocol
   (``PUT``) to a *staging* graph (``<graph>-staging``).
2. The staging graphs' triple counts are checked against the local ones (SPARQL query).
3. One SPARQL Update ``MOVE``s every staging graph onto its live graph, and the union's onto
   the default graph: the server applies it as one transaction. Until then, the live graphs
   keep the previous version; a publish killed before the switch leaves only staging graphs,
   which the next publish overwrites.

Publishing the same data twice gives the same graphs (idempotent). Credentials: see
:func:`accords_kg.sparql.endpoint.auth_headers`.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote

from rdflib import Graph

from ..graph.store import Store
from ..resources import GRAPH_BASE
from ..sparql.endpoint import BACKOFF, RETRIES, EndpointError, auth_headers, query


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


def _request(method: str, url: str, body: bytes, content_type: str) -> None:
    delay = BACKOFF
    for attempt in range(RETRIES + 1):
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("Content-Type", content_type)
        for name, value in auth_headers().items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                response.read()
            return
        except urllib.error.HTTPError as exc:
            if exc.code < 500 or attempt == RETRIES:
                raise EndpointError(f"{method} {url.split('?')[0]}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            if attempt == RETRIES:
                raise EndpointError(
                    f"{method} {url.split('?')[0]}: {getattr(exc, 'reason', exc)} / "
                    "serveur injoignable"
                ) from None
        time.sleep(delay)
        delay *= 2


def staging(graph_iri: str) -> str:
    return graph_iri + "-staging"


def graphs(store: Store, graph_base: str = GRAPH_BASE) -> dict[str, Graph]:
    """Live graph IRI → its content: one per layer, and ``""`` for the union (default graph)."""
    out = {graph_base + name: store.layer(name) for name in store.layer_names()}
    out[""] = store.union()
    return out


def upload(endpoints: Endpoints, iri: str, graph: Graph) -> None:
    """PUT ``graph`` into the staging graph of ``iri`` (``""``: the union's staging graph)."""
    target = staging(iri or GRAPH_BASE + "union")
    body = graph.serialize(format="nt", encoding="utf-8")
    url = f"{endpoints.store}?graph={quote(target, safe='')}"
    _request("PUT", url, body, "application/n-triples")


def count(endpoints: Endpoints, iri: str) -> int:
    result = query(
        endpoints.query, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
    )
    return int(result.rows[0][0])


def switch_update(live: list[str]) -> str:
    """The one SPARQL Update that moves every staging graph onto its live graph."""
    operations = []
    for iri in live:
        source = f"GRAPH <{staging(iri or GRAPH_BASE + 'union')}>"
        target = f"GRAPH <{iri}>" if iri else "DEFAULT"
        operations.append(f"MOVE SILENT {source} TO {target}")
    return " ;\n".join(operations)


def publish(
    store: Store,
    endpoints: Endpoints,
    graph_base: str = GRAPH_BASE,
    log=lambda message: None,
) -> dict[str, int]:
    """Upload, check and switch; returns the triple count of each live graph."""
    content = graphs(store, graph_base)
    for iri, graph in content.items():
        log(f"uploading / envoi : {iri or 'default graph'} ({len(graph)} triples)")
        upload(endpoints, iri, graph)
    for iri, graph in content.items():
        found = count(endpoints, staging(iri or GRAPH_BASE + "union"))
        if found != len(graph):
            raise EndpointError(
                f"staging graph of {iri or 'the default graph'} holds {found} triples, "
                f"expected {len(graph)}: nothing switched / rien n'a été basculé"
            )
    _request(
        "POST",
        endpoints.update,
        switch_update(sorted(content)).encode("utf-8"),
        "application/sparql-update",
    )
    log("switched / basculé")
    return {iri: len(graph) for iri, graph in content.items()}
