"""A newcomer's lookups: parameters as the tables print them, names as people type them,
and an empty answer that says why; mistyped names get a "did you mean"."""

from __future__ import annotations

import pytest

from accords_kg.cli import main
from accords_kg.sparql.params import expand_iri
from accords_kg.suggest import fold
from accords_kg.web.labels import de

ID = "https://w3id.org/accords-kg/id/"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[list[str]], str]:
    """Exit code, the TSV rows (header first), standard error."""
    code = main([*argv, "--format", "tsv"] if argv[0] == "query" else list(argv))
    out, err = capsys.readouterr()
    return code, [line.split("\t") for line in out.splitlines()], err


def column(rows: list[list[str]], name: str) -> set[str]:
    index = rows[0].index("?" + name)
    return {row[index] for row in rows[1:]}


def test_iris_as_the_tables_print_them() -> None:
    assert expand_iri("accord/declaration-de-bethune-2023") == (
        ID + "accord/declaration-de-bethune-2023"
    )
    assert expand_iri("role:president") == "https://w3id.org/accords-kg/role/president"
    assert expand_iri("acc:Accord") == "https://w3id.org/accords-kg/ontology#Accord"
    assert expand_iri(ID + "person/x") == ID + "person/x"
    assert expand_iri("urn:x:y") == "urn:x:y"  # not a project prefix: as given


def test_a_relative_iri_gives_the_rows_of_the_absolute_one(capsys) -> None:
    base = ["query", "provenance", "--territories", "none", "--param"]
    code, relative, _ = run(capsys, *base, "resource=accord/declaration-de-bethune-2023")
    assert code == 0
    _, absolute, _ = run(capsys, *base, f"resource={ID}accord/declaration-de-bethune-2023")
    assert relative == absolute and len(relative) > 1
    assert f"<{ID}accord/declaration-de-bethune-2023>" in column(relative, "statement")


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_person_by_name_in_any_case_and_without_accents(capsys, engine: str) -> None:
    base = ["query", "person", "--territories", "none", "--engine", engine, "--param"]
    code, exact, _ = run(capsys, *base, "name=Sébastien Martin")
    assert code == 0 and column(exact, "person") == {f"<{ID}person/sebastien-martin>"}
    for typed in ("sebastien martin", "SÉBASTIEN  MARTIN"):
        assert run(capsys, *base, f"name={typed}")[1] == exact


def test_territory_by_name_in_any_case_and_without_accents(capsys) -> None:
    # fmt: off
    for typed, unit in (("Douai", "commune/59178"), ("bethune", "commune/62119"),
                        ("Béthune", "commune/62119"), ("pas de calais", "departement/62")):
        # fmt: on
        code, rows, err = run(capsys, "query", "territory", "--param", f"code={typed}")
        assert code == 0, err
        assert column(rows, "unit") == {f"<{ID}{unit}>"}, typed


def test_a_name_shared_by_several_units_asks_for_the_code(capsys) -> None:
    code, _, err = run(capsys, "query", "territory", "--param", "code=Saint-Martin")
    assert code == 2
    assert "several units are named 'Saint-Martin'" in err and "commune 54480" in err


def test_an_unknown_code_says_which_layer_may_hold_it(capsys) -> None:
    code, rows, err = run(capsys, "query", "territory", "--param", "code=13055")  # Marseille
    assert code == 0 and len(rows) == 1
    assert "no territorial unit has code 13055 in the loaded layers" in err
    assert "--territories france" in err


def test_an_unknown_name_says_the_nearest(capsys) -> None:
    code, rows, err = run(
        capsys, "query", "person", "--territories", "none", "--param", "name=Xavier Bertran"
    )
    assert code == 0 and len(rows) == 1
    assert "no person named 'Xavier Bertran' in the graph; nearest: Xavier Bertrand" in err
    _, _, err = run(capsys, "query", "territory", "--param", "code=Douay")
    assert "no unit named 'Douay'" in err and "Douai (commune 59178)" in err


def test_an_iri_nothing_mentions_is_said(capsys) -> None:
    code, rows, err = run(
        capsys, "query", "provenance", "--territories", "none", "--param", "resource=accord/nope"
    )
    assert code == 0 and len(rows) == 1
    assert f"nothing in the graph mentions <{ID}accord/nope>" in err


def test_a_parameter_given_twice_is_refused(capsys) -> None:
    code, _, err = run(capsys, "query", "person", "--param", "name=a", "--param", "name=b")
    assert code == 2 and "--param name given twice ('a', 'b')" in err


def test_did_you_mean_for_queries_commands_and_parameters(capsys) -> None:
    code, _, err = run(capsys, "query", "whosigned")
    assert code == 2 and "unknown query 'whosigned' — did you mean 'who-signed'?" in err
    code, _, err = run(capsys, "qeury", "who-signed")
    assert code == 2 and "unknown command 'qeury' — did you mean 'query'?" in err
    code, _, err = run(capsys, "query", "person", "--param", "nmae=x")
    assert code == 2 and "nmae — did you mean 'name'?" in err


def test_a_missing_query_file_is_said_in_both_languages(capsys) -> None:
    code, _, err = run(capsys, "query", "--file", "missing.rq")
    assert code == 2
    assert err == "accords: error / erreur: missing.rq: no such file / fichier introuvable\n"


def test_tables_fit_the_terminal(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["query", "provenance", "--territories", "none"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= 100 and any("…" in line for line in lines)
    monkeypatch.delenv("COLUMNS")  # a pipe: whole cells, for whoever reads them
    assert main(["query", "provenance", "--territories", "none"]) == 0
    assert max(len(line) for line in capsys.readouterr().out.splitlines()) > 100


def test_query_help_shows_query_examples_only(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["query", "--help"])
    out = capsys.readouterr().out
    assert "accords query territory --param code=Douai" in out
    assert "accords serve" not in out and "accords dump" not in out


def test_folding_and_french_elision() -> None:
    assert fold("Béthune") == fold("bethune") == fold("BÉTHUNE")
    assert fold("Xavier  Bertrand") == fold("xavier bertrand")
    assert fold("Pas-de-Calais") == fold("pas de calais")
    assert de("Olivier Gacquerre") == "d'Olivier Gacquerre"
    assert de("Émilie") == "d'Émilie" and de("Xavier Bertrand") == "de Xavier Bertrand"
