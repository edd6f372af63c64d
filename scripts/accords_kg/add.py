"""``accords add``: new entries into ``data/``, validated first, written all or nothing.

1. A lock (``data/.accords-add.lock``, ``flock``) makes concurrent adds take turns, each
   reading the data as the previous one left it.
2. An entry may not change an existing resource's type or labels unless ``replace`` (then
   its types or labels replace the old ones).
3. The entries are validated together with the dataset (as it will be), with the shapes
   ``accords validate`` uses; any violation stops everything (exit 1) before a byte is
   written.
4. Each new block goes to the file of its resource's kind (``people.ttl``, ``offices.ttl``…)
   or to ``into``; blocks the data already holds for a resource are rewritten in place. The
   file's header gains an ``@prefix`` line for every prefix the blocks use that it lacks, and
   the new text must read back as the old triples plus the entry's before anything is written.
5. Every changed file is written to a temporary file and fsynced; a journal naming them is
   written and fsynced; then they are renamed over the originals and the journal removed.
   A process killed at any moment leaves either the old files or a journal from which
   :func:`recover` (run by the next ``add`` and by every load) finishes the renames.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, SKOS
from rdflib.term import Node

from .errors import AccordsError, InputError, UsageError
from .files import commit, locked, recover
from .graph import turtle
from .graph.load import parse_file
from .graph.store import Store
from .resources import ID_BASE, checkout
from .validation.focus import Triple
from .validation.report import Report
from .validation.validate import validate_entry

ACC = "https://w3id.org/accords-kg/ontology#"
LABELS = (SKOS.prefLabel, RDFS.label, FOAF.name, DCTERMS.title)

#: The data file each kind of resource lives in (the first class that matches wins).
ROUTES: tuple[tuple[str, str], ...] = (
    ("http://www.w3.org/ns/person#Person", "people.ttl"),
    ("http://xmlns.com/foaf/0.1/Person", "people.ttl"),
    (ACC + "Office", "offices.ttl"),
    (ACC + "Mandate", "offices.ttl"),
    (ACC + "Source", "sources.ttl"),
    (ACC + "Accord", "accords.ttl"),
    (ACC + "Signature", "accords.ttl"),
    (ACC + "SigningCeremony", "accords.ttl"),
    (ACC + "Intervention", "accords.ttl"),
    ("https://schema.org/Quotation", "accords.ttl"),
    ("http://www.w3.org/ns/org#Organization", "organisations.ttl"),
    (ACC + "Region", "organisations.ttl"),
    (ACC + "Departement", "organisations.ttl"),
    (ACC + "Commune", "organisations.ttl"),
    (ACC + "EPCI", "organisations.ttl"),
    (ACC + "Association", "organisations.ttl"),
    (ACC + "Company", "organisations.ttl"),
    (ACC + "Assembly", "organisations.ttl"),
)
DEFAULT_FILE = "accords.ttl"


class Refused(AccordsError):
    """The entries would redefine existing resources (exit 1); nothing was written."""

    exit_code = 1


@dataclass
class Outcome:
    report: Report
    written: list[Path]


def data_dir(root: Path | None = None) -> Path:
    return (root or checkout()) / "data"


# ---------------------------------------------------------------------------
# Where the triples go
# ---------------------------------------------------------------------------


def route(subject: Node, entry: Graph, data: Graph) -> str:
    classes = {str(c) for c in entry.objects(subject, RDF.type)}
    classes |= {str(c) for c in data.objects(subject, RDF.type)}
    for cls, name in ROUTES:
        if cls in classes:
            return name
    return DEFAULT_FILE


_BLOCK_START = re.compile(r"^<([^>]+)>", re.MULTILINE)


def _split_blocks(text: str) -> list[tuple[str | None, str]]:
    """The file as (subject key or None, text) chunks; a block runs to its line ending `` .``."""
    chunks: list[tuple[str | None, str]] = []
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        match = _BLOCK_START.match(lines[i])
        if not match:
            chunks.append((None, lines[i]))
            i += 1
            continue
        j = i
        while not lines[j].rstrip().endswith(" .") and j + 1 < len(lines):
            j += 1
        chunks.append((match.group(1), "".join(lines[i : j + 1])))
        i = j + 1
    return chunks


def new_text(path: Path, entry: Graph, subjects: list[Node], data: Graph, replace: bool) -> str:
    """``path``'s text with the blocks of ``subjects`` merged in (rewritten where they exist),
    and an ``@prefix`` line in its header for every prefix the blocks use.

    The blocks use the project's prefixes, but for one the file binds to another namespace
    (then they write the full IRI); their resource IRIs are relative to the project's base,
    so a file with another ``@base`` is refused.
    """
    text = (
        path.read_text(encoding="utf-8")
        if path.exists()
        else turtle.header("Entries added with `accords add`.", prefixes=())
    )
    _, bases = turtle.directives(text)
    if bases - {ID_BASE}:
        raise InputError(
            f"{path.name} declares @base <{min(bases - {ID_BASE})}>: accords add writes resource "
            f"IRIs relative to <{ID_BASE}> / base différente de celle du projet"
        )
    writer = turtle.Writer(turtle.usable_prefixes(text))
    keys = {turtle.term(s).strip("<>"): s for s in subjects}
    out: list[str] = []
    done: set[Node] = set()
    for key, chunk in _split_blocks(text):
        subject = keys.get(key) if key else None
        if subject is None or subject in done:
            out.append(chunk)
            continue
        merged = Graph()
        for triple in data.triples((subject, None, None)):
            if (
                replace
                and triple[1] in (RDF.type, *LABELS)
                and ((subject, triple[1], None) in entry)
            ):
                continue
            merged.add(triple)
        for triple in entry.triples((subject, None, None)):
            merged.add(triple)
        out.append(writer.block(merged, subject))
        done.add(subject)
    rest = [s for s in subjects if s not in done]
    if rest:
        if not "".join(out).endswith("\n\n"):
            out.append("\n")
        out.append(writer.blocks(entry, rest))
    return turtle.declare("".join(out), writer.used)


def replaced(entry: Graph, data: Graph) -> list[tuple[Node, Node, Node]]:
    """The existing type and label triples that the entry's own replace (with ``replace``)."""
    return [
        triple
        for subject in set(entry.subjects())
        for predicate in (RDF.type, *LABELS)
        if (subject, predicate, None) in entry
        for triple in data.triples((subject, predicate, None))
    ]


def redefinitions(entry: Graph, data: Graph) -> list[str]:
    """The (subject, property) pairs where the entry changes an existing type or label."""
    found = []
    for subject in set(entry.subjects()):
        for predicate in (RDF.type, *LABELS):
            existing = set(data.objects(subject, predicate))
            added = set(entry.objects(subject, predicate)) - existing
            if existing and added:
                found.append(f"{subject} {predicate}")
    return sorted(found)


# ---------------------------------------------------------------------------
# The command's library entry point
# ---------------------------------------------------------------------------


def add(
    entries: Iterable[Path],
    territories: str = "hauts-de-france",
    into: str | None = None,
    replace: bool = False,
    lang: str = "en",
    root: Path | None = None,
) -> Outcome:
    """Validate ``entries`` with the dataset and, if they conform, write them into ``data/``."""
    folder = data_dir(root)
    if into is not None and not re.fullmatch(r"[a-z0-9][a-z0-9_-]*\.ttl", into):
        raise UsageError(f"--into names a Turtle file of data/, such as accords.ttl: {into!r}")
    entries = [Path(e) for e in entries]
    if not entries:
        raise UsageError("nothing to add: give one or more entry files / aucune entrée")
    with locked(folder):
        recover(folder)
        store = Store.load(root, territories=territories)
        entry = Graph()
        for path in entries:
            entry += parse_file(path)
        curated = store.stored_layer("data")
        changed = redefinitions(entry, curated)
        if changed and not replace:
            raise Refused(
                "the entries would change the type or labels of existing resources (give "
                "--replace to do so) / modification de types ou libellés existants refusée: "
                + "; ".join(changed)
            )
        removed = replaced(entry, curated) if replace else []
        report = validate_entry(store, entry, lang, removed=removed)
        if not report.conforms:
            return Outcome(report, [])
        files: dict[str, list[Node]] = {}
        for subject in sorted(set(entry.subjects()), key=turtle.term):
            if not isinstance(subject, URIRef):
                raise InputError("blank-node subjects cannot be added: name them with an IRI")
            files.setdefault(into or route(subject, entry, curated), []).append(subject)
        texts = {
            name: new_text(folder / name, entry, subjects, curated, replace)
            for name, subjects in files.items()
        }
        for name, text in texts.items():
            _reads_back(folder / name, text, entry, files[name], removed)
        # a file the entry leaves as it is is not rewritten, nor said to be
        texts = {n: t for n, t in texts.items() if not _holds(folder / n, t)}
        return Outcome(report, commit(folder, texts) if texts else [])


def _holds(path: Path, text: str) -> bool:
    """Whether ``path`` already holds exactly ``text``."""
    try:
        return path.read_text(encoding="utf-8") == text
    except OSError:
        return False


def _reads_back(
    path: Path, text: str, entry: Graph, subjects: list[Node], removed: list[Triple]
) -> None:
    """What is written must read back: Turtle, holding the file's triples (but those
    ``--replace`` removes) and the entry's for ``subjects``; else nothing is written."""
    try:
        written = Graph().parse(data=text, format="turtle", publicID=path.as_uri())
        before = (
            Graph().parse(path, format="turtle", publicID=path.as_uri())
            if path.exists()
            else Graph()
        )
    except Exception as exc:  # pragma: no cover - a writer bug, never user input
        raise InputError(f"internal error writing {path.name}: {exc}") from None
    expected = {t for t in before if not any(isinstance(n, BNode) for n in t)} - set(removed)
    expected |= {t for s in subjects for t in entry.triples((s, None, None))}
    lost = expected - set(written)
    if lost:  # pragma: no cover - a writer bug, never user input
        raise InputError(
            f"internal error writing {path.name}: {len(lost)} triple(s) would not read back, "
            f"such as {min(lost, key=str)}"
        )
