"""Literal types of the keyword API's names, so that a type checker catches a misspelt one.

At run time every name is still checked (ValueError naming the argument); these types only let
mypy or an editor reject ``fields="smoth"`` or ``colormap="virdis"`` before the program runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Literal, Tuple, Union

if TYPE_CHECKING:
    from matplotlib.colors import Colormap

Family = Literal["julia", "mandelbrot"]
FieldName = Literal["counts", "smooth", "final_norm", "interior", "distance"]
# Several fields: a list or tuple of names (unlike a Sequence, these exclude a plain str, so the
# one-name and several-names overloads do not overlap).
FieldNames = Union[List[FieldName], Tuple[FieldName, ...]]
Coloring = Literal["count", "smooth", "histogram"]
BuiltinColormap = Literal[
    "gray", "viridis", "magma", "inferno", "plasma", "twilight",
    "gray_r", "viridis_r", "magma_r", "inferno_r", "plasma_r", "twilight_r",
]
# Any other matplotlib colormap is passed as an object, matplotlib.colormaps["jet"], for the type
# checker; its name ("jet") works at run time too.
ColormapArg = Union[BuiltinColormap, "Colormap"]
Precision = Literal["double", "single"]
