"""The seed's timing table, reproduced on this machine: ``python -m juliaset.bench``.

Every implementation renders the seed's headline workload (the 4000 x 4000 zoom on
[-0.1, 0.1]^2, c0 = -0.835 - 0.2321i, itermin 20, itermax 100, threshold 2) in one run, in
the seed's order: its four pure-Python versions (``juliaset.reference``), then the native
Python API and the command-line tool, then rows of our own that isolate the scalar oracle, the
SIMD kernel and the threads. Each row's result is compared with the native result, pixel for
pixel, and the run exits with status 1 if any row that must be exact is not.

Output: a Markdown table on stdout (progress on stderr), every measurement and the machine's
description as JSON, and a bar chart with a logarithmic time axis.

Rows too slow to run whole (``np.vectorize`` takes minutes) are timed on horizontal strips
spread evenly over the image and extrapolated by the fraction of pixels they hold; the table
says so. Run ``python -m juliaset.bench --help`` for the options.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from numpy.typing import NDArray

from . import _core, reference
from ._api import ComplexRegion, JuliaDiv

# The seed's headline workload. The region's first y bound is the top row, as in the seed.
XLEFT, XRIGHT = -0.1, 0.1
YTOP, YBOT = 0.1, -0.1
C_0 = complex(-0.835, -0.2321)
THRESHOLD = 2.0
ITERMIN, ITERMAX = 20, 100
FULL_SIZE = 4000
QUICK_SIZE = 1000

# Rows whose first run is at least this many seconds are timed once: repeating a 20 s row
# would triple the run for a median nobody needs. Rows of a few seconds (numba without sqrt,
# the scalar oracle) are repeated: they are the baselines of the ratios, and one run
# of them on this shared machine varied from 2.10 to 2.58 s across three full runs.
DEFAULT_SLOW_S = 5.0
DEFAULT_REPEAT = 5
# np.vectorize costs about 10 us a pixel, so 160 000 sampled pixels take a few seconds.
DEFAULT_SAMPLE_PIXELS = 160_000
DEFAULT_SAMPLED_ROWS = ("vectorize",)
N_STRIPS = 8
# The warm-up renders this many pixels along x: enough to run every code path once.
WARMUP_SIZE = 16

SKIPPED, OK, ERROR = "skipped", "ok", "error"


@dataclass(frozen=True)
class RowSpec:
    """One line of the table: how it is named, run, and what the seed published for it."""

    key: str
    label: str
    kind: str  # "reference", "api", "cli" or "core"
    seed_s: Optional[float] = None
    describe: str = ""


ROWS: Tuple[RowSpec, ...] = (
    RowSpec("vectorize", "naive Python (np.vectorize)", "reference", 139.0,
            "the seed's `divergence` applied with numpy.vectorize"),
    RowSpec("numpy", "numpy looping", "reference", 19.0,
            "whole-array numpy operations, itermax sweeps"),
    RowSpec("numba", "numba", "reference", 6.0, "`divergence` compiled by numba.vectorize"),
    RowSpec("numba-nosqrt", "numba (no square root)", "reference", 3.2,
            "numba, |z|^2 compared with threshold^2"),
    RowSpec("api", "Python API (JuliaDiv.over, all threads)", "api", 2.8,
            "the seed's API on the native core; float64 array, no PNG"),
    RowSpec("cli", "CLI (default compression)", "cli", 2.8,
            "the `juliaset` process end to end, PNG written to a temp dir"),
    RowSpec("cli-fast", "CLI --fast (minimal compression)", "cli", 2.1,
            "the same with --fast"),
    RowSpec("scalar", "scalar oracle, 1 thread", "core", None,
            "_core.escape_counts(kernel='scalar', threads=1)"),
    RowSpec("simd", "SIMD, 1 thread", "core", None,
            "_core.escape_counts(kernel='auto', threads=1)"),
    RowSpec("threads", "SIMD, all threads", "core", None,
            "_core.escape_counts(kernel='auto', threads=0)"),
    RowSpec("single", "SIMD single precision, all threads", "core", None,
            "_core.escape_counts(precision='single'); not bit exact by design"),
)
ROW_KEYS = tuple(spec.key for spec in ROWS)
_REFERENCE_NAMES = {
    "vectorize": "np.vectorize",
    "numpy": "numpy",
    "numba": "numba",
    "numba-nosqrt": "numba-nosqrt",
}


def log(message: str) -> None:
    """A progress line on stderr, so that stdout carries only the table."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the workload


@dataclass(frozen=True)
class Bounds:
    """A rectangle in the core's vocabulary (``ybot`` and ``ytop`` named for what they are)."""

    xleft: float
    xright: float
    ybot: float
    ytop: float

    def region(self) -> ComplexRegion:
        """The seed's ``ComplexRegion``: its first y bound is the top row."""
        return ComplexRegion(self.xleft, self.xright, self.ytop, self.ybot)


HEADLINE = Bounds(XLEFT, XRIGHT, YBOT, YTOP)


def core_args(bounds: Bounds, size: int) -> Tuple[Any, ...]:
    """The positional arguments of ``_core.escape_counts`` and friends for ``bounds``."""
    return (bounds.xleft, bounds.xright, bounds.ybot, bounds.ytop, size,
            C_0.real, C_0.imag, THRESHOLD, ITERMIN, ITERMAX)


def row_y(j: int, height: int, bounds: Bounds = HEADLINE) -> float:
    """The imaginary part the full grid samples on row ``j`` (the core's formula, same order)."""
    return j / height * (bounds.ybot - bounds.ytop) + bounds.ytop


@dataclass(frozen=True)
class Strip:
    """Rows ``first .. first + rows - 1`` of the full image, as a region of their own.

    The strip's own grid does not reproduce the full grid's sample points to the last bit
    (its step is computed from different bounds), so a sampled row is checked against the
    native result *for the strip*, not against a slice of the full image.
    """

    first: int
    rows: int
    bounds: Bounds


def sample_strips(width: int, height: int, target_pixels: int,
                  n_strips: int = N_STRIPS) -> Optional[List[Strip]]:
    """``n_strips`` strips spread evenly over the image holding about ``target_pixels``.

    Returns None when the strips would cover the whole image anyway.
    """
    rows = max(1, math.ceil(target_pixels / (n_strips * width)))
    if rows * n_strips >= height:
        return None
    strips = []
    for s in range(n_strips):
        # Centred in the s-th of n equal bands, so that the sample is not biased to one edge.
        first = math.floor((s + 0.5) * height / n_strips - rows / 2)
        first = min(max(first, 0), height - rows)
        bounds = Bounds(XLEFT, XRIGHT, row_y(first + rows, height), row_y(first, height))
        strips.append(Strip(first, rows, bounds))
    return strips


class NativeResults:
    """The native core's answers for the workload: the yardstick for every row.

    Computed once with the SIMD kernel on every thread; the scalar-oracle row then checks that
    kernel against the oracle, bit for bit, in the same run.
    """

    def __init__(self, size: int) -> None:
        args = core_args(HEADLINE, size)
        self.size = size
        self.counts: NDArray[np.uint32] = _core.escape_counts(*args, threads=0)
        self.values: NDArray[np.float64] = _core.normalized_values(*args, threads=0)
        self.gray: NDArray[np.uint8] = _core.gray_image(*args, threads=0)
        self.height, self.width = self.counts.shape
        self._strip_values: Dict[Bounds, NDArray[np.float64]] = {}

    def strip_values(self, strip: Strip) -> NDArray[np.float64]:
        """The native float64 values of ``strip``'s own grid, (height, width)."""
        if strip.bounds not in self._strip_values:
            self._strip_values[strip.bounds] = _core.normalized_values(
                *core_args(strip.bounds, self.size), threads=0)
        return self._strip_values[strip.bounds]

    def iteration_share(self, strips: Sequence[Strip]) -> float:
        """Fraction of all iterations (count + 1 per pixel) that fall in ``strips``' rows.

        np.vectorize's cost per pixel follows its count, so this says how representative a
        pixel-fraction extrapolation is.
        """
        work = self.counts.astype(np.float64) + 1.0
        in_strips = sum(float(work[s.first:s.first + s.rows].sum()) for s in strips)
        return in_strips / float(work.sum())


# --------------------------------------------------------------------------- comparing


@dataclass
class Check:
    """How a row's result compares with the native one."""

    exact: bool  # whether the row must be bit-identical (single precision need not be)
    equal: bool
    mismatch_fraction: float  # fraction of pixels that differ (1.0 for a shape mismatch)
    compared: str  # what was compared, for the JSON

    def symbol(self) -> str:
        """✓ / ✗ for exact rows; for inexact ones, the share of pixels that differ."""
        if self.exact:
            return "✓" if self.equal else "✗"
        return f"≈ ({self.mismatch_fraction:.3%} differ)"

    def failed(self) -> bool:
        return self.exact and not self.equal


def compare_arrays(result: NDArray[Any], expected: NDArray[Any], *, compared: str,
                   exact: bool = True) -> Check:
    """Compares two arrays element for element (``np.array_equal``, no tolerance)."""
    result = np.asarray(result)
    expected = np.asarray(expected)
    if result.shape != expected.shape:
        return Check(exact, False, 1.0, f"{compared} (shape {result.shape} != {expected.shape})")
    differ = int(np.count_nonzero(result != expected))
    return Check(exact, differ == 0 and np.array_equal(result, expected),
                 differ / max(1, expected.size), compared)


def merge_checks(checks: Sequence[Check]) -> Check:
    """One check for several runs or strips: equal only if all are; the worst mismatch."""
    first = checks[0]
    return Check(first.exact, all(c.equal for c in checks),
                 max(c.mismatch_fraction for c in checks), first.compared)


def decode_png(path: Path) -> NDArray[np.uint8]:
    """The pixels of an 8-bit gray PNG as a (height, width) uint8 array."""
    from PIL import Image

    with Image.open(path) as image:
        if image.mode != "L":
            raise ValueError(f"{path} is a {image.mode} image, expected 8-bit gray (L)")
        return np.array(image)


# --------------------------------------------------------------------------- running rows


class Skip(Exception):
    """The row cannot run here (numba or the CLI missing, no single-precision kernel)."""


@dataclass
class RowResult:
    """Everything measured for one row."""

    spec: RowSpec
    label: str
    status: str = OK
    reason: str = ""
    times_s: List[float] = field(default_factory=list)  # as measured (sampled rows: strips)
    warmup_s: Optional[float] = None
    pixel_fraction: float = 1.0  # of the image a timed run renders
    iteration_share: Optional[float] = None
    strips: Optional[List[Strip]] = None
    check: Optional[Check] = None
    notes: List[str] = field(default_factory=list)

    @property
    def sampled(self) -> bool:
        return self.pixel_fraction < 1.0

    @property
    def runtime_s(self) -> Optional[float]:
        """Median time for the whole image (extrapolated for sampled rows)."""
        if not self.times_s:
            return None
        return statistics.median(self.times_s) / self.pixel_fraction

    @property
    def min_s(self) -> Optional[float]:
        if not self.times_s:
            return None
        return min(self.times_s) / self.pixel_fraction


@dataclass
class Context:
    """What every row needs: the workload, the yardstick, the options, a scratch folder."""

    size: int
    native: NativeResults
    repeat: int
    slow_s: float
    sample_pixels: int
    sampled_rows: Tuple[str, ...]
    cli: Optional[str]
    tmpdir: Path
    single_supported: bool


# One timed render: whatever it returns is handed to the row's check, outside the timing.
TimedRun = Callable[[], Any]


def _measure(run: TimedRun, check: Callable[[Any], Check], ctx: Context,
             result: RowResult, progress: str) -> None:
    """Times ``run`` once, then ``ctx.repeat - 1`` more times if it was fast.

    Each run's output is checked (outside the timing), so that a thread race that shows up in
    one run of five is not hidden by the others.
    """
    checks = []
    runs = 1
    while len(result.times_s) < runs:
        start = time.perf_counter()
        output = run()
        elapsed = time.perf_counter() - start
        result.times_s.append(elapsed)
        checks.append(check(output))
        if len(result.times_s) == 1 and elapsed < ctx.slow_s:
            runs = ctx.repeat
        log(f"{progress} run {len(result.times_s)}/{runs}: {elapsed:.4g} s "
            f"{checks[-1].symbol()}")
    result.check = merge_checks(checks)


def _warm_up(warm: Callable[[], Any], result: RowResult, progress: str) -> None:
    """Runs ``warm`` once, untimed except for the record: JIT, imports, page cache."""
    start = time.perf_counter()
    warm()
    result.warmup_s = time.perf_counter() - start
    log(f"{progress} warm-up {result.warmup_s:.3g} s")


def _run_reference(spec: RowSpec, ctx: Context, result: RowResult, progress: str) -> None:
    """One of the seed's Python versions, whole or on strips."""
    cls = reference.IMPLEMENTATIONS[_REFERENCE_NAMES[spec.key]]

    def make(size: int) -> Any:
        try:
            return cls(C_0, THRESHOLD, (ITERMIN, ITERMAX), size)
        except ImportError as error:
            if "numba" in str(error):
                raise Skip("numba not installed") from error
            raise

    # Constructing the numba versions compiles them: that belongs to the warm-up.
    _warm_up(lambda: make(WARMUP_SIZE).over(HEADLINE.region()), result, progress)
    impl = make(ctx.size)
    native = ctx.native
    strips = None
    if spec.key in ctx.sampled_rows:
        strips = sample_strips(native.width, native.height, ctx.sample_pixels)
    if strips is None:
        region = HEADLINE.region()
        expected = native.values.T  # over() is indexed [x, y]

        def run() -> Any:
            return impl.over(region)

        def check(output: Any) -> Check:
            return compare_arrays(output, expected, compared="float64 values")

    else:
        regions = [s.bounds.region() for s in strips]
        expected_strips = [native.strip_values(s).T for s in strips]
        pixels = sum(e.size for e in expected_strips)
        result.strips = strips
        result.pixel_fraction = pixels / native.counts.size
        result.iteration_share = native.iteration_share(strips)

        def run() -> Any:
            return [impl.over(r) for r in regions]

        def check(output: Any) -> Check:
            return merge_checks([compare_arrays(o, e, compared="float64 values (strips)")
                                 for o, e in zip(output, expected_strips)])

    _measure(run, check, ctx, result, progress)


def _run_api(spec: RowSpec, ctx: Context, result: RowResult, progress: str) -> None:
    """``JuliaDiv.over`` on every thread, as a user of the seed's API calls it."""
    _warm_up(lambda: JuliaDiv(C_0, THRESHOLD, (ITERMIN, ITERMAX), WARMUP_SIZE)
             .over(HEADLINE.region()), result, progress)
    julia = JuliaDiv(C_0, THRESHOLD, (ITERMIN, ITERMAX), ctx.size)
    region = HEADLINE.region()
    expected = ctx.native.values.T
    _measure(lambda: julia.over(region),
             lambda output: compare_arrays(output, expected, compared="float64 values"),
             ctx, result, progress)


def cli_command(cli: str, size: int, output: Path, fast: bool) -> List[str]:
    """The seed's headline command line for ``size`` pixels, writing ``output``."""
    command = [cli, f"-x={XLEFT}", f"-X={XRIGHT}", f"-y={YBOT}", f"-Y={YTOP}",
               f"-r={C_0.real}", f"-i={C_0.imag}", f"-t={THRESHOLD:g}",
               f"-m={ITERMIN}", f"-M={ITERMAX}", f"-R={size}", "-o", str(output)]
    if fast:
        command.append("--fast")
    return command


def _run_cli(spec: RowSpec, ctx: Context, result: RowResult, progress: str) -> None:
    """The command-line tool as a process, end to end: start, render, compress, write."""
    if ctx.cli is None:
        raise Skip("CLI not found (set JULIASET_CLI or install the package)")
    fast = spec.key == "cli-fast"
    output = ctx.tmpdir / f"{spec.key}.png"

    def invoke(size: int) -> Path:
        output.unlink(missing_ok=True)
        done = subprocess.run(cli_command(ctx.cli, size, output, fast),  # type: ignore[arg-type]
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{ctx.cli} exited with status {done.returncode}: "
                               f"{done.stderr.strip() or done.stdout.strip()}")
        return output

    # The warm-up loads the executable and its libraries into the page cache.
    _warm_up(lambda: invoke(WARMUP_SIZE), result, progress)

    def check(path: Path) -> Check:
        return compare_arrays(decode_png(path), ctx.native.gray, compared="PNG pixels")

    _measure(lambda: invoke(ctx.size), check, ctx, result, progress)
    result.notes.append(f"{output.stat().st_size / 1e6:.2f} MB PNG")


def single_precision_supported() -> bool:
    """Whether this build of the core has the optional single-precision kernel."""
    try:
        _core.escape_counts(*core_args(HEADLINE, 4), threads=1, kernel="auto",
                            precision="single")
    except TypeError:
        return False
    return True


def _run_core(spec: RowSpec, ctx: Context, result: RowResult, progress: str) -> None:
    """``_core.escape_counts`` with one kernel and thread count: counts must equal native."""
    kwargs: Dict[str, Any] = {
        "scalar": {"kernel": "scalar", "threads": 1},
        "simd": {"kernel": "auto", "threads": 1},
        "threads": {"kernel": "auto", "threads": 0},
        "single": {"kernel": "auto", "threads": 0, "precision": "single"},
    }[spec.key]
    exact = spec.key != "single"
    if not exact and not ctx.single_supported:
        raise Skip("the core has no single-precision kernel")
    _warm_up(lambda: _core.escape_counts(*core_args(HEADLINE, WARMUP_SIZE), **kwargs),
             result, progress)
    args = core_args(HEADLINE, ctx.size)
    expected = ctx.native.counts
    _measure(lambda: _core.escape_counts(*args, **kwargs),
             lambda output: compare_arrays(output, expected, compared="escape counts",
                                           exact=exact),
             ctx, result, progress)


_RUNNERS = {"reference": _run_reference, "api": _run_api, "cli": _run_cli, "core": _run_core}


def row_label(spec: RowSpec) -> str:
    """The label, with the SIMD target and thread count that this machine gives it."""
    target = _core.simd_target()
    if spec.key == "simd":
        return f"SIMD ({target}), 1 thread"
    if spec.key == "threads":
        return f"SIMD ({target}), all {os.cpu_count()} threads"
    return spec.label


def run_row(spec: RowSpec, ctx: Context, index: int, total: int) -> RowResult:
    """Runs one row; a missing optional piece skips it, any other exception is an error."""
    result = RowResult(spec, row_label(spec))
    progress = f"[{index}/{total}] {result.label}:"
    try:
        _RUNNERS[spec.kind](spec, ctx, result, progress)
    except Skip as skip:
        result.status, result.reason = SKIPPED, f"skipped: {skip}"
        result.times_s.clear()
    except Exception as error:  # reported in the table and the exit status, not a traceback
        result.status, result.reason = ERROR, f"error: {type(error).__name__}: {error}"
        result.times_s.clear()
    if result.status != OK:
        log(f"{progress} {result.reason}")
    elif result.check is not None:
        log(f"{progress} {result.runtime_s:.4g} s{' (extrapolated)' if result.sampled else ''}"
            f" {result.check.symbol()}")
    return result


# --------------------------------------------------------------------------- reporting


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or what the platform module knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def _version(distribution: str) -> Optional[str]:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def metadata(size: int, native: NativeResults) -> Dict[str, Any]:
    """The machine, the software and the workload, for the header and the JSON."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return {
        "cpu": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable,
        "platform": platform.platform(),
        "simd_target": _core.simd_target(),
        "simd_targets_available": list(_core.available_simd_targets()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": _version("numba"),
        "matplotlib": _version("matplotlib"),
        "pillow": _version("pillow"),
        "juliaset": _core.version,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "workload": {
            "width": native.width,
            "height": native.height,
            "resolution": size,
            "xleft": XLEFT, "xright": XRIGHT, "ytop": YTOP, "ybot": YBOT,
            "c0": [C_0.real, C_0.imag],
            "threshold": THRESHOLD,
            "itermin": ITERMIN,
            "itermax": ITERMAX,
            "mean_count": float(native.counts.mean()),
        },
    }


def format_seconds(seconds: float) -> str:
    """About three significant digits, never scientific notation."""
    if seconds >= 100:
        return f"{seconds:.0f}"
    if seconds >= 10:
        return f"{seconds:.1f}"
    if seconds >= 1:
        return f"{seconds:.2f}"
    if seconds >= 0.01:
        return f"{seconds:.3f}"
    return f"{seconds:.4f}"


def format_factor(factor: Optional[float]) -> str:
    """A speed-up as the seed would say it in words: ×46.2 means 46.2 times as fast."""
    if factor is None:
        return "—"
    if factor >= 100:
        return f"×{factor:,.0f}"
    if factor >= 10:
        return f"×{factor:.1f}"
    return f"×{factor:.2f}"


def speedups(results: Sequence[RowResult]) -> List[Tuple[Optional[float], Optional[float]]]:
    """(against naive Python, against the previous measured row) for every row."""
    naive = next((r.runtime_s for r in results if r.spec.key == "vectorize" and r.runtime_s),
                 None)
    out: List[Tuple[Optional[float], Optional[float]]] = []
    previous: Optional[float] = None
    for r in results:
        t = r.runtime_s
        if t is None or t <= 0:
            out.append((None, None))
            continue
        out.append((naive / t if naive else None, previous / t if previous else None))
        previous = t
    return out


def seed_scale(meta: Dict[str, Any]) -> float:
    """Factor from the seed's 4000 x 4000 times to this image's size.

    The region is the same at every size, so the mix of cheap and costly pixels is too and
    the work is proportional to the pixel count (process start-up aside).
    """
    w = meta["workload"]
    return float(w["width"] * w["height"]) / FULL_SIZE**2


def row_notes(r: RowResult) -> str:
    """The notes cell: why a row did not run, or how it was timed."""
    if r.status != OK:
        return r.reason
    notes = []
    if r.sampled:
        notes.append(f"sampled ({r.pixel_fraction:.1%} of pixels), extrapolated")
    runs = len(r.times_s)
    notes.append(f"median of {runs}" if runs > 1 else "1 run")
    return "; ".join(notes + r.notes)


def markdown_report(meta: Dict[str, Any], results: Sequence[RowResult], repeat: int,
                    slow_s: float) -> str:
    """The header lines, the seed's table with our rows, and the notes under it."""
    w = meta["workload"]
    lines = [
        "# juliaset benchmark: the seed's table on this machine",
        "",
        f"- machine: {meta['cpu']}, {meta['logical_cores']} logical cores "
        f"({meta['usable_cores']} usable), {meta['platform']}",
        f"- SIMD target: {meta['simd_target']} "
        f"(compiled: {', '.join(meta['simd_targets_available'])})",
        f"- software: Python {meta['python']}, numpy {meta['numpy']}, "
        f"numba {meta['numba'] or 'not installed'}, juliaset {meta['juliaset']}",
        f"- image: {w['width']} x {w['height']} pixels ({w['width'] * w['height'] / 1e6:.2f} "
        f"Mpixel), region [{XLEFT}, {XRIGHT}] x [{YBOT}, {YTOP}] (y = {YTOP} on top), "
        f"c0 = {C_0.real} {'-' if C_0.imag < 0 else '+'} {abs(C_0.imag)}i, "
        f"itermin {ITERMIN}, itermax {ITERMAX}, threshold {THRESHOLD:g}",
        f"- date: {meta['date']}",
        "",
        "| implementation | runtime (s) | min (s) | Mpixel/s | vs naive Python "
        "| vs previous | seed (s) | equal | notes |",
        "|---|--:|--:|--:|--:|--:|--:|:-:|---|",
    ]
    pixels = w["width"] * w["height"]
    scale = seed_scale(meta)
    if scale != 1.0:
        # The seed's times are for 16 Mpixel; beside a smaller image they need scaling.
        lines[-2] = lines[-2].replace("| seed (s) |", "| seed (s) | seed scaled (s) |")
        lines[-1] = lines[-1].replace("|--:|:-:|", "|--:|--:|:-:|")
    for r, (naive, previous) in zip(results, speedups(results)):
        t, tmin = r.runtime_s, r.min_s
        cells = [
            r.label,
            format_seconds(t) if t is not None else "—",
            format_seconds(tmin) if tmin is not None else "—",
            f"{pixels / t / 1e6:.3g}" if t else "—",
            format_factor(naive),
            format_factor(previous),
            f"{r.spec.seed_s:g}" if r.spec.seed_s is not None else "",
        ]
        if scale != 1.0:
            seed = r.spec.seed_s
            cells.append(format_seconds(seed * scale) if seed is not None else "")
        cells += [
            r.check.symbol() if r.check is not None and r.status == OK else "—",
            row_notes(r),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    warmups = [f"{r.label} {r.warmup_s:.2g} s" for r in results
               if r.warmup_s is not None and r.spec.key.startswith("numba")]
    lines += [
        "",
        "Notes:",
        "- Wall-clock times (time.perf_counter). "
        + (f"A row whose first run takes under {slow_s:g} s is run {repeat} times: runtime "
           "is the median, min the fastest run." if repeat > 1 else "Every row is run once."),
        "- Every row first runs once on a tiny image, untimed: numba's JIT compilation happens "
        "there, not in the timing"
        + (f" ({'; '.join(warmups)})." if warmups else "."),
        "- equal: ✓ means bit-identical to the native result in every run (float64 values for "
        "the Python rows, decoded PNG pixels for the CLI rows, escape counts for the core "
        "rows); single precision is not bit exact by design, its cell gives the share of "
        "pixels whose count differs.",
        "- Sampled rows time horizontal strips spread evenly over the image and divide by "
        "the fraction of pixels they hold.",
        "- The Python API row times `JuliaDiv.over` only; the CLI rows time the whole process, "
        "PNG compression and writing included. The seed's times are its author's, on another "
        "machine, single-threaded Rust.",
    ]
    if scale != 1.0:
        lines.append(f"- seed (s) is the seed's published time for {FULL_SIZE} x {FULL_SIZE}; "
                     f"seed scaled (s) multiplies it by this image's share of those pixels "
                     f"({scale:.4g}).")
    for r in results:
        if r.sampled and r.iteration_share is not None:
            lines.append(f"- {r.label}: the strips hold {r.pixel_fraction:.2%} of the pixels "
                         f"and {r.iteration_share:.2%} of the iterations.")
    return "\n".join(lines) + "\n"


def results_json(meta: Dict[str, Any], results: Sequence[RowResult], settings: Dict[str, Any],
                 exit_status: int) -> Dict[str, Any]:
    """Every measurement, check and setting, for machines to read."""
    rows = []
    for r, (naive, previous) in zip(results, speedups(results)):
        rows.append({
            "key": r.spec.key,
            "label": r.label,
            "description": r.spec.describe,
            "status": r.status,
            "reason": r.reason,
            "runtime_s": r.runtime_s,
            "min_s": r.min_s,
            "measured_times_s": list(r.times_s),
            "runs": len(r.times_s),
            "warmup_s": r.warmup_s,
            "sampled": r.sampled,
            "pixel_fraction": r.pixel_fraction,
            "iteration_share": r.iteration_share,
            "strips": None if r.strips is None else
            [{"first_row": s.first, "rows": s.rows} for s in r.strips],
            "seed_s": r.spec.seed_s,
            "seed_scaled_s": None if r.spec.seed_s is None else r.spec.seed_s * seed_scale(meta),
            "speedup_vs_naive": naive,
            "speedup_vs_previous": previous,
            "check": None if r.check is None else {
                "exact": r.check.exact,
                "equal": r.check.equal,
                "mismatch_fraction": r.check.mismatch_fraction,
                "compared": r.check.compared,
            },
            "notes": list(r.notes),
        })
    return {"metadata": meta, "settings": settings, "rows": rows, "exit_status": exit_status}


def write_chart(meta: Dict[str, Any], results: Sequence[RowResult], path: Path) -> Optional[str]:
    """A horizontal bar chart of the runtimes, log time axis; returns why not, if it cannot."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return "matplotlib is not installed"
    measured = [r for r in results if r.runtime_s]
    times = [float(r.runtime_s or 0.0) for r in measured]
    if not measured:
        return "no row was measured"
    # Figure + the Agg canvas directly: no pyplot, so no global backend state is touched.
    fig = Figure(figsize=(9, 0.45 * len(measured) + 1.6), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ys = np.arange(len(measured))[::-1]
    colors = ["#9aa7b8" if r.spec.kind == "reference" else "#2f6db5" for r in measured]
    bars = ax.barh(ys, times, color=colors)
    for bar, r in zip(bars, measured):
        if r.sampled:
            bar.set_hatch("//")
    scale = seed_scale(meta)
    seeds: List[Tuple[float, float]] = []
    for y, r in zip(ys, measured):
        if r.spec.seed_s is not None:
            seeds.append((float(y), r.spec.seed_s * scale))
    if seeds:
        w = meta["workload"]
        label = "seed's published time" + (
            f" (scaled to {w['width']} x {w['height']})" if scale != 1.0 else "")
        ax.scatter([s for _, s in seeds], [y for y, _ in seeds], marker="D", color="#c0392b",
                   zorder=3, label=label)
        ax.legend(loc="lower right", fontsize=8)
    seed_at = dict(seeds)
    for y, t in zip(ys, times):
        # At the end of the bar, or past the seed's marker where that sits on the text.
        seed = seed_at.get(float(y), 0.0)
        x = seed * 1.15 if t <= seed <= 2.5 * t else t * 1.08
        ax.text(x, y, f"{format_seconds(t)} s", va="center", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(min(times + [s for _, s in seeds]) / 2, max(times + [s for _, s in seeds]) * 4)
    ax.set_yticks(ys, [r.label + (" (sampled)" if r.sampled else "") for r in measured],
                  fontsize=8)
    ax.set_xlabel("runtime (s, log scale)")
    w = meta["workload"]
    ax.set_title(f"{w['width']} x {w['height']} Julia set on {meta['cpu']} "
                 f"({meta['logical_cores']} cores, {meta['simd_target']})", fontsize=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return None


# --------------------------------------------------------------------------- command line


def find_cli() -> Optional[str]:
    """$JULIASET_CLI, else the `juliaset` beside this Python, else the one on PATH."""
    configured = os.environ.get("JULIASET_CLI")
    if configured:
        return configured
    beside = Path(sys.executable).parent / "juliaset"
    if beside.is_file():
        return str(beside)
    return shutil.which("juliaset")


def _row_list(text: str) -> Tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in ROW_KEYS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown row(s) {', '.join(unknown)}; choose from {', '.join(ROW_KEYS)}")
    return names


def _positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value
    return parse


def build_parser() -> argparse.ArgumentParser:
    rows_help = "\n".join(f"  {s.key:<13} {s.label}: {s.describe}" for s in ROWS)
    parser = argparse.ArgumentParser(
        prog="python -m juliaset.bench",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Reproduce the seed's timing table on this machine: the seed's headline image "
            f"({FULL_SIZE} x {FULL_SIZE}, [-0.1, 0.1]^2, c0 = -0.835 - 0.2321i, itermin 20, "
            "itermax 100) rendered by each implementation, each result compared pixel for "
            "pixel with the native one. Prints a Markdown table on stdout, progress on "
            "stderr; writes JSON and a bar chart. Exits 1 if a row that must be exact "
            "differs or fails."),
        epilog=(
            "rows, in table order (--rows takes these names):\n" + rows_help + "\n\n"
            "A row whose first run is faster than --slow seconds is run --repeat times "
            "(median and\nmin reported); slower rows run once. Rows named by --sample are "
            "timed on 8 horizontal\nstrips holding about --sample-pixels pixels and "
            "extrapolated by the pixel fraction.\nnumba rows skip when numba is not "
            "installed, CLI rows when the `juliaset` command is\nnot found ($JULIASET_CLI, "
            "beside this Python, or on PATH), the single-precision row\nwhen the core has "
            "no such kernel.\n\n"
            "examples:\n"
            "  python -m juliaset.bench                   the full table (about a minute "
            "on 2 cores)\n"
            "  python -m juliaset.bench --quick           1000 x 1000, about 10 s\n"
            "  python -m juliaset.bench --rows api,cli,threads --size 2000 --repeat 10"),
    )
    parser.add_argument("--quick", action="store_true",
                        help=f"a {QUICK_SIZE} x {QUICK_SIZE} image (same region) instead of "
                             f"{FULL_SIZE} x {FULL_SIZE}")
    parser.add_argument("--size", type=_positive(int), metavar="N",
                        help="pixels along each axis (overrides --quick)")
    parser.add_argument("--rows", type=_row_list, metavar="NAME,...", default=ROW_KEYS,
                        help="run only these rows (default: all)")
    parser.add_argument("--repeat", type=_positive(int), metavar="N", default=DEFAULT_REPEAT,
                        help=f"timed runs of each fast row (default {DEFAULT_REPEAT})")
    parser.add_argument("--slow", type=float, metavar="SECONDS", default=DEFAULT_SLOW_S,
                        help="rows whose first run takes at least this long run once "
                             f"(default {DEFAULT_SLOW_S:g})")
    parser.add_argument("--sample", type=lambda t: _row_list(t) if t else (), metavar="NAME,...",
                        default=DEFAULT_SAMPLED_ROWS,
                        help="rows timed on strips and extrapolated (default: "
                             f"{','.join(DEFAULT_SAMPLED_ROWS)}; '' runs every row whole)")
    parser.add_argument("--sample-pixels", type=_positive(int), metavar="N",
                        default=DEFAULT_SAMPLE_PIXELS,
                        help=f"pixels in the strips of a sampled row (default "
                             f"{DEFAULT_SAMPLE_PIXELS}); a row whose strips would cover the "
                             "image runs whole")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        default=Path("bench-results/bench.json"),
                        help="where to write the measurements (default %(default)s)")
    parser.add_argument("--chart", type=Path, metavar="PATH",
                        default=Path("bench-results/bench.png"),
                        help="where to write the bar chart (default %(default)s)")
    parser.add_argument("--no-chart", action="store_true", help="do not draw the chart")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the benchmark; returns 0, or 1 if a row differs from native or failed."""
    args = build_parser().parse_args(argv)
    size = args.size or (QUICK_SIZE if args.quick else FULL_SIZE)
    selected = [spec for spec in ROWS if spec.key in args.rows]
    started = time.perf_counter()

    log(f"native reference, {size} x {size}")
    native = NativeResults(size)
    meta = metadata(size, native)
    results = []
    with tempfile.TemporaryDirectory(prefix="juliaset-bench-") as tmp:
        ctx = Context(size=size, native=native, repeat=args.repeat, slow_s=args.slow,
                      sample_pixels=args.sample_pixels, sampled_rows=tuple(args.sample),
                      cli=find_cli(), tmpdir=Path(tmp),
                      single_supported=single_precision_supported())
        for index, spec in enumerate(selected, 1):
            results.append(run_row(spec, ctx, index, len(selected)))

    failed = [r.label for r in results
              if r.status == ERROR or (r.check is not None and r.check.failed())]
    exit_status = 1 if failed else 0
    meta["wall_s"] = time.perf_counter() - started
    report = markdown_report(meta, results, args.repeat, args.slow)
    sys.stdout.write(report)

    settings = {"size": size, "quick": args.quick, "rows": [s.key for s in selected],
                "repeat": args.repeat, "slow_s": args.slow,
                "sampled_rows": list(args.sample), "sample_pixels": args.sample_pixels,
                "cli": ctx.cli}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results_json(meta, results, settings, exit_status),
                                    indent=2) + "\n", encoding="utf-8")
    log(f"wrote {args.json}")
    if not args.no_chart:
        why_not = write_chart(meta, results, args.chart)
        log(f"no chart: {why_not}" if why_not else f"wrote {args.chart}")
    if failed:
        log(f"FAILED: {', '.join(failed)} differ from the native result or did not run")
    log(f"done in {meta['wall_s']:.1f} s")
    return exit_status


if __name__ == "__main__":
    sys.exit(main())
