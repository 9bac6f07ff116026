"""The coordinates of a view's pixels: ``juliaset.grid``, and an ``extent`` for matplotlib."""

from __future__ import annotations

from typing import NamedTuple, Optional, Tuple

import numpy as np
from numpy.typing import NDArray

from ._metadata import FAMILIES, choice
from ._modern import Bounds, Size, _grid
from ._types import Family


class ViewGrid(NamedTuple):
    """The points a view samples: ``x`` per column, ``y`` per row, and an ``imshow`` extent.

    ``x[i]`` is the real part of column ``i`` and ``y[j]`` the imaginary part of row ``j``
    (top row first), bit for bit the values the renderers iterate: ``evaluate(points())``
    equals ``julia(...)`` over the same view. ``extent`` is ``(left, right, bottom, top)`` for
    ``matplotlib.pyplot.imshow(image, extent=extent)`` (with its default ``origin="upper"``):
    it puts the centre of pixel ``(j, i)`` on the point ``(x[i], y[j])`` it samples.
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    extent: Tuple[float, float, float, float]

    def points(self) -> NDArray[np.complex128]:
        """The sampled points as a complex128 array of shape ``(height, width)``."""
        return self.x[np.newaxis, :] + 1j * self.y[:, np.newaxis]


def grid(
    family: Family = "julia",
    *,
    center: Optional[complex] = None,
    width: Optional[float] = None,
    bounds: Optional[Bounds] = None,
    size: Optional[Size] = None,
    resolution: Optional[int] = None,
) -> ViewGrid:
    """The coordinates of the pixels of a view given as to ``julia`` / ``mandelbrot``.

    ``center``, ``width``, ``bounds``, ``size`` and ``resolution`` mean what they mean there,
    and ``center`` and ``width`` default to the family's (0 and 3.2 for ``"julia"``, -0.5 and
    3.0 for ``"mandelbrot"``). Returns a ``ViewGrid`` ``(x, y, extent)``.

    The engine samples, as the seed does, each pixel's top-left corner of the region's
    subdivision: column ``i`` of ``width_px`` at ``i / width_px * (xright - xleft) + xleft`` and
    row ``j`` at ``j / height_px * (ybot - ytop) + ytop``, so ``x[0] == xleft`` and
    ``y[0] == ytop`` while ``xright`` and ``ybot`` are never sampled. ``extent`` treats each
    sample as its pixel's centre: it is the bounds moved back by half a pixel,
    ``(xleft - dx/2, xright - dx/2, ybot - dy/2, ytop - dy/2)`` with ``dx``, ``dy`` the signed
    pixel steps, so that ``imshow`` draws every pixel where its value was computed.

    >>> import juliaset
    >>> g = juliaset.grid(bounds=(-2.0, 2.0, -1.0, 1.0), size=(4, 2))
    >>> g.x.tolist(), g.y.tolist(), g.extent
    ([-2.0, -1.0, 0.0, 1.0], [1.0, 0.0], (-2.5, 1.5, -0.5, 1.5))
    """
    if choice(family, "family", FAMILIES) == "julia":
        default_center, default_width = 0j, 3.2
    else:
        default_center, default_width = -0.5 + 0j, 3.0
    view = _grid(
        default_center if center is None else center,
        default_width if width is None else width,
        bounds,
        size,
        resolution,
    )
    # The core's operations, in its order (include/juliaset/grid.hpp), elementwise in numpy.
    columns = np.arange(view.width, dtype=np.float64)
    rows = np.arange(view.height, dtype=np.float64)
    x = columns / float(view.width) * (view.xright - view.xleft) + view.xleft
    y = rows / float(view.height) * (view.ybot - view.ytop) + view.ytop
    half_x = (view.xright - view.xleft) / view.width / 2.0
    half_y = (view.ybot - view.ytop) / view.height / 2.0
    extent = (
        view.xleft - half_x,
        view.xright - half_x,
        view.ybot - half_y,
        view.ytop - half_y,
    )
    return ViewGrid(x, y, extent)
