"""Growth benchmark: how the commands' costs grow when the register grows to 1,000 accords.

    python benchmarks/growth.py                      # 10, 100, 1,000 accords, 3 runs: ~30 min
    python benchmarks/growth.py --sizes 10 --runs 1  # the smoke run (a slow test runs it)

For each size N, a temporary copy of the project gets N synthetic accords (see
``synthetic.py``: every one marked synthetic, all citing one generated source) in
``data/synthetic-accords.ttl`` of the copy, never of the checkout, and a cache of its own
(the downloaded territorial files are shared, read-only). The commands run on that copy
(``ACCORDS_KG_HOME``, ``ACCORDS_KG_CACHE``) with the committed territorial layer, the
default (about 119,000 triples): France-wide, every whole-graph validation and dump would
walk 326,000, nearly three times as many, with nothing more to learn about growth.

At each size: the first load, every saved query (its own run on Oxigraph, and end to end),
the benchmark's 93-triple entry validated with the register (which must stay flat), the
whole-graph validation (which must conform: the synthetic accords are checked, not just
timed) and each dump. Prints a Markdown table beside the previous run's medians, and writes
results-growth.json beside this file for the default sizes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import synthetic
from run import (
    ACCORDS,
    ENTRY,
    HERE,
    LONG,
    ROOT,
    Measure,
    _median,
    _s,
    in_process,
    machine,
    machine_line,
    query_engine,
    read_results,
    repeat,
    run,
    slower,
    triples,
    with_previous,
    write_json,
)

JSON = HERE / "results-growth.json"
SIZES = (10, 100, 1000)
SCOPE = "committed"  # the territorial layer: the default one
FILES = ("ontology", "data", "shapes", "queries", "templates")
FORMATS = ("turtle", "ntriples", "jsonld", "trig", "xml")


def project(folder: Path, count: int, where: list[synthetic.Place]) -> dict[str, str]:
    """A copy of the project with ``count`` synthetic accords under ``folder``, and the
    environment that points the commands at it (its files, and a cache of its own that
    shares only the downloaded territorial files)."""
    from accords_kg.graph.territories import cache_dir

    root, cache = folder / "project", folder / "cache"
    for name in FILES:
        shutil.copytree(ROOT / name, root / name, symlinks=True)
    (root / "data" / "synthetic-accords.ttl").write_text(
        synthetic.turtle(count, where), encoding="utf-8"
    )
    cache.mkdir()
    for kept in ("territories", "npm"):
        if (cache_dir() / kept).is_dir():
            (cache / kept).symlink_to(cache_dir() / kept)
    return {**os.environ, "ACCORDS_KG_HOME": str(root), "ACCORDS_KG_CACHE": str(cache)}


def queries(runs: int, limit: float, env: dict[str, str]) -> list[Measure]:
    """Every saved query: its own run on Oxigraph, then end to end."""
    names = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    own = query_engine(names, "oxigraph", SCOPE, runs, limit, env)
    measures = []
    for name in names:
        found = own.get(name, {"seconds": [], "note": "not run"})
        measures.append(
            Measure(
                "query",
                name,
                "oxigraph: the query's own run",
                found["seconds"],
                found.get("peak_mb", 0.0),
                found.get("note", ""),
            )
        )
    for name in names:
        measures.append(
            repeat(
                Measure("query", name, "`accords query` end to end"),
                [ACCORDS, "query", name, "--format", "json"],
                runs,
                limit,
                env,
            )
        )
    return measures


def validation(runs: int, limit: float, env: dict[str, str]) -> list[Measure]:
    """The entry with the register (end to end, and focused in process), then the whole
    graph, which must conform: a synthetic accord that broke a shape would make the
    measure dishonest, so the run stops there."""
    entry = Measure("validate", "new entry (93 triples)", "`accords validate ENTRY` end to end")
    focused = Measure("validate", "new entry (93 triples)", "focused")
    code = f"entry = parse_file(Path({str(ENTRY)!r}))\n"
    code += f"report(seconds=timed(lambda: validate.validate_entry(store, entry), {runs}))"
    whole = Measure("validate", "whole graph", "`accords validate`")
    first = run([ACCORDS, "validate"], max(limit, 900), env)
    whole.peak_mb = first["peak_mb"]
    if first["code"] in (None, -9):  # killed past its time limit: conformance unknown
        whole.note = f"did not finish in {max(limit, 900):g} s"
    elif first["code"] != 0:
        print("\n".join(first["lines"][-30:]), file=sys.stderr)
        raise SystemExit(f"the synthetic accords do not validate (exit {first['code']})")
    else:
        whole.seconds = [first["wall"]]
    if whole.seconds and first["wall"] <= LONG and runs > 1:
        more = repeat(Measure("", "", ""), [ACCORDS, "validate"], runs - 1, max(limit, 600), env)
        whole.seconds += more.seconds
        whole.peak_mb = max(whole.peak_mb, more.peak_mb)
    return [
        repeat(entry, [ACCORDS, "validate", str(ENTRY)], runs, limit, env),
        in_process(focused, code, SCOPE, limit, env),
        whole,
    ]


def dumps(runs: int, limit: float, env: dict[str, str]) -> list[Measure]:
    measures = []
    for fmt in FORMATS:
        with tempfile.TemporaryDirectory() as out:
            measures.append(
                repeat(
                    Measure("dump", fmt, "`accords dump` end to end"),
                    [ACCORDS, "dump", "--format", fmt, "--out", out],
                    runs,
                    max(limit, 300),
                    env,
                )
            )
    return measures


def measure(count: int, runs: int, limit: float, where: list[synthetic.Place]) -> dict:
    """Every measure on the register grown by ``count`` synthetic accords."""
    print(f"growth: {count} synthetic accords, {runs} run(s)…", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="accords-kg-growth-") as folder:
        env = project(Path(folder), count, where)
        cold = Measure("load", "store", "cold: first `accords stats`, the store built")
        measures = [repeat(cold, [ACCORDS, "stats"], 1, max(limit, 600), env)]
        size = triples(SCOPE, env)
        measures += queries(runs, limit, env)
        measures += validation(runs, limit, env)
        measures += dumps(runs, limit, env)
    return {
        "accords": count,
        "triples": size,
        "measures": [asdict(m) | {"median": m.median} for m in measures],
    }


def markdown(results: dict) -> str:
    """The growth table: each measure at each size, beside the previous run's median, and
    how many times slower it is at the largest size than at the smallest."""
    sizes = results["sizes"]
    grid = [[Measure.from_json(m) for m in size["measures"]] for size in sizes]
    head = "| measure | how |" + "".join(f" {s['accords']:,} accords | prev. |" for s in sizes)
    lines = [
        f"Run of {results['date']} (previous run: {results.get('previous_date') or 'none'}) "
        f"on `--territories {results['scope']}` plus N synthetic accords, {results['runs']} "
        f"run(s) per measure; {machine_line(results['machine'])}.",
        "",
        head + " largest ÷ smallest |",
        "|---|---|" + "---:|---:|" * len(sizes) + "---:|",
        "| graph | triples |" + "".join(f" {s['triples'] or 0:,} | |" for s in sizes) + " |",
    ]
    for row in zip(*grid, strict=True):
        cells = "".join(f" {_median(m)} | {_s(m.previous)} |" for m in row)
        first, last = row[0].median, row[-1].median
        ratio = f"{last / first:.1f}×" if first and last else "—"
        lines.append(f"| {row[0].group}: {row[0].name} | {row[0].mode} |{cells} {ratio} |")
    if not any(m.previous is not None for row in grid for m in row):
        lines += ["", slower([])]
    for size, row in zip(sizes, grid, strict=True):
        if any(m.previous is not None for m in row):
            lines += ["", f"At {size['accords']:,} accords: {slower(row)}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds before giving up")
    parser.add_argument(
        "--json",
        type=Path,
        help="where to write the results (default: results-growth.json beside this file "
        "with the default sizes, none otherwise); its previous results give the previous-run "
        "column",
    )
    args = parser.parse_args(argv)
    from accords_kg.graph.store import Store

    started = time.time()
    out = args.json or (JSON if tuple(args.sizes) == SIZES else None)
    previous = read_results(out) or {}
    before = {s["accords"]: s for s in previous.get("sizes", [])}
    where = synthetic.places(Store.load(territories=SCOPE))
    sizes = [measure(count, args.runs, args.limit, where) for count in args.sizes]
    for size in sizes:
        found = [Measure.from_json(m) for m in size["measures"]]
        with_previous(found, before.get(size["accords"]))
        size["measures"] = [asdict(m) | {"median": m.median} for m in found]
    results = {
        "scope": SCOPE,
        "runs": args.runs,
        "date": time.strftime("%Y-%m-%d", time.gmtime(started)),
        "previous_date": previous.get("date"),
        "machine": machine(),
        "sizes": sizes,
    }
    print(markdown(results))
    if out is not None:
        write_json(out, results)
    print(f"({time.time() - started:.0f} s in all)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
