"""The code stays ruff-clean (lint and format), checked by the same suite CI runs."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_ruff_lint_and_format() -> None:
    for args in (["check"], ["format", "--check"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "scripts", "tests", "benchmarks"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
