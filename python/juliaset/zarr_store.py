"""Renders into Zarr v3 stores: fields or a coloured image, with an OME-Zarr multiscale pyramid.

Layout of a store (a directory, or any URL zarr opens, e.g. ``s3://bucket/x.zarr`` with fsspec)::

    x.zarr/                 group; attributes["juliaset"]: the view (see ``view_attributes``)
      counts/               one group per field (or ``image/`` for a coloured image), with the
        0/  1/  2/ ...      OME-Zarr 0.5 ``multiscales`` metadata; level 0 is full size and each
                            level is half the one before (rounded up), down to one chunk

Fields are stored as computed, except ``counts``, stored in the smallest unsigned integer type
that holds ``itermax`` (uint8 up to 255, uint16 up to 65535, else uint32: the same values).
Gray images are (height, width); RGB images are (3, height, width), channel first as OME-Zarr
orders axes. Every chunk ends with a CRC-32C checksum (Zarr's ``crc32c`` codec) after Blosc
(zstd level 1, byte shuffle) compression.

Pyramid levels aggregate 2 x 2 pixels of the level below (an odd last row or column counts
its pixels twice, so it aggregates the pixels that exist): ``counts``, ``smooth``,
``final_norm`` and ``interior`` take the **maximum** (a coarse pixel shows the highest count
among its pixels, so filaments near the set stay visible and ``interior`` means "some pixel is
interior"); ``distance`` takes the **minimum** (the closest approach); image channels the
**mean**, rounded half up (``(a + b + c + d + 2) // 4``). OME-Zarr records the rule in each
multiscale's ``type`` and the scale of level k as ``2**k`` level-0 pixels, translated by
``(2**k - 1) / 2`` so that a coarse pixel's centre is the centre of the pixels it covers.

Writes are resumable: every chunk is a task that first looks for its chunk in the store and
decodes it (the checksum catches a damaged one); a chunk that exists and decodes is kept, not
rendered again. Writing into an existing store that records a different view is an error
unless ``overwrite=True``.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal, localcontext
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import zarr
import zarr.codecs
from dask.base import tokenize
from dask.delayed import Delayed
from dask.highlevelgraph import HighLevelGraph
from numpy.typing import NDArray
from zarr.core.sync import sync

from . import _core
from ._colormaps import resolve_colormap
from ._metadata import ENGINE, check_parameters
from .dask import (
    _samples_view,
    FIELD_DTYPES,
    View,
    _offsets,
    _render_image_window,
    _sum_histograms,
    _histogram_chunk,
    image_dtype_shape,
    normalize_chunks,
    render_window,
    view as parse_view,
)
from ._modern import _field_names

__all__ = [
    "AGGREGATION",
    "GRID_RULE",
    "WriteReport",
    "open_levels",
    "read_attributes",
    "render_fields",
    "render_image",
    "view_from_attributes",
]

FORMAT = "juliaset-zarr/1"
GRID_RULE = (
    "column i samples x = i / width * (xright - xleft) + xleft and row j samples "
    "y = j / height * (ybot - ytop) + ytop, in IEEE double in that order (top row first; the "
    "left and top edges are sampled, the right and bottom edges are not)"
)
AGGREGATION = {
    "counts": "max",
    "smooth": "max",
    "final_norm": "max",
    "interior": "max",
    "distance": "min",
    "image": "mean",
}
IMAGE_GROUP = "image"


def _centre_and_width(bounds: Sequence[float]) -> Tuple[str, str, str]:
    """(centre re, centre im, plane width) of ``bounds``, exact decimal strings."""
    xleft, xright, ybot, ytop = (Decimal(b) for b in bounds)
    with localcontext() as context:
        context.prec = 2000  # every double's exact sum and half fit
        return (
            _exact_decimal((xleft + xright) / 2),
            _exact_decimal((ybot + ytop) / 2),
            _exact_decimal(abs(xright - xleft)),
        )


def _exact_decimal(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def storage_dtype(name: str, itermax: int) -> np.dtype[Any]:
    """The dtype a field is stored in (counts narrowed to hold ``itermax``)."""
    if name == "counts":
        if itermax <= 0xFF:
            return np.dtype(np.uint8)
        if itermax <= 0xFFFF:
            return np.dtype(np.uint16)
        return np.dtype(np.uint32)
    return FIELD_DTYPES[name]


def view_attributes(
    view: View, *, kind: str, fields: Sequence[str] = (), image: Optional[Mapping[str, Any]] = None,
    chunks: Tuple[int, int], levels: int,
) -> Dict[str, Any]:
    """The ``juliaset`` attributes of a store: everything needed to render it again.

    ``center`` and ``width`` are the exact decimal values of the region's doubles, as strings;
    ``region`` holds the doubles themselves (as the shortest strings that read back to them).
    """
    iteration = view.iteration
    if view.deep is not None:
        # A deep view: its exact strings, no double region.
        centre_re, centre_im, plane_width, c_re, c_im = view.deep
        c = [c_re, c_im]
        region: Optional[Dict[str, str]] = None
    else:
        centre_re, centre_im, plane_width = _centre_and_width(view.bounds)
        c = [repr(iteration["c_re"]), repr(iteration["c_im"])]
        region = dict(zip(("xleft", "xright", "ybot", "ytop"), map(repr, view.bounds)))
    attributes: Dict[str, Any] = {
        "format": FORMAT,
        "engine": ENGINE,
        "version": _core.version,
        "kind": kind,
        "family": view.family,
        "power": iteration["power"],
        "c": c,
        "center": [centre_re, centre_im],
        "width": plane_width,
        "region": region,
        "pixels": [view.width, view.height],
        "grid": GRID_RULE,
        "threshold": repr(iteration["threshold"]),
        "itermax": iteration["itermax"],
        "chunks": list(chunks),
        "levels": levels,
        "aggregation": {k: v for k, v in AGGREGATION.items()
                        if k in fields or (kind == "image" and k == "image")},
    }
    if kind == "fields":
        attributes["fields"] = list(fields)
        attributes["dtypes"] = {f: storage_dtype(f, iteration["itermax"]).name for f in fields}
    else:
        assert image is not None
        attributes["image"] = dict(image)
    return attributes


def view_from_attributes(attributes: Mapping[str, Any]) -> View:
    """The ``View`` a store's ``juliaset`` attributes record (to re-render or extend it)."""
    region = attributes["region"]
    family = attributes["family"]
    if region is None:  # a deep view, recorded by its exact strings
        return parse_view(
            family, c=None if family == "mandelbrot" else tuple(attributes["c"]),
            center=tuple(attributes["center"]), width=attributes["width"],
            size=tuple(attributes["pixels"]), itermax=attributes["itermax"],
            threshold=float(attributes["threshold"]), power=attributes["power"],
            smooth="smooth" in attributes.get("fields", ()),
        )
    bounds = tuple(float(region[k]) for k in ("xleft", "xright", "ybot", "ytop"))
    c = complex(float(attributes["c"][0]), float(attributes["c"][1]))
    return parse_view(
        family, c=None if family == "mandelbrot" else c, bounds=bounds,
        size=tuple(attributes["pixels"]), itermax=attributes["itermax"],
        threshold=float(attributes["threshold"]), power=attributes["power"],
        smooth="smooth" in attributes.get("fields", ()),
    )


def read_attributes(store: Any) -> Dict[str, Any]:
    """The ``juliaset`` attributes of a store written by this module."""
    group = zarr.open_group(store, mode="r")
    attributes = dict(group.attrs).get("juliaset")
    if not isinstance(attributes, dict):
        raise ValueError(f"{store} is not a juliaset Zarr store (no 'juliaset' attributes)")
    return attributes


def level_shapes(height: int, width: int, chunks: Tuple[int, int]) -> List[Tuple[int, int]]:
    """(height, width) of every pyramid level: halved (rounded up) until one chunk holds it."""
    shapes = [(height, width)]
    while shapes[-1][0] > chunks[0] or shapes[-1][1] > chunks[1]:
        h, w = shapes[-1]
        shapes.append(((h + 1) // 2, (w + 1) // 2))
    return shapes


def _multiscales(name: str, levels: int, rule: str, channels: int) -> Dict[str, Any]:
    axes: List[Dict[str, str]] = [{"name": "y", "type": "space"}, {"name": "x", "type": "space"}]
    if channels > 1:
        axes.insert(0, {"name": "c", "type": "channel"})
    datasets = []
    for k in range(levels):
        scale = [float(2**k)] * 2
        shift = [(2**k - 1) / 2.0] * 2
        if channels > 1:
            scale.insert(0, 1.0)
            shift.insert(0, 0.0)
        transforms: List[Dict[str, Any]] = [{"type": "scale", "scale": scale}]
        if k:
            transforms.append({"type": "translation", "translation": shift})
        datasets.append({"path": str(k), "coordinateTransformations": transforms})
    return {
        "ome": {
            "version": "0.5",
            "multiscales": [
                {
                    "name": name,
                    "axes": axes,
                    "datasets": datasets,
                    "type": rule,
                    "metadata": {
                        "description": f"2 x 2 {rule} of the level below (juliaset.zarr_store)"
                    },
                }
            ],
        }
    }


def _codecs() -> Dict[str, Any]:
    # zstd level 1 with byte shuffle: 5 ms per MiB chunk of the seed's counts, ratio 9
    # (level 3 with bit shuffle: 29 ms, ratio 7).
    return {
        "compressors": [
            zarr.codecs.BloscCodec(cname="zstd", clevel=1, shuffle="shuffle"),
            zarr.codecs.Crc32cCodec(),
        ],
    }


def _prepare(
    store: Any, attributes: Dict[str, Any], groups: Sequence[Tuple[str, np.dtype[Any], int, str]],
    shapes: Sequence[Tuple[int, int]], chunks: Tuple[int, int], overwrite: bool,
) -> None:
    """Creates the store's groups and arrays, or checks that an existing store is this view."""
    try:
        existing = zarr.open_group(store, mode="r")
    except (FileNotFoundError, zarr.errors.GroupNotFoundError, KeyError):
        existing = None
    if existing is not None and not overwrite:
        recorded: Any = dict(existing.attrs).get("juliaset")
        comparable = {k: v for k, v in attributes.items() if k not in ("engine", "version")}
        if recorded is None or {
            k: v for k, v in recorded.items() if k not in ("engine", "version")
        } != json.loads(json.dumps(comparable)):
            raise ValueError(
                f"store {store} already holds a different render; pass overwrite=True "
                "(--overwrite) to replace it, or choose another path"
            )
        return
    root = zarr.open_group(store, mode="w")
    for name, dtype, channels, rule in groups:
        group = root.create_group(name)
        for level, (height, width) in enumerate(shapes):
            shape: Tuple[int, ...] = (height, width)
            chunk_shape: Tuple[int, ...] = chunks
            names: Tuple[str, ...] = ("y", "x")
            if channels > 1:
                shape = (channels,) + shape
                chunk_shape = (channels,) + chunks
                names = ("c",) + names
            group.create_array(
                str(level), shape=shape, chunks=chunk_shape, dtype=dtype, fill_value=0,
                dimension_names=names, config={"write_empty_chunks": True}, **_codecs(),
            )
        group.attrs.update(_multiscales(name, len(shapes), rule, channels))
    # The view last: a store with these attributes has all its arrays.
    root.attrs["juliaset"] = attributes


def _open(store: Any, path: str) -> Any:
    return zarr.open_array(store, path=path, mode="r+")


def _block(array: Any, i: int, j: int) -> Tuple[int, ...]:
    return (0, i, j) if array.ndim == 3 else (i, j)


def _written_chunk(array: Any, i: int, j: int) -> Optional[NDArray[Any]]:
    """Chunk (i, j) of ``array`` if it is in the store and decodes (checksum included)."""
    block = _block(array, i, j)
    key = f"{array.path}/{array.metadata.encode_chunk_key(block)}"
    if not sync(array.store_path.store.exists(key)):
        return None
    try:
        return array.get_block_selection(block)  # type: ignore[no-any-return]
    except Exception:  # a damaged chunk (checksum, decompression): render it again
        return None


def _write_block(array: Any, i: int, j: int, data: NDArray[Any]) -> None:
    array.set_block_selection(_block(array, i, j), data)


# Every write task returns (stats, blocks): stats = (level-0 chunks, of them rendered now,
# pyramid chunks written now) over the task and the tasks below it, blocks = {name: this
# chunk's 2 x 2 aggregate} for the level above (None at the top). Pyramid chunks are built
# from their children's blocks, so no level is read back from the store.
Stats = Tuple[int, int, int]
Result = Tuple[Stats, Optional[Dict[str, NDArray[Any]]]]


def _fields_chunk(
    store: Any, paths: Tuple[Tuple[str, str], ...], view: View, i: int, j: int,
    x0: int, y0: int, width: int, height: int, threads: int, pyramid: bool,
) -> Result:
    """Renders and writes chunk (i, j) of every field unless all are written already."""
    arrays = [(name, _open(store, path)) for name, path in paths]
    stored = [_written_chunk(array, i, j) for _, array in arrays]
    values: Dict[str, NDArray[Any]] = {}
    if all(data is not None for data in stored):
        values = {name: data for (name, _), data in zip(arrays, stored) if data is not None}
        rendered = 0
    else:
        computed = render_window(view, [name for name, _ in paths], x0, y0, width, height,
                                 threads)
        for name, array in arrays:
            values[name] = computed[name].astype(array.dtype, copy=False)
            _write_block(array, i, j, values[name])
        rendered = 1
    blocks = {name: aggregate(values[name], AGGREGATION[name]) for name, _ in paths} \
        if pyramid else None
    return (1, rendered, 0), blocks


def _image_chunk(
    store: Any, path: str, parameters: Mapping[str, Any], colormap: Any, i: int, j: int,
    x0: int, y0: int, width: int, height: int, histogram: Any, threads: int, pyramid: bool,
) -> Result:
    array = _open(store, path)
    pixels = _written_chunk(array, i, j)
    rendered = 0
    if pixels is None:
        rendered_pixels = _render_image_window(parameters, colormap, x0, y0, width, height,
                                               histogram, threads)
        if rendered_pixels.ndim == 3:
            rendered_pixels = np.moveaxis(rendered_pixels, 2, 0)
        _write_block(array, i, j, rendered_pixels)
        pixels = rendered_pixels
        rendered = 1
    blocks = {IMAGE_GROUP: aggregate(pixels, "mean")} if pyramid else None
    return (1, rendered, 0), blocks


def aggregate(block: NDArray[Any], rule: str) -> NDArray[Any]:
    """The 2 x 2 aggregate of the last two axes of ``block`` (odd edges replicated)."""
    height, width = block.shape[-2:]
    if height % 2 or width % 2:
        pad = [(0, 0)] * (block.ndim - 2) + [(0, height % 2), (0, width % 2)]
        block = np.pad(block, pad, mode="edge")
    a, b = block[..., 0::2, 0::2], block[..., 0::2, 1::2]
    c, d = block[..., 1::2, 0::2], block[..., 1::2, 1::2]
    result: NDArray[Any]
    if rule == "max":
        result = np.maximum(np.maximum(a, b), np.maximum(c, d))
    elif rule == "min":
        result = np.minimum(np.minimum(a, b), np.minimum(c, d))
    elif rule == "mean":
        total = a.astype(np.uint32) + b + c + d
        result = ((total + 2) // 4).astype(block.dtype)
    else:
        raise ValueError(f"unknown aggregation rule {rule!r}")
    return result


def _level_chunk(
    store: Any, name: str, target: str, i: int, j: int, top: bool,
    *children: Tuple[int, int, Result],
) -> Result:
    """Chunk (i, j) of a pyramid level, assembled from its children's aggregates (given as
    (row, column, result) for the up to 2 x 2 chunks below); written unless already there
    and no child changed."""
    array = _open(store, target)
    rows = max(a for a, _, _ in children) + 1
    columns = max(b for _, b, _ in children) + 1
    parts = {(a, b): result[1][name] for a, b, result in children}  # type: ignore[index]
    data = np.concatenate(
        [np.concatenate([parts[(a, b)] for b in range(columns)], axis=-1) for a in range(rows)],
        axis=-2,
    )
    changed = any(result[0][1] or result[0][2] for _, _, result in children)
    written = 0
    if changed or _written_chunk(array, i, j) is None:
        _write_block(array, i, j, data)
        written = 1
    stats = tuple(map(sum, zip(*(result[0] for _, _, result in children))))
    blocks = None if top else {name: aggregate(data, AGGREGATION[name])}
    return (stats[0], stats[1], stats[2] + written), blocks


class WriteReport(dict):  # type: ignore[type-arg]
    """What a write did: ``chunks`` (level-0 chunk tasks), ``rendered`` (of them, rendered now),
    ``kept`` (already written and checked), ``pyramid_written`` (pyramid chunks written now)."""


def _summarize(first_tree: bool, *results: Result) -> WriteReport:
    """The report from the pyramids' top results (``first_tree``: each field's pyramid counts
    the shared level 0 again, so take it from the first) or from every level-0 result."""
    if first_tree:
        level0 = results[0][0]
        total, rendered = level0[0], level0[1]
    else:
        total = sum(r[0][0] for r in results)
        rendered = sum(r[0][1] for r in results)
    return WriteReport(
        chunks=total, rendered=rendered, kept=total - rendered,
        pyramid_written=sum(r[0][2] for r in results),
    )


def _regular_chunks(chunks: Any, height: int, width: int, pyramid: bool) -> Tuple[int, int]:
    rows, columns = normalize_chunks(chunks, height, width)
    if len(set(rows[:-1])) > 1 or len(set(columns[:-1])) > 1 or rows[-1] > rows[0] \
            or columns[-1] > columns[0]:
        raise ValueError(f"chunks must be regular for a Zarr store (one size), got {chunks!r}")
    if pyramid and (len(rows) > 1 or len(columns) > 1) and (rows[0] % 2 or columns[0] % 2):
        raise ValueError(f"chunks must have even sides for a pyramid, got {chunks!r}")
    return rows[0], columns[0]


def _pyramid_layers(
    store: Any, names: Sequence[str], shapes: Sequence[Tuple[int, int]],
    chunks: Tuple[int, int], level0_keys: Dict[Tuple[int, int], Any], token: str,
    layers: Dict[str, Any], dependencies: Dict[str, Any], first_layer: str,
) -> List[Any]:
    """Adds the pyramid's tasks (levels 1..) of every group; returns the keys the report
    needs (each pyramid's top, or every level-0 task without a pyramid)."""
    if len(shapes) == 1:
        return list(level0_keys.values())
    tops: List[Any] = []
    for name in names:
        below_keys = level0_keys
        below_layer = first_layer
        for level in range(1, len(shapes)):
            layer_name = f"juliaset-zarr-{name}-{level}-{token}"
            height, width = shapes[level]
            top = level == len(shapes) - 1
            layer: Dict[Any, Any] = {}
            current: Dict[Tuple[int, int], Any] = {}
            for i in range(math.ceil(height / chunks[0])):
                for j in range(math.ceil(width / chunks[1])):
                    children = [
                        (a - 2 * i, b - 2 * j, below_keys[(a, b)])
                        for a in (2 * i, 2 * i + 1) for b in (2 * j, 2 * j + 1)
                        if (a, b) in below_keys
                    ]
                    key = (layer_name, i, j)
                    layer[key] = (
                        _level_chunk, store, name, f"{name}/{level}", i, j, top,
                        *[(tuple, [a, b, k]) for a, b, k in children],
                    )
                    current[(i, j)] = key
            layers[layer_name] = layer
            dependencies[layer_name] = {below_layer}
            below_keys, below_layer = current, layer_name
        tops.extend(below_keys.values())
    return tops


def render_fields(
    store: Any,
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
    fields: Any = ("counts",),
    chunks: Any = None,
    pyramid: bool = True,
    overwrite: bool = False,
    threads: Optional[int] = None,
    compute: bool = True,
) -> Any:
    """Renders fields of a view into the Zarr store ``store`` (a path or URL).

    View keywords as for ``juliaset.julia`` / ``juliaset.mandelbrot`` (``family`` picks one);
    ``chunks`` as for ``juliaset.dask.julia`` but regular (an int or a (rows, columns) pair).
    Resumes an interrupted write of the same view. With ``compute=True`` (the default) runs on
    Dask's current scheduler (a ``distributed.Client`` if one is active) and returns a
    ``WriteReport``; with ``compute=False`` returns the ``dask.delayed`` object of that report.
    """
    names, _ = _field_names(fields)
    parsed = parse_view(
        family, c=c, center=center, width=width, bounds=bounds, size=size,
        resolution=resolution, itermax=itermax, threshold=threshold, power=power,
        smooth="smooth" in names,
    )
    chunk_shape = _regular_chunks(chunks, parsed.height, parsed.width, pyramid)
    shapes = level_shapes(parsed.height, parsed.width, chunk_shape) if pyramid else [
        (parsed.height, parsed.width)
    ]
    attributes = view_attributes(
        parsed, kind="fields", fields=names, chunks=chunk_shape, levels=len(shapes)
    )
    itermax_value = parsed.iteration["itermax"]
    groups = [(n, storage_dtype(n, itermax_value), 1, AGGREGATION[n]) for n in names]
    store = str(store) if not isinstance(store, str) and hasattr(store, "__fspath__") else store
    _prepare(store, attributes, groups, shapes, chunk_shape, overwrite)

    chunk_threads = 1 if threads is None else int(threads)
    token = tokenize(store, attributes, chunk_threads)
    first = f"juliaset-zarr-fields-{token}"
    layer: Dict[Any, Any] = {}
    level0: Dict[Tuple[int, int], Any] = {}
    paths = tuple((n, f"{n}/0") for n in names)
    rows = [chunk_shape[0]] * math.ceil(parsed.height / chunk_shape[0])
    columns = [chunk_shape[1]] * math.ceil(parsed.width / chunk_shape[1])
    for i, y0 in enumerate(_offsets(rows)):
        for j, x0 in enumerate(_offsets(columns)):
            h = min(chunk_shape[0], parsed.height - y0)
            w = min(chunk_shape[1], parsed.width - x0)
            key = (first, i, j)
            layer[key] = (_fields_chunk, store, paths, parsed, i, j, x0, y0, w, h, chunk_threads,
                          len(shapes) > 1)
            level0[(i, j)] = key
    layers: Dict[str, Any] = {first: layer}
    dependencies: Dict[str, Any] = {first: set()}
    report_keys = _pyramid_layers(
        store, names, shapes, chunk_shape, level0, token, layers, dependencies, first,
    )
    return _finish(layers, dependencies, report_keys, len(shapes) > 1, token, compute)


def _finish(
    layers: Dict[str, Any], dependencies: Dict[str, Any], report_keys: List[Any],
    first_tree: bool, token: str, compute: bool,
) -> Any:
    final = f"juliaset-zarr-report-{token}"
    layers[final] = {final: (_summarize, first_tree, *report_keys)}
    dependencies[final] = set(layers) - {final}
    result = Delayed(final, HighLevelGraph(layers, dependencies))
    return result.compute() if compute else result


def render_image(
    store: Any,
    parameters: Mapping[str, Any],
    *,
    chunks: Any = None,
    pyramid: bool = True,
    overwrite: bool = False,
    threads: Optional[int] = None,
    compute: bool = True,
) -> Any:
    """Renders the image ``parameters`` describe (``juliaset.image_parameters``) into the Zarr
    store ``store`` under ``image/``, with its pyramid of colour means. Resumes like
    ``render_fields``; histogram colouring first reduces the counts of every sample to the
    level table (that pass is not resumable: it stores nothing)."""
    checked = check_parameters(parameters)
    _, colormap = resolve_colormap(checked["colormap"])
    parsed = _samples_view(checked, samples=False)
    chunk_shape = _regular_chunks(chunks, parsed.height, parsed.width, pyramid)
    shapes = level_shapes(parsed.height, parsed.width, chunk_shape) if pyramid else [
        (parsed.height, parsed.width)
    ]
    attributes = view_attributes(
        parsed, kind="image", image=checked, chunks=chunk_shape, levels=len(shapes)
    )
    dtype, channels = image_dtype_shape(checked)
    store = str(store) if not isinstance(store, str) and hasattr(store, "__fspath__") else store
    _prepare(store, attributes, [(IMAGE_GROUP, dtype, channels, "mean")], shapes, chunk_shape,
             overwrite)

    chunk_threads = 1 if threads is None else int(threads)
    token = tokenize(store, attributes, chunk_threads)
    layers: Dict[str, Any] = {}
    dependencies: Dict[str, Any] = {}
    rows = [chunk_shape[0]] * math.ceil(parsed.height / chunk_shape[0])
    columns = [chunk_shape[1]] * math.ceil(parsed.width / chunk_shape[1])
    levels_key: Any = None
    if checked["coloring"] == "histogram":
        if checked["precision"] != "double":
            raise ValueError("precision='single' with coloring='histogram' is not supported here")
        n = checked["supersample"]
        samples = _samples_view(checked)
        histogram_layer = f"juliaset-zarr-histogram-{token}"
        histogram = {}
        for i, y0 in enumerate(_offsets(rows)):
            for j, x0 in enumerate(_offsets(columns)):
                h = min(chunk_shape[0], parsed.height - y0)
                w = min(chunk_shape[1], parsed.width - x0)
                histogram[(histogram_layer, i, j)] = (
                    _histogram_chunk, samples, x0 * n, y0 * n, w * n, h * n
                )
        levels_layer = f"juliaset-zarr-levels-{token}"
        levels_key = (levels_layer, 0)
        layers[histogram_layer] = histogram
        dependencies[histogram_layer] = set()
        layers[levels_layer] = {levels_key: (_sum_histograms, *histogram)}
        dependencies[levels_layer] = {histogram_layer}
    first = f"juliaset-zarr-image-{token}"
    layer: Dict[Any, Any] = {}
    level0: Dict[Tuple[int, int], Any] = {}
    for i, y0 in enumerate(_offsets(rows)):
        for j, x0 in enumerate(_offsets(columns)):
            h = min(chunk_shape[0], parsed.height - y0)
            w = min(chunk_shape[1], parsed.width - x0)
            key = (first, i, j)
            layer[key] = (
                _image_chunk, store, f"{IMAGE_GROUP}/0", checked, colormap, i, j, x0, y0, w, h,
                levels_key, chunk_threads, len(shapes) > 1,
            )
            level0[(i, j)] = key
    layers[first] = layer
    dependencies[first] = {levels_key[0]} if levels_key is not None else set()
    report_keys = _pyramid_layers(
        store, [IMAGE_GROUP], shapes, chunk_shape, level0, token, layers, dependencies, first,
    )
    return _finish(layers, dependencies, report_keys, len(shapes) > 1, token, compute)


def open_levels(store: Any, name: Optional[str] = None) -> List[Any]:
    """The pyramid of one group of a store as Dask arrays, level 0 first. ``name`` defaults to
    the image, or the store's first field."""
    import dask.array as da

    attributes = read_attributes(store)
    if name is None:
        name = IMAGE_GROUP if attributes["kind"] == "image" else attributes["fields"][0]
    return [
        da.from_zarr(zarr.open_array(store, path=f"{name}/{level}", mode="r"))
        for level in range(attributes["levels"])
    ]

