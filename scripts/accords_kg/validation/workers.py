"""Pieces of a whole-graph validation in worker processes: pyshacl is pure Python, so two
cores need two processes.

A worker is ``python -m accords_kg.validation.workers DATABASE SHAPES LANG GRAPHS``: it opens the
persisted Oxigraph database read-only (several processes may), reads from the named graphs
of the snapshot GRAPHS (a JSON list of IRIs, or ``null``: the union of every layer), parses
the shapes once, then answers
each line of its standard input — a JSON list of focus nodes in N-Triples syntax — with one
line of JSON: the findings of those nodes. Plain subprocesses rather than
:mod:`multiprocessing`, which would re-import the caller's main module in every worker.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node
from rdflib.util import from_n3

from ..errors import AccordsError
from ..graph.store import Store
from .report import Finding
from .shacl import Pieces

Piece = Sequence[Node]


class WorkerError(AccordsError):
    """A validation worker failed (exit 1 is a report's; this is the command's own failure)."""

    exit_code = 8


def _encode(finding: Finding) -> dict[str, object]:
    return asdict(finding)


def _decode(record: dict) -> Finding:
    record["messages"] = tuple(tuple(pair) for pair in record["messages"])
    return Finding(**record)


class Pool:
    """Worker processes validating pieces of one stored dataset."""

    def __init__(
        self,
        folder: Path,
        location: Path,
        shapes: Graph,
        lang: str,
        count: int,
        snapshot: Sequence[str] | None = None,
    ) -> None:
        shapes_file = folder / "shapes.ttl"
        shapes.serialize(shapes_file, format="turtle", encoding="utf-8")
        self._logs = [folder / f"worker-{i}.log" for i in range(count)]
        graphs = json.dumps(None if snapshot is None else list(snapshot))
        module = "accords_kg.validation.workers"
        command = [sys.executable, "-m", module, str(location), str(shapes_file)]
        self._processes = []
        for log in self._logs:
            with open(log, "wb") as errors:
                self._processes.append(
                    subprocess.Popen(
                        [*command, lang, graphs],
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        stderr=errors,
                        text=True,
                        encoding="utf-8",
                    )
                )

    def map(self, pieces: Sequence[Piece]) -> Iterator[tuple[Piece, set[Finding]]]:
        """Each piece with its findings, in the order they are done."""
        todo: queue.Queue[Piece | None] = queue.Queue()
        done: queue.Queue[tuple[Piece, set[Finding]] | BaseException] = queue.Queue()
        for piece in pieces:
            todo.put(piece)

        def serve(process: subprocess.Popen[str], log: Path) -> None:
            assert process.stdin is not None and process.stdout is not None
            while True:
                try:
                    piece = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    process.stdin.write(json.dumps([n.n3() for n in piece]) + "\n")
                    process.stdin.flush()
                    answer = process.stdout.readline()
                    if not answer:
                        raise WorkerError(_failure(log))
                    done.put((piece, {_decode(r) for r in json.loads(answer)}))
                except (OSError, ValueError, WorkerError) as exc:
                    done.put(exc if isinstance(exc, WorkerError) else WorkerError(_failure(log)))
                    return

        threads = [
            threading.Thread(target=serve, args=pair, daemon=True)
            for pair in zip(self._processes, self._logs, strict=True)
        ]
        for thread in threads:
            thread.start()
        for _ in pieces:
            outcome = done.get()
            if isinstance(outcome, BaseException):
                raise outcome
            yield outcome
        for thread in threads:
            thread.join()

    def close(self) -> None:
        for process in self._processes:
            if process.stdin:
                process.stdin.close()
        for process in self._processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout:
                process.stdout.close()


def _failure(log: Path) -> str:
    tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
    return "a validation worker failed / un processus de validation a échoué: " + " | ".join(tail)


@contextmanager
def pool(
    location: Path, shapes: Graph, lang: str, count: int, snapshot: Sequence[str] | None = None
) -> Iterator[Pool]:
    """``count`` workers on the database at ``location`` (on the named graphs of
    ``snapshot``, if given), stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="accords-kg-validate-") as folder:
        workers = Pool(Path(folder), location, shapes, lang, count, snapshot)
        try:
            yield workers
        finally:
            workers.close()


def main(argv: Sequence[str]) -> int:
    location, shapes_file, lang, graphs = argv
    engine = ox.Store.read_only(location)
    shapes = Graph().parse(shapes_file, format="turtle")
    snapshot = json.loads(graphs)
    validate_piece = Pieces(
        engine,
        shapes,
        Store(engine, read_only=True).stored_layer("ontology"),
        lang,
        None if snapshot is None else tuple(snapshot),
    )
    for line in sys.stdin:
        findings = validate_piece([from_n3(n) for n in json.loads(line)])
        sys.stdout.write(json.dumps([_encode(f) for f in sorted(findings, key=str)]) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
