"""Colormap arguments: the core's built-in names, or any matplotlib colormap if installed."""

from __future__ import annotations

from typing import Any, Tuple, Union

import numpy as np
from numpy.typing import NDArray

from . import _core

BUILTIN_COLORMAPS: Tuple[str, ...] = tuple(_core.colormap_names())

# What the core's `colormap` argument takes: a built-in name or 256 RGB colours in [0, 1].
CoreColormap = Union[str, NDArray[np.float64]]


def _sampled(colormap: Any) -> NDArray[np.float64]:
    """A matplotlib colormap sampled at the core's 256 lookup points, as RGB in [0, 1]."""
    colours = np.asarray(colormap(np.linspace(0.0, 1.0, 256)), dtype=np.float64)[:, :3]
    return np.ascontiguousarray(colours)


def _unknown_name(name: str, extra: str) -> ValueError:
    return ValueError(
        f"colormap: unknown colormap {name!r}; built-in colormaps are "
        f"{', '.join(BUILTIN_COLORMAPS)}{extra}"
    )


def resolve_colormap(colormap: Any) -> Tuple[str, CoreColormap]:
    """``(name, what the core takes)`` for a colormap name or a matplotlib ``Colormap``.

    Built-in names go to the core as names (its tables are matplotlib's, sampled at 256 points);
    other names are looked up in ``matplotlib.colormaps``; a ``matplotlib.colors.Colormap``
    object is sampled as it is and recorded by its ``name``.
    """
    if isinstance(colormap, str):
        if colormap in BUILTIN_COLORMAPS:
            return colormap, colormap
        try:
            import matplotlib
        except ImportError:
            raise _unknown_name(
                colormap, "; install matplotlib to use its colormaps as well"
            ) from None
        try:
            found = matplotlib.colormaps[colormap]
        except KeyError:
            raise _unknown_name(colormap, ", and any of matplotlib.colormaps") from None
        return colormap, _sampled(found)
    wrong_type = TypeError(
        "colormap must be a colormap name or a matplotlib.colors.Colormap, got "
        f"{type(colormap).__name__} {colormap!r}"
    )
    try:
        from matplotlib.colors import Colormap
    except ImportError:
        raise wrong_type from None
    if not isinstance(colormap, Colormap):
        raise wrong_type
    return str(colormap.name), _sampled(colormap)
