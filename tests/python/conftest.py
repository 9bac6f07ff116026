"""Shared fixtures: where the golden images and the command-line tool are."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

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
