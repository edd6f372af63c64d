"""What a validation has to look at: the nodes an entry can affect, and the triples around them.

pyshacl evaluates every target of every shape in the graph it is given, through rdflib, so
validating one new accord together with the France-wide graph means re-checking some
325,000 unchanged triples (about a minute). Yet the result for a focus node depends only on
the triples near it, and an entry can only change the result of nodes near its own triples.
This module finds both, from the persisted Oxigraph store (index lookups, no parsing):

- :func:`affected`: the focus nodes whose results the entry's *new* triples can change;
- :func:`neighbourhood`: the triples the shapes read when validating given focus nodes;
- :func:`retarget`: the shapes with their targets replaced by the given focus nodes that they
  target, so that pyshacl validates those and no other.

How near is near (checked by the tests that compare with whole-graph validation, on every
bad entry and on generated mutations): the shapes read a focus node's outgoing triples, its
incoming triples along the predicates of inverse paths and of the rules' ``?x p $this``
patterns, and from there at most two more steps forward (``sh:class`` reads a value's types,
``sh:node`` its properties, the rules ``mandate → office → organisation`` and
``accord → ceremony → date``); and the nodes that share a value with a focus node along a
predicate a rule joins two nodes on (``$this p ?v . ?other p ?v``: two units with one
code). Shapes with unbounded paths (``sh:zeroOrMorePath`` …) or
SPARQL targets would break that bound: :func:`bounded` says so, and callers then validate the
whole graph.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from functools import cache

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, SH, Graph, Literal, URIRef
from rdflib.paths import InvPath, Path
from rdflib.term import Node, Variable

from ..errors import OutputError
from ..files import write_atomic
from ..graph.convert import from_oxigraph_term, oxigraph_graph, rdflib_graph, to_oxigraph_term
from ..graph.territories import cache_dir

Triple = tuple[Node, Node, Node]

#: Steps forward from a focus node, and from a node that points at it, that the shapes read.
DEPTH = 3
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
UNBOUNDED = (SH.zeroOrMorePath, SH.oneOrMorePath, SH.target)


OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
#: How the rules' queries are read (:func:`_patterns`): part of the cache key, so that a
#: change of the reading never reuses what the previous one remembered.
READING = 2


def graph_terms(graphs: Sequence[str] | None) -> list[ox.NamedNode | ox.DefaultGraph]:
    """The Oxigraph graphs of a part of the dataset: the named graphs ``graphs`` (IRIs), or
    the default graph (the union of every layer) if None."""
    return [ox.DefaultGraph()] if graphs is None else [ox.NamedNode(g) for g in graphs]


class Neighbours:
    """Triples around a node, in a store's union graph (its default graph) — or in the union
    of some of its named graphs (``graphs``, IRIs) — and an entry.

    It works on Oxigraph's terms (native, cheap to hash) and caches lookups: the same node is
    reached from many focus nodes.
    """

    def __init__(
        self,
        engine: ox.Store,
        entry: Graph | None = None,
        removed: Iterable[Triple] = (),
        graphs: Sequence[str] | None = None,
    ) -> None:
        self._engine = engine
        self._graphs = graph_terms(graphs)
        self.entry = entry if entry is not None else Graph()
        self._entry = oxigraph_graph(self.entry)
        self.from_entry = {q.triple for q in self._entry}
        kept = entry if entry is not None else Graph()
        self._removed = {
            ox.Triple(*(to_oxigraph_term(t) for t in triple))
            for triple in removed
            if triple not in kept
        }
        self._out: dict[OxTerm, list[ox.Triple]] = {}

    def _find(self, s: OxTerm | None, p: OxTerm | None, o: OxTerm | None) -> list[ox.Triple]:
        found = [
            q.triple
            for graph in self._graphs
            for q in self._engine.quads_for_pattern(s, p, o, graph)
        ]
        if len(self._graphs) > 1:  # a triple stated in two graphs is one triple
            found = list(dict.fromkeys(found))
        found += [q.triple for q in self._entry.quads_for_pattern(s, p, o, ox.DefaultGraph())]
        return [t for t in found if t not in self._removed] if self._removed else found

    def stored(self, triple: Triple) -> bool:
        """Whether the store already holds ``triple`` (an entry restating it changes nothing)."""
        pattern = [to_oxigraph_term(t) for t in triple]
        for graph in self._graphs:
            found = next(iter(self._engine.quads_for_pattern(*pattern, graph)), None)
            if found is not None:
                return found.triple not in self._removed
        return False

    def out(self, node: OxTerm) -> list[ox.Triple]:
        """The triples whose subject is ``node``."""
        found = self._out.get(node)
        if found is None:
            found = [] if isinstance(node, ox.Literal) else self._find(node, None, None)
            self._out[node] = found
        return found

    def sharing(self, node: OxTerm, predicates: frozenset[URIRef]) -> set[OxTerm]:
        """The other nodes that have one of ``node``'s values along one of ``predicates``."""
        found: set[OxTerm] = set()
        for triple in self.out(node):
            if URIRef(triple.predicate.value) in predicates:
                found |= {t.subject for t in self._find(None, triple.predicate, triple.object)}
        return found - {node}

    def into(self, node: OxTerm, predicates: frozenset[URIRef] | None = None) -> list[ox.Triple]:
        """The triples whose object is ``node``, along ``predicates`` (every one if None)."""
        if predicates is None:
            return self._find(None, None, node)
        return [t for p in sorted(predicates) for t in self._find(None, ox.NamedNode(p), node)]


def _path_iris(shapes: Graph, path: Node) -> Iterator[URIRef]:
    """Every IRI in a SHACL property path (an IRI, or a structure of blank nodes and lists)."""
    if isinstance(path, URIRef):
        yield path
        return
    for _, value in shapes.predicate_objects(path):
        if value != RDF.nil:
            yield from _path_iris(shapes, value)


@cache  # rdflib's SPARQL parser takes tens of milliseconds a query
def _sparql_inverse(query: str) -> frozenset[URIRef] | None:
    """Predicates of the query's patterns that end at ``?this`` (None: a variable predicate)."""
    this = Variable("this")
    found: set[URIRef] = set()
    for subject, predicate, obj in _patterns(query):
        if obj != this and not (subject == this and not isinstance(predicate, URIRef)):
            continue
        if isinstance(predicate, Variable):
            return None
        if isinstance(predicate, URIRef):
            if obj == this:
                found.add(predicate)
        elif obj == this:  # a path ending at ?this: every IRI in it, to be safe
            found |= {t for t in _walk(predicate) if isinstance(t, URIRef)}
        else:  # a path from ?this: the IRIs it follows backwards
            found |= {
                t
                for inverse in _walk(predicate)
                if isinstance(inverse, InvPath)
                for t in _walk(inverse)
                if isinstance(t, URIRef)
            }
    return frozenset(found)


def _patterns(query: str) -> Iterator[tuple[Node, Node, Node]]:
    """Every triple pattern of the query: those of its basic graph patterns, and those of its
    ``FILTER (NOT) EXISTS`` blocks (which rdflib leaves as flat ``TriplesBlock`` lists)."""
    from rdflib.plugins.sparql import prepareQuery  # slow to import: only on a cache miss
    from rdflib.plugins.sparql.parserutils import CompValue

    for node in _walk(prepareQuery(query).algebra):
        if isinstance(node, CompValue) and node.name == "BGP":
            yield from node.triples
        elif isinstance(node, CompValue) and node.name == "TriplesBlock":
            for flat in node["triples"]:
                for i in range(0, len(flat) - 2, 3):
                    yield flat[i], flat[i + 1], flat[i + 2]


def _walk(node: object) -> Iterator[object]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _walk(value)
    else:  # rdflib's property paths: a sequence or alternative (args), inverse (arg), mul (path)
        for name in ("args", "arg", "path"):
            if isinstance(node, Path) and hasattr(node, name):
                yield from _walk(getattr(node, name))


def inverse_predicates(core: Graph, rule_queries: Iterable[str]) -> frozenset[URIRef] | None:
    """The predicates along which the shapes read a focus node's *incoming* triples: those of
    inverse paths and ``sh:targetObjectsOf``, and those the rules follow back to ``$this``.
    None means every predicate."""
    found: set[URIRef] = set()
    for path in core.objects(None, SH.inversePath):
        found |= set(_path_iris(core, path))
    found |= {p for p in core.objects(None, SH.targetObjectsOf) if isinstance(p, URIRef)}
    for query in rule_queries:
        more = _remembered_inverse(query)
        if more is None:
            return None
        found |= more
    return frozenset(found)


@cache
def _sparql_shared(query: str) -> frozenset[URIRef]:
    """Predicates the query joins ``?this`` and another node on (``?this p ?v . ?x p ?v``)."""
    this = Variable("this")
    triples = list(_patterns(query))
    values = {(p, o) for s, p, o in triples if s == this and isinstance(o, Variable)}
    return frozenset(
        p
        for s, p, o in triples
        if s != this and isinstance(s, Variable) and isinstance(p, URIRef) and (p, o) in values
    )


def shared_predicates(rule_queries: Iterable[str]) -> frozenset[URIRef]:
    """The predicates along which the rules join a focus node to another one by a value."""
    found: set[URIRef] = set()
    for query in rule_queries:
        found |= _remembered(query, "shared", _sparql_shared) or frozenset()
    return frozenset(found)


def _remembered_inverse(query: str) -> frozenset[URIRef] | None:
    return _remembered(query, "rules", _sparql_inverse)


def _remembered(
    query: str, kind: str, compute: Callable[[str], frozenset[URIRef] | None]
) -> frozenset[URIRef] | None:
    """``compute(query)``, remembered in the cache folder across runs: parsing the rules
    with rdflib takes half a second, most of what validating an entry costs."""
    key = hashlib.sha256(f"{READING}\n{query}".encode()).hexdigest()[:32]
    path = cache_dir() / kind / f"{key}.json"
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
        return None if known is None else frozenset(URIRef(p) for p in known)
    except (OSError, ValueError, TypeError):
        pass
    found = compute(query)
    with suppress(OutputError):  # a read-only cache only costs the parse next time
        write_atomic(path, json.dumps(None if found is None else sorted(found)))
    return found


def bounded(core: Graph) -> bool:
    """Whether the shapes read a bounded neighbourhood (see the module's docstring)."""
    return not any((None, p, None) in core for p in UNBOUNDED)


def affected(
    neighbours: Neighbours, new: Graph, shared: frozenset[URIRef] = frozenset()
) -> set[Node]:
    """The nodes whose results the ``new`` triples can change.

    Those of the new triples; the nodes next to their subjects (what points at them reads
    their types and properties; what they point at may read them back); two steps back
    from those subjects, for the rules that reach a node through another (a signature
    through its mandate's office, through its accord's ceremony); and the nodes that share a
    value with them along the ``shared`` predicates (:func:`shared_predicates`).
    """
    subjects = {to_oxigraph_term(s) for s in new.subjects()}
    found = set(subjects)
    for subject in subjects if shared else ():
        found |= neighbours.sharing(subject, shared)
    found |= {to_oxigraph_term(o) for o in new.objects() if not isinstance(o, Literal)}
    back: set[OxTerm] = set()
    for subject in subjects:
        found |= {t.object for t in neighbours.out(subject) if not isinstance(t.object, ox.Literal)}
        back |= {t.subject for t in neighbours.into(subject)}
    found |= back
    for node in back:
        found |= {t.subject for t in neighbours.into(node)}
        found |= {t.object for t in neighbours.out(node) if not isinstance(t.object, ox.Literal)}
    return {from_oxigraph_term(n) for n in found}


def neighbourhood(
    neighbours: Neighbours,
    focus: Iterable[Node],
    inverse: frozenset[URIRef] | None,
    depth: int = DEPTH,
    shared: frozenset[URIRef] = frozenset(),
) -> Graph:
    """The triples that validating ``focus`` reads: ``depth`` steps forward from each focus
    node, and ``depth - 1`` from each node pointing at it along ``inverse`` or sharing one of
    its values along ``shared``."""
    triples: set[ox.Triple] = set()
    reached: dict[OxTerm, int] = {}

    def forward(starts: Iterable[OxTerm], steps: int) -> None:
        todo = [(node, steps) for node in starts]
        while todo:
            node, left = todo.pop()
            if left <= reached.get(node, 0):
                continue
            reached[node] = left
            found = neighbours.out(node)
            triples.update(found)
            if left > 1:
                todo += (
                    (t.object, left - 1) for t in found if not isinstance(t.object, ox.Literal)
                )

    for node in focus:
        start = to_oxigraph_term(node)
        forward([start], depth)
        pointing = neighbours.into(start, inverse)
        triples.update(pointing)
        forward((t.subject for t in pointing), depth - 1)
        if shared:
            forward(neighbours.sharing(start, shared), depth - 1)
    # The entry's own triples as parsed: Oxigraph writes some literals in canonical form
    # (100.0 as 100), and a report must quote what the entry says.
    graph = rdflib_graph(t for t in triples if t not in neighbours.from_entry)
    graph += neighbours.entry
    return graph


def stored_targets(
    engine: ox.Store, shapes: Graph, graphs: Sequence[str] | None = None
) -> list[Node]:
    """Every node of the store's default graph (or of the union of ``graphs``) that a shape
    targets, sorted."""
    patterns = []
    for _, predicate, value in shapes.triples((None, None, None)):
        if predicate == SH.targetClass:
            patterns.append(f"{{ ?x a/rdfs:subClassOf* <{value}> }}")
        elif predicate == SH.targetSubjectsOf:
            patterns.append(f"{{ ?x <{value}> [] }}")
        elif predicate == SH.targetObjectsOf:
            patterns.append(f"{{ [] <{value}> ?x }}")
        elif predicate == SH.targetNode and not isinstance(value, Literal):
            patterns.append(f"{{ BIND(<{value}> AS ?x) ?x ?p ?o }}")
    if not patterns:
        return []
    query = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f"SELECT DISTINCT ?x WHERE {{ {' UNION '.join(sorted(set(patterns)))} }}"
    )
    found = {
        from_oxigraph_term(row["x"])
        for row in engine.query(query, default_graph=graph_terms(graphs))
    }
    return sorted(found, key=lambda n: (type(n).__name__, str(n)))


class _Targeting:
    """What makes a node a target of one shape."""

    def __init__(self, shapes: Graph, shape: Node) -> None:
        self.shape = shape
        self.classes = set(shapes.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
            self.classes.add(shape)  # an implicit class target
        self.nodes = set(shapes.objects(shape, SH.targetNode))
        self.subjects_of = set(shapes.objects(shape, SH.targetSubjectsOf))
        self.objects_of = set(shapes.objects(shape, SH.targetObjectsOf))

    def __bool__(self) -> bool:
        return bool(self.classes or self.nodes or self.subjects_of or self.objects_of)


def retarget(shapes: Graph, data: Graph, focus: set[Node]) -> Graph:
    """``shapes`` whose only targets are the nodes of ``focus`` each shape targets in ``data``
    (a class target takes the instances of its subclasses, as SHACL reads ``rdfs:subClassOf``
    in the data graph)."""
    out = Graph()
    for triple in shapes:
        if triple[1] not in TARGETS:
            out.add(triple)
    shaped = [t for t in (_Targeting(shapes, s) for s in set(shapes.subjects())) if t]
    superclasses: dict[Node, set[Node]] = {}
    for node in focus:
        classes: set[Node] = set()
        for cls in data.objects(node, RDF.type):
            if cls not in superclasses:
                superclasses[cls] = set(data.transitive_objects(cls, RDFS.subClassOf))
            classes |= superclasses[cls]
        outgoing = set(data.predicates(node, None))
        incoming = set(data.predicates(None, node))
        for t in shaped:
            if (
                node in t.nodes
                or t.classes & classes
                or t.subjects_of & outgoing
                or t.objects_of & incoming
            ):
                out.add((t.shape, SH.targetNode, node))
    return out
