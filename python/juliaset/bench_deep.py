"""Deep-zoom benchmark: ``python -m juliaset.bench_deep`` (``make bench-deep``).

For each view of the peer's location (python/juliaset/data/deep_locations.json, fractalshades'
own deep example): the whole ``juliaset`` command, cold, as a subprocess (800 x 800 pixels,
escape radius 100 as the peer used); in-process, the reference orbit's time and the render's
(``_core.DeepRender``); the median iterations per pixel; and ratios against the brute-force
MPFR oracle (``_core.deep_oracle_count`` timed on a sample of pixels and extrapolated) and
against fractalshades on the same view, measured in the same run when a Python with
fractalshades is given (``--peer-python``, ``$JULIASET_PEER_PYTHON``, or this one if it imports
fractalshades; the ``deep-peer`` extra), else against the times the issue published. The peer
runs in a process of its own (``juliaset._peer_fractalshades``): cold is that whole process,
warm its second render. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np

from . import _core

DATA = Path(__file__).with_name("data") / "deep_locations.json"
# The iteration limit of fractalshades' example (examples/batch_mode/23-deep_min.py).
PEER_MAX_ITER = 400_000_000
ORACLE_SAMPLE_ITERATIONS = 20_000


def _cli() -> str:
    beside = Path(sys.executable).parent / "juliaset"
    return str(beside) if beside.is_file() else (shutil.which("juliaset") or "juliaset")


def measure(center: List[str], width: str, size: int, itermax: int, threshold: float,
            oracle_samples: int) -> Dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        command = [_cli(), "--mandelbrot", f"--center={center[0]},{center[1]}",
                   f"--width={width}", f"--size={size}x{size}", f"-t={threshold:g}",
                   f"-M={itermax}", "-m=0", "-o", os.path.join(folder, "deep.png")]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        cli_seconds = time.perf_counter() - start
    start = time.perf_counter()
    engine = _core.DeepRender(center[0], center[1], width, size, size, family="mandelbrot",
                              threshold=threshold, itermax=itermax)
    reference_seconds = time.perf_counter() - start
    start = time.perf_counter()
    counts = engine.fields(["counts"])["counts"]
    render_seconds = time.perf_counter() - start
    # The oracle iterates in MPFR at the view's precision: timed on a few pixels, each capped
    # at ORACLE_SAMPLE_ITERATIONS (an interior pixel would take hours), and extrapolated by
    # the iterations every pixel of the image needs (its count + 1).
    rng = random.Random(1)
    pixels = [(rng.randrange(size), rng.randrange(size)) for _ in range(oracle_samples)]
    iterations = 0
    start = time.perf_counter()
    for column, row in pixels:
        iterations += 1 + _core.deep_oracle_count(
            center[0], center[1], width, size, size, column, row, family="mandelbrot",
            threshold=threshold, itermax=min(itermax, ORACLE_SAMPLE_ITERATIONS))
    per_iteration = (time.perf_counter() - start) / max(iterations, 1)
    total_iterations = float(np.sum(counts.astype(np.float64) + 1.0))
    return {
        "width": width,
        "pixels": size * size,
        "median_iterations": float(np.median(counts)),
        "reference_seconds": reference_seconds,
        "render_seconds": render_seconds,
        "cli_seconds": cli_seconds,
        "oracle_seconds": per_iteration * total_iterations,
        "precision_bits": engine.precision_bits,
    }


def peer_python(option: Optional[str]) -> Optional[str]:
    """The interpreter that runs fractalshades, or None when there is none."""
    if option:
        return option
    if os.environ.get("JULIASET_PEER_PYTHON"):
        return os.environ["JULIASET_PEER_PYTHON"]
    probe = subprocess.run([sys.executable, "-c", "import fractalshades"], capture_output=True)
    return sys.executable if probe.returncode == 0 else None


def measure_peer(python: str, center: List[str], width: str, size: int, itermax: int,
                 threshold: float) -> Dict[str, Any]:
    """fractalshades on the same view, in a process of its own: cold and warm seconds."""
    script = Path(__file__).with_name("_peer_fractalshades.py")
    command = [python, str(script), f"--x={center[0]}", f"--y={center[1]}", f"--dx={width}",
               f"--nx={size}", f"--max-iter={itermax}", f"--threshold={threshold:g}",
               "--repeat=2"]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    cold = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"fractalshades failed ({python}):\n{result.stderr[-2000:]}")
    # fractalshades prints its own log to stdout; the report is the last line.
    report = json.loads(result.stdout.strip().splitlines()[-1])
    runs = report["runs"]
    stops = runs[-1]["stop_reasons"]
    return {
        "cold_seconds": cold,
        "warm_seconds": runs[-1]["seconds"],
        "median_iterations": runs[-1]["median_iterations"],
        "interior_fraction": (stops[0] + stops[2]) / max(sum(stops), 1),
    }


def main(argv: List[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=800)
    parser.add_argument("--itermax", type=int, default=PEER_MAX_ITER,
                        help="iteration limit, both engines (default: the peer example's)")
    parser.add_argument("--oracle-samples", type=int, default=3)
    parser.add_argument("--widths", nargs="*", help="only these widths (default: the peer's)")
    parser.add_argument("--peer-python", help="a Python with fractalshades (default: "
                        "$JULIASET_PEER_PYTHON, or this one if it has fractalshades)")
    parser.add_argument("--no-peer", action="store_true", help="skip running fractalshades")
    options = parser.parse_args(argv)
    location = json.loads(DATA.read_text())
    peer = location["peer"]
    threshold = float(peer["threshold"])
    python = None if options.no_peer else peer_python(options.peer_python)
    print(f"## {location['name']}: {options.size} x {options.size} pixels, escape radius "
          f"{peer['threshold']}, itermax {options.itermax:,}, {os.cpu_count()} CPUs\n")
    peer_note = (f"fractalshades measured now ({python}): cold = its whole process, warm = its "
                 "second render in that process" if python else
                 "fractalshades not installed here: its times as the issue published them")
    print(f"Ratios: the peer's seconds (or the oracle's) over our command's, cold. {peer_note}.\n")
    print("| width | pixels | iterations per pixel (median) | reference orbit (s) | render (s) "
          "| command, cold (s) | vs oracle (extrapolated) | fractalshades cold / warm (s) "
          "| vs fractalshades cold / warm |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for row in peer["rows"]:
        if options.widths and row["width"] not in options.widths:
            continue
        m = measure(location["center"], row["width"], options.size, options.itermax,
                    threshold, options.oracle_samples)
        if python:
            p = measure_peer(python, location["center"], row["width"], options.size,
                             options.itermax, threshold)
            cold, warm = p["cold_seconds"], p["warm_seconds"]
            peer_cells = (f"{cold:.1f} / {warm:.1f} (median {p['median_iterations']:,.0f}, "
                          f"{p['interior_fraction']:.1%} interior)")
        else:
            cold = warm = float(row["seconds"])
            peer_cells = f"- / {warm} (published)"
        print(f"| {m['width']} | {m['pixels']:,} | {m['median_iterations']:,.0f} "
              f"| {m['reference_seconds']:.3f} | {m['render_seconds']:.3f} "
              f"| {m['cli_seconds']:.3f} | x{m['oracle_seconds'] / m['cli_seconds']:,.0f} "
              f"| {peer_cells} | x{cold / m['cli_seconds']:.1f} / x{warm / m['cli_seconds']:.1f} |",
              flush=True)


if __name__ == "__main__":
    main()
