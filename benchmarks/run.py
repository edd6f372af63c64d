"""Benchmarks of accords-kg: the commands and engines side by side, on the France-wide graph.

    python benchmarks/run.py                       # France-wide graph, 3 runs: ~20 minutes
    python benchmarks/run.py --scope none --runs 1 # the smoke run (the tests run it)

Not part of the test suite. Every measure runs in a fresh process, whose process tree's
resident memory is sampled (peak, workers included), with a time limit: a measure that does
not finish is reported as such, not waited for. Times are medians of ``--runs`` runs, fewer
when one run already takes over 20 s (the table says how many). "Warm" means the persisted
store and the territorial files are already in the cache; "cold", that the store is built.

Prints a Markdown table (the one the README shows) and writes JSON beside this file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENTRY = ROOT / "tests" / "entries" / "good" / "complete-accord.ttl"
ACCORDS = str(Path(sys.executable).parent / "accords")
LONG = 20.0  # past this many seconds in one run, no more runs


@dataclass
class Measure:
    group: str
    name: str
    mode: str
    seconds: list[float] = field(default_factory=list)
    peak_mb: float = 0.0
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None


def _tree_rss_kb(root: int) -> int:
    """Resident memory of ``root`` and its descendants, in kB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/statm") as statm:
                rss[int(entry)] = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def run(argv: list[str], timeout: float, env: dict[str, str] | None = None) -> dict:
    """Run a process; its wall time, peak tree memory, output lines, and whether it finished."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd="/tmp"
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, _ = process.communicate(timeout=timeout)
        finished = process.returncode in (0, 1)  # 1: a report with violations
    except subprocess.TimeoutExpired:
        subprocess.run(["pkill", "-KILL", "-P", str(process.pid)], check=False)
        process.kill()
        out, _ = process.communicate()
        finished = False
    stop.set()
    sampler.join()
    return {
        "wall": time.perf_counter() - start,
        "peak_mb": peak / 1024,
        "lines": out.splitlines(),
        "finished": finished,
        "code": process.returncode,
    }


def python(code: str, timeout: float, env: dict[str, str] | None = None) -> dict:
    """Run ``code`` in a fresh interpreter; it prints ``RESULT <json>`` lines."""
    done = run([sys.executable, "-c", code], timeout, env)
    done["results"] = [json.loads(x[7:]) for x in done["lines"] if x.startswith("RESULT ")]
    return done


def repeat(measure: Measure, argv: list[str], runs: int, timeout: float) -> Measure:
    """Time a whole command (process start included)."""
    for _ in range(runs):
        done = run(argv, timeout)
        measure.peak_mb = max(measure.peak_mb, done["peak_mb"])
        if not done["finished"]:
            measure.note = (
                f"did not finish in {timeout:g} s"
                if done["code"] in (None, -9)
                else (f"exit {done['code']}")
            )
            break
        measure.seconds.append(done["wall"])
        if done["wall"] > LONG:
            break
    return measure


SETUP = """
import json, statistics, sys, time
from pathlib import Path
from accords_kg.graph.store import Store
from accords_kg.sparql import saved
from accords_kg.validation import validate
from accords_kg.publishing import dump
from accords_kg.graph.load import parse_file
def report(**kw): print("RESULT " + json.dumps(kw), flush=True)
def timed(f, runs):
    out = []
    for _ in range(runs):
        t = time.perf_counter(); f(); out.append(time.perf_counter() - t)
        if out[-1] > %(long)r: break
    return out
store = Store.load(territories=%(scope)r)
"""


def in_process(measure: Measure, code: str, scope: str, timeout: float) -> Measure:
    done = python(SETUP % {"scope": scope, "long": LONG} + code, timeout)
    measure.peak_mb = done["peak_mb"]
    if done["results"]:
        measure.seconds = done["results"][0]["seconds"]
    else:
        measure.note = f"did not finish in {timeout:g} s" if not done["finished"] else "failed"
    return measure


def query_engine(names: list[str], engine: str, scope: str, runs: int, limit: float) -> dict:
    """Each saved query's own run on one engine, in one process that loads the graph once;
    a query still running after ``limit`` seconds is reported as such, the process killed
    and restarted for the next ones."""
    out: dict[str, dict] = {}
    todo = list(names)
    while todo:
        code = f"""
print("RESULT " + json.dumps({{"loaded": True}}), flush=True)
if {engine!r} == "rdflib":
    t = time.perf_counter()
    store.dataset  # rdflib's copy of the graph, built once before the clock starts
    print("RESULT " + json.dumps({{"built": [time.perf_counter() - t]}}), flush=True)
for name in {todo!r}:
    q = saved.get(name)
    bindings = q.bindings({{}})
    run = lambda: store.query(q.text, bindings, engine={engine!r})
    report(name=name, seconds=timed(run, {runs}))
"""
        process = subprocess.Popen(
            [sys.executable, "-c", SETUP % {"scope": scope, "long": LONG} + code],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd="/tmp",
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def read(stream=process.stdout, into: queue.Queue = lines) -> None:
            for line in stream:
                into.put(line)
            into.put(None)

        threading.Thread(target=read, daemon=True).start()
        peak, ready = 0, False
        while todo:
            deadline = time.monotonic() + (limit if ready else 600)
            line = None
            while time.monotonic() < deadline:
                peak = max(peak, _tree_rss_kb(process.pid))
                try:
                    line = lines.get(timeout=0.2)
                    break
                except queue.Empty:
                    continue
            if line is None:  # past the limit, or the process ended
                if ready:
                    out[todo.pop(0)] = {
                        "seconds": [],
                        "note": f"did not finish in {limit:g} s",
                        "peak_mb": peak / 1024,
                    }
                break
            if not line.startswith("RESULT "):
                continue
            result = json.loads(line[7:])
            if "name" in result:
                out[result["name"]] = {"seconds": result["seconds"], "peak_mb": peak / 1024}
                todo.remove(result["name"])
            if "built" in result:
                out["(build rdflib's graph)"] = {"seconds": result["built"], "peak_mb": 0.0}
            ready = ready or "built" in result or (engine != "rdflib" and "loaded" in result)
        process.kill()
        process.wait()
        if todo and not ready:
            break
    return out


def machine() -> dict[str, str]:
    model = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        mem = int(info.readline().split()[1]) // 1024 // 1024
    versions = {}
    for package in ("pyoxigraph", "rdflib", "pyshacl"):
        done = subprocess.run(
            [sys.executable, "-c", f"import {package}; print({package}.__version__)"],
            capture_output=True,
            text=True,
        )
        versions[package] = done.stdout.strip()
    return {
        "cpu": model,
        "cores": str(len(os.sched_getaffinity(0))),
        "memory": f"{mem} GiB",
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        **versions,
    }


def benchmark(scope: str, runs: int, limit: float) -> list[Measure]:
    measures: list[Measure] = []
    where = ["--territories", scope]
    print(f"benchmarks on --territories {scope}, {runs} run(s)…", file=sys.stderr)
    # Make sure the layer and the persisted store exist (the first load builds them).
    run([ACCORDS, "stats", *where], 600)

    if scope == "france":
        with tempfile.TemporaryDirectory() as out:
            measures.append(
                repeat(
                    Measure("build", "territories build --scope france", "process, cached release"),
                    [ACCORDS, "territories", "build", "--scope", "france", "--out", out],
                    runs,
                    limit,
                )
            )

    # Load: cold (the persisted store built into an empty cache) and warm.
    cache = Path(os.environ.get("ACCORDS_KG_CACHE", Path.home() / ".cache" / "accords-kg"))
    with tempfile.TemporaryDirectory() as empty:
        for kept in ("territories", "npm"):
            if (cache / kept).exists():
                os.symlink(cache / kept, Path(empty) / kept)
        cold = Measure("load", "store", "cold: parse into Oxigraph")
        done = python(
            "import time; t = time.perf_counter()\nfrom accords_kg.graph.store import Store\n"
            f"Store.load(territories={scope!r})\n"
            'print("RESULT {\\"seconds\\": [%r]}" % (time.perf_counter() - t))',
            limit,
            {**os.environ, "ACCORDS_KG_CACHE": empty},
        )
        cold.seconds, cold.peak_mb = [r["seconds"][0] for r in done["results"]], done["peak_mb"]
        measures.append(cold)
    measures.append(
        in_process(
            Measure("load", "store", "warm: open the persisted store"),
            f"report(seconds=timed(lambda: Store.load(territories={scope!r}), {runs}))",
            scope,
            limit,
        )
    )

    # Queries: end to end, and each engine's own run.
    names = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    engines = {e: query_engine(names, e, scope, runs, limit) for e in ("oxigraph", "rdflib")}
    build = engines["rdflib"].pop("(build rdflib's graph)", {"seconds": []})
    measures.append(
        Measure("load", "rdflib graph", "warm: copy the store into rdflib", build["seconds"])
    )
    for name in names:
        for engine, results in engines.items():
            found = results.get(name, {"seconds": [], "note": "not run"})
            measures.append(
                Measure(
                    "query",
                    name,
                    f"{engine}: the query's own run",
                    found["seconds"],
                    found.get("peak_mb", 0.0),
                    found.get("note", ""),
                )
            )
        measures.append(
            repeat(
                Measure("query", name, "`accords query` end to end"),
                [ACCORDS, "query", name, *where, "--format", "json"],
                runs,
                limit,
            )
        )

    # Validation: the whole graph, and a new entry of ~100 triples.
    measures.append(
        repeat(
            Measure("validate", "whole graph", "`accords validate`: pieces, 2 workers"),
            [ACCORDS, "validate", *where],
            runs,
            max(limit, 300),
        )
    )
    measures.append(
        in_process(
            Measure("validate", "whole graph", "naive: pyshacl on the whole graph"),
            "shapes = validate.shapes_for(store)\n"
            "report(seconds=timed(lambda: validate.validate_graph(store.union(), shapes), 1))",
            scope,
            max(limit, 600),
        )
    )
    measures.append(
        repeat(
            Measure("validate", "new entry (93 triples)", "`accords validate ENTRY` end to end"),
            [ACCORDS, "validate", str(ENTRY), *where],
            runs,
            limit,
        )
    )
    entry = f"entry = parse_file(Path({str(ENTRY)!r}))\n"
    for mode, whole, n in (("focused", False, runs), ("naive: whole merged graph", True, 1)):
        measures.append(
            in_process(
                Measure("validate", "new entry (93 triples)", mode),
                entry + f"report(seconds=timed(lambda: validate.validate_entry(store, entry, "
                f"whole={whole}), {n}))",
                scope,
                max(limit, 600),
            )
        )

    # Dumps: each format, end to end.
    for fmt in ("turtle", "ntriples", "jsonld", "trig", "xml"):
        with tempfile.TemporaryDirectory() as out:
            measures.append(
                repeat(
                    Measure("dump", fmt, "`accords dump` end to end"),
                    [ACCORDS, "dump", "--format", fmt, "--out", out, *where],
                    runs,
                    max(limit, 300),
                )
            )
    return measures


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def table(measures: list[Measure]) -> str:
    """The Markdown tables: queries with both engines side by side, then everything else."""
    lines = [
        "| query | Oxigraph | rdflib | rdflib ÷ Oxigraph | `accords query` end to end | peak |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    by = {(m.group, m.name, m.mode.split(":")[0]): m for m in measures}
    for name in sorted({m.name for m in measures if m.group == "query"}):
        ox, rd = by[("query", name, "oxigraph")], by[("query", name, "rdflib")]
        e2e = by[("query", name, "`accords query` end to end")]
        ratio = f"{rd.median / ox.median:,.0f}×" if rd.median and ox.median else "—"
        rd_text = _s(rd.median) if rd.seconds else (rd.note or "—")
        lines.append(
            f"| {name} | {_s(ox.median)} | {rd_text} | {ratio} | {_s(e2e.median)} "
            f"| {e2e.peak_mb:.0f} MB |"
        )
    lines += ["", "| measure | how | median | runs | peak memory |", "|---|---|---:|---:|---:|"]
    for m in measures:
        if m.group == "query":
            continue
        median = _s(m.median) if m.seconds else (m.note or "—")
        peak = f"{m.peak_mb:.0f} MB" if m.peak_mb else "—"  # not sampled on its own
        lines.append(f"| {m.group}: {m.name} | {m.mode} | {median} | {len(m.seconds)} | {peak} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scope", default="france", choices=("france", "committed", "hauts-de-france", "none")
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds before giving up")
    parser.add_argument(
        "--json",
        type=Path,
        help="where to write the results (default: results-france.json beside this file for "
        "the France-wide run, which the docs quote; other scopes write none unless asked)",
    )
    args = parser.parse_args(argv)
    if not Path(ACCORDS).exists() and not shutil.which("accords"):
        parser.error("install the project first: pip install -e .")
    started = time.time()
    measures = benchmark(args.scope, args.runs, args.limit)
    text = table(measures)
    info = machine()
    print(
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']}; Python "
        f"{info['python']}, pyoxigraph {info['pyoxigraph']}, rdflib {info['rdflib']}, "
        f"pyshacl {info['pyshacl']}; --territories {args.scope}, {args.runs} run(s).\n"
    )
    print(text)
    out = args.json or (HERE / "results-france.json" if args.scope == "france" else None)
    if out is None:  # the smoke run leaves nothing in the checkout
        print(f"({time.time() - started:.0f} s in all)", file=sys.stderr)
        return 0
    out.write_text(
        json.dumps(
            {
                "scope": args.scope,
                "runs": args.runs,
                "date": time.strftime("%Y-%m-%d", time.gmtime(started)),
                "machine": info,
                "measures": [asdict(m) | {"median": m.median} for m in measures],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"(written to {out}; {time.time() - started:.0f} s in all)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
