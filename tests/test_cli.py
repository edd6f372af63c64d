"""The ``accords`` command: outputs in the standard formats, and one exit code per outcome."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

from accords_kg.cli import main
from accords_kg.sparql.results import from_json

ENTRIES = Path(__file__).parent / "entries"
SIGNATORIES = ["Olivier Gacquerre", "Sébastien Martin", "Xavier Bertrand"]
#: the first accord: the formats are checked on its rows (other accords have their own)
BETHUNE = "accord=https://w3id.org/accords-kg/id/accord/declaration-de-bethune-2023"


GRAPH_COMMANDS = {"query", "validate", "dump", "stats"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command; graph-reading ones without the territorial layer unless asked for,
    to keep the suite fast (tests of the layer say ``--territories`` themselves)."""
    args = list(argv)
    if args and args[0] in GRAPH_COMMANDS and "--territories" not in args:
        args += ["--territories", "none"]
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_who_signed_table_answers_who_what_where_when(capsys) -> None:
    code, out, _ = run(capsys, "query", "who-signed", "--param", BETHUNE)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "accord", "date", "place", "placeCode", "signatory", "capacity", "party", "inferred"
    ]  # fmt: skip
    body = lines[2:5]
    assert [name for line in body for name in SIGNATORIES if name in line] == SIGNATORIES
    for line in body:
        assert (
            "Déclaration de Béthune" in line and "2023-12-18" in line and "Béthune  62119" in line
        )
    assert lines[5] == "(3 rows / 3 lignes)"


def test_json_is_w3c_sparql_results(capsys) -> None:
    code, out, _ = run(capsys, "query", "who-signed", "--param", BETHUNE, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["head"]["vars"][0] == "accord"
    first = doc["results"]["bindings"][0]
    assert first["date"] == {
        "type": "literal",
        "value": "2023-12-18",
        "datatype": "http://www.w3.org/2001/XMLSchema#date",
    }
    assert first["place"] == {"type": "literal", "value": "Béthune", "xml:lang": "fr"}
    assert [str(r[4]) for r in from_json(doc).rows] == SIGNATORIES


def test_csv_and_tsv_follow_the_w3c_notes(capsys) -> None:
    _, out, _ = run(capsys, "query", "who-signed", "--param", BETHUNE, "--format", "csv")
    assert out.startswith("accord,date,place,placeCode,signatory,capacity,party,inferred\r\n")
    table = list(csv.reader(io.StringIO(out)))
    assert [row[4] for row in table[1:]] == SIGNATORIES
    _, out, _ = run(capsys, "query", "who-signed", "--param", BETHUNE, "--format", "tsv")
    lines = out.splitlines()
    assert (
        lines[0] == "?accord\t?date\t?place\t?placeCode\t?signatory\t?capacity\t?party\t?inferred"
    )
    assert lines[1].split("\t")[1] == '"2023-12-18"^^<http://www.w3.org/2001/XMLSchema#date>'
    assert lines[1].split("\t")[2] == '"Béthune"@fr'


def test_unbound_values_are_empty_in_every_format(capsys) -> None:
    _, out, _ = run(capsys, "query", "quotes", "--format", "json")
    first = json.loads(out)["results"]["bindings"][0]
    assert "speaker" not in first and "event" not in first
    _, out, _ = run(capsys, "query", "quotes", "--format", "csv")
    row = list(csv.reader(io.StringIO(out)))[1]
    assert row[2:4] == ["", ""]


def test_params_and_file(capsys, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "query", "person", "--param", "name=Yann Vincent", "--format", "csv")
    assert code == 0 and len(out.strip().splitlines()) == 3
    query = tmp_path / "count.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c }\n", encoding="utf-8")
    code, out, _ = run(capsys, "query", "--file", str(query), "--format", "csv")
    assert code == 0 and out.startswith("n\r\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "no-such-query"], "unknown query"),
        (["query", "person", "--param", "nobody=1"], "unknown parameter"),
        (["query", "person", "--param", "name"], "KEY=VALUE"),
        (["query", "who-signed", "--param", "accord=not an iri"], "absolute IRI"),
        (["query"], "which query"),
        (["validate", "does-not-exist.ttl"], "does-not-exist.ttl"),
        (["validate", "entry.txt"], "unknown RDF file extension"),
    ],
)
def test_usage_errors_exit_2_with_a_message(capsys, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert out == ""


def test_missing_parameter_exits_2(capsys, tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("#+ summary: needs a name\nSELECT ?s WHERE { ?s ?p ?_name }\n")
    code, _, err = run(capsys, "query", "--file", str(query))
    assert code == 2 and "missing parameter" in err


def test_sparql_syntax_error_names_the_file(capsys, tmp_path: Path) -> None:
    query = tmp_path / "broken.rq"
    query.write_text("SELECT ?s WHERE {\n  ?s ?p\n")
    code, _, err = run(capsys, "query", "--file", str(query))
    assert code == 2 and f"{query}:" in err and "SPARQL syntax error" in err


def test_validate_dataset_exits_0(capsys) -> None:
    code, out, _ = run(capsys, "validate", "--lang", "en")
    assert code == 0
    assert out.strip() == "conforms: 0 violation(s), 0 warning(s), 0 info(s)"
    code, out, _ = run(capsys, "validate", "--lang", "fr")
    assert out.strip() == "conforme : 0 violation(s), 0 avertissement(s), 0 information(s)"


def test_validate_bad_entry_exits_1_with_focus_and_path(capsys, tmp_path: Path) -> None:
    entry = tmp_path / "bad.ttl"
    entry.write_text(
        "@base <https://w3id.org/accords-kg/id/> .\n"
        "@prefix acc: <https://w3id.org/accords-kg/ontology#> .\n"
        "<signature/declaration-de-bethune-2023-xavier-bertrand>\n"
        "    acc:signatory <person/yann-vincent> .\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "validate", str(entry), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["conforms"] is False
    found = {(r["focusNode"], r["path"], r["severity"]) for r in report["results"]}
    focus = "https://w3id.org/accords-kg/id/signature/declaration-de-bethune-2023-xavier-bertrand"
    assert (focus, "https://w3id.org/accords-kg/ontology#signatory", "Violation") in found
    for result in report["results"]:
        assert set(result) == {
            "focusNode", "path", "value", "severity", "message", "constraint", "shape"
        }  # fmt: skip
    code, out, _ = run(capsys, "validate", str(entry), "--lang", "fr")
    assert code == 1 and "signature/declaration-de-bethune-2023-xavier-bertrand" in out
    assert "NON CONFORME" in out


JSON_KEYS = {"focusNode", "path", "value", "severity", "message", "constraint", "shape"}


@pytest.mark.parametrize(
    ("entry", "code"),
    [("good/complete-accord.ttl", 0), ("bad/party-signed-rule.ttl", 1), (None, 0)],
)
def test_validate_json_keeps_its_shape(capsys, entry: str | None, code: int) -> None:
    """A good entry, a bad one (a mistake issue #13 added a rule for) and the dataset: the
    same document, ``conforms`` and ``results[]`` with the same keys."""
    paths = [] if entry is None else [str(ENTRIES / entry)]
    got, out, _ = run(capsys, "validate", *paths, "--format", "json")
    report = json.loads(out)
    assert got == code and set(report) == {"conforms", "results"}
    assert report["conforms"] is (code == 0)
    assert all(set(result) == JSON_KEYS for result in report["results"])
    if code:
        accord = "https://w3id.org/accords-kg/id/accord/exemple-accord"
        assert [(r["focusNode"], r["shape"].rsplit("#")[-1]) for r in report["results"]] == [
            (accord, "PartySignedRule")
        ]
    else:
        assert report["results"] == []


def test_validate_parse_error_exits_2_with_file_and_line(capsys, tmp_path: Path) -> None:
    entry = tmp_path / "broken.ttl"
    entry.write_text('@prefix ex: <http://example.org/> .\n\nex:a ex:b "unterminated .\n')
    code, out, err = run(capsys, "validate", str(entry))
    assert code == 2 and f"{entry}:3:" in err and out == ""
    entry = tmp_path / "broken.nt"
    entry.write_text("<http://a.example/s> <http://a.example/p> <http://a.example/o> .\noops\n")
    code, _, err = run(capsys, "validate", str(entry))
    assert code == 2 and f"{entry}:2:" in err


def test_validate_invalid_utf8_exits_2_with_byte_offset(capsys, tmp_path: Path) -> None:
    entry = tmp_path / "latin1.ttl"
    entry.write_bytes(b'<http://a.example/s> <http://a.example/p> "B\xe9thune" .\n')
    code, _, err = run(capsys, "validate", str(entry))
    assert code == 2 and "invalid UTF-8 at byte 44" in err and f"{entry}:1:" in err


def test_dump_to_stdout_and_to_a_folder(capsys, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "dump")
    assert code == 0 and len(Graph().parse(data=out, format="turtle")) > 700
    code, _, err = run(capsys, "dump", "--out", str(tmp_path), "--format", "ntriples")
    assert code == 0 and (tmp_path / "accords-kg.nt").is_file() and "accords-kg.nt" in err
    code, _, err = run(capsys, "dump", "--format", "turtle", "--format", "xml")
    assert code == 2 and "--out" in err


def test_dump_into_an_unwritable_place_exits_3(capsys, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "dump", "--out", str(blocker / "sub"))
    assert code == 3 and "cannot write" in err


def test_stats(capsys) -> None:
    code, out, _ = run(capsys, "stats", "--format", "csv")
    assert code == 0
    assert "data," in out and "ontology," in out
    # the count stats gives is the number of mandates the curated files hold
    mandate = URIRef("https://w3id.org/accords-kg/ontology#Mandate")
    files = Graph()
    for path in sorted((ENTRIES.parents[1] / "data").glob("*.ttl")):
        files.parse(path, format="turtle")
    held = len(set(files.subjects(RDF.type, mandate)))
    assert held >= 9 and f"{mandate},{held}\r\n" in out


def test_queries_lists_names_summaries_and_parameters(capsys) -> None:
    code, out, _ = run(capsys, "queries")
    assert code == 0 and "who-signed\n" in out and "--param accord (IRI, optional)" in out
    code, out, _ = run(capsys, "queries", "--format", "json")
    names = [q["name"] for q in json.loads(out)]
    assert "provenance" in names and names == sorted(names)


def test_help_explains_with_examples(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "accords query who-signed" in out and "exit codes" in out
