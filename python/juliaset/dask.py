"""Lazy Dask arrays of Julia and Mandelbrot sets, rendered chunk by chunk by the native engine.

``juliaset.dask.julia`` / ``mandelbrot`` take the keywords of ``juliaset.julia`` /
``juliaset.mandelbrot`` plus ``chunks=`` and return a ``dask.array.Array`` (a dict of them for
several fields); ``julia_image`` / ``mandelbrot_image`` / ``render_parameters`` do the same for
coloured images. Each chunk is the pixel window of the full grid that it covers, rendered by
``juliaset._core.fields_window`` / ``image_window`` with the GIL released, so every chunk is
bit for bit the same pixels as the in-process render of the whole image, on any scheduler
(threads, processes, a distributed cluster).

The view is parsed and validated on the client by the same code as the in-process functions
(errors name the same arguments); the graph carries only the parsed view, a few hundred bytes
per chunk. Histogram colouring needs the whole image's histogram: it becomes a reduction over
the counts of every sample, whose level table every image chunk then depends on.

>>> import juliaset.dask as jd
>>> counts = jd.julia(size=(300, 200), itermax=50, chunks=128)
>>> counts.chunks
((128, 72), (128, 128, 44))
>>> import juliaset, numpy as np
>>> bool((counts.compute() == juliaset.julia(size=(300, 200), itermax=50)).all())
True
"""

from __future__ import annotations

import operator
import threading
from collections import OrderedDict
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

import dask.array as da
import numpy as np
from dask.base import tokenize
from dask.highlevelgraph import HighLevelGraph
from numpy.typing import NDArray

from . import _core
from ._colormaps import resolve_colormap
from ._deep import rounded
from ._metadata import CORE_PRECISION, check_parameters
from ._types import Coloring
from ._modern import (
    SEED_C,
    Bounds,
    Fields,
    Size,
    _c_number,
    _default_view,
    _exact_view,
    _field_names,
    _grid,
    _iteration_args,
    _shallow_grid,
    _record_view,
    _threads,
    image_parameters,
)

__all__ = [
    "DEFAULT_CHUNK",
    "View",
    "fields_of",
    "julia",
    "julia_image",
    "mandelbrot",
    "mandelbrot_image",
    "normalize_chunks",
    "render_parameters",
    "view",
]

# Default chunk side in pixels: 1024 x 1024 counts are 4 MiB, rendered in tens of
# milliseconds on one core, so task overhead (about a millisecond on a distributed scheduler)
# stays small while a 100,000-pixel-wide image still makes thousands of tasks to balance.
DEFAULT_CHUNK = 1024

FIELD_DTYPES: Dict[str, np.dtype[Any]] = {
    "counts": np.dtype(np.uint32),
    "smooth": np.dtype(np.float64),
    "final_norm": np.dtype(np.float64),
    "interior": np.dtype(np.bool_),
    "distance": np.dtype(np.float64),
}

Chunks = Union[int, Tuple[int, int], Tuple[Tuple[int, ...], Tuple[int, ...]], None]


class View:
    """A parsed, validated view: what ``fields_window`` needs, small enough to ship per task.

    ``family``, ``iteration`` (the core's keyword arguments: family, power, c_re, c_im,
    threshold, itermax), ``bounds`` (xleft, xright, ybot, ytop) and the full image's ``width``
    and ``height`` in pixels. A view that needs the deep engine carries ``deep`` instead of
    bounds: (centre re, centre im, width, c re, c im) as exact decimal strings.
    """

    __slots__ = ("family", "iteration", "bounds", "width", "height", "deep")

    def __init__(
        self, family: str, iteration: Dict[str, Any], bounds: Bounds, width: int, height: int,
        deep: Optional[Tuple[str, str, str, str, str]] = None,
    ) -> None:
        self.family = family
        self.iteration = iteration
        self.bounds = bounds
        self.width = width
        self.height = height
        self.deep = deep

    def __getstate__(self) -> Tuple[Any, ...]:
        return (self.family, self.iteration, self.bounds, self.width, self.height, self.deep)

    def __setstate__(self, state: Tuple[Any, ...]) -> None:
        self.family, self.iteration, self.bounds, self.width, self.height, self.deep = state

    def __repr__(self) -> str:
        where = f"deep={self.deep!r}" if self.deep else f"bounds={self.bounds!r}"
        return (
            f"View({self.family!r}, {self.iteration!r}, {where}, "
            f"size=({self.width}, {self.height}))"
        )

    def __dask_tokenize__(self) -> Tuple[Any, ...]:
        return ("juliaset.dask.View", self.__getstate__())


def view(
    family: str = "julia",
    *,
    c: Any = None,
    center: Any = None,
    width: Any = None,
    bounds: Any = None,
    size: Any = None,
    resolution: Any = None,
    itermax: Any = 100,
    threshold: Any = 2.0,
    power: Any = 2,
    smooth: bool = False,
) -> View:
    """The ``View`` of ``juliaset.julia`` / ``juliaset.mandelbrot``'s keywords, validated.

    ``center`` and ``width`` default to the family's (0 and 3.2 for Julia sets, -0.5 and 3.0
    for the Mandelbrot set); ``smooth`` says that the smooth field is wanted (it needs
    ``threshold > 1``).
    """
    iteration = _iteration_args(
        family, _c_number(c), power, threshold, itermax, smooth, "the smooth field"
    )
    family = iteration["family"]
    center, width = _default_view(family, iteration["power"], center, width, size, resolution)
    exact = _exact_view(family, c, center, width, bounds, size, resolution, iteration)
    if exact is not None and exact.deep:
        # The chunks of a deep view share one reference orbit per worker process
        # (_deep_engine): the graph carries only the strings.
        deep = (*exact.center, exact.width, *exact.c)
        return View(family, iteration, (0.0, 0.0, 0.0, 0.0), exact.pixels[0], exact.pixels[1],
                    deep)
    grid = _shallow_grid(exact) if exact is not None else _grid(center, width, bounds, size,
                                                                resolution)
    return View(family, iteration, grid.bounds(), grid.width, grid.height)


# The deep engines of the views this process renders chunks of, by view: the reference orbit
# is computed once per process (not per chunk), under a lock so that threads wait for it.
_DEEP_ENGINES: "OrderedDict[Tuple[Any, ...], Any]" = OrderedDict()
_DEEP_LOCK = threading.Lock()
_DEEP_CACHED = 4


def _deep_engine(view: View) -> Any:
    assert view.deep is not None
    key = (view.family, tuple(sorted(view.iteration.items())), view.width, view.height,
           view.deep)
    with _DEEP_LOCK:
        engine = _DEEP_ENGINES.get(key)
        if engine is None:
            re, im, width, c_re, c_im = view.deep
            engine = _core.DeepRender(
                re, im, width, view.width, view.height, family=view.family,
                power=view.iteration["power"], c_re=c_re, c_im=c_im,
                threshold=view.iteration["threshold"], itermax=view.iteration["itermax"],
            )
            _DEEP_ENGINES[key] = engine
            while len(_DEEP_ENGINES) > _DEEP_CACHED:
                _DEEP_ENGINES.popitem(last=False)
        else:
            _DEEP_ENGINES.move_to_end(key)
        return engine


def normalize_chunks(chunks: Chunks, height: int, width: int) -> Tuple[Tuple[int, ...], ...]:
    """Dask's chunks (rows, columns) for an image ``height`` x ``width``: ``None`` gives
    ``DEFAULT_CHUNK`` square chunks, an int square chunks of that side, a pair (rows, columns)
    per chunk, or explicit tuples of sizes as Dask accepts them."""
    if chunks is None:
        chunks = DEFAULT_CHUNK
    if isinstance(chunks, (int, np.integer)) and not isinstance(chunks, bool):
        chunks = (int(chunks), int(chunks))
    if isinstance(chunks, tuple) and any(
        isinstance(side, (int, np.integer)) and not isinstance(side, bool) and side < 1
        for side in chunks
    ):
        raise ValueError(f"chunks must be at least 1 pixel on each side, got {chunks!r}")
    try:
        normalized = da.core.normalize_chunks(chunks, (height, width), dtype=np.uint32)
    except (TypeError, ValueError, ZeroDivisionError) as error:
        raise ValueError(f"chunks: {error} (got {chunks!r})") from None
    for axis in normalized:
        if any(int(side) < 1 for side in axis):
            raise ValueError(f"chunks must be at least 1 pixel on each side, got {chunks!r}")
    return tuple(tuple(int(side) for side in axis) for axis in normalized)


def _offsets(sizes: Sequence[int]) -> Tuple[int, ...]:
    starts = [0]
    for side in sizes[:-1]:
        starts.append(starts[-1] + side)
    return tuple(starts)


def render_window(
    view: View, fields: Sequence[str], x0: int, y0: int, width: int, height: int,
    threads: int = 1,
) -> Dict[str, NDArray[Any]]:
    """The fields of one pixel window of ``view`` (exactly those pixels of the full render)."""
    if view.deep is not None:
        arrays: Dict[str, NDArray[Any]] = _deep_engine(view).fields(
            list(fields), threads, window=(x0, y0, width, height))
        return arrays
    return _core.fields_window(
        *view.bounds, view.width, view.height, x0, y0, width, height,
        **view.iteration, fields=list(fields), threads=threads,
    )


def _field_arrays(
    view: View, names: Tuple[str, ...], chunks: Chunks, threads: int
) -> Dict[str, da.Array]:
    rows, columns = normalize_chunks(chunks, view.height, view.width)
    token = tokenize(view, names, rows, columns, threads)
    base = f"juliaset-fields-{token}"
    layer: Dict[Any, Any] = {}
    for i, (y0, height) in enumerate(zip(_offsets(rows), rows)):
        for j, (x0, width) in enumerate(zip(_offsets(columns), columns)):
            layer[(base, i, j)] = (render_window, view, names, x0, y0, width, height, threads)
    arrays: Dict[str, da.Array] = {}
    for name in names:
        key = f"juliaset-{name}-{token}"
        pick: Dict[Any, Any] = {
            (key, i, j): (operator.getitem, (base, i, j), name) for (_, i, j) in layer
        }
        graph = HighLevelGraph({base: layer, key: pick}, {base: set(), key: {base}})
        dtype = FIELD_DTYPES[name]
        arrays[name] = da.Array(
            graph, key, (rows, columns), dtype=dtype, meta=np.empty((0, 0), dtype=dtype)
        )
    return arrays


def fields_of(
    view: View, fields: Fields = ("counts",), *, chunks: Chunks = None,
    threads: Optional[int] = None,
) -> Dict[str, da.Array]:
    """The lazy fields of a parsed ``View`` (``view()``, or ``zarr_store.view_from_attributes``
    for a stored one), as a dict name -> Dask array."""
    names, _ = _field_names(fields)
    return _field_arrays(view, names, chunks, _chunk_threads(threads))


def _lazy_fields(
    family: str, c: Any, center: Any, width: Any, bounds: Any, size: Any, resolution: Any,
    itermax: Any, threshold: Any, power: Any, fields: Any, chunks: Chunks, threads: Any,
) -> Union[da.Array, Dict[str, da.Array]]:
    names, single = _field_names(fields)
    parsed = view(
        family, c=c, center=center, width=width, bounds=bounds, size=size,
        resolution=resolution, itermax=itermax, threshold=threshold, power=power,
        smooth="smooth" in names,
    )
    arrays = _field_arrays(parsed, names, chunks, _chunk_threads(threads))
    return arrays[names[0]] if single else arrays


def _chunk_threads(threads: Any) -> int:
    # One thread per chunk by default: the scheduler runs chunks in parallel already.
    return 1 if threads is None else _threads(threads)


def julia(
    c: complex = SEED_C,
    *,
    center: complex = 0j,
    width: float = 3.2,
    bounds: Optional[Bounds] = None,
    size: Optional[Size] = None,
    resolution: Optional[int] = None,
    itermax: int = 100,
    threshold: float = 2.0,
    power: int = 2,
    fields: Fields = "counts",
    chunks: Chunks = None,
    threads: Optional[int] = None,
) -> Union[da.Array, Dict[str, da.Array]]:
    """``juliaset.julia`` as a lazy Dask array (a dict of them for a sequence of fields).

    Keywords as for ``juliaset.julia``, plus ``chunks`` (``None``: ``DEFAULT_CHUNK`` square
    chunks; an int; a (rows, columns) pair; or Dask's explicit chunk tuples). ``threads`` is
    the native threads per chunk (default 1: the scheduler parallelises over chunks; 0 = every
    core). Validation errors are raised here, before anything is computed.
    """
    return _lazy_fields(
        "julia", c, center, width, bounds, size, resolution, itermax, threshold, power, fields,
        chunks, threads,
    )


def mandelbrot(
    *,
    center: complex = -0.5 + 0j,
    width: float = 3.0,
    bounds: Optional[Bounds] = None,
    size: Optional[Size] = None,
    resolution: Optional[int] = None,
    itermax: int = 100,
    threshold: float = 2.0,
    power: int = 2,
    fields: Fields = "counts",
    chunks: Chunks = None,
    threads: Optional[int] = None,
) -> Union[da.Array, Dict[str, da.Array]]:
    """``juliaset.mandelbrot`` as a lazy Dask array; ``chunks`` and ``threads`` as for
    ``julia``."""
    return _lazy_fields(
        "mandelbrot", None, center, width, bounds, size, resolution, itermax, threshold, power,
        fields, chunks, threads,
    )


# --- images ----------------------------------------------------------------------------------


Histogram = Tuple[NDArray[np.uint32], NDArray[np.uint64]]


def _histogram_chunk(view: View, x0: int, y0: int, width: int, height: int) -> Histogram:
    """(distinct escaped counts ascending, samples of each) of one window: memory grows with
    the distinct counts, not with itermax."""
    counts = render_window(view, ("counts",), x0, y0, width, height)["counts"]
    escaped = counts[counts < view.iteration["itermax"]]
    distinct, samples = np.unique(escaped, return_counts=True)
    return distinct.astype(np.uint32), samples.astype(np.uint64)


def _sum_histograms(*histograms: Histogram) -> Histogram:
    """The histogram of the whole image from its windows' (what the core's levels need)."""
    distinct, inverse = np.unique(
        np.concatenate([h[0] for h in histograms]), return_inverse=True
    )
    samples = np.zeros(distinct.size, dtype=np.uint64)
    np.add.at(samples, inverse, np.concatenate([h[1] for h in histograms]))
    return distinct.astype(np.uint32), samples


def _samples_view(parameters: Mapping[str, Any], samples: bool = True) -> View:
    """The View of a checked record's samples (its pixels times ``supersample`` each way), or
    of its pixels (``samples=False``): a deep one, or the double region the command would use
    (a schema-2 view that does not need the deep engine) with Julia's c rounded to doubles.
    ValueError for a deep view with ``precision='single'`` (a double-path option)."""
    n = parameters["supersample"] if samples else 1
    c_re, c_im = (rounded(part) if isinstance(part, str) else part for part in parameters["c"])
    iteration = {
        "family": parameters["family"], "power": parameters["power"],
        "c_re": c_re, "c_im": c_im,
        "threshold": parameters["threshold"], "itermax": parameters["itermax"],
    }
    pixels = (parameters["width"] * n, parameters["height"] * n)
    exact = _record_view(parameters)
    if exact is not None and exact.deep:
        if parameters["precision"] != "double":
            raise ValueError("parameters['precision'] = 'single' is for the double path; this "
                             "view needs the deep engine")
        return View(parameters["family"], iteration, (0.0, 0.0, 0.0, 0.0), *pixels,
                    (*exact.center, exact.width, *exact.c))
    if exact is None:
        region = parameters["region"]
        bounds = (region["xleft"], region["xright"], region["ybot"], region["ytop"])
    else:
        bounds = _shallow_grid(exact).bounds()
    return View(parameters["family"], iteration, bounds, *pixels)


def _render_image_window(
    parameters: Mapping[str, Any], colormap: Any, x0: int, y0: int, width: int, height: int,
    histogram: Optional[Histogram], threads: int,
) -> NDArray[Any]:
    view = _samples_view(parameters, samples=False)
    if view.deep is not None:
        image: NDArray[Any] = _deep_engine(_samples_view(parameters)).image_window(
            x0, y0, width, height, itermin=parameters["itermin"],
            coloring=parameters["coloring"], colormap=colormap, bits=parameters["bits"],
            supersample=parameters["supersample"],
            histogram_counts=None if histogram is None else histogram[0],
            histogram_samples=None if histogram is None else histogram[1], threads=threads,
        )
        return image
    return _core.image_window(
        *view.bounds, view.width, view.height, x0, y0, width, height,
        family=parameters["family"], power=parameters["power"], c_re=view.iteration["c_re"],
        c_im=view.iteration["c_im"], threshold=parameters["threshold"],
        itermin=parameters["itermin"], itermax=parameters["itermax"],
        coloring=parameters["coloring"], colormap=colormap, bits=parameters["bits"],
        supersample=parameters["supersample"],
        histogram_counts=None if histogram is None else histogram[0],
        histogram_samples=None if histogram is None else histogram[1],
        threads=threads, precision=CORE_PRECISION[parameters["precision"]],
    )


def image_dtype_shape(parameters: Mapping[str, Any]) -> Tuple[np.dtype[Any], int]:
    """(dtype, channels) of the image ``parameters`` describe: 1 channel for gray."""
    if parameters["colormap"] != "gray":
        return np.dtype(np.uint8), 3
    return (np.dtype(np.uint16) if parameters["bits"] == 16 else np.dtype(np.uint8)), 1


def render_parameters(
    parameters: Mapping[str, Any], *, chunks: Chunks = None, threads: Optional[int] = None,
    colormap: Any = None,
) -> da.Array:
    """``juliaset.render_parameters`` as a lazy Dask array: (height, width) for gray images,
    (height, width, 3) for RGB, chunked over rows and columns only.

    ``colormap`` (a matplotlib ``Colormap`` object) overrides the recorded name, as
    ``julia_image`` passes it.
    """
    checked = check_parameters(parameters)
    samples = _samples_view(checked)  # validates now, before anything is computed
    _, core_colormap = resolve_colormap(checked["colormap"] if colormap is None else colormap)
    chunk_threads = _chunk_threads(threads)
    rows, columns = normalize_chunks(chunks, checked["height"], checked["width"])
    dtype, channels = image_dtype_shape(checked)
    token = tokenize(checked, rows, columns, chunk_threads, np.asarray(core_colormap))
    key = f"juliaset-image-{token}"
    layers: Dict[str, Any] = {}
    dependencies: Dict[str, Any] = {}
    levels_key: Any = None
    if checked["coloring"] == "histogram":
        if checked["precision"] != "double":
            raise ValueError(
                "precision='single' with coloring='histogram' is not supported by "
                "juliaset.dask (the histogram pass counts in double precision)"
            )
        n = checked["supersample"]
        histogram_layer = f"juliaset-histogram-{token}"
        histogram: Dict[Any, Any] = {}
        for i, (y0, height) in enumerate(zip(_offsets(rows), rows)):
            for j, (x0, width) in enumerate(zip(_offsets(columns), columns)):
                histogram[(histogram_layer, i, j)] = (
                    _histogram_chunk, samples, x0 * n, y0 * n, width * n, height * n
                )
        levels_layer = f"juliaset-levels-{token}"
        levels_key = (levels_layer, 0)
        layers[histogram_layer] = histogram
        dependencies[histogram_layer] = set()
        layers[levels_layer] = {levels_key: (_sum_histograms, *histogram.keys())}
        dependencies[levels_layer] = {histogram_layer}
    layer: Dict[Any, Any] = {}
    for i, (y0, height) in enumerate(zip(_offsets(rows), rows)):
        for j, (x0, width) in enumerate(zip(_offsets(columns), columns)):
            index = (key, i, j) if channels == 1 else (key, i, j, 0)
            layer[index] = (
                _render_image_window, checked, core_colormap, x0, y0, width, height,
                levels_key, chunk_threads,
            )
    layers[key] = layer
    dependencies[key] = {levels_key[0]} if levels_key is not None else set()
    graph = HighLevelGraph(layers, dependencies)
    array_chunks: Tuple[Tuple[int, ...], ...] = (rows, columns)
    if channels == 3:
        array_chunks += ((3,),)
    return da.Array(
        graph, key, array_chunks, dtype=dtype,
        meta=np.empty((0,) * len(array_chunks), dtype=dtype),
    )


def julia_image(
    c: complex = SEED_C,
    *,
    center: complex = 0j,
    width: float = 3.2,
    bounds: Optional[Bounds] = None,
    size: Optional[Size] = None,
    resolution: Optional[int] = None,
    itermin: int = 0,
    itermax: int = 100,
    threshold: float = 2.0,
    power: int = 2,
    colormap: Any = "viridis",
    coloring: Coloring = "count",
    bits: int = 8,
    supersample: int = 1,
    chunks: Chunks = None,
    threads: Optional[int] = None,
) -> da.Array:
    """``juliaset.julia_image`` as a lazy Dask array; ``chunks`` and ``threads`` as for
    ``julia``. Histogram colouring adds a pass over every sample's count."""
    parameters = image_parameters(
        "julia", c=c, center=center, width=width, bounds=bounds, size=size,
        resolution=resolution, itermin=itermin, itermax=itermax, threshold=threshold,
        power=power, colormap=colormap, coloring=coloring, bits=bits, supersample=supersample,
    )
    return render_parameters(parameters, chunks=chunks, threads=threads, colormap=colormap)


def mandelbrot_image(
    *,
    center: complex = -0.5 + 0j,
    width: float = 3.0,
    bounds: Optional[Bounds] = None,
    size: Optional[Size] = None,
    resolution: Optional[int] = None,
    itermin: int = 0,
    itermax: int = 100,
    threshold: float = 2.0,
    power: int = 2,
    colormap: Any = "viridis",
    coloring: Coloring = "count",
    bits: int = 8,
    supersample: int = 1,
    chunks: Chunks = None,
    threads: Optional[int] = None,
) -> da.Array:
    """``juliaset.mandelbrot_image`` as a lazy Dask array; see ``julia_image``."""
    parameters = image_parameters(
        "mandelbrot", center=center, width=width, bounds=bounds, size=size,
        resolution=resolution, itermin=itermin, itermax=itermax, threshold=threshold,
        power=power, colormap=colormap, coloring=coloring, bits=bits, supersample=supersample,
    )
    return render_parameters(parameters, chunks=chunks, threads=threads, colormap=colormap)
