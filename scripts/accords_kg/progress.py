"""Progress on standard error for the operations that take seconds: a bar with counts and
the stage at work, rewritten in place, ended by a new line when done.

Quiet unless standard error is a terminal (a pipe, a log file or a test sees nothing), or
``ACCORDS_PROGRESS=1`` asks for it anyway; ``force`` is for the commands that always said
their progress (``territories build --scope france``).
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

WIDTH = 24  # the bar's characters
EVERY = 0.1  # seconds between two redraws of one stage


def wanted(stream: TextIO | None = None) -> bool:
    """Whether progress is shown on ``stream`` (standard error by default)."""
    stream = stream or sys.stderr
    if os.environ.get("ACCORDS_PROGRESS") == "1":
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """One line of progress: ``label [#####-----] 3/12 what``; call it with (done, total) or
    (done, total, what), and :meth:`finish` (or ``done == total``) ends the line."""

    def __init__(self, label: str, *, force: bool = False, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.on = force or wanted(self.stream)
        self.started = time.monotonic()
        self._shown = 0  # characters of the last line, to clear what a shorter one leaves
        self._open = False
        self._drawn = (-1.0, "")  # when, and at which stage, the line was last drawn

    def __call__(self, done: int, total: int, what: str = "") -> None:
        last = bool(total) and done >= total
        now = time.monotonic()
        if not self.on or (not last and what == self._drawn[1] and now - self._drawn[0] < EVERY):
            return
        self._drawn = (now, what)
        filled = WIDTH * done // total if total else WIDTH
        bar = "#" * filled + "-" * (WIDTH - filled)
        line = f"{self.label} [{bar}] {done}/{total}" + (f" {what}" if what else "")
        if last:  # with the time it took
            line += f" ({time.monotonic() - self.started:.1f} s)"
        pad = " " * max(0, self._shown - len(line))
        self.stream.write(f"\r{line}{pad}")
        self._shown, self._open = len(line), True
        if last:
            self.finish()
        self.stream.flush()

    def finish(self) -> None:
        """End the line (a stage left unfinished keeps what it showed)."""
        if self.on and self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False
