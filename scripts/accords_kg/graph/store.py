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

import contextlib
import hashlib
import os
import re
import shutil
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node, Variable

from .. import __version__
from ..errors import InputError, UsageError
from ..files import hold, recover_if_needed, release, sweep
from ..progress import Progress
from ..resources import GRAPH_BASE, LAYERS, Layer, home
from ..sparql.bind import inline
from ..sparql.guard import QueryError, QueryTimeout, check_query
from ..sparql.results import Result
from . import territories as territorial
from .convert import from_oxigraph_term, rdflib_graph, to_oxigraph_term

ENGINES = ("oxigraph", "rdflib")


_COMMENT = re.compile(r"(?m)(^|\s)#.*$")
_SELECT = re.compile(r"\bSELECT\s+((?:DISTINCT|REDUCED)\s+)?", re.IGNORECASE)


def _project(text: str, names: Iterable[str]) -> str:
    """``text`` with ``?name`` added to its top-level SELECT (the first one after the prologue)."""
    match = _SELECT.search(_COMMENT.sub(lambda m: m.group(1) + " " * (len(m.group(0)) - 1), text))
    if match is None or text[match.end() :].lstrip().startswith("*"):
        return text
    added = "".join(f"?{name} " for name in names)
    return text[: match.end()] + added + text[match.end() :]


def _converted(solutions: ox.QuerySolutions, columns: list[int]) -> list[tuple]:
    """The rows as rdflib terms (None where unbound). Each distinct term is converted once
    (a result repeats its accords, kinds and vintages on every row; building an rdflib
    literal is the costly part) and columns are read by position: 358 rows of
    ``intercommunalities-concerned`` in 7 ms instead of 18."""
    done: dict[object, Node] = {}
    rows = []
    for solution in solutions:
        row = []
        for column in columns:
            term = solution[column]
            if term is not None and (converted := done.get(term)) is None:
                converted = done[term] = from_oxigraph_term(term)
            row.append(None if term is None else converted)
        rows.append(tuple(row))
    return rows


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


def _input_key(files: list[tuple[str, Path]]) -> str:
    """What the persisted store depends on: the code's version, each file's graph and bytes."""
    digest = hashlib.sha256(f"accords-kg {__version__} oxigraph {ox.__version__}".encode())
    for graph_iri, path in files:
        digest.update(f"\n{graph_iri}\n{path.name}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def _load_file(engine: ox.Store, path: Path, graph_iri: str) -> None:
    """Parse one project file into its named graph and into the default graph (the union)."""
    for graph in (ox.NamedNode(graph_iri), ox.DefaultGraph()):
        _load_into(engine, path, graph)


def _load_into(
    engine: ox.Store, path: Path, graph: ox.NamedNode | ox.DefaultGraph, bulk: bool = False
) -> None:
    """Parse one project file into ``graph``.

    ``bulk``: with Oxigraph's bulk loader, which writes the database's files directly (three
    times as fast on France) but is no transaction: a file that fails leaves its first
    triples behind, so it is only for a store that is thrown away on failure (a build).
    Both loaders report a syntax error with its line, which the message keeps."""
    load = engine.bulk_load if bulk else engine.load
    try:
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
        load(path=str(path), format=fmt, base_iri=path.resolve().as_uri(), to_graph=graph)
    except SyntaxError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError(
            f"syntax error: {exc}", str(path), int(line.group(1)) if line else None
        ) from None
    except OSError as exc:
        raise InputError(str(exc), str(path)) from None


def persisted(files: list[tuple[str, Path]]) -> Path:
    """The folder of an Oxigraph database of ``files``, built once into the cache and reused
    until any input changes (its key hashes them all): a warm command parses nothing.

    A build goes into ``.KEY.PID.building``, under the lock ``.KEY.PID.lock`` (taken first),
    and is renamed into place when complete; builds whose process died (killed, out of
    memory) are swept away by the next command (:func:`_sweep`)."""
    stores = territorial.cache_dir() / "stores"
    folder = stores / _input_key(files)
    if stores.is_dir():
        _sweep(stores)
    if (folder / "complete").exists():
        with contextlib.suppress(OSError):  # last used now: pruning drops the least recent
            os.utime(folder)
        return folder / "db"
    stores.mkdir(parents=True, exist_ok=True)
    lock = stores / f".{folder.name}.{os.getpid()}.lock"
    building = lock.with_suffix(".building")
    held = hold(lock)
    try:
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
        _build(building / "db", files)
        (building / "complete").touch()
        try:
            os.rename(building, folder)
        except OSError:  # another process built the same store meanwhile
            shutil.rmtree(building, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    finally:
        release(lock, held)
    _prune(stores, keep=folder)
    return folder / "db"


def _build(location: Path, files: list[tuple[str, Path]]) -> None:
    """Bulk-load ``files`` into a new database at ``location``, closed on return.

    Each file goes into its named graph and into the default graph (:func:`_load_all`). The
    database is then compacted (``optimize``): each bulk load leaves its own files, which
    every later read goes through (whole-graph validation on France: 11.5 s before, 8.7 s
    after; the compaction takes 0.75 s once).

    On a failure the database is closed before the error goes up, so that the caller can
    remove its folder: the bulk loader's background writes would otherwise go on filling
    it while it is being removed (the error's traceback keeps the store open)."""
    engine = ox.Store(str(location))
    jobs = [(p, g) for iri, p in files for g in (ox.NamedNode(iri), ox.DefaultGraph())]
    try:
        _load_all(engine, jobs)
        engine.flush()
        engine.optimize()
    except BaseException as exc:
        traceback.clear_frames(exc.__traceback__)  # the loaders' frames held the store
        raise
    finally:
        del engine  # the last reference: closes the database


def _load_all(engine: ox.Store, jobs: list[tuple[Path, ox.NamedNode | ox.DefaultGraph]]) -> None:
    """Run the bulk loads ``jobs`` (file, graph) on two threads: the bulk loader builds its
    index files on one core, and the two copies of France take 3.8 s side by side where
    they took 6.9 s one after the other. On a failure, the jobs not started are cancelled,
    the running ones awaited, and every failed job's traceback cleared (each holds the
    store: a file with a syntax error fails in both its graphs)."""
    progress = Progress("loading the graph / chargement du graphe")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {pool.submit(_load_into, engine, p, g, True): p.name for p, g in jobs}
        try:
            for done, future in enumerate(as_completed(futures)):
                progress(done, len(jobs), futures[future])
                future.result()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            for future in futures:
                if not future.cancelled() and (failure := future.exception()) is not None:
                    traceback.clear_frames(failure.__traceback__)
            raise
    progress(len(jobs), len(jobs))


def _sweep(stores: Path, stale: float = 3600.0) -> None:
    """Remove the builds a dead process left behind: those whose lock no process holds, and
    those with no lock at all (left by an older version) unchanged for ``stale`` seconds. A
    build in progress holds its lock, and is kept."""
    for lock in stores.glob(".*.lock"):
        sweep(lock, lock.with_suffix(".building"))
    for left in stores.glob(".*.building"):
        with contextlib.suppress(OSError):
            if (
                not left.with_suffix(".lock").exists()
                and time.time() - left.stat().st_mtime > stale
            ):
                shutil.rmtree(left, ignore_errors=True)


def _prune(stores: Path, keep: Path, most: int = 6, age: float = 600.0) -> None:
    """Drop old persisted stores: all but the ``most`` last used, and only those unused a
    while."""
    now = time.time()
    built = sorted(
        (p for p in stores.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in built[most:]:
        if old != keep and now - old.stat().st_mtime > age:
            shutil.rmtree(old, ignore_errors=True)


class Store:
    """The dataset: one named graph per layer, and their union, in Oxigraph.

    ``Store.load()`` opens the persisted store of the project's files; ``Store()`` is an
    empty in-memory one (to fill with :meth:`add_file`). The rdflib views (:attr:`dataset`,
    :meth:`layer`, :meth:`union`), for validation and serialisation, are built on demand.
    """

    def __init__(
        self, engine: ox.Store | None = None, read_only: bool = False, location: Path | None = None
    ) -> None:
        self._engine = engine if engine is not None else ox.Store()
        self._read_only = read_only
        #: The persisted database, which other processes may open read-only too (None when
        #: the store lives in memory or has been changed).
        self.location = location
        self._dataset: Dataset | None = None

    @classmethod
    def load(
        cls,
        root: Path | None = None,
        territories: str = territorial.DEFAULT_SCOPE,
        layers: Iterable[Layer] = LAYERS,
    ) -> Store:
        """The files of ``layers`` and of the territorial layer of scope ``territories``, each
        vintage in its own named graph (``committed``, alias ``hauts-de-france``: the
        committed vintages; ``france``: France at the default vintage, built into the cache
        first if missing, with the other committed vintages; ``none``: no territorial layer).
        Files come from :func:`resources.home` unless ``root`` is given."""
        recover_if_needed((root or home()) / "data")  # an interrupted `accords add`
        files = [
            (layer.graph_iri, path) for layer in layers for path in layer.files(root or home())
        ]
        territorial_files = territorial.layer_files(territories, root)
        if territorial.scope_name(territories) == "france" and not all(
            path.is_file() for _, path in territorial_files
        ):
            territorial.build("france", root=root, progress=True)
        files += territorial_files
        location = persisted(files)
        return cls(ox.Store.read_only(str(location)), read_only=True, location=location)

    def _writable(self) -> ox.Store:
        if self._read_only:  # a loaded store is shared: changes go to a private copy
            copy = ox.Store()
            copy.bulk_extend(self._engine.quads_for_pattern(None, None, None, None))
            self._engine, self._read_only, self.location = copy, False, None
        self._dataset = None
        return self._engine

    def add_file(self, path: Path, graph_iri: str) -> None:
        _load_file(self._writable(), path, graph_iri)

    def add_graph(self, graph: Graph, graph_iri: str) -> None:
        engine = self._writable()
        data = graph.serialize(format="nt", encoding="utf-8")
        for target in (ox.NamedNode(graph_iri), ox.DefaultGraph()):
            engine.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=target)

    def oxigraph(self) -> ox.Store:
        """The Oxigraph store. Its default graph holds the union of the layers, not a view of
        them: a triple stated in two layers (a région's name, curated and official) must
        match once, as in an RDF merge."""
        return self._engine

    def _graph(self, graph: ox.NamedNode | ox.DefaultGraph) -> Graph:
        return rdflib_graph(
            q.triple for q in self._engine.quads_for_pattern(None, None, None, graph)
        )

    @property
    def dataset(self) -> Dataset:
        """An rdflib dataset with one named graph per layer (built on first use)."""
        if self._dataset is None:
            dataset = Dataset(default_union=True)
            for name in self.layer_names():
                target = dataset.graph(URIRef(GRAPH_BASE + name))
                target += self._graph(ox.NamedNode(GRAPH_BASE + name))
            self._dataset = dataset
        return self._dataset

    def layer_names(self) -> list[str]:
        """Names of the non-empty named graphs, sorted."""
        return sorted(
            g.value[len(GRAPH_BASE) :]
            for g in self._engine.named_graphs()
            if isinstance(g, ox.NamedNode)
            and g.value.startswith(GRAPH_BASE)
            and next(iter(self._engine.quads_for_pattern(None, None, None, g)), None) is not None
        )

    def territorial_layers(self) -> list[str]:
        """Names of the territorial layer's graphs (``territories/2023`` …), one per vintage."""
        return [n for n in self.layer_names() if n.startswith(territorial.GRAPH_PREFIX)]

    def layer(self, name: str) -> Graph:
        return self.dataset.graph(URIRef(GRAPH_BASE + name))

    def stored_layer(self, name: str) -> Graph:
        """One layer as a plain graph, read from Oxigraph alone (the rdflib dataset of every
        layer, which :meth:`layer` builds, takes seconds on the France-wide graph)."""
        return self._graph(ox.NamedNode(GRAPH_BASE + name))

    def holds(
        self,
        triple: tuple[Node | None, Node | None, Node | None],
        layer: str | Iterable[str] | None = None,
    ) -> bool:
        """Whether the triple (None: any term) is in ``layer``, or in one of several layers
        (in any, if None)."""
        if layer is None:
            graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph()]
        else:
            names = [layer] if isinstance(layer, str) else list(layer)
            graphs = [ox.NamedNode(GRAPH_BASE + name) for name in names]
        pattern = [None if term is None else to_oxigraph_term(term) for term in triple]
        return any(
            next(iter(self._engine.quads_for_pattern(*pattern, graph)), None) is not None
            for graph in graphs
        )

    def union(self, graphs: Iterable[str] | None = None) -> Graph:
        """A plain graph with every triple of every layer (a copy: safe to merge into), or of
        the named graphs ``graphs`` (IRIs)."""
        if graphs is None:
            return self._graph(ox.DefaultGraph())
        return rdflib_graph(
            q.triple
            for graph in graphs
            for q in self._engine.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        )

    def __len__(self) -> int:
        """The number of distinct triples in the union of the layers."""
        answer = self._engine.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(next(iter(answer))["n"].value)

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
        # the text the engine will run is the one checked (Oxigraph's gets the parameters
        # added to its projection)
        runs = _project(text, bindings) if engine == "oxigraph" else text
        check_query(runs, source, allow_service=allow_service, allow_from=engine == "oxigraph")
        run = self._query_rdflib if engine == "rdflib" else self._query_oxigraph
        if timeout is None:
            return run(text, bindings, source)
        return _with_timeout(lambda: run(text, bindings, source), timeout)

    def _solve(self, text: str, bindings: dict[str, Node]) -> object:
        """Oxigraph's answer, the bound terms written in place of their variables (Oxigraph
        plans with them: see :func:`..sparql.bind.inline`), else bound as substitutions."""
        if bindings:
            try:
                return self.oxigraph().query(inline(text, bindings))
            except (SyntaxError, UsageError):  # a variable that may not become a term
                pass
        return self.oxigraph().query(
            _project(text, bindings),
            substitutions={ox.Variable(k): to_oxigraph_term(v) for k, v in bindings.items()},
        )

    def _query_oxigraph(self, text: str, bindings: dict[str, Node], source: str) -> Result:
        try:
            answer = self._solve(text, bindings)
            if isinstance(answer, ox.QueryBoolean):
                return Result([], [], bool(answer))
            if not isinstance(answer, ox.QuerySolutions):
                raise UsageError(
                    "only SELECT and ASK queries can be run here, not CONSTRUCT or DESCRIBE; "
                    "use `accords dump` for graphs"
                )
            kept = [(i, v.value) for i, v in enumerate(answer.variables) if v.value not in bindings]
            names = [name for _, name in kept]
            rows = _converted(answer, [i for i, _ in kept])
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
        from pyparsing import ParseException

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
