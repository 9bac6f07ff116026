"""Paths of Julia's constant ``c`` through the plane, for morphs.

A ``CPath`` maps a parameter ``s`` in [0, 1] to a complex number, ``s = 0`` at its start and
``s = 1`` at its end, at constant speed (arc length) so that ``c`` moves evenly. Paths:

- ``line(a, b)`` and ``polyline(points)``: straight segments through the points in order;
- ``smooth(points)``: a centripetal Catmull-Rom spline through the points (no cusps or loops
  between close points); closed, with a continuous tangent at the seam, when the first point
  equals the last;
- ``circle(center, radius, turns=1, start=0)``: ``center + radius * e^(i(start + 2 pi turns s))``;
- ``cardioid(multiplier=1)``: the boundary of the Mandelbrot set's main cardioid,
  ``c = r e^(it) / 2 - r^2 e^(2it) / 4`` with ``t`` from 0 to 2 pi. With ``r = 1`` these are the
  ``c`` whose fixed point is neutral (the Julia sets change most there); ``r < 1`` runs inside
  the cardioid (connected Julia sets, the fixed point attracting with multiplier ``r``), ``r > 1``
  just outside.

A path is closed when its first point equals its last (``closed``); a morph along a closed path
then spreads its frames over ``[0, 1)`` so that the video loops without a repeated frame.
"""

from __future__ import annotations

import math
import numbers
from typing import Callable, List, Sequence, Union

import numpy as np
from numpy.typing import NDArray

# Samples per curved piece for the arc-length table (the speed error is far below a pixel's).
_SAMPLES_PER_PIECE = 256


def _point(value: object, name: str) -> complex:
    if isinstance(value, bool) or not isinstance(value, numbers.Complex):
        raise TypeError(f"{name} must be a complex number, got {type(value).__name__} {value!r}")
    result = complex(value)
    if not (math.isfinite(result.real) and math.isfinite(result.imag)):
        raise ValueError(f"{name} must be finite, got {result}")
    return result


def _points(points: Sequence[object], name: str, minimum: int) -> List[complex]:
    if isinstance(points, (str, bytes)) or not isinstance(points, Sequence):
        try:
            points = list(points)
        except TypeError:
            raise TypeError(f"{name} must be a sequence of complex numbers, got {points!r}") from None
    values = [_point(p, f"{name}[{i}]") for i, p in enumerate(points)]
    if len(values) < minimum:
        raise ValueError(f"{name} needs at least {minimum} points, got {len(values)}")
    return values


class CPath:
    """A curve ``s -> c`` for ``s`` in [0, 1], evaluated at constant speed.

    ``curve`` maps an array of raw parameters in [0, 1] to complex points; the arc-length table
    built from ``samples`` of it makes ``self(s)`` move at constant speed. ``closed`` says
    whether the end meets the start.
    """

    def __init__(
        self,
        curve: Callable[[NDArray[np.float64]], NDArray[np.complex128]],
        samples: int,
        closed: bool,
        description: str,
    ) -> None:
        self._curve = curve
        self.closed = closed
        self.description = description
        raw = np.linspace(0.0, 1.0, max(samples, 2))
        points = curve(raw)
        lengths = np.concatenate(([0.0], np.cumsum(np.abs(np.diff(points)))))
        self.length = float(lengths[-1])
        self._raw = raw
        # A path of length 0 (one point) stays where it is; otherwise s is the arc-length fraction.
        self._fraction = lengths / self.length if self.length > 0 else raw

    def __call__(self, s: Union[float, NDArray[np.float64]]) -> NDArray[np.complex128]:
        """The points at arc-length fractions ``s`` (scalar or array) in [0, 1]."""
        fraction = np.clip(np.asarray(s, dtype=np.float64), 0.0, 1.0)
        raw = np.interp(fraction, self._fraction, self._raw)
        # The ends are exact: s = 0 is the first point and s = 1 the last, bit for bit.
        raw = np.where(fraction <= 0.0, 0.0, np.where(fraction >= 1.0, 1.0, raw))
        return self._curve(raw)

    def at(self, s: float) -> complex:
        """The point at arc-length fraction ``s`` as a Python complex."""
        return complex(self(float(s)))

    @property
    def start(self) -> complex:
        return self.at(0.0)

    @property
    def end(self) -> complex:
        return self.at(1.0)

    def frame_fractions(self, frames: int) -> NDArray[np.float64]:
        """Where ``frames`` evenly spaced frames sample the path: ``k / (frames - 1)`` (first
        and last frames at the ends), or ``k / frames`` for a closed path (a seamless loop)."""
        if frames == 1:
            return np.zeros(1)
        k = np.arange(frames, dtype=np.float64)
        return k / frames if self.closed else k / (frames - 1)

    def __repr__(self) -> str:
        return f"CPath({self.description}, length={self.length:.6g}, closed={self.closed})"


def polyline(points: Sequence[complex]) -> CPath:
    """Straight segments through ``points`` in order (closed when the first equals the last)."""
    values = _points(points, "points", 1)
    nodes = np.array(values, dtype=np.complex128)
    pieces = max(len(values) - 1, 1)

    def curve(raw: NDArray[np.float64]) -> NDArray[np.complex128]:
        if len(values) == 1:
            return np.full(np.shape(raw), nodes[0], dtype=np.complex128)
        position = np.asarray(raw) * pieces
        index = np.minimum(np.floor(position).astype(np.int64), pieces - 1)
        local = position - index
        result = nodes[index] + (nodes[index + 1] - nodes[index]) * local
        # The points themselves exactly (the last one included), not a rounded sum.
        result = np.where(local == 0.0, nodes[index], result)
        return np.where(np.asarray(raw) >= 1.0, nodes[-1], result)

    # Straight pieces: the table needs only the nodes (arc length is exact between them).
    path = CPath(curve, pieces + 1, _closed(values), f"polyline of {len(values)} points")
    return path


def line(a: complex, b: complex) -> CPath:
    """The segment from ``a`` to ``b``."""
    return polyline([_point(a, "a"), _point(b, "b")])


def _closed(values: Sequence[complex]) -> bool:
    return len(values) > 2 and values[0] == values[-1]


def smooth(points: Sequence[complex]) -> CPath:
    """A centripetal Catmull-Rom spline through ``points`` in order.

    Closed (periodic, smooth at the seam) when the first point equals the last; open paths get
    their end tangents from mirrored phantom points. Consecutive equal points are merged.
    """
    values = _points(points, "points", 2)
    merged = [values[0]] + [b for a, b in zip(values, values[1:]) if b != a]
    closed = _closed(values)
    if len(merged) < 2 or (closed and len(merged) < 3):
        return polyline(merged)
    if closed:
        loop = merged[:-1]
        controls = [loop[-1]] + loop + [loop[0], loop[1]]
    else:
        controls = [2 * merged[0] - merged[1]] + merged + [2 * merged[-1] - merged[-2]]
    nodes = np.array(controls, dtype=np.complex128)
    pieces = len(controls) - 3

    def curve(raw: NDArray[np.float64]) -> NDArray[np.complex128]:
        raw = np.asarray(raw, dtype=np.float64)
        position = raw * pieces
        index = np.minimum(np.floor(position).astype(np.int64), pieces - 1)
        u = position - index
        p0, p1, p2, p3 = nodes[index], nodes[index + 1], nodes[index + 2], nodes[index + 3]
        # Centripetal knots: t_{i+1} = t_i + |p_{i+1} - p_i|^(1/2) (Barry-Goldman's pyramid).
        t1 = np.sqrt(np.abs(p1 - p0))
        t2 = t1 + np.sqrt(np.abs(p2 - p1))
        t3 = t2 + np.sqrt(np.abs(p3 - p2))
        t1 = np.where(t1 > 0, t1, 1e-300)
        t3 = np.where(t3 > t2, t3, t2 + 1e-300)
        t = t1 + (t2 - t1) * u
        a1 = (t1 - t) / t1 * p0 + t / t1 * p1
        a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
        a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
        b1 = (t2 - t) / t2 * a1 + t / t2 * a2
        b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
        result = (t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2
        # The spline interpolates: the knots are the given points exactly.
        result = np.where(u == 0.0, p1, result)
        return np.asarray(np.where(raw >= 1.0, nodes[-2], result), dtype=np.complex128)

    return CPath(curve, pieces * _SAMPLES_PER_PIECE + 1, closed,
                 f"smooth curve through {len(values)} points")


def circle(center: complex, radius: float, turns: float = 1.0, start: float = 0.0) -> CPath:
    """``center + radius * e^(i (start + 2 pi turns s))``: a full turn is a closed loop."""
    middle = _point(center, "center")
    if isinstance(radius, bool) or not isinstance(radius, numbers.Real) or not radius > 0:
        raise ValueError(f"radius must be a number above 0, got {radius!r}")
    if isinstance(turns, bool) or not isinstance(turns, numbers.Real) or turns == 0:
        raise ValueError(f"turns must be a non-zero number, got {turns!r}")
    r, n, phase = float(radius), float(turns), float(start)

    def curve(raw: NDArray[np.float64]) -> NDArray[np.complex128]:
        return middle + r * np.exp(1j * (phase + 2 * math.pi * n * np.asarray(raw)))

    closed = float(turns).is_integer()
    return CPath(curve, int(abs(n) * 4096) + 2, closed,
                 f"circle around {middle} of radius {r:g}, {n:g} turns")


def cardioid(multiplier: float = 1.0, turns: float = 1.0) -> CPath:
    """The main cardioid's boundary ``c = r e^(it)/2 - r^2 e^(2it)/4``, ``t`` from 0 to 2 pi turns.

    ``multiplier`` is ``r``: the modulus of the multiplier of ``z^2 + c``'s fixed point (1 on the
    boundary itself, where ``c`` starts at the cusp 1/4). The path is parameterised by arc length.
    """
    if (isinstance(multiplier, bool) or not isinstance(multiplier, numbers.Real)
            or not 0 < multiplier <= 2):
        raise ValueError(f"multiplier must be a number in (0, 2], got {multiplier!r}")
    r, n = float(multiplier), float(turns)

    def curve(raw: NDArray[np.float64]) -> NDArray[np.complex128]:
        w = np.exp(1j * 2 * math.pi * n * np.asarray(raw))
        return r * w / 2 - r * r * w * w / 4

    return CPath(curve, int(abs(n) * 8192) + 2, float(turns).is_integer(),
                 f"main cardioid, multiplier {r:g}")


def through(points: Sequence[complex], *, smooth_curve: bool = False) -> CPath:
    """The path through ``points``: a polyline, or with ``smooth_curve`` a Catmull-Rom spline."""
    return smooth(points) if smooth_curve else polyline(points)


def as_path(value: object, *, smooth_curve: bool = False) -> CPath:
    """``value`` as a path: a ``CPath`` as it is, a single complex as a standing point, or a
    sequence of complex numbers through which the path passes in order."""
    if isinstance(value, CPath):
        return value
    if isinstance(value, numbers.Complex) and not isinstance(value, bool):
        return polyline([complex(value)])
    if isinstance(value, (str, bytes)):
        raise TypeError(f"c_path must be complex numbers or a CPath, got {value!r}")
    return through(value, smooth_curve=smooth_curve)  # type: ignore[arg-type]


__all__ = ["CPath", "cardioid", "circle", "line", "polyline", "smooth", "through", "as_path"]
