"""The seed's Python API, ``ComplexRegion`` and ``JuliaDiv``, computed by the native core."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Optional, Tuple

import numpy as np
from numpy.typing import NDArray

from . import _core

_UINT32_MAX = 2**32 - 1
# The largest image side the core accepts (juliaset::max_grid_side).
_MAX_SIDE = 2**30
# Beyond this modulus a coordinate's square overflows, z*z becomes inf - inf = NaN and the
# escape test (NaN > t^2 is false) would report a point far outside as never escaping.
_MAX_BOUND = 1e150


def _real(value: Any, name: str) -> float:
    """``value`` as a finite float, or a TypeError / ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    try:
        result = float(value)
    except OverflowError:  # an int or Fraction beyond the doubles
        raise ValueError(
            f"{name} must be a finite number, got one beyond the range of a double"
        ) from None
    if not math.isfinite(result):
        raise ValueError(f"{name} must be a finite number, got {result}")
    return result


def _integer(value: Any, name: str, minimum: int, maximum: int) -> int:
    """``value`` as an int in [minimum, maximum], or a TypeError / ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    result = int(value)
    if not minimum <= result <= maximum:
        raise ValueError(f"{name} must be between {minimum} and {maximum}, got {result}")
    return result


def _complex(value: Any, name: str) -> complex:
    """``value`` as a complex with finite parts, or a TypeError / ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Complex):
        raise TypeError(f"{name} must be a complex number, got {type(value).__name__} {value!r}")
    try:
        result = complex(value)
    except OverflowError:  # an int or Fraction beyond the doubles
        raise ValueError(
            f"{name} must have finite real and imaginary parts, got one beyond the range of a "
            "double"
        ) from None
    if not (math.isfinite(result.real) and math.isfinite(result.imag)):
        raise ValueError(f"{name} must have finite real and imaginary parts, got {result}")
    return result


@dataclass(frozen=True)
class ComplexRegion:
    """A rectangle of the complex plane, as the seed defines it.

    ``xleft`` and ``xright`` are the real parts at the left and right edges of the image;
    ``yleft`` and ``yright`` are the imaginary parts at its top and bottom edges, in that order
    (the seed's scripts pass ``yleft=0.1, yright=-0.1`` to put +0.1 on the top row). Reversed
    bounds are allowed and mirror the image. Instances are immutable, hashable and compare by
    value.
    """

    xleft: float
    xright: float
    yleft: float
    yright: float

    def __post_init__(self) -> None:
        for name in ("xleft", "xright", "yleft", "yright"):
            # Normalised to float so that equal regions compare and hash equal.
            object.__setattr__(self, name, _real(getattr(self, name), name))
        for name in ("xleft", "xright", "yleft", "yright"):
            if abs(getattr(self, name)) > _MAX_BOUND:
                raise ValueError(
                    f"{name} must lie within +-{_MAX_BOUND:g} (squares of larger coordinates "
                    f"overflow), got {getattr(self, name)}"
                )
        if self.xleft == self.xright:
            raise ValueError(f"xleft and xright must differ, both are {self.xleft}")
        if self.yleft == self.yright:
            raise ValueError(f"yleft and yright must differ, both are {self.yleft}")

    def _bounds(self) -> Tuple[float, float, float, float]:
        """(xleft, xright, ybot, ytop) in the core's vocabulary: the first y bound is the top."""
        return self.xleft, self.xright, self.yright, self.yleft

    def shape(self, resolution: int) -> Tuple[int, int]:
        """The ``(nx, ny)`` shape of the arrays ``build`` and ``JuliaDiv.over`` return."""
        resolution = _integer(resolution, "resolution", 1, _MAX_SIDE)
        return _core.grid_shape(*self._bounds(), resolution)

    def build(self, resolution: int) -> NDArray[np.complex128]:
        """The points of the region sampled with ``resolution`` pixels along the real axis.

        Returns a complex128 array of shape ``(nx, ny)`` indexed ``[x, y]``: column ``i`` has
        ``x = i / nx * (xright - xleft) + xleft`` and row ``j`` has
        ``y = j / ny * (yright - yleft) + yleft``, so the left and top edges are sampled and
        the right and bottom edges are not. These are exactly the points ``JuliaDiv.over``
        iterates.
        """
        resolution = _integer(resolution, "resolution", 1, _MAX_SIDE)
        return _core.grid_points(*self._bounds(), resolution).T


class JuliaDiv:
    """How fast the orbits of ``z <- z**2 + c_0`` diverge, mapped to [0, 1] as in the seed.

    ``threshold`` is the escape radius, ``n_iterations = (itermin, itermax)`` the iteration
    window (counts at or below ``itermin`` map to 0, only ``itermax`` maps to 1) and
    ``resolution`` the number of pixels along the real axis. ``threads`` (keyword only) is the
    number of native threads, ``None`` or 0 for every core; it never changes the result and
    takes no part in equality. Instances are immutable, hashable and compare by value.
    """

    __slots__ = ("c_0", "threshold", "n_iterations", "resolution", "threads")

    c_0: complex
    threshold: float
    n_iterations: Tuple[int, int]
    resolution: int
    threads: Optional[int]

    def __init__(
        self,
        c_0: complex,
        threshold: float = 2.0,
        n_iterations: Tuple[int, int] = (0, 50),
        resolution: int = 1000,
        *,
        threads: Optional[int] = None,
    ) -> None:
        c_0 = _complex(c_0, "c_0")
        threshold = _real(threshold, "threshold")
        if threshold <= 0.0 or not math.isfinite(threshold * threshold):
            raise ValueError(
                f"threshold must be above 0 and its square a finite double, got {threshold}"
            )
        try:
            itermin, itermax = n_iterations
        except (TypeError, ValueError):
            raise TypeError(
                f"n_iterations must be a pair (itermin, itermax), got {n_iterations!r}"
            ) from None
        itermin = _integer(itermin, "n_iterations[0] (itermin)", 0, _UINT32_MAX)
        itermax = _integer(itermax, "n_iterations[1] (itermax)", 0, _UINT32_MAX)
        if itermin >= itermax:
            raise ValueError(
                f"n_iterations must have itermin < itermax, got ({itermin}, {itermax})"
            )
        resolution = _integer(resolution, "resolution", 1, _MAX_SIDE)
        if threads is not None:
            threads = _integer(threads, "threads", 0, _UINT32_MAX)
        for name, value in (
            ("c_0", c_0),
            ("threshold", threshold),
            ("n_iterations", (itermin, itermax)),
            ("resolution", resolution),
            ("threads", threads),
        ):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; create a new one instead")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; create a new one instead")

    def _key(self) -> Tuple[complex, float, Tuple[int, int], int]:
        return (self.c_0, self.threshold, self.n_iterations, self.resolution)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, JuliaDiv)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def __repr__(self) -> str:
        threads = "" if self.threads is None else f", threads={self.threads}"
        return (
            f"{type(self).__name__}(c_0={self.c_0!r}, threshold={self.threshold!r}, "
            f"n_iterations={self.n_iterations!r}, resolution={self.resolution!r}{threads})"
        )

    def _native_args(self, region: ComplexRegion) -> Tuple[Any, ...]:
        if not isinstance(region, ComplexRegion):
            raise TypeError(f"region must be a ComplexRegion, got {type(region).__name__}")
        itermin, itermax = self.n_iterations
        return (
            *region._bounds(),
            self.resolution,
            self.c_0.real,
            self.c_0.imag,
            self.threshold,
            itermin,
            itermax,
        )

    def over(self, region: ComplexRegion) -> NDArray[np.float64]:
        """The seed's normalised divergence of every point of ``region.build(resolution)``.

        Returns a float64 array of shape ``(nx, ny)`` indexed ``[x, y]`` (a transposed view of
        a C-contiguous image), with ``(max(k, itermin) - itermin) / (itermax - itermin)`` where
        ``k`` is the 0-based index of the first iterate with ``|z| > threshold``, or
        ``itermax``. The GIL is released during the computation and Ctrl-C interrupts it.
        """
        values = _core.normalized_values(*self._native_args(region), threads=self.threads or 0)
        return values.T

    def escape_counts(self, region: ComplexRegion) -> NDArray[np.uint32]:
        """The raw escape count ``k`` of every point, as a uint32 array of shape ``(nx, ny)``."""
        return _core.escape_counts(*self._native_args(region), threads=self.threads or 0).T

    def gray_image(self, region: ComplexRegion) -> NDArray[np.uint8]:
        """The 8-bit image ``(over(region) * 255).astype(np.uint8).T``, shape ``(ny, nx)``.

        Rows run top to bottom, as ``PIL.Image.fromarray`` expects; it equals the seed
        script's image without the intermediate float64 array.
        """
        return _core.gray_image(*self._native_args(region), threads=self.threads or 0)
