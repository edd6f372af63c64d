"""Which focus nodes pyshacl has to look at on a stored graph: the targets each node shape
*may* find fault with, read from Oxigraph's indexes one predicate at a time.

pyshacl takes about a millisecond and a half per focus node, and the France-wide graph has
some 46,000 of them (communes, EPCI… in three vintages), nearly all without a finding. A
screen is a sound over-approximation of one node shape: it keeps every target for which
pyshacl would report a result of that shape, and possibly more where reading a value as
pyshacl does would take more (a literal of unusual lexical form is kept, pyshacl decides).
pyshacl, unchanged, then validates the kept nodes, and every target of the shapes without a
screen, with every shape: the findings are pyshacl's own, the same records as when it
validated every node. ``tests/test_screens.py`` checks, on every bad entry and on generated
mutations, that each node pyshacl finds fault with is kept.

A shape gets a screen only if every parameter it uses is one this module reads (see
:func:`_value_test` and :func:`_property_screen`); any other (``sh:or``, ``sh:not``, a date,
a sequence path…) leaves it to pyshacl on all its targets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, SH, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ..graph.convert import from_oxigraph_term
from .focus import graph_terms

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


class Unsupported(Exception):
    """A shape uses a parameter the screens do not read: pyshacl checks all its targets."""


#: Parameters that do not change which nodes a shape finds fault with.
_INERT = {SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group}
_TARGETS = {SH.targetClass, SH.targetSubjectsOf}
#: Lexical forms taken as well-typed; a value of any other is kept (pyshacl decides).
_WELL_TYPED = {XSD.integer: re.compile("[+-]?[0-9]+"), XSD.gYear: re.compile("[1-9][0-9]{3}")}


class Index:
    """A snapshot's triples, one predicate at a time, as Python sets (read once each)."""

    def __init__(self, engine: ox.Store, graphs: Sequence[str] | None = None) -> None:
        self._engine, self._graphs = engine, graph_terms(graphs)
        self._forward: dict[str, dict[OxTerm, set[OxTerm]]] = {}
        self._backward: dict[str, dict[OxTerm, set[OxTerm]]] = {}
        self._instances: dict[str, set[OxTerm]] = {}
        #: Results of value tests that many targets share (a département, a région…).
        self.memo: dict[object, dict[OxTerm, bool]] = {}

    def values(self, predicate: str, inverse: bool = False) -> dict[OxTerm, set[OxTerm]]:
        """Each node's values along ``predicate`` (or what points at it, if ``inverse``)."""
        known = self._backward if inverse else self._forward
        if predicate not in known:
            found: dict[OxTerm, set[OxTerm]] = {}
            iri = str(ox.NamedNode(predicate))  # checked and written by Oxigraph: <…>
            query = f"SELECT ?s ?o WHERE {{ ?s {iri} ?o }}"
            for row in self._engine.query(query, default_graph=self._graphs):
                start, end = (row[1], row[0]) if inverse else (row[0], row[1])
                if start in found:
                    found[start].add(end)
                else:
                    found[start] = {end}
            known[predicate] = found
        return known[predicate]

    def instances(self, cls: str) -> set[OxTerm]:
        """The nodes typed ``cls`` or one of its subclasses (rdfs:subClassOf in the data)."""
        if cls not in self._instances:
            below = self.values(str(RDFS.subClassOf), inverse=True)
            classes, todo = {ox.NamedNode(cls)}, [ox.NamedNode(cls)]
            while todo:
                for sub in below.get(todo.pop(), ()):
                    if sub not in classes:
                        classes.add(sub)
                        todo.append(sub)
            typed = self.values(str(RDF.type), inverse=True)
            self._instances[cls] = set().union(*(typed.get(c, set()) for c in classes))
        return self._instances[cls]


#: A test of one value node: true only if it surely meets the constraint.
ValueTest = Callable[[Index, OxTerm], bool]
#: A screen of one constraint: the targets it may find fault with.
NodeTest = Callable[[Index, set[OxTerm]], set[OxTerm]]


def _ox(node: Node) -> OxTerm:
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, Literal) and node.datatype in (None, XSD.string) and not node.language:
        return ox.Literal(str(node))
    raise Unsupported(f"a value the screens do not read: {node!r}")


def _literal(datatype: URIRef) -> ValueTest:
    if datatype == RDF.langString:
        return lambda _, v: isinstance(v, ox.Literal) and v.language is not None
    if datatype == XSD.string:
        return lambda _, v: (
            isinstance(v, ox.Literal) and v.language is None and v.datatype.value == _PLAIN[0]
        )
    iri, lexical = str(datatype), _WELL_TYPED.get(datatype)
    return lambda _, v: (
        isinstance(v, ox.Literal)
        and v.datatype.value == iri
        and (
            (lexical is not None and lexical.fullmatch(v.value) is not None) or _typed(v, datatype)
        )
    )


#: The Python type of a well-typed value, as pyshacl asserts it (other datatypes: any).
_PYTHON_TYPES = {XSD.integer: int, XSD.boolean: bool, XSD.date: date, XSD.decimal: Decimal}


def _typed(v: ox.Literal, datatype: URIRef) -> bool:
    """pyshacl's reading of a typed literal: rdflib's, not ill-typed, of the right type."""
    literal = from_oxigraph_term(v)
    if not isinstance(literal, Literal) or literal.datatype != datatype or literal.ill_typed:
        return False
    kind = _PYTHON_TYPES.get(datatype)
    return kind is None or isinstance(literal.value, kind)


def _value_test(shapes: Graph, parameter: Node, value: Node) -> ValueTest:
    """The test of a value-node parameter (kinds, classes, datatypes, strings, ranges…)."""
    kinds = {SH.IRI: ox.NamedNode, SH.Literal: ox.Literal, SH.BlankNode: ox.BlankNode}
    if parameter == SH.nodeKind and value in kinds:
        return lambda _, v: isinstance(v, kinds[value])
    if parameter == SH.nodeKind and value == SH.BlankNodeOrIRI:
        return lambda _, v: not isinstance(v, ox.Literal)
    if parameter == SH["class"] and isinstance(value, URIRef):
        cls = str(value)
        return lambda index, v: v in index.instances(cls)
    if parameter == SH.datatype and isinstance(value, URIRef):
        return _literal(value)
    if parameter == SH.pattern and isinstance(value, Literal):
        pattern = re.compile(str(value))  # pyshacl's engine: Python's re, no sh:flags here
        return lambda _, v: _text(v) is not None and bool(pattern.search(_text(v)))
    if parameter == SH.minLength and isinstance(value, Literal) and isinstance(value.value, int):
        return lambda _, v: _text(v) is not None and len(_text(v)) >= value.value
    if (
        parameter == SH.minInclusive
        and isinstance(value, Literal)
        and value.datatype == XSD.integer
    ):
        integer = _literal(XSD.integer)
        return lambda index, v: integer(index, v) and int(v.value) >= int(value)
    if parameter == SH.node and isinstance(value, URIRef):
        return _conforms(shapes, value)
    if parameter == SH.languageIn:
        return _languages(shapes, value)
    if parameter == SH["or"]:
        members = [_conforms(shapes, m) for m in Collection(shapes, value)]
        return _memoised(lambda index, v: any(member(index, v) for member in members))
    raise Unsupported(f"{parameter} {value}")


def _memoised(test: ValueTest) -> ValueTest:
    """``test``, computed once a value and index: the values of an ``sh:or`` or a qualified
    shape are a few dozen départements and régions, shared by every commune."""
    key = object()

    def run(index: Index, v: OxTerm) -> bool:
        known = index.memo.setdefault(key, {})
        if v not in known:
            known[v] = test(index, v)
        return known[v]

    return run


#: Parameters whose test says exactly what pyshacl says (the others may keep more).
_EXACT = {SH.nodeKind, SH["class"], SH.languageIn}


def _node_test(shapes: Graph, shape: Node) -> tuple[ValueTest, bool]:
    """A shape of value tests alone (an ``sh:or`` member, a qualified value shape): the test
    that the value surely conforms, and whether it is exact."""
    tests, exact = [], True
    for parameter, value in shapes.predicate_objects(shape):
        if parameter in _INERT or (parameter, value) == (RDF.type, SH.NodeShape):
            continue
        if parameter in (SH.path, SH.property):
            raise Unsupported("a shape of properties where values are tested")
        tests.append(_value_test(shapes, parameter, value))
        exact = exact and parameter in _EXACT
    return _memoised(lambda index, v: all(test(index, v) for test in tests)), exact


_PLAIN = (str(XSD.string), str(RDF.langString))


def _text(v: OxTerm) -> str | None:
    """The text pyshacl matches, where it is surely the stored one: an IRI's, a string's (a
    number or a date rdflib may write in another lexical form); None otherwise."""
    if isinstance(v, ox.NamedNode):
        return v.value
    return v.value if isinstance(v, ox.Literal) and v.datatype.value in _PLAIN else None


def _conforms(shapes: Graph, shape: Node) -> ValueTest:
    """A value surely conforms to a shape (named by ``sh:node``, or a member of ``sh:or``) if
    none of its screens keeps it: they keep every node that fails."""
    if (shape, SH.path, None) in shapes:
        tests = _property_screen(shapes, shape)
    else:
        tests = _shape_tests(shapes, shape)
    return _memoised(lambda index, v: not any(test(index, {v}) for test in tests))


def _path(shapes: Graph, path: Node) -> tuple[str, bool]:
    """An IRI, or the inverse of one (``True``); anything longer is left to pyshacl."""
    if isinstance(path, URIRef):
        return str(path), False
    inverse = shapes.value(path, SH.inversePath)
    if isinstance(inverse, URIRef) and set(shapes.predicates(path)) == {SH.inversePath}:
        return str(inverse), True
    raise Unsupported("a property path longer than an IRI or its inverse")


def _languages(shapes: Graph, listed: Node) -> ValueTest:
    """``sh:languageIn (…)`` as pyshacl reads it: the tag, or its first part, listed."""
    tags = {str(t).lower() for t in Collection(shapes, listed)}
    if not tags or "*" in tags:
        raise Unsupported("sh:languageIn without languages, or with *")
    return lambda _, v: (
        isinstance(v, ox.Literal)
        and bool(v.language)
        and (v.language.lower() in tags or v.language.split("-")[0].lower() in tags)
    )


def _property_screen(shapes: Graph, holder: Node) -> list[NodeTest]:
    """The screens of a property shape's constraints."""
    predicate, inverse = _path(shapes, shapes.value(holder, SH.path))
    counted = (SH.qualifiedMinCount, SH.qualifiedMaxCount)
    found: list[NodeTest] = []

    def values(index: Index) -> dict[OxTerm, set[OxTerm]]:
        return index.values(predicate, inverse)

    def keep(test: Callable[[Index, set[OxTerm]], bool]) -> NodeTest:
        def kept(index: Index, targets: set[OxTerm]) -> set[OxTerm]:
            values = index.values(predicate, inverse)
            if len(targets) < len(values):  # a few nodes (sh:node, sh:or): look them up
                return {t for t in targets if test(index, values.get(t, set()))}
            found = {t for t, vs in values.items() if t in targets and test(index, vs)}
            return found | (targets - values.keys() if test(index, set()) else set())

        return kept

    for parameter, value in shapes.predicate_objects(holder):
        if parameter in _INERT or parameter in (SH.path, *counted):
            continue
        if parameter in (SH.minCount, SH.maxCount) and not (
            isinstance(value, Literal) and isinstance(value.value, int)
        ):
            raise Unsupported(f"{parameter} {value}")
        if parameter == SH.minCount:
            # rdflib may read two stored literals as one value ("1.0" and "1.00" as
            # decimals): count the values as it reads them
            found.append(keep(lambda _, vs, n=value.value: len(vs) < n or _distinct(vs) < n))
        elif parameter == SH.maxCount:
            found.append(keep(lambda _, vs, n=value.value: len(vs) > n))
        elif parameter == SH.uniqueLang and value == Literal(True):
            found.append(keep(lambda _, vs: _repeated_language(vs)))
        elif parameter == SH.hasValue:
            wanted = _ox(value)
            found.append(keep(lambda _, vs, wanted=wanted: wanted not in vs))
        elif parameter == SH.qualifiedValueShape:
            found += _qualified(shapes, holder, value, keep)
        elif parameter == SH.equals and isinstance(value, URIRef) and not inverse:
            found.append(_equal(predicate, str(value)))
        else:
            test = _value_test(shapes, parameter, value)
            found.append(keep(lambda index, vs, test=test: not all(test(index, v) for v in vs)))
    return found


def _equal(predicate: str, other: str) -> NodeTest:
    """``sh:equals``: the targets whose values differ along the two predicates."""

    def kept(index: Index, targets: set[OxTerm]) -> set[OxTerm]:
        ones, others = index.values(predicate), index.values(other)
        return {
            t
            for t in (ones.keys() | others.keys()) & targets
            if ones.get(t, set()) != others.get(t, set())
        }

    return kept


def _distinct(values: Iterable[OxTerm]) -> int:
    """How many values pyshacl counts: rdflib may read two stored literals as one."""
    return len({from_oxigraph_term(v) for v in values})


def _repeated_language(values: Iterable[OxTerm]) -> bool:
    tags = [v.language.lower() for v in values if isinstance(v, ox.Literal) and v.language]
    return len(tags) != len(set(tags))


def _qualified(shapes: Graph, holder: Node, qualified: Node, keep) -> list[NodeTest]:
    """``sh:qualifiedMinCount`` (at most 1) / ``sh:qualifiedMaxCount`` (of an exact test:
    one that may keep more would count fewer values than pyshacl) of a shape of values."""
    if (holder, SH.qualifiedValueShapesDisjoint, None) in shapes:
        raise Unsupported("sh:qualifiedValueShapesDisjoint")
    meets, exact = _node_test(shapes, qualified)
    found = []
    for parameter, too_few in ((SH.qualifiedMinCount, True), (SH.qualifiedMaxCount, False)):
        bound = shapes.value(holder, parameter)
        if bound is None:
            continue
        if not (isinstance(bound, Literal) and isinstance(bound.value, int)) or (
            bound.value > 1 if too_few else not exact
        ):
            raise Unsupported(f"{parameter} {bound}")

        def test(index: Index, vs: set[OxTerm], n: int = bound.value, low: bool = too_few) -> bool:
            count = sum(1 for v in vs if meets(index, v))
            return count < n if low else count > n

        found.append(keep(test))
    return found


@dataclass(frozen=True)
class Screen:
    """The screen of one node shape: its targets, and the tests that keep some of them."""

    shape: URIRef
    classes: tuple[str, ...]
    subjects_of: tuple[str, ...]
    tests: tuple[NodeTest, ...]

    def __call__(self, index: Index) -> set[OxTerm]:
        targets: set[OxTerm] = set()
        for cls in self.classes:
            targets |= index.instances(cls)
        for predicate in self.subjects_of:
            targets |= set(index.values(predicate))
        kept: set[OxTerm] = set()
        for test in self.tests:
            kept |= test(index, targets - kept)
        return kept


def _shape_tests(shapes: Graph, shape: Node) -> list[NodeTest]:
    """The screens of a node shape's constraints: on the node (``sh:nodeKind``, ``sh:or``,
    ``sh:not`` of an exact shape…) and on its properties."""
    tests: list[NodeTest] = []
    for parameter, value in shapes.predicate_objects(shape):
        if parameter in _INERT | _TARGETS or (parameter, value) == (RDF.type, SH.NodeShape):
            continue
        if parameter == SH.property:
            tests += _property_screen(shapes, value)
        elif parameter == SH["not"]:
            inner, exact = _node_test(shapes, value)
            if not exact:  # "surely conforms" would not say "surely fails"
                raise Unsupported("sh:not of a shape the screens read approximately")
            tests.append(lambda index, nodes, t=inner: {n for n in nodes if t(index, n)})
        else:
            test = _value_test(shapes, parameter, value)
            tests.append(lambda index, nodes, t=test: {n for n in nodes if not t(index, n)})
    return tests


def screen(shapes: Graph, shape: URIRef) -> Screen:
    """The screen of a node shape with class or subject targets, or :class:`Unsupported`."""
    if set(shapes.objects(shape, RDF.type)) & {RDFS.Class, OWL.Class}:
        raise Unsupported("an implicit class target")
    return Screen(
        shape,
        tuple(sorted(str(c) for c in shapes.objects(shape, SH.targetClass))),
        tuple(sorted(str(p) for p in shapes.objects(shape, SH.targetSubjectsOf))),
        tuple(_shape_tests(shapes, shape)),
    )


def split(core: Graph) -> tuple[list[Screen], Graph]:
    """The screens of the shapes that have one, and the shapes pyshacl must check on every
    target: ``core`` without the screened shapes' targets."""
    screens = []
    shaped = set(core.subjects(SH.targetClass)) | set(core.subjects(SH.targetSubjectsOf))
    for shape in sorted(shaped):
        other = any(
            (shape, p, None) in core for p in (SH.targetNode, SH.targetObjectsOf, SH.target)
        )
        if not isinstance(shape, URIRef) or other:
            continue
        try:
            screens.append(screen(core, shape))
        except Unsupported:
            continue
    screened = {s.shape for s in screens}
    rest = Graph()
    for triple in core:
        if not (triple[0] in screened and triple[1] in _TARGETS):
            rest.add(triple)
    return screens, rest


def kept(
    engine: ox.Store, screens: Sequence[Screen], graphs: Sequence[str] | None = None
) -> set[Node]:
    """The targets the screens keep in the store's default graph (or the union of ``graphs``)."""
    index = Index(engine, graphs)
    return {from_oxigraph_term(n) for s in screens for n in s(index)}
