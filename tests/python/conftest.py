"""Shared fixtures: where the golden images and the command-line tool are."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List, Tuple

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def _golden_dir() -> Path:
    configured = os.environ.get("JULIASET_GOLDEN_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "golden"


@pytest.fixture(scope="session")
def golden_dir() -> Path:
    """The seed's published images (shared/golden beside the checkout, or $JULIASET_GOLDEN_DIR)."""
    path = _golden_dir()
    if not (path / "zoomhighres.png").is_file():
        pytest.fail(f"golden images not found in {path}; set JULIASET_GOLDEN_DIR")
    return path


@pytest.fixture(scope="session")
def cli() -> str:
    """Path of the `juliaset` executable under test: $JULIASET_CLI, else the one beside Python."""
    configured = os.environ.get("JULIASET_CLI")
    if configured:
        return configured
    beside_python = Path(sys.executable).parent / "juliaset"
    if beside_python.is_file():
        return str(beside_python)
    found = shutil.which("juliaset")
    if found is None:
        pytest.fail("the juliaset command is not installed; run `make test` or set JULIASET_CLI")
    return found


@pytest.fixture
def interrupt_child() -> Callable[[str], Tuple[float, List[str]]]:
    """Runs a Python script that prints "ready", starts a long render and prints
    "interrupted <perf_counter>" on KeyboardInterrupt; sends it SIGINT half a second after
    "ready" and returns (seconds from the signal to "interrupted", the script's output lines).
    The script must exit with status 0."""

    def run(script: str) -> Tuple[float, List[str]]:
        child = subprocess.Popen(
            [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            time.sleep(0.5)  # let the render get going
            signalled = time.perf_counter()
            child.send_signal(signal.SIGINT)
            stdout, stderr = child.communicate(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        assert child.returncode == 0, stderr
        lines = stdout.split("\n")
        interrupted = [line for line in lines if line.startswith("interrupted")]
        assert interrupted, stdout + stderr
        # perf_counter is CLOCK_MONOTONIC on Linux, shared by both processes.
        return float(interrupted[0].split()[1]) - signalled, lines

    return run
