"""The graph and its query engines, behind one small interface.

Everything that loads the dataset or runs SPARQL goes through :class:`Store`, so that the
engine can change without touching the command, the validator or the dumps. The dataset
keeps each layer in its own named graph (an rdflib ``Dataset``, for its API and serialisers);
queries see the union of the layers and run on Oxigraph by default — rdflib's own engine
takes seconds to minutes on the territorial layer where Oxigraph takes milliseconds — or on
rdflib's engine (``engine="rdflib"``), kept to cross-check the answers.

Parameters are bound as RDF terms by the engine: rdflib's ``initBindings``, Oxigraph's
``substitutions``. Oxigraph substitutes only projected variables, so the store adds the
parameter variables to the projection and removes them from the result; saved queries use
their parameters in triple patterns, where both engines give them the same meaning.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
from pyparsing import ParseException, ParseResults
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.term import Node, Variable

from . import territories as territorial
from .errors import AccordsError, InputError, UsageError
from .files import recover_if_needed
from .load import parse_into
from .resources import GRAPH_BASE, LAYERS, Layer, home
from .results import Result

ENGINES = ("oxigraph", "rdflib")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_oxigraph_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_oxigraph_term(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # RDF 1.1: a simple literal is an xsd:string
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def oxigraph_graph(graph: Graph) -> ox.Store:
    """An in-memory Oxigraph store holding the triples of one rdflib graph."""
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


_COMMENT = re.compile(r"(?m)(^|\s)#.*$")
_SELECT = re.compile(r"\bSELECT\s+((?:DISTINCT|REDUCED)\s+)?", re.IGNORECASE)


def _project(text: str, names: Iterable[str]) -> str:
    """``text`` with ``?name`` added to its top-level SELECT (the first one after the prologue)."""
    match = _SELECT.search(_COMMENT.sub(lambda m: m.group(1) + " " * (len(m.group(0)) - 1), text))
    if match is None or text[match.end() :].lstrip().startswith("*"):
        return text
    added = "".join(f"?{name} " for name in names)
    return text[: match.end()] + added + text[match.end() :]


class QueryError(InputError):
    """The engine could not evaluate the query (exit 2)."""


class QueryTimeout(AccordsError):
    """A query ran past its ``--timeout`` (exit 5)."""

    exit_code = 5


def _walk(node: object) -> Iterator[object]:
    """Every node of an rdflib SPARQL parse tree."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple | ParseResults):
        for value in node:
            yield from _walk(value)


def check_query(
    text: str, source: str = "query", allow_service: bool = False, allow_from: bool = True
) -> None:
    """Refuse what would make the engine reach out: ``SERVICE`` (and ``FROM`` if asked)."""
    try:
        tree = parseQuery(text)
    except ParseException as exc:
        raise InputError(f"SPARQL syntax error: {exc.msg}", source, exc.lineno) from None
    names = {getattr(node, "name", None) for node in _walk(tree)}
    if "ServiceGraphPattern" in names and not allow_service:
        raise UsageError(
            "the query calls another endpoint (SERVICE): refused; give --allow-service to "
            "allow it / requête fédérée (SERVICE) refusée sans --allow-service"
        )
    if "DatasetClause" in names and not allow_from:
        raise UsageError(
            "FROM / FROM NAMED would make rdflib's engine fetch documents: refused / "
            "FROM refusé avec le moteur rdflib"
        )


def _with_timeout(run: Callable[[], Result], seconds: float) -> Result:
    outcome: list[Result | BaseException] = []

    def target() -> None:
        try:
            outcome.append(run())
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(exc)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive() or not outcome:
        raise QueryTimeout(
            f"the query ran past its timeout of {seconds:g} s / délai dépassé ({seconds:g} s)"
        )
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


class Store:
    """The dataset: one named graph per layer, queried as their union."""

    def __init__(self, dataset: Dataset | None = None) -> None:
        self.dataset = dataset if dataset is not None else Dataset(default_union=True)
        self._oxigraph: ox.Store | None = None

    @classmethod
    def load(
        cls,
        root: Path | None = None,
        territories: str = "hauts-de-france",
        layers: Iterable[Layer] = LAYERS,
    ) -> Store:
        """Parse every file of ``layers`` and of the territorial layer of scope ``territories``
        (``hauts-de-france``: the committed layer; ``france``: built into the cache first if
        missing; ``none``: no territorial layer). Files come from :func:`resources.home`
        unless ``root`` is given."""
        recover_if_needed((root or home()) / "data")  # an interrupted `accords add`
        store = cls()
        for layer in layers:
            for path in layer.files(root or home()):
                store.add_file(path, layer.graph_iri)
        files = territorial.layer_files(territories, root)
        if territories == "france" and not all(p.is_file() for p in files):
            territorial.build("france", root=root, progress=True)
        for path in files:
            store.add_file(path, GRAPH_BASE + "territories")
        return store

    def add_file(self, path: Path, graph_iri: str) -> None:
        parse_into(self.dataset.graph(URIRef(graph_iri)), path)
        self._oxigraph = None

    def add_graph(self, graph: Graph, graph_iri: str) -> None:
        target = self.dataset.graph(URIRef(graph_iri))
        for triple in graph:
            target.add(triple)
        self._oxigraph = None

    def oxigraph(self) -> ox.Store:
        """The union of the layers in Oxigraph's default graph (built on first use, rebuilt
        after a change). One graph, not one per layer: a triple stated in two layers (a
        région's name, curated and official) must match once, as in an RDF merge."""
        if self._oxigraph is None:
            store = ox.Store()
            for graph in self.dataset.graphs():
                if len(graph):
                    store.load(
                        graph.serialize(format="nt", encoding="utf-8"),
                        format=ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.DefaultGraph(),
                    )
            self._oxigraph = store
        return self._oxigraph

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
        """The number of distinct triples in the union of the layers."""
        return len(self.oxigraph())

    def query(
        self,
        text: str,
        bindings: Mapping[str, Node] | None = None,
        source: str = "query",
        engine: str = "oxigraph",
        allow_service: bool = False,
        timeout: float | None = None,
    ) -> Result:
        """Run a SELECT or ASK query; ``bindings`` give parameters as RDF terms, never as text.

        ``source`` names the query in error messages (its file, for a saved query). A
        ``SERVICE`` clause (a call to another endpoint) is refused unless ``allow_service``;
        ``FROM`` is refused on rdflib's engine, which would fetch the named documents.
        ``timeout`` (seconds) bounds the run: past it, :class:`QueryTimeout` is raised (the
        engine's thread is left to finish in the background; the command exits).
        """
        bindings = dict(bindings or {})
        if engine not in ENGINES:
            raise UsageError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
        check_query(text, source, allow_service=allow_service, allow_from=engine == "oxigraph")
        run = self._query_rdflib if engine == "rdflib" else self._query_oxigraph
        if timeout is None:
            return run(text, bindings, source)
        return _with_timeout(lambda: run(text, bindings, source), timeout)

    def _query_oxigraph(self, text: str, bindings: dict[str, Node], source: str) -> Result:
        try:
            answer = self.oxigraph().query(
                _project(text, bindings),
                substitutions={ox.Variable(k): to_oxigraph_term(v) for k, v in bindings.items()},
            )
            if isinstance(answer, ox.QueryBoolean):
                return Result([], [], bool(answer))
            if not isinstance(answer, ox.QuerySolutions):
                raise UsageError(
                    "only SELECT and ASK queries can be run here, not CONSTRUCT or DESCRIBE; "
                    "use `accords dump` for graphs"
                )
            names = [v.value for v in answer.variables if v.value not in bindings]
            rows = [
                tuple(
                    None if solution[name] is None else from_oxigraph_term(solution[name])
                    for name in names
                )
                for solution in answer
            ]
        except SyntaxError as exc:
            line = re.search(r"line (\d+)", str(exc))
            raise InputError(
                f"SPARQL syntax error: {exc}", source, int(line.group(1)) if line else None
            ) from None
        except (OSError, RuntimeError, ValueError) as exc:  # evaluation errors, as a message
            raise QueryError(f"the query failed: {exc}", source) from None
        return Result(names, rows)

    def _query_rdflib(self, text: str, bindings: dict[str, Node], source: str) -> Result:
        init = {Variable(k): v for k, v in bindings.items()}
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
        names = [str(v) for v in answer.vars or [] if str(v) not in bindings]
        rows = [tuple(row[name] for name in names) for row in answer]
        return Result(names, rows)
