"""A brute-force arbitrary-precision oracle for deep views, written with gmpy2 (MPFR/MPC).

Independent of the C++ engine: the grid rule of juliaset.DeepView (pixel (i, j) of a w x h
image samples center + ((i/w - 1/2) * width, (1/2 - j/h) * width * h/w), rounded only after
the exact sum) and escape.hpp's count rule (the 0-based index of the first iterate with
|z|^2 > threshold^2, or itermax), every orbit iterated at full precision. Plus generators of
locations: Newton-found minibrot nuclei, Misiurewicz points, inverse-iterated Julia points.
"""

from __future__ import annotations

import math
from typing import List, Tuple

import gmpy2
from gmpy2 import mpc, mpfr


def precision_for(center: Tuple[str, str], width: str, pixels: int) -> int:
    """Bits enough to resolve a pixel's offset against the centre, with 64 to spare."""
    # MPFR's exponent range reaches far below a double's (1e-1000 is fine here).
    exponent = -float(gmpy2.log2(abs(mpfr(width, 64)) / pixels))
    return int(exponent) + 128


def sample_point(center: Tuple[str, str], width: str, size: Tuple[int, int], i: int, j: int,
                 bits: int) -> mpc:
    w, h = size
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        span = mpfr(width)
        x = mpfr(center[0]) + (2 * i - w) * span / (2 * w)
        y = mpfr(center[1]) + (h - 2 * j) * span / (2 * w)
        return mpc(x, y)


def escape_count(z: mpc, c: mpc, power: int, threshold: float, itermax: int, bits: int) -> int:
    limit = mpfr(threshold) ** 2
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        k = 0
        while True:
            z = (z * z if power == 2 else z**power) + c
            if k == itermax or gmpy2.norm(z) > limit:
                return k
            k += 1


def oracle_counts(family: str, center: Tuple[str, str], width: str, size: Tuple[int, int],
                  itermax: int, *, power: int = 2, c: Tuple[str, str] = ("0", "0"),
                  threshold: float = 2.0) -> List[List[int]]:
    """Every pixel's escape count, rows top first."""
    bits = precision_for(center, width, size[0])
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        c_julia = mpc(mpfr(c[0]), mpfr(c[1]))
    rows = []
    for j in range(size[1]):
        row = []
        for i in range(size[0]):
            point = sample_point(center, width, size, i, j, bits)
            if family == "mandelbrot":
                row.append(escape_count(mpc(0), point, power, threshold, itermax, bits))
            else:
                row.append(escape_count(point, c_julia, power, threshold, itermax, bits))
        rows.append(row)
    return rows


def text(value: mpfr, digits: int) -> str:
    """A decimal string of `value` with `digits` significant digits."""
    return format(value, f".{digits}e")


def real_nucleus_near_minus_two(period: int, bits: int) -> mpfr:
    """The real nucleus of the given period closest to -2 (Newton, from the scaling 1/4 per
    period of the nuclei that accumulate at the tip -2)."""
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        c = mpfr("-1.754877666246692760049508896358528691894606617772793143989")  # period 3
        for p in range(4, period + 1):
            c = -2 + (c + 2) / 4  # the next nucleus, roughly
            for _ in range(200):
                z, dz = mpfr(0), mpfr(0)
                for _ in range(p):
                    dz = 2 * z * dz + 1
                    z = z * z + c
                step = z / dz
                c -= step
                if step == 0 or abs(step) < abs(c) * mpfr(2) ** (8 - bits):
                    break
        return c


def misiurewicz_cubic(bits: int) -> mpc:
    """A Misiurewicz point of z^3 + c: c = sqrt(e^(2 pi i / 3) - 1), whose critical orbit
    0 -> c -> c * omega lands on a repelling fixed point (multiplier of modulus 3 sqrt 3)."""
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        omega = mpc(mpfr(-1) / 2, gmpy2.sqrt(mpfr(3)) / 2)
        return gmpy2.sqrt(omega - 1)


def julia_point(c: Tuple[str, str], steps: int, bits: int, power: int = 2) -> mpc:
    """A point of the Julia set of z^power + c by inverse iteration z <- (z - c)^(1/power)
    (the principal root, turned by a root of unity every third step: deterministic, and it
    converges onto the set away from one fixed point's basin edge)."""
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        cc = mpc(mpfr(c[0]), mpfr(c[1]))
        turn = gmpy2.exp(mpc(0, 2 * gmpy2.const_pi() / power))  # -1 for power 2
        z = mpc(1, 1)
        for step in range(steps):
            z = gmpy2.sqrt(z - cc) if power == 2 else (z - cc) ** (mpfr(1) / power)
            if step % 3 == 2:
                z = -z if power == 2 else z * turn
        return z
