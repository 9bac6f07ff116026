"""A brute-force arbitrary-precision oracle for deep views, written with gmpy2 (MPFR/MPC).

Independent of the C++ engine: the grid rule of juliaset.DeepView (pixel (i, j) of a w x h
image samples center + ((i/w - 1/2) * width, (1/2 - j/h) * width * h/w), rounded only after
the exact sum) and escape.hpp's count rule (the 0-based index of the first iterate with
|z|^2 > threshold^2, or itermax), every orbit iterated at full precision. The pixels of a view
are shared among os.cpu_count() worker processes. Plus generators of locations: Newton-found
minibrot nuclei (of z^d + c, their period from the atom domain of a start point), Misiurewicz
points (Newton on the preperiodicity equation), inverse-iterated Julia points.
"""

from __future__ import annotations

import atexit
import math
import multiprocessing
import multiprocessing.pool
import os
import sys
from typing import List, Optional, Sequence, Tuple

import gmpy2
from gmpy2 import mpc, mpfr

Pair = Tuple[str, str]


def precision_for(center: Pair, width: str, pixels: int) -> int:
    """Bits enough to resolve a pixel's offset against the centre, with 128 to spare."""
    # MPFR's exponent range reaches far below a double's (1e-1000 is fine here).
    exponent = -float(gmpy2.log2(abs(mpfr(width, 64)) / pixels))
    scale = max(1.0, float(gmpy2.log2(abs(mpfr(center[0], 64)) + abs(mpfr(center[1], 64)) + 1)))
    return int(exponent + scale) + 128


def digits_bits(number: Pair) -> int:
    """Bits that hold every significant digit of a pair of decimal strings (their largest
    binary exponent to their smallest digit's place)."""
    places = []
    for part in number:
        mantissa, _, exponent = part.lower().lstrip("+-").partition("e")
        whole, _, fraction = mantissa.partition(".")
        digits = (whole + fraction).lstrip("0")
        if digits:
            places.append(len(fraction) - int(exponent or 0))
    top = max(1.0, float(gmpy2.log2(abs(mpfr(number[0], 64)) + abs(mpfr(number[1], 64)) + 1)))
    return int(max(places, default=0) * 3.33 + top) + 1


def sample_point(center: Pair, width: str, size: Tuple[int, int], i: int, j: int,
                 bits: int) -> mpc:
    w, h = size
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        span = mpfr(width)
        x = mpfr(center[0]) + (2 * i - w) * span / (2 * w)
        y = mpfr(center[1]) + (h - 2 * j) * span / (2 * w)
        return mpc(x, y)


def escape_count(z: mpc, c: mpc, power: int, threshold: float, itermax: int, bits: int) -> int:
    """The count rule, iterated at `bits` bits. An orbit that repeats a state exactly (Brent's
    cycle detection on the rounded values) is periodic in this arithmetic: none of its states
    escaped, so it never will and the count is itermax, as iterating on would give."""
    limit = mpfr(threshold) ** 2
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        square, fma = gmpy2.square, gmpy2.fma
        x, y = mpfr(z.real), mpfr(z.imag)
        cx, cy = mpfr(c.real), mpfr(c.imag)
        saved_x, saved_y, lap, stride = x, y, 0, 1
        k = 0
        if power == 2:
            x2, y2 = square(x), square(y)
            while True:
                x, y = x2 - y2 + cx, fma(x + x, y, cy)
                x2, y2 = square(x), square(y)
                if x2 + y2 > limit or k == itermax:
                    return k
                if x == saved_x and y == saved_y:
                    return itermax
                lap += 1
                if lap == stride:
                    saved_x, saved_y, lap, stride = x, y, 0, 2 * stride
                k += 1
        w, cc = mpc(x, y), mpc(cx, cy)
        saved = w
        while True:
            w = w**power + cc
            if gmpy2.norm(w) > limit or k == itermax:
                return k
            if w == saved:
                return itermax
            lap += 1
            if lap == stride:
                saved, lap, stride = w, 0, 2 * stride
            k += 1


def _pixel(task: Tuple) -> int:
    family, center, width, size, i, j, itermax, power, c, threshold, bits = task
    point = sample_point(center, width, size, i, j, bits)
    if family == "mandelbrot":
        return escape_count(mpc(0), point, power, threshold, itermax, bits)
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        c_julia = mpc(mpfr(c[0]), mpfr(c[1]))
    return escape_count(point, c_julia, power, threshold, itermax, bits)


_POOL: Optional[multiprocessing.pool.Pool] = None
# How the pool's processes start: from a fork server by default, a fresh single-threaded
# process (a test session may hold other tests' idle threads, which a plain fork would copy
# mid-lock); a process that renders nothing else may choose "fork", which starts at once.
START_METHOD = "forkserver"


def shared_pool() -> multiprocessing.pool.Pool:
    """One pool of os.cpu_count() processes for the whole run, started on first use."""
    global _POOL
    if _POOL is None:
        # The fork server imports the main module's file again; without one (python -c, a
        # script on stdin) its processes would fail to start, again and again.
        main_file = getattr(sys.modules["__main__"], "__file__", None)
        method = START_METHOD if main_file and os.path.isfile(main_file) else "fork"
        _POOL = multiprocessing.get_context(method).Pool(os.cpu_count() or 1)
        atexit.register(close_pool)
    return _POOL


def close_pool() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.close()
        _POOL.join()
        _POOL = None


def oracle_pixels(family: str, center: Pair, width: str, size: Tuple[int, int], itermax: int,
                  pixels: Sequence[Tuple[int, int]], *, power: int = 2, c: Pair = ("0", "0"),
                  threshold: float = 2.0, extra_bits: int = 0) -> List[int]:
    """The escape counts of the given pixels (i, j), in the shared pool."""
    bits = precision_for(center, width, size[0]) + extra_bits
    if family == "julia":
        # A Julia set's c is exact as given: its digits, however deep, decide the counts.
        bits = max(bits, digits_bits(c) + 64 + extra_bits)
    tasks = [(family, center, width, size, i, j, itermax, power, c, threshold, bits)
             for i, j in pixels]
    return shared_pool().map(_pixel, tasks, chunksize=1)


def _moved_pixel(task: Tuple) -> int:
    family, center, width, size, i, j, itermax, power, c, threshold, bits, shift = task
    point = sample_point(center, width, size, i, j, bits)
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        point += shift
        if family == "mandelbrot":
            return escape_count(mpc(0), point, power, threshold, itermax, bits)
        c_julia = mpc(mpfr(c[0]), mpfr(c[1]))
        return escape_count(point, c_julia, power, threshold, itermax, bits)


def moved_counts(family: str, center: Pair, width: str, size: Tuple[int, int], itermax: int,
                 pixel: Tuple[int, int], fraction_bits: int, *, power: int = 2,
                 c: Pair = ("0", "0"), threshold: float = 2.0) -> List[int]:
    """The counts of pixel (i, j)'s sample moved by 2^-fraction_bits of a pixel to the right,
    up, left and down: when they differ from its own, the count is decided at that scale (a
    double delta of a few pixels is rounded at about 2^-50 of a pixel)."""
    bits = precision_for(center, width, size[0]) + fraction_bits + 64
    if family == "julia":
        bits = max(bits, digits_bits(c) + 64)
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        step = mpfr(width) / size[0] * mpfr(2) ** -fraction_bits
        shifts = [mpc(step, 0), mpc(0, step), mpc(-step, 0), mpc(0, -step)]
    tasks = [(family, center, width, size, pixel[0], pixel[1], itermax, power, c, threshold,
              bits, shift) for shift in shifts]
    return shared_pool().map(_moved_pixel, tasks, chunksize=1)


def double_delta_count(family: str, center: Pair, width: str, size: Tuple[int, int],
                       itermax: int, pixel: Tuple[int, int], *, power: int = 2,
                       c: Pair = ("0", "0"), threshold: float = 2.0,
                       horner: bool = True) -> int:
    """Not the oracle: what plain perturbation in doubles counts at pixel (i, j), for telling
    a miss inherent to double deltas from an engine's own. The reference Z (the centre's orbit
    at the oracle's precision, stored as complex doubles) and the pixel's delta dz (its sample
    minus the centre, rounded once) iterate dz <- dz (sum_{k>=1} C(d, k) Z^(d-k) dz^(k-1)) + dc
    (`horner`; for d = 2, (2Z + dz) dz + dc), or the same sum expanded, sum C(d, k) Z^(d-k) dz^k
    + dc (2Z dz + dz^2 + dc): equally exact, rounded differently. Zhuoran's rebase (dz <- z,
    onto the critical orbit) when |z| < |dz| or the reference ends; no step is skipped. Only
    for widths a double's exponent holds (above about 1e-290)."""
    bits = precision_for(center, width, size[0])
    if family == "julia":
        bits = max(bits, digits_bits(c) + 64)
    limit = threshold * threshold

    def orbit(start: mpc, add: mpc) -> List[complex]:
        values, z = [complex(start)], start
        for _ in range(itermax + 1):
            z = z**power + add
            values.append(complex(z))
            if abs(values[-1]) > threshold:
                break
        return values

    with gmpy2.context(gmpy2.get_context(), precision=bits):
        centre = mpc(mpfr(center[0]), mpfr(center[1]))
        delta = complex(sample_point(center, width, size, pixel[0], pixel[1], bits) - centre)
        if family == "mandelbrot":
            reference = critical = orbit(mpc(0), centre)
            dc = delta
            dz = 0j
        else:
            c_julia = mpc(mpfr(c[0]), mpfr(c[1]))
            reference, critical = orbit(centre, c_julia), orbit(mpc(0), c_julia)
            dc = 0j
            dz = delta
    binomials = [math.comb(power, k) for k in range(power + 1)]
    m = 0
    for n in range(itermax + 1):
        big = reference[m]
        if horner:
            factor = 0j
            for k in range(power, 0, -1):  # C(d, k) Z^(d-k), Horner in dz
                factor = factor * dz + binomials[k] * big ** (power - k)
            dz = factor * dz + dc
        else:
            step, dz_power = 0j, 1 + 0j
            for k in range(1, power + 1):
                dz_power *= dz
                step += binomials[k] * big ** (power - k) * dz_power
            dz = step + dc
        m += 1
        z = reference[m] + dz
        if z.real * z.real + z.imag * z.imag > limit or n == itermax:
            return n
        if abs(z) < abs(dz) or m == len(reference) - 1:
            dz, m, reference = z, 0, critical
    return itermax


def oracle_counts(family: str, center: Pair, width: str, size: Tuple[int, int],
                  itermax: int, **kw) -> List[List[int]]:
    """Every pixel's escape count, rows top first."""
    w, h = size
    flat = oracle_pixels(family, center, width, size, itermax,
                         [(i, j) for j in range(h) for i in range(w)], **kw)
    return [flat[j * w:(j + 1) * w] for j in range(h)]


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


def atom_period(start: Pair, power: int, itermax: int, bits: int) -> int:
    """The period of the atom domain holding `start`: the last n before escape (or itermax)
    at which |z_n| reached a new minimum."""
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        c = mpc(mpfr(start[0]), mpfr(start[1]))
        z, smallest, period = mpc(0), None, 1
        for n in range(1, itermax + 1):
            z = z**power + c
            size = gmpy2.norm(z)
            if size > 4:
                break
            if smallest is None or size < smallest:
                smallest, period = size, n
        return period


def newton_nucleus(start: Pair, power: int, period: int, bits: int,
                   steps: int = 200) -> Tuple[mpc, float]:
    """The nucleus of the given period nearest `start` (Newton on z_period(c) = 0), and the
    log10 of its minibrot's size: 1 / |b l^(d/(d-1))| with l = prod d z_k^(d-1) and
    b = sum 1/l_k over the period (the usual estimate for d = 2; measured for d = 2 and 3, the
    minibrot's cardioid fills about a tenth of a view 8 sizes wide)."""
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        c = mpc(mpfr(start[0]), mpfr(start[1]))
        tolerance = mpfr(2) ** (16 - bits)
        for _ in range(steps):
            z, dz = mpc(0), mpc(0)
            for _ in range(period):
                dz = power * z ** (power - 1) * dz + 1
                z = z**power + c
            step = z / dz
            c -= step
            if abs(step) <= tolerance * abs(c):
                break
        else:
            raise ArithmeticError(f"Newton did not converge to the period-{period} nucleus")
        z, slope, b = mpc(0), mpc(1), mpc(1)
        for _ in range(1, period):
            z = z**power + c
            slope = power * z ** (power - 1) * slope
            b += 1 / slope
        size = abs(1 / (b * slope ** (mpfr(power) / (power - 1))))
        return c, float(gmpy2.log10(size))


def misiurewicz_newton(start: Pair, power: int, preperiod: int, period: int,
                       bits: int) -> mpc:
    """A Misiurewicz point near `start`: Newton on z_(preperiod + period)(c) - z_preperiod(c)
    (the critical orbit lands on a cycle of the given period after preperiod steps). Checked
    to be strictly preperiodic: no iterate comes near 0, as it would at a centre, which also
    solves the equation."""
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        c = mpc(mpfr(start[0]), mpfr(start[1]))
        tolerance = mpfr(2) ** (16 - bits)
        for _ in range(200):
            z, dz = mpc(0), mpc(0)
            orbit = []
            for _ in range(preperiod + period):
                dz = power * z ** (power - 1) * dz + 1
                z = z**power + c
                orbit.append((z, dz))
            (a, da), (b, db) = orbit[preperiod - 1], orbit[-1]
            step = (b - a) / (db - da)
            c -= step
            if abs(step) <= tolerance * abs(c):
                break
        else:
            raise ArithmeticError("Newton did not converge to the Misiurewicz point")
        if min(abs(z) for z, _ in orbit) < mpfr(2) ** -20:
            raise ArithmeticError("converged to a centre, not a Misiurewicz point")
        return c


def misiurewicz_cubic(bits: int) -> mpc:
    """A Misiurewicz point of z^3 + c: c = sqrt(e^(2 pi i / 3) - 1), whose critical orbit
    0 -> c -> c * omega lands on a repelling fixed point (multiplier of modulus 3 sqrt 3)."""
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        omega = mpc(mpfr(-1) / 2, gmpy2.sqrt(mpfr(3)) / 2)
        return gmpy2.sqrt(omega - 1)


def julia_point(c: Pair, steps: int, bits: int, power: int = 2) -> mpc:
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


def julia_preimage(c: Pair, steps: int, bits: int, power: int = 2) -> mpc:
    """A point of the Julia set of z^power + c exactly (to `bits`): a repelling fixed point
    (Newton on z^power + c - z from the fixed points' largest-modulus start), then `steps`
    inverse steps as in `julia_point`. A preimage of a point of the set is on the set, so no
    convergence is needed: cheap at any depth, where `julia_point` needs a step per fraction
    of a decade (each a power-th root in MPC)."""
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        cc = mpc(mpfr(c[0]), mpfr(c[1]))
        z = mpc(2, 0)
        for _ in range(bits):
            step = (z**power + cc - z) / (power * z ** (power - 1) - 1)
            z -= step
            if abs(step) <= abs(z) * mpfr(2) ** (8 - bits):
                break
        if abs(power * z ** (power - 1)) <= 1:
            raise ArithmeticError("the fixed point found is not repelling")
        turn = gmpy2.exp(mpc(0, 2 * gmpy2.const_pi() / power))
        for step in range(steps):
            z = gmpy2.sqrt(z - cc) if power == 2 else (z - cc) ** (mpfr(1) / power)
            if step % 3 == 2:
                z = -z if power == 2 else z * turn
        return z
