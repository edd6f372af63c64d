"""Hostile entries, round two: a literal that would cut a block, XML in another encoding,
a link to a file nobody named, an entry too big to validate quickly. Each is refused with a
clear message and exit code, echoes no content of a file the user did not name, and leaves
no triple in ``data/`` that was not validated."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from accords_kg.add import _split_blocks, add, new_text
from accords_kg.cli import main
from accords_kg.errors import InputError, OutputError
from accords_kg.files import locked
from accords_kg.graph import turtle
from accords_kg.graph.load import parse_file
from conftest import copy_project

HOSTILE = Path(__file__).parent / "hostile"
ID = "https://w3id.org/accords-kg/id/"
BETHUNE = URIRef(ID + "accord/declaration-de-bethune-2023")
NOTE = URIRef("http://www.w3.org/2004/02/skos/core#editorialNote")
TITLE = URIRef("http://purl.org/dc/terms/title")

# ---------------------------------------------------------------------------
# A literal that ends a line for one reader and not for another
# ---------------------------------------------------------------------------

#: Every character some reader ends a line at, the quotes, the backslash, and pieces of
#: Turtle that would be live if a block were cut before them.
TRICKY = [
    "\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e",
    '"', "'", "\\", '"""', "'''", " .", " ;", " ,", "#", "\t", "\x00", "\x7f",
    " .\u2028", " .\x85", " .\u2029", " .\r",
    "<accord/declaration-de-bethune-2023> dcterms:title 'Pirate'@fr . #",
]  # fmt: skip
#: The issue's reproducer: a block cut after its `` .`` leaves a live title behind.
SMUGGLER = "a .\u2028<accord/declaration-de-bethune-2023> dcterms:title 'Pirate'@fr . #"
tricky_text = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=4)), max_size=8).map(
    "".join
)


def data_graph(root: Path) -> Graph:
    """``data/*.ttl`` as rdflib reads it, independently of the code under test."""
    graph = Graph()
    for path in sorted((root / "data").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@settings(max_examples=300, deadline=None)
@given(tricky_text, st.sampled_from([None, "en", "fr"]))
def test_a_written_literal_is_one_line_for_every_reader(text: str, lang: str | None) -> None:
    """The writer escapes every line break but ``\\n``-terminated lines of its own, so that
    ``str.splitlines`` and the block splitter agree with Turtle on where a line ends."""
    graph = Graph()
    graph.add((BETHUNE, NOTE, Literal(text, lang=lang)))
    block = turtle.block(graph, BETHUNE)
    assert block.splitlines(keepends=True) == turtle.split_lines(block)
    assert [key for key, _ in _split_blocks(block)] == [str(BETHUNE)[len(ID) :]]
    back = Graph().parse(data=turtle.header() + block, format="turtle")
    assert isomorphic(back, graph), block


@settings(max_examples=60, deadline=None)
@given(tricky_text, tricky_text)
@example(SMUGGLER, "Second")
def test_rewriting_a_block_leaves_nothing_of_the_old_one(first: str, second: str) -> None:
    """A block rewritten in place (a second add about the same subject) replaces the whole old
    block, whatever its literals held: the file then holds exactly the two entries' triples."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "accords.ttl"
        data = Graph()
        for text in (first, second):
            entry = Graph()
            entry.add((BETHUNE, NOTE, Literal(text, lang="en")))
            path.write_text(new_text(path, entry, [BETHUNE], data, False), encoding="utf-8")
            data += entry
        back = Graph().parse(path, format="turtle")
        assert isomorphic(back, data), path.read_text(encoding="utf-8")


def note_entry(folder: Path, name: str, text: str) -> Path:
    """An entry adding one English editorial note to the Béthune accord (N-Triples, as
    rdflib writes it: the note's characters escaped or not as rdflib sees fit)."""
    graph = Graph()
    graph.add((BETHUNE, NOTE, Literal(text, lang="en")))
    path = folder / name
    graph.serialize(path, format="nt", encoding="utf-8")
    return path


def test_a_line_separator_cannot_smuggle_a_second_title(tmp_path: Path) -> None:
    """The issue's reproducer: a note whose U+2028 ended the block for ``str.splitlines``;
    the next add about the accord left its tail behind as a live, unvalidated title."""
    root = copy_project(tmp_path)
    expected = data_graph(root)
    for n, text in enumerate([SMUGGLER, "Second"]):
        outcome = add([note_entry(tmp_path, f"e{n}.nt", text)], territories="none", root=root)
        assert outcome.report.conforms
        expected.add((BETHUNE, NOTE, Literal(text, lang="en")))
    after = data_graph(root)
    assert [str(t) for t in after.objects(BETHUNE, TITLE)] == [
        "Déclaration commune région-intercos pour la réindustrialisation des territoires"
    ]
    assert isomorphic(after, expected)
    assert "\\u2028" in (root / "data" / "accords.ttl").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shared_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("tricky-adds"))


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tricky_text, tricky_text)
@example(SMUGGLER, "Second")
def test_two_adds_about_one_subject_give_exactly_the_validated_graph(
    shared_project: Path, tmp_path: Path, first: str, second: str
) -> None:
    """End to end, twice on the same subject: ``data/`` is then exactly what it was plus the
    two notes (a few examples: each runs two whole adds)."""
    root = shared_project
    expected = data_graph(root)
    for n, text in enumerate([first, second]):
        outcome = add([note_entry(tmp_path, f"e{n}.nt", text)], territories="none", root=root)
        assert outcome.report.conforms, outcome.report.to_text()
        expected.add((BETHUNE, NOTE, Literal(text, lang="en")))
    assert isomorphic(data_graph(root), expected)


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "data").glob("*.ttl"))}


def test_a_write_that_would_not_read_back_is_refused_before_a_byte_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-back guard on its own: with the old writer and splitter put back, the
    smuggled title is caught (exit 3) and ``data/`` is left as it was."""
    import re

    root = copy_project(tmp_path)
    monkeypatch.setattr(turtle, "_STRING_ESCAPE", re.compile(r'[\\"\x00-\x1f\x7f]'))
    monkeypatch.setattr(turtle, "split_lines", lambda text: text.splitlines(keepends=True))
    add([note_entry(tmp_path, "e0.nt", SMUGGLER)], territories="none", root=root)
    before = snapshot(root)
    with pytest.raises(OutputError, match="not be the graph that was validated") as caught:
        add([note_entry(tmp_path, "e1.nt", "Second")], territories="none", root=root)
    assert caught.value.exit_code == 3
    assert snapshot(root) == before


def test_files_that_do_not_read_back_from_disk_are_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that lands on disk other than it was checked (a disk or another writer that
    ignores the lock): the add is refused and every file is put back as it was."""
    from accords_kg import files

    root = copy_project(tmp_path)
    before = snapshot(root)
    write = files._write_synced
    tampered_with: list[Path] = []

    def tampered(path: Path, text: str) -> None:  # the first write of accords.ttl only
        if path.name.startswith(".accords.ttl.") and not tampered_with:
            tampered_with.append(path)
            text += f'<accord/declaration-de-bethune-2023> <{TITLE}> "Pirate"@fr .\n'
        write(path, text)

    monkeypatch.setattr(files, "_write_synced", tampered)
    with pytest.raises(OutputError, match="1 triple\\(s\\) more"):
        add([note_entry(tmp_path, "e.nt", "Une note")], territories="none", root=root)
    assert tampered_with and snapshot(root) == before


# ---------------------------------------------------------------------------
# XML in any encoding: the DOCTYPE is refused as the parser reads it
# ---------------------------------------------------------------------------

BOMS = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00",
        "utf-32-be": b"\x00\x00\xfe\xff"}  # fmt: skip


def encoded(source: Path, target: Path, encoding: str, bom: bool) -> Path:
    """``source`` (UTF-8 XML) in ``encoding``, saying so in its declaration."""
    text = source.read_text(encoding="utf-8")
    text = text.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    target.write_bytes((BOMS[encoding] if bom else b"") + text.encode(encoding))
    return target


@pytest.mark.parametrize("bom", [False, True], ids=["no BOM", "BOM"])
@pytest.mark.parametrize("encoding", sorted(BOMS))
@pytest.mark.parametrize("name", ["xxe.rdf", "billion-laughs.rdf"])
def test_a_doctype_is_refused_in_any_encoding(
    name: str, encoding: str, bom: bool, tmp_path: Path, capsys
) -> None:
    path = encoded(HOSTILE / name, tmp_path / name, encoding, bom)
    started = time.monotonic()
    assert main(["validate", str(path), "--territories", "none"]) == 2
    err = capsys.readouterr().err
    assert f"{name}:2: RDF/XML with a DOCTYPE or ENTITY declaration is refused" in err
    assert "root:" not in err  # nothing of /etc/passwd
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("bom", [False, True], ids=["no BOM", "BOM"])
@pytest.mark.parametrize("encoding", sorted(BOMS))
def test_rdf_xml_in_utf_16_or_32_reads_as_in_utf_8(
    encoding: str, bom: bool, tmp_path: Path
) -> None:
    source = tmp_path / "person.rdf"
    source.write_text(
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:foaf="http://xmlns.com/foaf/0.1/">\n  <rdf:Description rdf:about='
        f'"{ID}person/exemple"><foaf:name>Chloé Exemple</foaf:name></rdf:Description>\n'
        "</rdf:RDF>\n",
        encoding="utf-8",
    )
    path = encoded(source, tmp_path / f"{encoding}.rdf", encoding, bom)
    assert isomorphic(parse_file(path), parse_file(source))
    assert "Chloé Exemple" in {str(o) for o in parse_file(path).objects()}


def test_a_doctype_in_a_comment_is_no_doctype(tmp_path: Path) -> None:
    """Decided on the parsed document, not on its text: these words in a comment or a
    literal declare nothing."""
    path = tmp_path / "words.rdf"
    path.write_text(
        '<?xml version="1.0"?>\n<!-- <!DOCTYPE x [ <!ENTITY y "z"> ]> -->\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        f'  <rdf:Description rdf:about="{ID}x"><rdfs:comment>&lt;!DOCTYPE</rdfs:comment>'
        "</rdf:Description>\n</rdf:RDF>\n",
        encoding="utf-8",
    )
    assert [str(o) for o in parse_file(path).objects()] == ["<!DOCTYPE"]


def test_a_utf_8_bom_is_dropped(tmp_path: Path) -> None:
    text = f'<{ID}person/exemple> <http://xmlns.com/foaf/0.1/name> "Chloé" .\n'
    for suffix in (".ttl", ".nt", ".trig", ".jsonld"):
        plain, marked = tmp_path / f"plain{suffix}", tmp_path / f"bom{suffix}"
        body = text if suffix != ".jsonld" else (
            f'{{"@id": "{ID}person/exemple", "http://xmlns.com/foaf/0.1/name": "Chloé"}}'
        )  # fmt: skip
        plain.write_text(body, encoding="utf-8")
        marked.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
        assert isomorphic(parse_file(marked), parse_file(plain)), suffix
        assert len(parse_file(marked)) == 1


def test_turtle_in_utf_16_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "entry.ttl"
    path.write_bytes(b"\xff\xfe" + f'<{ID}x> <{ID}p> "x" .\n'.encode("utf-16-le"))
    with pytest.raises(InputError, match="is in UTF-16-LE; RDF in this format is UTF-8"):
        parse_file(path)


# ---------------------------------------------------------------------------
# Only the file named: no link followed, no FIFO, device or directory
# ---------------------------------------------------------------------------

SECRET = "machine example.org login chloe password hunter2\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "netrc"
    path.write_text(SECRET, encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".nt", ".ttl", ".rdf", ".jsonld"])
def test_a_symlinked_entry_is_refused_unread(
    suffix: str, secret: Path, tmp_path: Path, capsys
) -> None:
    link = tmp_path / f"x{suffix}"
    link.symlink_to(secret)
    assert main(["validate", str(link), "--territories", "none"]) == 2
    err = capsys.readouterr().err
    assert f"x{suffix}: a symbolic link is not read" in err
    assert "hunter2" not in err and "machine" not in err


def test_add_refuses_a_symlinked_entry_and_writes_nothing(
    secret: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_project(tmp_path)
    monkeypatch.setenv("ACCORDS_KG_HOME", str(root))
    before = snapshot(root)
    link = tmp_path / "x.nt"
    link.symlink_to(secret)
    assert main(["add", str(link), "--territories", "none"]) == 2
    err = capsys.readouterr().err
    assert "symbolic link" in err and "hunter2" not in err
    assert snapshot(root) == before


def test_a_symlinked_query_file_is_refused_unread(secret: Path, tmp_path: Path, capsys) -> None:
    link = tmp_path / "q.rq"
    link.symlink_to(secret)
    assert main(["query", "--file", str(link), "--territories", "none"]) == 2
    err = capsys.readouterr().err
    assert "q.rq: a symbolic link is not read" in err and "hunter2" not in err


def test_a_fifo_or_a_directory_is_refused_at_once(tmp_path: Path) -> None:
    """A FIFO nobody writes to would block a plain ``open`` for ever: run in a subprocess."""
    fifo = tmp_path / "entry.ttl"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.nt"
    folder.mkdir()
    for path, message in ((fifo, "not a regular file"), (folder, "a directory, not a file")):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "accords_kg.cli",
                "validate",
                str(path),
                *["--territories", "none"],
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2
        assert message in done.stderr and "Traceback" not in done.stderr


# ---------------------------------------------------------------------------
# An entry too big to validate in seconds is refused before the add lock is taken
# ---------------------------------------------------------------------------


def test_a_big_entry_is_refused_without_waiting_for_the_lock(tmp_path: Path) -> None:
    """3 MiB of people: refused (exit 2) unread, while another add holds the lock."""
    root = copy_project(tmp_path)
    before = snapshot(root)
    big = tmp_path / "big.nt"
    line = f'<{ID}person/x> <http://xmlns.com/foaf/0.1/name> "{"x" * 100}" .\n'
    big.write_text(line * (3 * 1024 * 1024 // len(line) + 1), encoding="utf-8")
    with locked(root / "data"):
        done = subprocess.run(
            [sys.executable, "-m", "accords_kg.cli", "add", str(big), "--territories", "none"],
            env={**os.environ, "ACCORDS_KG_HOME": str(root)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert "big.nt: file too large" in done.stderr
    assert snapshot(root) == before


@pytest.mark.parametrize("fmt", ["ntriples", "trig", "turtle", "xml", "jsonld"])
def test_dumps_keep_a_literal_with_line_separators_whole(fmt: str) -> None:
    """The dumps sort and join lines too: a line ends at ``\\n`` there as well (Oxigraph
    leaves U+2028 and U+0085 raw in the literals it writes), and a carriage return survives
    an XML reader (which would turn a raw ``\\r\\n`` into ``\\n``)."""
    from accords_kg.graph.store import Store
    from accords_kg.publishing.dump import serialise
    from accords_kg.resources import GRAPH_BASE

    note = Literal("x .\u2028y\x85z\u2029w\r\nv", lang="en")
    graph = Graph()
    graph.add((BETHUNE, NOTE, note))
    graph.add((BETHUNE, TITLE, Literal("t")))
    store = Store()
    store.add_graph(graph, GRAPH_BASE + "data")
    dataset = Dataset()
    rdflib_format = {"ntriples": "nt", "jsonld": "json-ld"}.get(fmt, fmt)
    dataset.parse(data=serialise(store, fmt), format=rdflib_format)
    back = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        back.add((s, p, o))
    assert isomorphic(back, graph)
