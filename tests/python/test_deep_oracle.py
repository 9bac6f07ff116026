"""The deep engine against a brute-force MPFR oracle (tests/python/deep_oracle.py, gmpy2).

Tiny images at widths from 1e-15 to 1e-1000 around generated locations: Newton-found minibrot
nuclei, Misiurewicz points of z^2 + c and z^3 + c, and inverse-iterated Julia-set points. The
issue's bar: counts equal on at least 99.5 % of pixels, within 1 on at least 99.9 %.
Run as a script, it prints every case's agreement and the total (the number quoted in
docs/design.md).
"""

from __future__ import annotations

import argparse
import decimal
import json
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Tuple

import numpy as np
import pytest

gmpy2 = pytest.importorskip("gmpy2")

import juliaset  # noqa: E402

from deep_oracle import (  # noqa: E402
    julia_point,
    misiurewicz_cubic,
    oracle_counts,
    real_nucleus_near_minus_two,
    text,
)

SEED_C = ("-0.835", "-0.2321")
# The peer's own deep location (fractalshades' 23-deep_min example), 120 digits of it.
PEER_RE = ("-1.99996619445037030418434688506350579675531241540724851511761922944801584242342684"
           "3813761297788689138122870464065609498643538")
PEER_IM = "3.00138243679093832407249730397759249873468311907733352701742572801204749756148e-34"


def compare(engine: np.ndarray, oracle: np.ndarray) -> Tuple[float, float]:
    """(fraction of pixels equal, fraction within 1)."""
    difference = np.abs(engine.astype(np.int64) - oracle)
    return float(np.mean(difference == 0)), float(np.mean(difference <= 1))


def agree(engine: np.ndarray, oracle: np.ndarray) -> None:
    equal, within = compare(engine, oracle)
    assert equal >= 0.995 and within >= 0.999, (
        f"{equal:.2%} of pixels equal and {within:.2%} within 1; engine:\n{engine}\n"
        f"oracle:\n{oracle}"
    )
    # The view must show something: a uniform image would agree for the wrong reasons.
    assert len(np.unique(oracle)) >= 2, oracle


def render_both(family: str, center: Tuple[str, str], width: str, size: Tuple[int, int],
                itermax: int, c: Tuple[str, str] = ("0", "0"),
                **kw: Any) -> Tuple[np.ndarray, np.ndarray]:
    """(the package's counts, the oracle's) of one view."""
    if family == "mandelbrot":
        counts = juliaset.mandelbrot(center=center, width=width, size=size, itermax=itermax, **kw)
    else:
        counts = juliaset.julia(c, center=center, width=width, size=size, itermax=itermax, **kw)
    oracle = np.array(
        oracle_counts(family, center, width, size, itermax, c=c, **kw), dtype=np.int64
    )
    return counts, oracle


def between_pixels(center: Tuple[str, str], width: str, columns: int) -> Tuple[str, str]:
    """`center` moved right by a quarter of a pixel, so that the located point (a point of the
    set's boundary, or the peer's nucleus) lies between samples instead of on the centre
    pixel's sample. A sample exactly on such a point escapes after a number of iterations set
    by its digits far below the pixel spacing (2^-53 of a pixel and finer), which double deltas
    cannot carry; the pixels around it are what an image shows (docs/design.md, "Deep zoom")."""
    digits = len(center[0]) + len(width) + 20
    with decimal.localcontext() as context:
        context.prec = digits
        moved = decimal.Decimal(center[0]) + decimal.Decimal(width) / (4 * columns)
    return (str(moved), center[1])


def peer_location(width: str) -> Dict[str, Any]:
    return dict(family="mandelbrot", center=between_pixels((PEER_RE, PEER_IM), width, 10),
                width=width, size=(10, 10), itermax=2000, threshold=100.0)


def newton_nucleus(period: int, itermax: int) -> Dict[str, Any]:
    # Nuclei near -2 shrink by about 16 per period: period 26 is 1e-31 across, 60 about 1e-72.
    bits = 8 * period + 64
    nucleus = real_nucleus_near_minus_two(period, bits)
    distance = float(nucleus + 2)
    return dict(family="mandelbrot", center=(text(nucleus, bits // 3), "0"),
                width=f"{8 * distance * distance:.3e}", size=(12, 9), itermax=itermax)


def misiurewicz_i(width: str) -> Dict[str, Any]:
    # c = i: 0 -> i -> -1 + i -> -i -> -1 + i, a repelling 2-cycle; structure at every scale.
    # The point lies a quarter width right of the centre, between pixels: the pixels' distances
    # to it then span a factor of 10 and their counts several values (3 widths off, every pixel
    # of the 1e-1000 view had the same count, and a uniform view proves nothing).
    offset = f"2.5e-{int(width.split('e-')[1]) + 1}"
    return dict(family="mandelbrot", center=(offset, "1"), width=width, size=(10, 10),
                itermax=4000)


def misiurewicz_power_3(width: str) -> Dict[str, Any]:
    exponent = int(width.split("e-")[1])
    point = misiurewicz_cubic(int(exponent * 3.33) + 128)
    digits = exponent + 30
    center = between_pixels((text(point.real, digits), text(point.imag, digits)), width, 10)
    return dict(family="mandelbrot", center=center, width=width, size=(10, 10), itermax=3000,
                power=3)


def julia_inverse_iterated(width: str) -> Dict[str, Any]:
    exponent = int(width.split("e-")[1])
    bits = int(exponent * 3.33) + 128
    point = julia_point(SEED_C, steps=exponent * 8 + 200, bits=bits)
    digits = exponent + 30
    center = between_pixels((text(point.real, digits), text(point.imag, digits)), width, 10)
    return dict(family="julia", center=center, width=width, size=(10, 10), itermax=3000,
                c=SEED_C)


def julia_power_3() -> Dict[str, Any]:
    c = ("-0.1", "0.65")
    point = julia_point(c, steps=300, bits=256, power=3)
    center = between_pixels((text(point.real, 60), text(point.imag, 60)), "1e-25", 8)
    return dict(family="julia", center=center, width="1e-25", size=(8, 8), itermax=500, c=c,
                power=3)


# Every view of the test set, by name: (how to make its arguments, the value it is made from).
CASES: Dict[str, Callable[[], Dict[str, Any]]] = {
    # (Not 1e-15: one pixel of its antenna row is decided at 2^-50 of a pixel and flips with
    # the engine's rounding.)
    "peer-1e-30": lambda: peer_location("1e-30"),
    **{f"nucleus-period-{p}": (lambda p=p, n=n: newton_nucleus(p, n))
       for p, n in ((26, 3000), (60, 6000))},
    **{f"misiurewicz-i-{w}": (lambda w=w: misiurewicz_i(w))
       for w in ("1e-20", "1e-300", "1e-1000")},
    **{f"misiurewicz-cubic-{w}": (lambda w=w: misiurewicz_power_3(w))
       for w in ("1e-15", "1e-100", "1e-1000")},
    **{f"julia-inverse-{w}": (lambda w=w: julia_inverse_iterated(w))
       for w in ("1e-15", "1e-60", "1e-300")},
    "julia-power-3": julia_power_3,
}


# Known engine misses, open in issue 9 (docs/design.md, "Deep zoom", "Known misses"): strict, so
# the day the engine gets them right these tests fail until the marks are removed.
KNOWN_MISSES = {
}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[name]))
        if name in KNOWN_MISSES
        else name
        for name in CASES
    ],
)
def test_deep_counts_agree_with_the_oracle(name):
    agree(*render_both(**CASES[name]()))


def measure(names: List[str], timeout: float) -> None:
    """Prints each case's agreement and the total over every pixel of the set, one case per
    subprocess (so a case that hangs costs `timeout` seconds and is reported as such)."""
    totals = [0, 0, 0]
    print("| case | pixels | equal | within 1 | seconds |\n|---|--:|--:|--:|--:|")
    for name in names:
        start = time.perf_counter()
        try:
            result = subprocess.run([sys.executable, __file__, "--case", name],
                                    capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            print(f"| {name} | - | - | - | timed out after {timeout:g} s |", flush=True)
            continue
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            print(f"| {name} | - | - | - | failed: {result.stderr.strip().splitlines()[-1]} |")
            continue
        pixels, equal, within = json.loads(result.stdout.strip().splitlines()[-1])
        totals = [totals[0] + pixels, totals[1] + equal, totals[2] + within]
        print(f"| {name} | {pixels} | {equal / pixels:.2%} | {within / pixels:.2%} "
              f"| {seconds:.1f} |", flush=True)
    if totals[0]:
        print(f"| all that finished | {totals[0]} | {totals[1] / totals[0]:.2%} "
              f"| {totals[2] / totals[0]:.2%} | |")


if __name__ == "__main__":
    # python tests/python/test_deep_oracle.py: the agreement of every case, as a table.
    parser = argparse.ArgumentParser(description="deep engine against the MPFR oracle")
    parser.add_argument("--case", help="one case: print [pixels, equal, within 1] as JSON")
    parser.add_argument("--timeout", type=float, default=300.0)
    arguments = parser.parse_args()
    if arguments.case:
        engine, oracle = render_both(**CASES[arguments.case]())
        difference = np.abs(engine.astype(np.int64) - oracle)
        print(json.dumps([int(difference.size), int(np.sum(difference == 0)),
                          int(np.sum(difference <= 1))]))
    else:
        measure(list(CASES), arguments.timeout)
