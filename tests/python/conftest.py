"""Shared fixtures: the golden images (tests/data/golden) and the command-line tool."""

from __future__ import annotations

import hashlib
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


GOLDEN_DIR = REPO_ROOT / "tests" / "data" / "golden"

# SHA-256 of the seed's published files as copied into tests/data/golden (see its README): a
# re-encoded or truncated copy would otherwise make every golden test compare against itself.
GOLDEN_SHA256 = {
    "overview.png": "f8e5d35d856142c1a9acd6f99b879e5eaf91657fb507e01fbc3e33be27039ec6",
    "zoomlowres.png": "ef8d3ec89be1ea1b8259d4c2766384597865c97370782b6c3dcd87cff7d200b7",
    "zoomhighres.png": "1b02406a6bf7101e12abad2810adc0ec792720e6af816a4378c5d32a8b4f5a08",
}


@pytest.fixture(scope="session")
def golden_dir() -> Path:
    """The seed's published images, committed under tests/data/golden (checked by SHA-256)."""
    for name, digest in GOLDEN_SHA256.items():
        path = GOLDEN_DIR / name
        if not path.is_file():
            pytest.fail(f"golden image {path} is missing from the checkout")
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            pytest.fail(f"golden image {path} differs from the seed's published file")
    return GOLDEN_DIR


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
