"""Filled Julia sets and the Mandelbrot set of z**power + c, computed by a multithreaded SIMD C++ core.

The keyword API: ``julia()`` / ``mandelbrot()`` give per-pixel fields (escape counts, smooth
counts, |z|^2, interior, distance estimate) as numpy arrays in image order, ``evaluate()`` the
same for arbitrary points, ``julia_image()`` / ``mandelbrot_image()`` coloured images, and
``save_png`` / ``read_parameters`` / ``render_parameters`` store an image with the parameters
that reproduce it.

For notebooks: ``grid()`` gives a view's sampled coordinates and an ``imshow`` extent,
``progress=True`` (or a callable) reports long renders, ``Image`` shows an image in Jupyter,
and ``juliaset.xarray`` returns labelled ``xarray`` objects.

"The seed" is the program this package re-implements: the Rust + PyO3 Julia-set tool of the
blog entry "Rust to do the legwork in a Python program" (a Rust crate with a Python package
and a command-line tool). Its API is kept:
``JuliaDiv(c_0, threshold, n_iterations, resolution).over(ComplexRegion(...))`` returns the
normalised divergence of every point as a float64 array indexed ``[x, y]``.
``juliaset.reference`` holds the blog entry's pure-Python implementations, for comparison.
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
from ._colormaps import BUILTIN_COLORMAPS
from ._grid import ViewGrid, grid
from ._image import Image
from ._metadata import read_parameters, save_png
from ._modern import (
    FIELD_NAMES,
    evaluate,
    image_parameters,
    julia,
    julia_image,
    mandelbrot,
    mandelbrot_image,
    render_parameters,
    DeepReference,
    deep_reference,
)

__version__: str = _core.version

__all__ = [
    "BUILTIN_COLORMAPS",
    "ComplexRegion",
    "FIELD_NAMES",
    "Image",
    "JuliaDiv",
    "ViewGrid",
    "__version__",
    "evaluate",
    "grid",
    "image_parameters",
    "julia",
    "julia_image",
    "mandelbrot",
    "mandelbrot_image",
    "read_parameters",
    "render_parameters",
    "DeepReference",
    "deep_reference",
    "save_png",
]
