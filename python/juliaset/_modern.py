"""The keyword API: Julia and Mandelbrot sets of z**power + c as numpy arrays and images.

Regions are given by ``center`` and ``width`` (the plane's width; the height follows from the
image size so that pixels are square) or by ``bounds=(xleft, xright, ybot, ytop)``, and sampled
with the seed's rule: column i at ``i / width_px * (xright - xleft) + xleft``, row j at
``j / height_px * (ybot - ytop) + ytop``. Arrays are in image order, shape
``(height_px, width_px)`` with the top row first.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union, cast, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _core
from ._api import _complex, _integer, _real
from ._deep import complex_text, is_exact, positive_text, rounded
from ._colormaps import resolve_colormap
from ._progress import ProgressArg, progress_callback
from ._types import Coloring, ColormapArg, Family, FieldName, FieldNames
from ._metadata import (
    COLORINGS,
    CORE_PRECISION,
    FAMILIES,
    MAX_BOUND,
    MAX_POWER,
    MAX_SIDE,
    MAX_SUPERSAMPLE,
    MIN_POWER,
    check_parameters,
    choice,
)

SEED_C = -0.835 - 0.2321j
FIELD_NAMES = ("counts", "smooth", "final_norm", "interior", "distance")
DEFAULT_SIZE = (800, 500)
# With `resolution` alone and no bounds the plane's height is width * DEFAULT_ASPECT, the aspect
# of DEFAULT_SIZE (the seed's overview is 3.2 x 2).
DEFAULT_ASPECT = DEFAULT_SIZE[1] / DEFAULT_SIZE[0]
_UINT32_MAX = 2**32 - 1

Bounds = Tuple[float, float, float, float]
# A complex number, a "re+imi" string, or a pair of decimal strings / Decimals (deep zooms).
ComplexLike = Union[complex, float, str, Tuple[Any, Any]]
# A float, or a decimal string / Decimal of any exponent ("1e-300").
RealLike = Union[float, str, Any]
Size = Tuple[int, int]
Fields = Union[FieldName, FieldNames]
# The overloads' "several fields" type: a sequence of field names (a str is not one).
FieldList = FieldNames
FieldArrays = Union[NDArray[Any], Dict[str, NDArray[Any]]]


class _Grid:
    """A validated region and its pixel size, in the core's vocabulary."""

    __slots__ = ("xleft", "xright", "ybot", "ytop", "width", "height")

    def __init__(self, bounds: Bounds, width: int, height: int) -> None:
        self.xleft, self.xright, self.ybot, self.ytop = bounds
        self.width = width
        self.height = height

    def bounds(self) -> Bounds:
        return (self.xleft, self.xright, self.ybot, self.ytop)


def _check_bounds(bounds: Any) -> Bounds:
    try:
        values = tuple(bounds)
    except TypeError:
        values = ()
    if len(values) != 4:
        raise TypeError(f"bounds must be (xleft, xright, ybot, ytop), got {bounds!r}")
    names = ("xleft", "xright", "ybot", "ytop")
    checked = [_real(v, f"bounds[{i}] ({n})") for i, (v, n) in enumerate(zip(values, names))]
    for i, (value, name) in enumerate(zip(checked, names)):
        if abs(value) > MAX_BOUND:
            raise ValueError(
                f"bounds[{i}] ({name}) must lie within +-{MAX_BOUND:g} (squares of larger "
                f"coordinates overflow), got {value}"
            )
    xleft, xright, ybot, ytop = checked
    if xleft == xright:
        raise ValueError(f"bounds: xleft and xright must differ, both are {xleft}")
    if ybot == ytop:
        raise ValueError(f"bounds: ybot and ytop must differ, both are {ybot}")
    return (xleft, xright, ybot, ytop)


def _check_size(size: Any) -> Size:
    try:
        values = tuple(size)
    except TypeError:
        values = ()
    if len(values) != 2:
        raise TypeError(f"size must be (width_px, height_px), got {size!r}")
    width = _integer(values[0], "size[0] (width in pixels)", 1, MAX_SIDE)
    height = _integer(values[1], "size[1] (height in pixels)", 1, MAX_SIDE)
    return (width, height)


def _centered(center: Any, width: Any, aspect: float) -> Bounds:
    """Bounds of a region ``width`` wide and ``width * aspect`` high around ``center``."""
    middle = _complex(center, "center")
    extent = _real(width, "width")
    if extent <= 0.0:
        raise ValueError(f"width (of the region in the plane) must be above 0, got {extent}")
    half_x = extent / 2.0
    half_y = extent * aspect / 2.0
    bounds = (
        middle.real - half_x, middle.real + half_x, middle.imag - half_y, middle.imag + half_y
    )
    if bounds[0] == bounds[1] or bounds[2] == bounds[3]:
        raise ValueError(
            f"width {extent} is too small for center {middle}: the region's edges coincide"
        )
    if max(abs(b) for b in bounds) > MAX_BOUND:
        raise ValueError(f"the region around center {middle} must lie within +-{MAX_BOUND:g}")
    return bounds


def _default_view(
    family: str, power: int, center: Any, width: Any, size: Any, resolution: Any
) -> Tuple[Any, Any]:
    """``center`` and ``width``, each defaulting to the family's view of its whole set.

    The view is the core's ``default_region`` (the command's too): 0 and 3.2 wide for Julia
    sets, -0.5 and 3.0 wide for the Mandelbrot set; each multibrot set (power > 2) gets its
    region's centre, and a width at least wide enough that the region's height fits the image.
    """
    if center is not None and width is not None:
        return center, width
    xleft, xright, ybot, ytop = _core.default_region(family, power)
    frame_width = xright - xleft
    if family == "mandelbrot" and power != 2:
        aspect = DEFAULT_ASPECT
        if size is not None and resolution is None:
            pixels_x, pixels_y = _check_size(size)
            aspect = pixels_y / pixels_x
        frame_width = max(frame_width, (ytop - ybot) / aspect)
    frame_center = complex((xleft + xright) / 2.0, (ybot + ytop) / 2.0)
    return (frame_center if center is None else center, frame_width if width is None else width)


def _grid(
    center: Any, width: Any, bounds: Any, size: Any, resolution: Any
) -> _Grid:
    if size is not None and resolution is not None:
        raise TypeError("give size or resolution, not both")
    if resolution is not None:
        columns = _integer(resolution, "resolution", 1, MAX_SIDE)
        if bounds is not None:
            region = _check_bounds(bounds)
        else:
            region = _centered(center, width, DEFAULT_ASPECT)
        # The seed's rule: height = round(resolution * |ytop - ybot| / |xright - xleft|).
        pixels_x, pixels_y = _core.grid_shape(*region, columns)
        return _Grid(region, pixels_x, pixels_y)
    pixels_x, pixels_y = _check_size(DEFAULT_SIZE if size is None else size)
    if bounds is not None:
        return _Grid(_check_bounds(bounds), pixels_x, pixels_y)
    return _Grid(_centered(center, width, pixels_y / pixels_x), pixels_x, pixels_y)


class _View:
    """A centred view as exact decimal strings, and Julia's c likewise."""

    __slots__ = ("center", "width", "pixels", "c", "deep")

    def __init__(
        self, center: Tuple[str, str], width: str, pixels: Size, c: Tuple[str, str], deep: bool
    ) -> None:
        self.center = center
        self.width = width
        self.pixels = pixels
        self.c = c
        self.deep = deep

    def core_args(self) -> Tuple[str, str, str, int, int]:
        return (self.center[0], self.center[1], self.width, self.pixels[0], self.pixels[1])


def _pixels(size: Any, resolution: Any) -> Size:
    """The pixels of a centred view: ``size``, or ``resolution`` columns and the default aspect."""
    if size is not None and resolution is not None:
        raise TypeError("give size or resolution, not both")
    if resolution is not None:
        columns = _integer(resolution, "resolution", 1, MAX_SIDE)
        rows = max(1, math.floor(columns * DEFAULT_ASPECT + 0.5))
        return (columns, rows)
    return _check_size(DEFAULT_SIZE if size is None else size)


def _exact_view(
    family: str, c: Any, center: Any, width: Any, bounds: Any, size: Any, resolution: Any,
    iteration: Mapping[str, Any],
) -> Optional[_View]:
    """The exact view of the arguments, or None for the double path as it always was.

    A view is exact when ``center``, ``width`` or Julia's ``c`` is given as a string, a Decimal
    or a pair of them, or when its pixel spacing is too fine for doubles (the deep engine takes
    over; plain numbers then enter it as their shortest repr). ``bounds`` always means the
    double path.
    """
    if bounds is not None:
        return None
    exact = is_exact(center) or is_exact(width) or (family == "julia" and is_exact(c))
    if not exact:
        _complex(center, "center")
        if _real(width, "width") <= 0.0:
            return None  # the double path reports it, as it always did
    center_text = complex_text(center, "center")
    width_text = positive_text(width, "width")
    pixels = _pixels(size, resolution)
    if family == "julia":
        c_text = complex_text(SEED_C if c is None else c, "c")
    else:
        c_text = ("0", "0")
    deep = _core.deep_needed(
        center_text[0], center_text[1], width_text, pixels[0], pixels[1],
        family=family, power=iteration["power"], c_re=c_text[0], c_im=c_text[1],
        threshold=iteration["threshold"], itermax=iteration["itermax"],
    )
    if not exact and not deep:
        return None
    return _View(center_text, width_text, pixels, c_text, deep)


def _shallow_grid(view: _View) -> _Grid:
    """The double path's grid of a view that does not need the deep engine (as the command)."""
    pixels_x, pixels_y = view.pixels
    center = complex(rounded(view.center[0]), rounded(view.center[1]))
    return _Grid(_centered(center, rounded(view.width), pixels_y / pixels_x), pixels_x, pixels_y)


def _c_number(c: Any) -> Any:
    """Julia's c for the double path's checks: exact forms rounded to a complex double."""
    if c is not None and is_exact(c):
        re_text, im_text = complex_text(c, "c")
        return complex(rounded(re_text), rounded(im_text))
    return c


def _field_names(fields: Any) -> Tuple[Tuple[str, ...], bool]:
    """(the requested field names without repeats, whether a single name was given)."""
    single = isinstance(fields, str)
    if single:
        names: Tuple[Any, ...] = (fields,)
    else:
        try:
            names = tuple(fields)
        except TypeError:
            raise TypeError(
                f"fields must be a field name or a sequence of names, got {fields!r}"
            ) from None
    if not names:
        raise ValueError(f"fields must name at least one of {', '.join(FIELD_NAMES)}")
    for name in names:
        if name not in FIELD_NAMES:
            raise ValueError(
                f"fields: unknown field {name!r}; valid fields are {', '.join(FIELD_NAMES)}"
            )
    return tuple(dict.fromkeys(names)), single


def _iteration_args(
    family: str, c: Any, power: Any, threshold: Any, itermax: Any, smooth: bool, smooth_what: str
) -> Dict[str, Any]:
    """The core's keyword arguments for the iteration, validated with the caller's names."""
    family = choice(family, "family", FAMILIES)
    if family == "mandelbrot":
        if c is not None:
            raise ValueError("c has no meaning for family='mandelbrot' (c is the pixel's point)")
        c_value = 0j
    else:
        c_value = _complex(SEED_C if c is None else c, "c")
    power = _integer(power, "power", MIN_POWER, MAX_POWER)
    threshold = _real(threshold, "threshold")
    if threshold <= 0.0 or not math.isfinite(threshold * threshold):
        raise ValueError(
            f"threshold must be above 0 and its square a finite double, got {threshold}"
        )
    if smooth and threshold <= 1.0:
        raise ValueError(f"threshold must be above 1 for {smooth_what}, got {threshold}")
    return {
        "family": family,
        "power": power,
        "c_re": c_value.real,
        "c_im": c_value.imag,
        "threshold": threshold,
        "itermax": _integer(itermax, "itermax", 1, _UINT32_MAX),
    }


def _threads(threads: Any) -> int:
    return 0 if threads is None else _integer(threads, "threads", 0, _UINT32_MAX)


def _fields_result(
    arrays: Dict[str, NDArray[Any]], names: Tuple[str, ...], single: bool
) -> FieldArrays:
    return arrays[names[0]] if single else {name: arrays[name] for name in names}


def _grid_fields(
    family: str,
    c: Any,
    center: Any,
    width: Any,
    bounds: Any,
    size: Any,
    resolution: Any,
    itermax: Any,
    threshold: Any,
    power: Any,
    fields: Any,
    threads: Any,
    progress: Any = None,
    distance_unit: Any = "plane",
) -> FieldArrays:
    names, single = _field_names(fields)
    if distance_unit not in ("plane", "pixel"):
        raise ValueError(f"distance_unit must be 'plane' or 'pixel', got {distance_unit!r}")
    in_pixels = distance_unit == "pixel"
    iteration = _iteration_args(
        family, _c_number(c), power, threshold, itermax, "smooth" in names, "the smooth field"
    )
    center, width = _default_view(
        iteration["family"], iteration["power"], center, width, size, resolution
    )
    view = _exact_view(family, c, center, width, bounds, size, resolution, iteration)
    if view is not None and view.deep:
        engine = _core.DeepRender(
            *view.core_args(), family=family, power=iteration["power"], c_re=view.c[0],
            c_im=view.c[1], threshold=iteration["threshold"], itermax=iteration["itermax"],
            distance_in_pixels=in_pixels,
        )
        return _fields_result(engine.fields(list(names), _threads(threads)), names, single)
    grid = _shallow_grid(view) if view is not None else _grid(center, width, bounds, size, resolution)
    with progress_callback(progress, family) as callback:
        arrays = _core.fields(
            *grid.bounds(),
            grid.width,
            grid.height,
            **iteration,
            fields=list(names),
            threads=_threads(threads),
            progress=callback,
        )
    if in_pixels and "distance" in arrays:
        xleft, xright = grid.bounds()[:2]
        arrays["distance"] = arrays["distance"] / (abs(xright - xleft) / grid.width)
    return _fields_result(arrays, names, single)


@overload
def julia(
    c: ComplexLike = ...,
    *,
    center: ComplexLike = ...,
    width: RealLike = ...,
    bounds: Optional[Bounds] = ...,
    size: Optional[Size] = ...,
    resolution: Optional[int] = ...,
    itermax: int = ...,
    threshold: float = ...,
    power: int = ...,
    fields: FieldName = ...,
    threads: Optional[int] = ...,
    progress: ProgressArg = ...,
    distance_unit: str = ...,
) -> NDArray[Any]: ...
@overload
def julia(
    c: ComplexLike = ...,
    *,
    center: ComplexLike = ...,
    width: RealLike = ...,
    bounds: Optional[Bounds] = ...,
    size: Optional[Size] = ...,
    resolution: Optional[int] = ...,
    itermax: int = ...,
    threshold: float = ...,
    power: int = ...,
    fields: FieldList,
    threads: Optional[int] = ...,
    progress: ProgressArg = ...,
    distance_unit: str = ...,
) -> Dict[str, NDArray[Any]]: ...
def julia(
    c: ComplexLike = SEED_C,
    *,
    center: ComplexLike = 0j,
    width: RealLike = 3.2,
    bounds: Optional[Bounds] = None,
    size: Optional[Size] = None,
    resolution: Optional[int] = None,
    itermax: int = 100,
    threshold: float = 2.0,
    power: int = 2,
    fields: Fields = "counts",
    threads: Optional[int] = None,
    progress: ProgressArg = None,
    distance_unit: str = "plane",
) -> FieldArrays:
    """Per-pixel fields of the filled Julia set of ``z**power + c`` (z0 = the pixel's point).

    The region is ``width`` wide around ``center`` with square pixels, or ``bounds=(xleft,
    xright, ybot, ytop)``. ``size=(width_px, height_px)`` (default 800 x 500) gives the pixels;
    ``resolution=N`` instead gives N columns and the seed's rule ``round(N * |ytop - ybot| /
    |xright - xleft|)`` rows (without bounds the region is then ``width`` x ``width * 5/8``).
    The defaults are the seed's overview: c = -0.835 - 0.2321i over [-1.6, 1.6] x [-1, 1].

    ``fields`` is one name, returning that array, or a sequence of names, returning a dict:

    - ``counts``: uint32 escape count, the 0-based index of the first iterate with
      ``|z|^2 > threshold**2``, or ``itermax`` (identical to the seed's counts for power 2)
    - ``smooth``: float64 continuous count (needs ``threshold > 1``); ``itermax`` inside
    - ``final_norm``: float64 ``|z|^2`` of the last iterate computed
    - ``interior``: bool, never escaped within ``itermax`` iterations
    - ``distance``: float64 exterior distance estimate, 0 inside; in plane units, or with
      ``distance_unit="pixel"`` in pixel spacings (the region's width over ``width_px``): plane
      distances of deep views fall below a double's range (widths below about 1e-300)

    Every array has shape ``(height_px, width_px)``, top row first. ``threads`` (None: every
    core) never changes the result. The GIL is released and Ctrl-C interrupts the render.
    ``progress=True`` shows a tqdm bar; a callable ``progress`` is called as
    ``progress(rows_done, rows_total)`` from this thread while the render runs (about every
    50 ms, and at the end), and an exception it raises stops the render. ``juliaset.grid``
    gives the coordinates of the pixels.

    >>> import juliaset
    >>> counts = juliaset.julia(size=(64, 40), itermax=50)
    >>> counts.shape, counts.dtype.name
    ((40, 64), 'uint32')
    >>> f = juliaset.julia(0.285 + 0.01j, width=2.0, size=(32, 32), fields=("smooth", "interior"))
    >>> sorted(f)
    ['interior', 'smooth']
    """
    return _grid_fields(
        "julia", c, center, width, bounds, size, resolution, itermax, threshold, power,
        fields, threads, progress, distance_unit,
    )


@overload
def mandelbrot(
    *,
    center: Optional[ComplexLike] = ...,
    width: Optional[RealLike] = ...,
    bounds: Optional[Bounds] = ...,
    size: Optional[Size] = ...,
    resolution: Optional[int] = ...,
    itermax: int = ...,
    threshold: float = ...,
    power: int = ...,
    fields: FieldName = ...,
    threads: Optional[int] = ...,
    progress: ProgressArg = ...,
    distance_unit: str = ...,
) -> NDArray[Any]: ...
@overload
def mandelbrot(
    *,
    center: Optional[ComplexLike] = ...,
    width: Optional[RealLike] = ...,
    bounds: Optional[Bounds] = ...,
    size: Optional[Size] = ...,
    resolution: Optional[int] = ...,
    itermax: int = ...,
    threshold: float = ...,
    power: int = ...,
    fields: FieldList,
    threads: Optional[int] = ...,
    progress: ProgressArg = ...,
    distance_unit: str = ...,
) -> Dict[str, NDArray[Any]]: ...
def mandelbrot(
    *,
    center: Optional[ComplexLike] = None,
    width: Optional[RealLike] = None,
    bounds: Optional[Bounds] = None,
    size: Optional[Size] = None,
    resolution: Optional[int] = None,
    itermax: int = 100,
    threshold: float = 2.0,
    power: int = 2,
    fields: Fields = "counts",
    threads: Optional[int] = None,
    progress: ProgressArg = None,
    distance_unit: str = "plane",
) -> FieldArrays:
    """Per-pixel fields of the Mandelbrot set of ``z**power + c`` (z0 = 0, c = the pixel's point).

    Regions, sizes, fields and threads as for ``julia``; the default region is 3 wide around
    -0.5 (with the default 800 x 500 pixels: [-2, 1] x [-0.9375, 0.9375]). ``power > 2`` gives
    the multibrot sets, each framed whole by default (the centre and width of the command's
    ``--mandelbrot --power`` region, widened to fit the image's aspect); the distance estimate
    differentiates with respect to c.

    >>> import juliaset
    >>> inside = juliaset.mandelbrot(size=(60, 40), itermax=200, fields="interior")
    >>> bool(inside[20, 30])  # the pixel at c = -0.5 lies in the main cardioid
    True
    """
    return _grid_fields(
        "mandelbrot", None, center, width, bounds, size, resolution, itermax, threshold, power,
        fields, threads, progress, distance_unit,
    )


def _points(points: ArrayLike) -> NDArray[np.complex128]:
    array = np.asarray(points)
    if array.dtype.kind not in "iufc":
        raise TypeError(f"points must be numbers (complex or real), got an array of {array.dtype}")
    # np.asarray keeps 0-d arrays 0-d (np.ascontiguousarray would make them 1-d).
    array = np.asarray(array, dtype=np.complex128, order="C")
    bad = ~np.isfinite(array)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f"points[{', '.join(map(str, index))}]" if index else "points"
        raise ValueError(f"{where} is not a finite complex number: {array[index]}")
    return array


@overload
def evaluate(
    points: ArrayLike,
    c: Optional[complex] = ...,
    *,
    family: Family = ...,
    power: int = ...,
    itermax: int = ...,
    threshold: float = ...,
    fields: FieldName = ...,
    threads: Optional[int] = ...,
) -> NDArray[Any]: ...
@overload
def evaluate(
    points: ArrayLike,
    c: Optional[complex] = ...,
    *,
    family: Family = ...,
    power: int = ...,
    itermax: int = ...,
    threshold: float = ...,
    fields: FieldList,
    threads: Optional[int] = ...,
) -> Dict[str, NDArray[Any]]: ...
def evaluate(
    points: ArrayLike,
    c: Optional[complex] = None,
    *,
    family: Family = "julia",
    power: int = 2,
    itermax: int = 100,
    threshold: float = 2.0,
    fields: Fields = "counts",
    threads: Optional[int] = None,
) -> FieldArrays:
    """The fields of arbitrary points: any array-like of complex numbers, any shape.

    Each point is z0 (``family="julia"``, with ``c`` defaulting to the seed's -0.835 - 0.2321i)
    or c (``family="mandelbrot"``, where passing ``c`` is an error). Fields as for ``julia``;
    every result has the points' shape (a 0-d array for a single number). Evaluating a grid's
    points gives exactly the grid's values.

    >>> import juliaset
    >>> juliaset.evaluate([0, 1j, 2], c=0).tolist()
    [100, 100, 0]
    >>> juliaset.evaluate(-1 + 0j, family="mandelbrot", fields=("interior", "counts"))
    {'interior': array(True), 'counts': array(100, dtype=uint32)}
    """
    names, single = _field_names(fields)
    iteration = _iteration_args(
        family, c, power, threshold, itermax, "smooth" in names, "the smooth field"
    )
    arrays = _core.fields_at(
        _points(points), **iteration, fields=list(names), threads=_threads(threads)
    )
    return _fields_result(arrays, names, single)


def image_parameters(
    family: Family = "julia",
    *,
    c: Optional[ComplexLike] = None,
    center: Optional[ComplexLike] = None,
    width: Optional[RealLike] = None,
    bounds: Optional[Bounds] = None,
    size: Optional[Size] = None,
    resolution: Optional[int] = None,
    itermin: int = 0,
    itermax: int = 100,
    threshold: float = 2.0,
    power: int = 2,
    colormap: ColormapArg = "viridis",
    coloring: Coloring = "count",
    bits: int = 8,
    supersample: int = 1,
) -> Dict[str, Any]:
    """The parameters dict of an image (the PNG metadata schema), from the image arguments.

    Arguments as for ``julia_image`` / ``mandelbrot_image``; ``center`` and ``width`` default
    to the family's (0 and 3.2 for Julia sets, -0.5 and 3.0 for the Mandelbrot set, a view
    framing the whole set for the multibrot sets of power > 2). The dict
    is what ``render_parameters`` renders and ``save_png`` records; its schema is in
    ``docs/png-metadata.md``. A colormap that is not a built-in name (a matplotlib name or
    ``Colormap`` object) is recorded by its name and its 256 colours (``colormap_table``).

    >>> import juliaset
    >>> p = juliaset.image_parameters("julia", c=-0.8 + 0.156j, size=(40, 25), colormap="magma")
    >>> p["region"], p["width"], p["height"], p["colormap"]
    ({'xleft': -1.6, 'xright': 1.6, 'ybot': -1.0, 'ytop': 1.0}, 40, 25, 'magma')
    """
    family = cast(Family, choice(family, "family", FAMILIES))
    coloring = cast(Coloring, choice(coloring, "coloring", COLORINGS))
    iteration = _iteration_args(
        family, _c_number(c), power, threshold, itermax, coloring == "smooth", "coloring='smooth'"
    )
    center, width = _default_view(family, iteration["power"], center, width, size, resolution)
    view = _exact_view(family, c, center, width, bounds, size, resolution, iteration)
    if view is None:
        grid = _grid(center, width, bounds, size, resolution)
        where: Dict[str, Any] = {
            "region": dict(zip(("xleft", "xright", "ybot", "ytop"), grid.bounds()))
        }
        pixels = (grid.width, grid.height)
        c_record: List[Any] = [iteration["c_re"], iteration["c_im"]]
    else:
        where = {"view": {"center": list(view.center), "width": view.width}}
        pixels = view.pixels
        # c keeps its digits when they were given exactly (they matter at depth).
        exact_c = family == "julia" and c is not None and is_exact(c)
        c_record = list(view.c) if exact_c else [iteration["c_re"], iteration["c_im"]]
    itermin = _integer(itermin, "itermin", 0, _UINT32_MAX)
    if itermin >= iteration["itermax"]:
        raise ValueError(
            f"itermin must be smaller than itermax, got itermin={itermin}, "
            f"itermax={iteration['itermax']}"
        )
    name, core_colormap = resolve_colormap(colormap)
    bits = _integer(bits, "bits", 8, 16)
    if bits not in (8, 16):
        raise ValueError(f"bits must be 8 or 16, got {bits}")
    if bits == 16 and (name != "gray" or not isinstance(core_colormap, str)):
        raise ValueError(
            f"bits=16 needs colormap='gray' (colour images have 8 bits per channel), "
            f"got colormap {name!r}"
        )
    supersample = _integer(supersample, "supersample", 1, MAX_SUPERSAMPLE)
    # A colormap that is not a built-in name is recorded by its colours too, so that every
    # reader (the command's --from included) renders the same image.
    table = None if isinstance(core_colormap, str) else core_colormap.tolist()
    return check_parameters(
        {
            "family": family,
            "power": iteration["power"],
            "c": c_record,
            **where,
            "width": pixels[0],
            "height": pixels[1],
            "threshold": iteration["threshold"],
            "itermin": itermin,
            "itermax": iteration["itermax"],
            "coloring": coloring,
            "colormap": name,
            "colormap_table": table,
            "bits": bits,
            "supersample": supersample,
        }
    )


def _record_view(parameters: Mapping[str, Any]) -> Optional[_View]:
    """The exact view of checked schema-2 ``parameters`` (None for a region record), with
    ``deep`` set when it needs the deep engine."""
    if "view" not in parameters:
        return None
    view = parameters["view"]
    pixels = (parameters["width"], parameters["height"])
    texts = [c if isinstance(c, str) else repr(float(c)) for c in parameters["c"]]
    exact = _View(tuple(view["center"]), view["width"], pixels, (texts[0], texts[1]), True)
    exact.deep = _core.deep_needed(
        *exact.core_args(), family=parameters["family"], power=parameters["power"],
        c_re=texts[0], c_im=texts[1], threshold=parameters["threshold"],
        itermax=parameters["itermax"],
    )
    return exact


def _render(
    parameters: Mapping[str, Any], colormap: Any, threads: Any, progress: Any = None,
    reference: Any = None,
) -> NDArray[Any]:
    """The image of checked ``parameters``: with their colour table if they record one, else
    with ``colormap`` (a name or Colormap object); a deep view around ``reference``'s orbits
    when given."""
    if "colormap_table" in parameters:
        core_colormap: Any = np.asarray(parameters["colormap_table"], dtype=np.float64)
    else:
        _, core_colormap = resolve_colormap(colormap)
    c_re, c_im = parameters["c"]
    deep = _record_view(parameters)
    if deep is not None:
        texts = deep.c
        if deep.deep:
            if parameters["precision"] != "double":
                raise ValueError(
                    "parameters['precision'] = 'single' is for the double path; this view "
                    "needs the deep engine"
                )
            return _core.deep_image(
                *deep.core_args(), family=parameters["family"], power=parameters["power"],
                c_re=texts[0], c_im=texts[1], threshold=parameters["threshold"],
                itermin=parameters["itermin"], itermax=parameters["itermax"],
                coloring=parameters["coloring"], colormap=core_colormap,
                bits=parameters["bits"], supersample=parameters["supersample"],
                threads=_threads(threads),
                reference=None if reference is None else reference._engine,
            )
        grid = _shallow_grid(deep)
        region = dict(zip(("xleft", "xright", "ybot", "ytop"), grid.bounds()))
        c_re, c_im = rounded(texts[0]), rounded(texts[1])
    else:
        region = parameters["region"]
    with progress_callback(progress, parameters["family"]) as callback:
        return _core.image(
            region["xleft"],
            region["xright"],
            region["ybot"],
            region["ytop"],
            parameters["width"],
            parameters["height"],
            family=parameters["family"],
            power=parameters["power"],
            c_re=c_re,
            c_im=c_im,
            threshold=parameters["threshold"],
            itermin=parameters["itermin"],
            itermax=parameters["itermax"],
            coloring=parameters["coloring"],
            colormap=core_colormap,
            bits=parameters["bits"],
            supersample=parameters["supersample"],
            threads=_threads(threads),
            precision=CORE_PRECISION[parameters["precision"]],
            progress=callback,
        )


class DeepReference:
    """Deep-zoom reference orbits computed once and shared by the renders of nearby views:
    the frames of a zoom into one point (built for the deepest), or the tiles of one view.
    Made by ``deep_reference``; passed as ``render_parameters(..., reference=...)``."""

    __slots__ = ("_engine", "family", "power", "precision_bits")

    def __init__(self, engine: Any, family: str, power: int) -> None:
        self._engine = engine
        self.family = family
        self.power = power
        self.precision_bits: int = engine.precision_bits

    def __repr__(self) -> str:
        return (f"DeepReference(family={self.family!r}, power={self.power}, "
                f"precision_bits={self.precision_bits}, "
                f"length={self._engine.reference_length})")


def deep_reference(
    parameters: Mapping[str, Any], *, itermax: Optional[int] = None
) -> DeepReference:
    """The reference orbits of the deep view that ``parameters`` (a record from
    ``image_parameters`` with ``center``/``width``, or ``read_parameters``) describes, at its
    samples (pixels times ``supersample``), iterated up to ``itermax`` (default the record's).

    Renders of other views with the same family, power, threshold and c, and no finer pixels,
    reuse it: ``render_parameters(q, reference=ref)`` skips their own arbitrary-precision
    orbit. Any reference gives correct images (pixels rebase onto it where needed); one near
    the view is fast. The pixels may differ from ``render_parameters(q)`` in the last bits of a
    few samples (a different reference rounds differently), never more than the engine's own
    agreement with the exact oracle. ValueError when the view does not need the deep engine.
    """
    checked = check_parameters(parameters)
    view = _record_view(checked)
    if view is None or not view.deep:
        raise ValueError("deep_reference needs a view that the deep engine renders (a record "
                         "with center and width, deeper than doubles resolve)")
    n = checked["supersample"]
    limit = checked["itermax"] if itermax is None else _integer(itermax, "itermax", 1,
                                                                  _UINT32_MAX)
    engine = _core.DeepRender(
        view.center[0], view.center[1], view.width, view.pixels[0] * n, view.pixels[1] * n,
        family=checked["family"], power=checked["power"], c_re=view.c[0], c_im=view.c[1],
        threshold=checked["threshold"], itermax=limit,
    )
    return DeepReference(engine, checked["family"], checked["power"])


def render_parameters(
    parameters: Mapping[str, Any],
    *,
    threads: Optional[int] = None,
    progress: ProgressArg = None,
    reference: Optional[DeepReference] = None,
) -> NDArray[Any]:
    """The image a parameters dict describes (``image_parameters``, ``read_parameters``).

    ``render_parameters(read_parameters(path))`` gives exactly the pixels saved in ``path``.
    Entries are validated with errors naming them (``parameters['itermax']`` ...).
    ``reference`` (from ``deep_reference``) renders a deep view around shared reference orbits
    (ValueError "reference: ..." when they do not fit the view: another family, power,
    threshold or c, or too few bits); shallow views ignore it.

    >>> import juliaset
    >>> p = juliaset.image_parameters("mandelbrot", size=(30, 20), colormap="gray")
    >>> juliaset.render_parameters(p).shape
    (20, 30)
    """
    checked = check_parameters(parameters)
    if reference is not None and not isinstance(reference, DeepReference):
        raise TypeError(f"reference must come from juliaset.deep_reference, got {reference!r}")
    return _render(checked, checked["colormap"], threads, progress, reference)


def julia_image(
    c: ComplexLike = SEED_C,
    *,
    center: ComplexLike = 0j,
    width: RealLike = 3.2,
    bounds: Optional[Bounds] = None,
    size: Optional[Size] = None,
    resolution: Optional[int] = None,
    itermin: int = 0,
    itermax: int = 100,
    threshold: float = 2.0,
    power: int = 2,
    colormap: ColormapArg = "viridis",
    coloring: Coloring = "count",
    bits: int = 8,
    supersample: int = 1,
    threads: Optional[int] = None,
    progress: ProgressArg = None,
) -> NDArray[Any]:
    """An image of the filled Julia set of ``z**power + c``, ready for ``PIL.Image.fromarray``.

    Region and size as for ``julia``. ``coloring`` maps a pixel to [0, 1]: ``"count"`` is the
    seed's ``(max(k, itermin) - itermin) / (itermax - itermin)``, ``"smooth"`` the same with the
    continuous count (needs ``threshold > 1``), ``"histogram"`` equalises: the fraction of
    escaped pixels with a count <= k (the interior is 1). ``colormap`` is a built-in name
    (gray, viridis, magma, inferno, plasma, twilight, each reversed by ``_r``) or, with
    matplotlib installed, any matplotlib colormap name or ``matplotlib.colors.Colormap``
    (sampled at 256 points); a value t takes colour ``min(floor(t * 256), 255)``, so the
    interior gets the colormap's last colour.

    Returns uint8 (height, width, 3) RGB, except for ``colormap="gray"``: uint8 (height, width)
    with ``bits=8`` (with the count colouring exactly the seed's gray image) or uint16
    (height, width) with ``bits=16``. ``supersample=N`` averages N x N samples per pixel.
    ``threads`` and ``progress`` as for ``julia``; ``juliaset.Image(...)`` around the result
    shows it in Jupyter.

    >>> import juliaset
    >>> rgb = juliaset.julia_image(size=(64, 40), colormap="inferno", coloring="smooth")
    >>> rgb.shape, rgb.dtype.name
    ((40, 64, 3), 'uint8')
    >>> juliaset.julia_image(size=(64, 40), colormap="gray", bits=16).dtype.name
    'uint16'
    """
    parameters = image_parameters(
        "julia", c=c, center=center, width=width, bounds=bounds, size=size, resolution=resolution,
        itermin=itermin, itermax=itermax, threshold=threshold, power=power, colormap=colormap,
        coloring=coloring, bits=bits, supersample=supersample,
    )
    return _render(parameters, colormap, threads, progress)


def mandelbrot_image(
    *,
    center: Optional[ComplexLike] = None,
    width: Optional[RealLike] = None,
    bounds: Optional[Bounds] = None,
    size: Optional[Size] = None,
    resolution: Optional[int] = None,
    itermin: int = 0,
    itermax: int = 100,
    threshold: float = 2.0,
    power: int = 2,
    colormap: ColormapArg = "viridis",
    coloring: Coloring = "count",
    bits: int = 8,
    supersample: int = 1,
    threads: Optional[int] = None,
    progress: ProgressArg = None,
) -> NDArray[Any]:
    """An image of the Mandelbrot set of ``z**power + c``; arguments as for ``julia_image``.

    >>> import juliaset
    >>> image = juliaset.mandelbrot_image(size=(60, 40), colormap="twilight_r", supersample=2)
    >>> image.shape
    (40, 60, 3)
    """
    parameters = image_parameters(
        "mandelbrot", center=center, width=width, bounds=bounds, size=size,
        resolution=resolution, itermin=itermin, itermax=itermax, threshold=threshold,
        power=power, colormap=colormap, coloring=coloring, bits=bits, supersample=supersample,
    )
    return _render(parameters, colormap, threads, progress)
