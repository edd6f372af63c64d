"""The graph and its query engine, behind one small interface.

Everything that loads the dataset or runs SPARQL goes through :class:`Store`, so that the
engine (rdflib's today) can change without touching the command, the validator or the
dumps. The dataset keeps each layer in its own named graph; queries see their union.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from pyparsing import ParseException
from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node, Variable

from .errors import InputError, UsageError
from .load import parse_into
from .resources import GRAPH_BASE, LAYERS, Layer, home
from .results import Result


class Store:
    """The dataset: one named graph per layer, queried as their union."""

    def __init__(self, dataset: Dataset | None = None) -> None:
        self.dataset = dataset if dataset is not None else Dataset(default_union=True)

    @classmethod
    def load(cls, root: Path | None = None, layers: Iterable[Layer] = LAYERS) -> Store:
        """Parse every file of ``layers`` (from :func:`resources.home` unless ``root`` is given)."""
        store = cls()
        for layer in layers:
            for path in layer.files(root or home()):
                store.add_file(path, layer.graph_iri)
        return store

    def add_file(self, path: Path, graph_iri: str) -> None:
        parse_into(self.dataset.graph(URIRef(graph_iri)), path)

    def add_graph(self, graph: Graph, graph_iri: str) -> None:
        target = self.dataset.graph(URIRef(graph_iri))
        for triple in graph:
            target.add(triple)

    def layer_names(self) -> list[str]:
        """Names of the non-empty named graphs, sorted."""
        names = []
        for graph in self.dataset.graphs():
            iri = str(graph.identifier)
            if iri.startswith(GRAPH_BASE) and len(graph):
                names.append(iri[len(GRAPH_BASE) :])
        return sorted(names)

    def layer(self, name: str) -> Graph:
        return self.dataset.graph(URIRef(GRAPH_BASE + name))

    def union(self) -> Graph:
        """A plain graph with every triple of every layer (a copy: safe to merge into)."""
        merged = Graph()
        for prefix, namespace in self.dataset.namespaces():
            merged.bind(prefix, namespace, override=False)
        for s, p, o, _ in self.dataset.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged

    def __len__(self) -> int:
        return sum(1 for _ in self.dataset.quads((None, None, None, None)))

    def query(
        self, text: str, bindings: Mapping[str, Node] | None = None, source: str = "query"
    ) -> Result:
        """Run a SELECT or ASK query; ``bindings`` give parameters as RDF terms, never as text.

        ``source`` names the query in error messages (its file, for a saved query).
        """
        init = {Variable(k): v for k, v in (bindings or {}).items()}
        try:
            answer = self.dataset.query(text, initBindings=init)
        except ParseException as exc:
            raise InputError(f"SPARQL syntax error: {exc.msg}", source, exc.lineno) from None
        if answer.type == "ASK":
            return Result([], [], bool(answer.askAnswer))
        if answer.type != "SELECT":
            raise UsageError(
                f"only SELECT and ASK queries can be run here, not {answer.type}; "
                "use `accords dump` for graphs"
            )
        variables = [str(v) for v in answer.vars or []]
        rows = [tuple(row) for row in answer]
        return Result(variables, rows)
