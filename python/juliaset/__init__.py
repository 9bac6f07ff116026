"""Filled Julia sets of z**2 + c, computed by a multithreaded SIMD C++ core.

The seed's API: ``JuliaDiv(c_0, threshold, n_iterations, resolution).over(ComplexRegion(...))``
returns the normalised divergence of every point as a float64 array indexed ``[x, y]``.
``juliaset.reference`` holds the seed's pure-Python implementations, for comparison.
"""

from __future__ import annotations

try:
    from . import _core
except ImportError:  # pragma: no cover - only reached in a broken install
    # Raised inside the handler, so the original error stays attached as the context.
    raise ImportError(
        "juliaset's compiled extension juliaset._core could not be imported. Install the "
        "package with `pip install .` (or `pip install --no-build-isolation -e .`) from the "
        "repository root rather than importing it from the source tree."
    )

from ._api import ComplexRegion, JuliaDiv

__version__: str = _core.version

__all__ = ["ComplexRegion", "JuliaDiv", "__version__"]
