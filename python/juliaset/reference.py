"""The seed's four pure-Python implementations of ``JuliaDiv``, for comparison and benchmarks.

``IMPLEMENTATIONS`` maps a name to a class with ``JuliaDiv``'s constructor and ``.over``:

==================  =========================================================================
``"np.vectorize"``  the scalar ``divergence`` function applied with ``numpy.vectorize``
``"numpy"``         whole-array numpy operations, diverged points replaced by NaN
``"numba"``         ``divergence`` compiled with ``numba.vectorize``
``"numba-nosqrt"``  the same, comparing ``|z|^2`` with ``threshold**2`` instead of ``|z|``
==================  =========================================================================

The numba entries need the optional dependency ``numba`` (``pip install "juliaset[bench]"``);
without it they are still listed but raise ImportError when constructed.

Grid. By default these classes sample exactly the native grid (``ComplexRegion.build``, here
recomputed in pure numpy with the same IEEE operations), so their results can be compared
with ``JuliaDiv.over`` bit for bit. ``grid="linspace"`` samples ``np.linspace`` grids instead,
which include the right and bottom edges as the seed's Python scripts did.

Escape test. The seed's Python code stops at the first iterate with ``abs(z) >= threshold``;
the native core (like the seed's Rust code that made the published images) stops at the first
with ``|z|^2 > threshold^2``. The two differ only for an iterate whose modulus equals the
threshold within rounding, so results agree except for orbits that land exactly on the
threshold circle (for instance ``z_0 = 0, c_0 = 2, threshold = 2``).
"""

from __future__ import annotations

import math
from typing import Any, Callable, ClassVar, Dict, Tuple, Type

import numpy as np
from numpy.typing import NDArray

from ._api import ComplexRegion, JuliaDiv

__all__ = [
    "IMPLEMENTATIONS",
    "NumbaJuliaDiv",
    "NumbaNoSqrtJuliaDiv",
    "NumpyJuliaDiv",
    "SeedJuliaDiv",
    "VectorizeJuliaDiv",
    "linspace_grid",
    "native_grid",
]

_GRIDS = ("native", "linspace")


def _grid_shape(region: ComplexRegion, resolution: int) -> Tuple[int, int]:
    """(nx, ny) by the seed's rule: ny = round(nx * |dy| / |dx|), half away from zero."""
    ratio = resolution * abs(region.yright - region.yleft) / abs(region.xright - region.xleft)
    rows = math.floor(ratio)
    if ratio - rows >= 0.5:  # exact: a double minus its floor loses no bits
        rows += 1
    if rows < 1:
        raise ValueError(f"{region!r} is too flat: its height rounds to 0 pixels")
    return resolution, rows


def native_grid(region: ComplexRegion, resolution: int) -> NDArray[np.complex128]:
    """The native grid of ``region`` in pure numpy, shape ``(nx, ny)``, equal to ``build``.

    Column ``i`` has ``x = i / nx * (xright - xleft) + xleft`` and row ``j`` has
    ``y = j / ny * (yright - yleft) + yleft``: each step is one IEEE operation, in that order.
    """
    nx, ny = _grid_shape(region, resolution)
    xs = np.arange(nx, dtype=np.float64) / nx * (region.xright - region.xleft) + region.xleft
    ys = np.arange(ny, dtype=np.float64) / ny * (region.yright - region.yleft) + region.yleft
    grid = np.empty((nx, ny), dtype=np.complex128)
    grid.real = xs[:, np.newaxis]
    grid.imag = ys[np.newaxis, :]
    return grid


def linspace_grid(region: ComplexRegion, resolution: int) -> NDArray[np.complex128]:
    """A grid of the same shape from ``np.linspace``: all four edges of the region sampled."""
    nx, ny = _grid_shape(region, resolution)
    xs = np.linspace(region.xleft, region.xright, nx)
    ys = np.linspace(region.yleft, region.yright, ny)
    return xs[:, np.newaxis] + 1j * ys[np.newaxis, :]


class SeedJuliaDiv:
    """``JuliaDiv``'s constructor and ``over``, with the divergence computed in Python.

    ``grid`` (keyword only) is ``"native"`` (the default: the native core's points) or
    ``"linspace"``. Subclasses implement ``_divergence``, the seed's per-point iteration count.
    """

    name: ClassVar[str]

    def __init__(
        self,
        c_0: complex,
        threshold: float = 2.0,
        n_iterations: Tuple[int, int] = (0, 50),
        resolution: int = 1000,
        *,
        grid: str = "native",
    ) -> None:
        # JuliaDiv validates exactly as the native path does, with the same messages.
        params = JuliaDiv(c_0, threshold, n_iterations, resolution)
        if grid not in _GRIDS:
            raise ValueError(f"grid must be one of {_GRIDS}, got {grid!r}")
        self.c_0 = params.c_0
        self.threshold = params.threshold
        self.n_iterations = params.n_iterations
        self.resolution = params.resolution
        self.grid = grid
        self._prepare()

    def _prepare(self) -> None:
        """Per-implementation set-up once the parameters are valid (numba compiles here)."""

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(c_0={self.c_0!r}, threshold={self.threshold!r}, "
            f"n_iterations={self.n_iterations!r}, resolution={self.resolution!r}, "
            f"grid={self.grid!r})"
        )

    def _build(self, plane: ComplexRegion) -> NDArray[np.complex128]:
        if not isinstance(plane, ComplexRegion):
            raise TypeError(f"region must be a ComplexRegion, got {type(plane).__name__}")
        build = native_grid if self.grid == "native" else linspace_grid
        return build(plane, self.resolution)

    def _divergence(self, z_s: NDArray[np.complex128], itermax: int) -> NDArray[np.uint32]:
        raise NotImplementedError

    def over(self, plane: ComplexRegion) -> NDArray[np.float64]:
        """The seed's normalised divergence over ``plane``, float64 of shape ``(nx, ny)``."""
        itermin, itermax = self.n_iterations
        assert itermin < itermax
        z_s = self._build(plane)
        div = self._divergence(z_s, itermax)
        result: NDArray[np.float64] = (np.maximum(div, itermin) - itermin) / (itermax - itermin)
        return result


def divergence(z_0: complex, c_0: complex, threshold: float, itermax: int) -> int:
    """The seed's per-point loop: index of the first iterate with ``abs(z) >= threshold``."""
    for i in range(itermax):
        z_0 = z_0**2 + c_0
        if abs(z_0) >= threshold:
            return i
    return itermax


class VectorizeJuliaDiv(SeedJuliaDiv):
    """The seed's first version: ``divergence`` applied with ``np.vectorize``."""

    name = "np.vectorize"

    def _divergence(self, z_s: NDArray[np.complex128], itermax: int) -> NDArray[np.uint32]:
        div_vect = np.vectorize(divergence, otypes=[np.uint32])
        div: NDArray[np.uint32] = div_vect(z_s, self.c_0, self.threshold, itermax)
        return div


class NumpyJuliaDiv(SeedJuliaDiv):
    """The seed's second version: every point iterated with whole-array numpy operations."""

    name = "numpy"

    def _divergence(self, z_s: NDArray[np.complex128], itermax: int) -> NDArray[np.uint32]:
        div = np.full_like(z_s, itermax, dtype=np.uint32)
        for i in range(itermax):
            z_s = np.square(z_s) + self.c_0
            diverged = np.abs(z_s) >= self.threshold
            div[diverged] = np.uint32(i)
            z_s[diverged] = np.nan
        return div


def _import_numba() -> Any:
    try:
        import numba
    except ImportError as error:
        raise ImportError(
            'the numba reference implementations need numba: pip install "juliaset[bench]"'
        ) from error
    return numba


# numba kernels by name, compiled on first use: compiling takes about a second.
_numba_kernels: Dict[str, Callable[..., NDArray[np.uint32]]] = {}


def _numba_kernel(name: str) -> Callable[..., NDArray[np.uint32]]:
    """The seed's ``divergence`` for ``name`` ("numba" or "numba-nosqrt"), numba-compiled."""
    if name in _numba_kernels:
        return _numba_kernels[name]
    numba = _import_numba()
    # numba ships no type information; typed as a plain decorator for mypy --strict.
    vectorize: Callable[[Callable[..., int]], Callable[..., NDArray[np.uint32]]] = (
        numba.vectorize(["uint32(complex128, complex128, float64, uint32)"])
    )

    if name == "numba":

        @vectorize
        def divergence(z_0: complex, c_0: complex, threshold: float, itermax: int) -> int:
            for i in range(itermax):
                z_0 = z_0**2 + c_0
                if abs(z_0) >= threshold:
                    return i
            return itermax

    else:

        @vectorize
        def divergence(z_0: complex, c_0: complex, threshold: float, itermax: int) -> int:
            thr_sqr = threshold**2
            for i in range(itermax):
                z_0 = z_0**2 + c_0
                if z_0.real**2 + z_0.imag**2 >= thr_sqr:
                    return i
            return itermax

    kernel: Callable[..., NDArray[np.uint32]] = divergence
    _numba_kernels[name] = kernel
    return kernel


class NumbaJuliaDiv(SeedJuliaDiv):
    """The seed's third version: ``divergence`` compiled with ``numba.vectorize``."""

    name = "numba"

    def _prepare(self) -> None:
        # Compiling here keeps the JIT out of the timed `over` and fails early without numba.
        self._kernel = _numba_kernel(self.name)

    def _divergence(self, z_s: NDArray[np.complex128], itermax: int) -> NDArray[np.uint32]:
        return self._kernel(z_s, self.c_0, self.threshold, itermax)


class NumbaNoSqrtJuliaDiv(NumbaJuliaDiv):
    """The seed's fourth version: numba, comparing squared moduli (no square root)."""

    name = "numba-nosqrt"


IMPLEMENTATIONS: Dict[str, Type[SeedJuliaDiv]] = {
    cls.name: cls
    for cls in (VectorizeJuliaDiv, NumpyJuliaDiv, NumbaJuliaDiv, NumbaNoSqrtJuliaDiv)
}
