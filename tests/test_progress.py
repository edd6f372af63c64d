"""Long operations say how far they are on standard error, when it is a terminal only."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

from accords_kg.progress import Progress

ACCORDS = [sys.executable, "-m", "accords_kg.cli"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_with_counts_and_stage_ended_by_a_new_line(monkeypatch) -> None:
    monkeypatch.delenv("ACCORDS_PROGRESS", raising=False)
    shown = Terminal()
    progress = Progress("dump", stream=shown)
    progress(0, 2, "turtle")
    progress(1, 2, "xml")
    progress(2, 2)
    lines = shown.getvalue().split("\r")  # each line clears what the longer one before left
    assert lines[1] == "dump [------------------------] 0/2 turtle"
    assert lines[2] == "dump [############------------] 1/2 xml   "
    assert lines[3].startswith("dump [########################] 2/2 (")
    assert lines[3].endswith(" s)\n")


def test_quiet_where_standard_error_is_not_a_terminal(monkeypatch) -> None:
    monkeypatch.delenv("ACCORDS_PROGRESS", raising=False)
    piped = io.StringIO()
    progress = Progress("dump", stream=piped)
    progress(0, 2, "turtle")
    progress(2, 2)
    assert piped.getvalue() == ""


def _stderr_of(args: list[str], terminal: bool) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ACCORDS_PROGRESS"}
    if not terminal:
        done = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
        return done.stderr
    leader, follower = pty.openpty()
    with subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=follower, env=env) as proc:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait() == 0
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_dump_shows_its_progress_in_a_terminal_and_not_in_a_pipe(tmp_path: Path) -> None:
    args = [*ACCORDS, "dump", "--out", str(tmp_path), "--territories", "none",
            "--format", "turtle", "--format", "ntriples"]  # fmt: skip
    seen = _stderr_of(args, terminal=True)
    assert "dump [------------------------] 0/2 turtle" in seen
    assert "dump [########################] 2/2" in seen
    piped = _stderr_of(args, terminal=False)
    assert "dump [" not in piped and "wrote / écrit" in piped


def test_a_stage_is_redrawn_at_most_every_tenth_of_a_second(monkeypatch) -> None:
    shown = Terminal()
    progress = Progress("site", stream=shown)
    for done in range(500):  # far quicker than 0.1 s: drawn once, then when done
        progress(done, 500, "HTML")
    progress(500, 500)
    assert shown.getvalue().count("\r") == 2
