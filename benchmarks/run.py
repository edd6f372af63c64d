"""Benchmarks of accords-kg: the commands and engines side by side, on the France-wide graph.

    python benchmarks/run.py                       # France-wide graph, 3 runs: ~20 minutes
    python benchmarks/run.py --scope none --runs 1 # the smoke run (the tests run it)
    python benchmarks/run.py --markdown docs/performance.md  # refresh the docs' tables

Not part of the test suite. Every measure runs in a fresh process, whose process tree's
resident memory is sampled (peak, workers included), with a time limit: a measure that does
not finish is reported as such, not waited for. Times are medians of ``--runs`` runs, fewer
when one run already takes over 20 s (the table says how many). "Warm" means the persisted
store and the territorial files are already in the cache; "cold", that the store is built.

Prints Markdown tables, each measure beside its median in the previous run (read from the
JSON file this run replaces), and the targets of issues #5 and #15; writes the JSON beside
this file (France-wide run only, unless ``--json``). ``--markdown`` measures nothing: it
prints the tables docs/performance.md shows, from the JSON files (this one's and
growth.py's), or rewrites them in place between the doc's markers.
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
    #: The same measure's median in the previous run (read from the JSON this run replaces).
    previous: float | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def key(self) -> str:
        return f"{self.group} | {self.name} | {self.mode}"

    @classmethod
    def from_json(cls, fields: dict) -> Measure:
        """A measure as a results file holds it (``median`` is derived, not read)."""
        return cls(**{k: v for k, v in fields.items() if k in cls.__dataclass_fields__})


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


def repeat(
    measure: Measure, argv: list[str], runs: int, timeout: float, env: dict[str, str] | None = None
) -> Measure:
    """Time a whole command (process start included)."""
    for _ in range(runs):
        done = run(argv, timeout, env)
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


def in_process(
    measure: Measure, code: str, scope: str, timeout: float, env: dict[str, str] | None = None
) -> Measure:
    done = python(SETUP % {"scope": scope, "long": LONG} + code, timeout, env)
    measure.peak_mb = done["peak_mb"]
    if done["results"]:
        measure.seconds = done["results"][0]["seconds"]
    else:
        measure.note = f"did not finish in {timeout:g} s" if not done["finished"] else "failed"
    return measure


ENGINE_CODE = """
print("RESULT " + json.dumps({"loaded": True}), flush=True)
if %(engine)r == "rdflib":
    t = time.perf_counter()
    store.dataset  # rdflib's copy of the graph, built once before the clock starts
    print("RESULT " + json.dumps({"built": [time.perf_counter() - t]}), flush=True)
for name in %(names)r:
    q = saved.get(name)
    bindings = q.bindings({})
    run = lambda: store.query(q.text, bindings, engine=%(engine)r)
    report(name=name, seconds=timed(run, %(runs)r))
"""


def _engine_process(
    code: str, scope: str, env: dict[str, str] | None
) -> tuple[subprocess.Popen, queue.Queue[str | None]]:
    """A fresh interpreter running ``code`` on the loaded store, and the queue its output
    lines arrive in (None when it ends)."""
    process = subprocess.Popen(
        [sys.executable, "-c", SETUP % {"scope": scope, "long": LONG} + code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd="/tmp",
        env=env,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read(stream=process.stdout, into: queue.Queue = lines) -> None:
        for line in stream:
            into.put(line)
        into.put(None)

    threading.Thread(target=read, daemon=True).start()
    return process, lines


def _next_result(
    process: subprocess.Popen, lines: queue.Queue[str | None], seconds: float, peak: int
) -> tuple[dict | None, int]:
    """The next ``RESULT`` the process prints within ``seconds`` (None past them, or when it
    ended), and the peak memory of its tree so far (kB)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        peak = max(peak, _tree_rss_kb(process.pid))
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        if line is None:
            return None, peak
        if line.startswith("RESULT "):
            return json.loads(line[7:]), peak
    return None, peak


def query_engine(
    names: list[str],
    engine: str,
    scope: str,
    runs: int,
    limit: float,
    env: dict[str, str] | None = None,
) -> dict:
    """Each saved query's own run on one engine, in one process that loads the graph once;
    a query still running after ``limit`` seconds is reported as such, the process killed
    and restarted for the next ones."""
    out: dict[str, dict] = {}
    todo = list(names)
    while todo:
        code = ENGINE_CODE % {"engine": engine, "names": todo, "runs": runs}
        process, lines = _engine_process(code, scope, env)
        peak, ready = 0, False
        while todo:
            result, peak = _next_result(process, lines, limit if ready else 600, peak)
            if result is None:  # past the limit, or the process ended
                if ready:
                    note = f"did not finish in {limit:g} s"
                    out[todo.pop(0)] = {"seconds": [], "note": note, "peak_mb": peak / 1024}
                break
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
    """Every measure on the graph of ``--territories scope``, in the order the table shows."""
    print(f"benchmarks on --territories {scope}, {runs} run(s)…", file=sys.stderr)
    # Make sure the layer and the persisted store exist (the first load builds them).
    run([ACCORDS, "stats", "--territories", scope], 600)
    return [
        *loads(scope, runs, limit),
        *queries(scope, runs, limit),
        *validations(scope, runs, limit),
        *dumps(scope, runs, limit),
    ]


def loads(scope: str, runs: int, limit: float) -> list[Measure]:
    """The France-wide layer's build; the store's first load (into an empty cache), and
    its next ones."""
    measures: list[Measure] = []
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
    return measures


def queries(scope: str, runs: int, limit: float) -> list[Measure]:
    """Each saved query's own run on both engines, and `accords query` end to end; first,
    the time rdflib takes to copy the graph before its first query."""
    names = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    engines = {e: query_engine(names, e, scope, runs, limit) for e in ("oxigraph", "rdflib")}
    build = engines["rdflib"].pop("(build rdflib's graph)", {"seconds": []})
    measures = [
        Measure("load", "rdflib graph", "warm: copy the store into rdflib", build["seconds"])
    ]
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
                [ACCORDS, "query", name, "--territories", scope, "--format", "json"],
                runs,
                limit,
            )
        )
    return measures


def validations(scope: str, runs: int, limit: float) -> list[Measure]:
    """The whole graph, and a new entry of ~100 triples: by the command, and naively."""
    where = ["--territories", scope]
    measures: list[Measure] = []
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
    return measures


def dumps(scope: str, runs: int, limit: float) -> list[Measure]:
    """Each format, end to end."""
    where = ["--territories", scope]
    measures: list[Measure] = []
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


def _median(m: Measure) -> str:
    return _s(m.median) if m.seconds else (m.note or "—")


def query_table(measures: list[Measure]) -> list[str]:
    """Each saved query on both engines side by side, each beside its previous median."""
    lines = [
        "| query | Oxigraph | prev. | rdflib | prev. | rdflib ÷ Oxigraph "
        "| `accords query` end to end | prev. | peak |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by = {(m.group, m.name, m.mode.split(":")[0]): m for m in measures}
    for name in sorted({m.name for m in measures if m.group == "query"}):
        ox, rd = by[("query", name, "oxigraph")], by[("query", name, "rdflib")]
        e2e = by[("query", name, "`accords query` end to end")]
        ratio = f"{rd.median / ox.median:,.0f}×" if rd.median and ox.median else "—"
        lines.append(
            f"| {name} | {_median(ox)} | {_s(ox.previous)} | {_median(rd)} | {_s(rd.previous)} "
            f"| {ratio} | {_median(e2e)} | {_s(e2e.previous)} | {e2e.peak_mb:.0f} MB |"
        )
    return lines


def other_table(measures: list[Measure]) -> list[str]:
    """Every other measure, in the order measured, beside its previous median."""
    lines = [
        "| measure | how | median | prev. | runs | peak memory |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for m in measures:
        if m.group == "query":
            continue
        peak = f"{m.peak_mb:.0f} MB" if m.peak_mb else "—"  # not sampled on its own
        lines.append(
            f"| {m.group}: {m.name} | {m.mode} | {_median(m)} | {_s(m.previous)} "
            f"| {len(m.seconds)} | {peak} |"
        )
    return lines


def slower(measures: list[Measure], ratio: float = 1.25, floor: float = 0.02) -> str:
    """The measures slower than in the previous run by over ``ratio`` and ``floor`` seconds
    (noise on a shared machine is up to 30%: a flag to look at, not a verdict)."""
    worse = [
        f"{m.group}: {m.name} ({m.mode}): {_s(m.previous)} → {_s(m.median)}"
        for m in measures
        if m.median is not None
        and m.previous is not None
        and m.median > m.previous * ratio
        and m.median - m.previous > floor
    ]
    if not any(m.previous is not None for m in measures):
        return "No previous run to compare with."
    if not worse:
        return f"No measure is slower than in the previous run by over {ratio - 1:.0%}."
    head = f"Slower than in the previous run by over {ratio - 1:.0%} and {floor * 1000:.0f} ms:"
    return "\n".join([head, "", *(f"- {w}" for w in worse)])


@dataclass(frozen=True)
class Target:
    """A bound on the measures of one group whose name and mode start as given: on their
    medians (``seconds``), their peak memory (``mb``), or on how many times faster the
    ``faster`` mode is than ``mode`` for each name (``times``)."""

    what: str
    group: str
    mode: str
    bound: float
    unit: str = "seconds"
    name: str = ""
    faster: str = ""

    def chosen(self, measures: list[Measure], mode: str) -> list[Measure]:
        return [
            m
            for m in measures
            if m.group.startswith(self.group)
            and m.name.startswith(self.name)
            and m.mode.startswith(mode)
        ]

    def check(self, measures: list[Measure]) -> tuple[str, str]:
        """What was measured (the worst case, and which), and whether the bound is met."""
        chosen = self.chosen(measures, self.mode)
        if not chosen:
            return "not measured", "—"
        if self.unit == "times":
            fast = {m.name: m.median for m in self.chosen(measures, self.faster)}
            ratios = [(m.median / fast[m.name], m) for m in chosen if m.median and fast.get(m.name)]
            if not ratios:
                return "not measured", "—"
            value, worst = min(ratios, key=lambda r: r[0])
            text, met = f"{value:,.0f}×", value >= self.bound
        else:
            unfinished = [m for m in chosen if not m.seconds]
            value, worst = max(
                (((m.peak_mb if self.unit == "mb" else m.median or 0.0), m) for m in chosen),
                key=lambda r: r[0],
            )
            text = f"{value:.0f} MB" if self.unit == "mb" else _s(value)
            unfinished = unfinished if self.unit == "seconds" else []
            met = value <= self.bound and not unfinished
            if unfinished:
                text, worst = unfinished[0].note or "did not finish", unfinished[0]
        which = (
            worst.name if len({m.group for m in chosen}) == 1 else f"{worst.group}: {worst.name}"
        )
        which = f" ({which})" if len(chosen) > 1 else ""
        return text + which, "yes" if met else "**no**"


#: The targets of issues #5 and #15, on the France-wide graph.
TARGETS = (
    Target("each saved query's own run on Oxigraph, at most", "query", "oxigraph", 0.05),
    Target("`accords query NAME` end to end, at most", "query", "`accords query`", 0.35),
    Target(
        "Oxigraph × faster than rdflib, at least", "query", "rdflib", 10, "times", "", "oxigraph"
    ),
    Target("first load of the layer (cold), at most", "load", "cold", 5.0, name="store"),
    Target("whole-graph `accords validate`, at most", "validate", "`accords validate`", 10.0),
    Target(
        "`accords validate ENTRY` end to end, at most", "validate", "`accords validate ENTRY`", 0.5
    ),
    Target(
        "entry: focused × faster than naive, at least",
        "validate",
        "naive",
        50,
        "times",
        "new entry",
        "focused",
    ),
    Target("each dump end to end, at most", "dump", "", 5.0),
    Target("each dump's peak memory, at most", "dump", "", 500, "mb"),
    Target("every `accords` command's peak memory, at most", "", "`accords", 1024, "mb"),
)


def _bound(target: Target) -> str:
    if target.unit == "times":
        return f"{target.bound:g}×"
    return f"{target.bound:g} MB" if target.unit == "mb" else _s(target.bound)


def targets_table(measures: list[Measure]) -> list[str]:
    lines = ["| target (issues #5, #15; France-wide) | bound | measured (worst) | met? |"]
    lines.append("|---|---:|---|---|")
    for target in TARGETS:
        measured, met = target.check(measures)
        lines.append(f"| {target.what} | {_bound(target)} | {measured} | {met} |")
    return lines


def machine_line(info: dict[str, str]) -> str:
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['memory']}; Python {info['python']}, "
        f"pyoxigraph {info['pyoxigraph']}, rdflib {info['rdflib']}, pyshacl {info['pyshacl']}"
    )


def markdown(results: dict) -> str:
    """The Markdown of one run's results (as its JSON holds them): what the docs show."""
    measures = [Measure.from_json(m) for m in results["measures"]]
    triples = f", {results['triples']:,} triples" if results.get("triples") else ""
    previous = results.get("previous_date") or "none"
    lines = [
        f"Run of {results['date']} (previous run: {previous}) on `--territories "
        f"{results['scope']}`{triples}, {results['runs']} run(s) per measure; "
        f"{machine_line(results['machine'])}.",
        "",
        *query_table(measures),
        "",
        *other_table(measures),
        "",
        *targets_table(measures),
        "",
        slower(measures),
    ]
    return "\n".join(lines) + "\n"


def read_results(path: Path | None) -> dict | None:
    """A previous run's results, or None where there is no (readable) file."""
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path else None
    except (OSError, ValueError):
        return None


def with_previous(measures: list[Measure], previous: dict | None) -> None:
    """Give each measure the median it had in ``previous`` (same group, name and mode)."""
    before = {
        Measure.from_json(m).key: m.get("median") for m in (previous or {}).get("measures", [])
    }
    for m in measures:
        m.previous = before.get(m.key)


BEGIN = "<!-- generated by `python benchmarks/run.py --markdown docs/performance.md`: begin -->"
END = "<!-- generated: end -->"


def doc_block() -> str:
    """What the docs show between the markers: the France-wide run, then the growth run."""
    from growth import JSON as GROWTH_JSON  # beside this file
    from growth import markdown as growth_markdown

    parts = ["### France-wide graph", ""]
    france = read_results(HERE / "results-france.json")
    parts.append(markdown(france) if france else "Not measured yet.\n")
    parts += ["### Growth: the register with 10, 100 and 1,000 synthetic accords", ""]
    growth = read_results(GROWTH_JSON)
    parts.append(growth_markdown(growth) if growth else "Not measured yet.\n")
    return "\n".join(parts)


def write_doc(path: Path) -> None:
    """Replace what lies between the markers of ``path`` with :func:`doc_block`."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    path.write_text(text[:start] + "\n\n" + doc_block() + "\n" + text[end:], encoding="utf-8")


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
        "the France-wide run, which the docs quote; other scopes write none unless asked); "
        "the file's previous results give the table's previous-run column",
    )
    parser.add_argument(
        "--markdown",
        nargs="?",
        const="-",
        metavar="DOC",
        help="measure nothing: print the docs' tables from the results files, or rewrite "
        "them between the markers of DOC (docs/performance.md)",
    )
    args = parser.parse_args(argv)
    if args.markdown:
        if args.markdown == "-":
            print(doc_block(), end="")
        else:
            write_doc(Path(args.markdown))
        return 0
    if not Path(ACCORDS).exists() and not shutil.which("accords"):
        parser.error("install the project first: pip install -e .")
    started = time.time()
    out = args.json or (HERE / "results-france.json" if args.scope == "france" else None)
    results = measure_all(args.scope, args.runs, args.limit, read_results(out))
    print(markdown(results))
    if out is not None:  # the smoke run leaves nothing in the checkout
        write_json(out, results)
    print(f"({out or 'no JSON written'}; {time.time() - started:.0f} s in all)", file=sys.stderr)
    return 0


def measure_all(scope: str, runs: int, limit: float, previous: dict | None) -> dict:
    """This run's results, as its JSON holds them, with ``previous`` run's medians."""
    started = time.time()
    measures = benchmark(scope, runs, limit)
    with_previous(measures, previous)
    return {
        "scope": scope,
        "runs": runs,
        "date": time.strftime("%Y-%m-%d", time.gmtime(started)),
        "machine": machine(),
        "triples": triples(scope),
        "previous_date": (previous or {}).get("date"),
        "measures": [asdict(m) | {"median": m.median} for m in measures],
    }


def triples(scope: str, env: dict[str, str] | None = None) -> int | None:
    """The number of distinct triples in the loaded graph."""
    code = (
        "from accords_kg.graph.store import Store\n"
        f"print('RESULT', len(Store.load(territories={scope!r})))"
    )
    done = python(code, 600, env)
    return done["results"][0] if done["results"] else None


def write_json(path: Path, results: dict) -> None:
    """Write ``results`` whole or not at all (a killed run leaves the previous file)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)


if __name__ == "__main__":
    sys.exit(main())
