"""The parameters of an image, as recorded in its PNG file (shared with the command-line tool).

A PNG written by ``save_png`` (or by the ``juliaset`` command) carries one ``tEXt`` chunk with
the keyword ``juliaset`` whose text is a JSON object::

    {"schema": 2, "engine": "juliaset 0.2.0", "family": "julia", "power": 2, "c": [-0.835, -0.2321],
     "region": {"xleft": -1.6, "xright": 1.6, "ybot": -1.0, "ytop": 1.0},
     "width": 800, "height": 500, "threshold": 2.0, "itermin": 0, "itermax": 100,
     "coloring": "count", "colormap": "viridis", "bits": 8, "supersample": 1,
     "precision": "double"}

``schema``      the version of this schema, 2 (records without it are version 1: no ``view``,
                numbers only in ``c``); a reader refuses a version it does not know
``engine``      the software that wrote the file (informational)
``family``      ``"julia"`` (z0 = pixel, c fixed) or ``"mandelbrot"`` (z0 = 0, c = pixel)
``power``       the exponent d of z^d + c, 2..16
``c``           ``[re, im]`` of the Julia parameter: numbers, or decimal strings that keep every
                digit given (deep zooms); ignored for the Mandelbrot family
                (written as ``[0.0, 0.0]``)
``region``      the plane's bounds: ``xleft`` is the real part of the left column, ``ytop`` the
                imaginary part of the top row (reversed bounds mirror the image)
``view``        instead of ``region``, a centred view as exact decimal strings:
                ``{"center": ["-1.99996619445037030418", "3.0013824367909383e-34"],
                "width": "1e-300"}``; pixel (i, j) samples ``center + ((i / width_px - 1/2) *
                w, (1/2 - j / height_px) * w * height_px / width_px)``, computed exactly
                (the deep engine renders it when doubles cannot tell its pixels apart)
``width``       pixels per row; ``height`` rows. Column i samples
                ``i / width * (xright - xleft) + xleft``, row j samples
                ``j / height * (ybot - ytop) + ytop``
``threshold``   escape radius: a point has escaped once ``|z|^2 > threshold^2``
``itermin``     counts at or below it map to the colormap's start; ``itermax``, the iteration
                limit, maps to its end
``coloring``    ``"count"``, ``"smooth"`` or ``"histogram"``
``colormap``    a built-in name (gray, viridis, magma, inferno, plasma, twilight, each with
                ``_r``) or a matplotlib colormap name; ``"gray"`` means a gray image
``colormap_table``  (optional) the colormap's 256 ``[r, g, b]`` colours in [0, 1], written
                whenever the colormap is not a built-in name (a matplotlib colormap, resampled
                or hand-made); readers render with it, the name is then only informational
``bits``        8 or 16 (16 only with the gray colormap)
``supersample`` N x N samples per pixel, 1..16
``precision``   the arithmetic of the counts: ``"double"`` (IEEE double, the seed's operations)
                or ``"single"`` (float, faster, not bit-exact; not with smooth colouring)

Floats are written with Python's ``json``, which round-trips every double exactly, so
``render_parameters(read_parameters(path))`` reproduces the saved pixels bit for bit. Readers
ignore keys they do not know.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, Dict, List, Mapping, Union

import numpy as np
from numpy.typing import NDArray

from . import _core
from ._api import _integer, _real
from ._pngfile import text_chunks, write_atomically
from ._deep import positive_text, real_text

PNG_KEYWORD = "juliaset"
# The version of the record this package writes; 1 is the unversioned record of 0.2.0.
SCHEMA = 2
ENGINE = f"juliaset {_core.version}"
FAMILIES = ("julia", "mandelbrot")
COLORINGS = ("count", "smooth", "histogram")
PRECISIONS = ("double", "single")
# The core's names for PRECISIONS.
CORE_PRECISION = {"double": "exact", "single": "single"}
MIN_POWER, MAX_POWER = 2, 16
MAX_SUPERSAMPLE = 16
# Entries of a recorded colour table (juliaset::Colormap::size).
COLORMAP_SIZE = 256
_UINT32_MAX = 2**32 - 1
# The largest image side the core accepts (juliaset::max_grid_side).
MAX_SIDE = 2**30
# Beyond this modulus a coordinate's square overflows and far points would never escape.
MAX_BOUND = 1e150

PathLike = Union[str, "os.PathLike[str]"]


def _field(parameters: Mapping[str, Any], key: str, where: str = "parameters") -> Any:
    try:
        return parameters[key]
    except KeyError:
        raise ValueError(f"{where} has no {key!r} entry") from None


def choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of the strings ``choices``, or a ValueError naming ``name``."""
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices[:-1]) + f" or {choices[-1]!r}"
        raise ValueError(f"{name} must be {listed}, got {value!r}")
    return value


def check_parameters(parameters: Mapping[str, Any]) -> Dict[str, Any]:
    """``parameters`` validated and normalised (floats as float, ints as int), or an error.

    Raises TypeError / ValueError naming the offending entry (``parameters['region']['xleft']``
    and so on). Unknown keys are dropped; ``engine`` is replaced by this engine's name.
    """
    if not isinstance(parameters, Mapping):
        raise TypeError(f"parameters must be a dict, got {type(parameters).__name__}")
    p = "parameters"
    schema = _integer(parameters.get("schema", 1), f"{p}['schema']", 1, 2**31)
    if schema > SCHEMA:
        raise ValueError(
            f"{p}['schema'] is {schema}, a newer record than this juliaset reads (1 to {SCHEMA})"
        )
    family = choice(_field(parameters, "family"), f"{p}['family']", FAMILIES)
    power = _integer(_field(parameters, "power"), f"{p}['power']", MIN_POWER, MAX_POWER)
    c_parts: list[Any] = [0.0, 0.0]
    if family == "julia":
        c = _field(parameters, "c")
        if not isinstance(c, (list, tuple)) or len(c) != 2:
            raise ValueError(f"{p}['c'] must be [re, im], got {c!r}")
        # Decimal strings keep their digits (deep zooms); numbers are doubles.
        c_parts = [
            real_text(part, f"{p}['c'][{i}]") if isinstance(part, str)
            else _real(part, f"{p}['c'][{i}]")
            for i, part in enumerate(c)
        ]
    where: Dict[str, Any]
    if "view" in parameters:
        view = parameters["view"]
        if not isinstance(view, Mapping):
            raise TypeError(f"{p}['view'] must be a dict, got {type(view).__name__}")
        center = _field(view, "center", f"{p}['view']")
        if not isinstance(center, (list, tuple)) or len(center) != 2:
            raise ValueError(f"{p}['view']['center'] must be [re, im], got {center!r}")
        where = {
            "view": {
                "center": [real_text(part, f"{p}['view']['center'][{i}]")
                           for i, part in enumerate(center)],
                "width": positive_text(_field(view, "width", f"{p}['view']"),
                                       f"{p}['view']['width']"),
            }
        }
    else:
        region = _field(parameters, "region")
        if not isinstance(region, Mapping):
            raise TypeError(f"{p}['region'] must be a dict, got {type(region).__name__}")
        bounds = {}
        for key in ("xleft", "xright", "ybot", "ytop"):
            name = f"{p}['region'][{key!r}]"
            bounds[key] = _real(_field(region, key, f"{p}['region']"), name)
            if abs(bounds[key]) > MAX_BOUND:
                raise ValueError(f"{name} must lie within +-{MAX_BOUND:g}, got {bounds[key]}")
        for first, second in (("xleft", "xright"), ("ybot", "ytop")):
            if bounds[first] == bounds[second]:
                raise ValueError(
                    f"{p}['region']: {first} and {second} must differ, both are {bounds[first]}"
                )
        where = {"region": bounds}
    width = _integer(_field(parameters, "width"), f"{p}['width']", 1, MAX_SIDE)
    height = _integer(_field(parameters, "height"), f"{p}['height']", 1, MAX_SIDE)
    threshold = _real(_field(parameters, "threshold"), f"{p}['threshold']")
    if threshold <= 0.0 or not math.isfinite(threshold * threshold):
        raise ValueError(f"{p}['threshold'] must be above 0 with a finite square, got {threshold}")
    itermax = _integer(_field(parameters, "itermax"), f"{p}['itermax']", 1, _UINT32_MAX)
    itermin = _integer(_field(parameters, "itermin"), f"{p}['itermin']", 0, itermax - 1)
    coloring = choice(_field(parameters, "coloring"), f"{p}['coloring']", COLORINGS)
    if coloring == "smooth" and threshold <= 1.0:
        raise ValueError(f"{p}['threshold'] must be above 1 for smooth colouring, got {threshold}")
    colormap = _field(parameters, "colormap")
    if not isinstance(colormap, str):
        raise TypeError(f"{p}['colormap'] must be a colormap name, got {colormap!r}")
    table = parameters.get("colormap_table")
    if table is not None:
        table = colour_table(table, f"{p}['colormap_table']")
    bits = _integer(_field(parameters, "bits"), f"{p}['bits']", 8, 16)
    if bits not in (8, 16):
        raise ValueError(f"{p}['bits'] must be 8 or 16, got {bits}")
    if bits == 16 and (colormap != "gray" or table is not None):
        raise ValueError(
            f"{p}['bits'] = 16 needs the 'gray' colormap (colour images have 8 bits per "
            f"channel), got colormap {colormap!r}"
            + (" with a colour table" if table is not None else "")
        )
    supersample = _integer(
        _field(parameters, "supersample"), f"{p}['supersample']", 1, MAX_SUPERSAMPLE
    )
    precision = choice(parameters.get("precision", "double"), f"{p}['precision']", PRECISIONS)
    if precision == "single" and coloring == "smooth":
        raise ValueError(f"{p}['precision'] = 'single' does not support smooth colouring")
    checked = {
        "schema": SCHEMA,
        "engine": ENGINE,
        "family": family,
        "power": power,
        "c": c_parts,
        **where,
        "width": width,
        "height": height,
        "threshold": threshold,
        "itermin": itermin,
        "itermax": itermax,
        "coloring": coloring,
        "colormap": colormap,
        "bits": bits,
        "supersample": supersample,
        "precision": precision,
    }
    if table is not None:
        # After "colormap", as the command writes it.
        items = list(checked.items())
        at = [key for key, _ in items].index("colormap") + 1
        checked = dict(items[:at] + [("colormap_table", table)] + items[at:])
    return checked


def colour_table(table: Any, name: str) -> List[List[float]]:
    """``table`` as 256 ``[r, g, b]`` lists of floats in [0, 1], or a ValueError naming ``name``."""
    try:
        colours = np.asarray(table, dtype=np.float64)
    except (TypeError, ValueError):
        colours = np.empty(0)
    if colours.shape != (COLORMAP_SIZE, 3):
        raise ValueError(f"{name} must be {COLORMAP_SIZE} [r, g, b] colours, got {_short(table)}")
    if not np.all((colours >= 0.0) & (colours <= 1.0)):
        raise ValueError(f"{name} must hold channels between 0 and 1")
    return [[float(v) for v in colour] for colour in colours]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 64 else text[:64] + "..."


def image_layout(parameters: Mapping[str, Any]) -> tuple[tuple[int, ...], type]:
    """The shape and dtype of the image array that checked ``parameters`` describe."""
    shape: tuple[int, ...] = (parameters["height"], parameters["width"])
    if parameters["colormap"] != "gray" or "colormap_table" in parameters:
        shape += (3,)
    return shape, np.uint16 if parameters["bits"] == 16 else np.uint8


def save_png(path: PathLike, image: NDArray[Any], parameters: Mapping[str, Any]) -> None:
    """Write ``image`` to a PNG file with ``parameters`` in its ``juliaset`` tEXt chunk.

    ``image`` is what ``render_parameters(parameters)`` (or ``julia_image`` /
    ``mandelbrot_image`` with the same arguments) returned: uint8 (height, width) gray,
    uint16 (height, width) 16-bit gray, or uint8 (height, width, 3) RGB. ``parameters`` follows
    the schema of ``juliaset._metadata`` (see ``docs/png-metadata.md``); it is validated and
    must match the image's shape and dtype. Needs Pillow.

    Like the ``juliaset`` command, it writes a hidden temporary file beside ``path`` and renames
    it into place, so a failure (a full disk, Ctrl-C) leaves no partial file and an existing
    ``path`` untouched; and it writes the command's ``Software`` chunk and, where a command
    line reproduces the image, its ``Comment`` chunk (that command). Raises OSError for what
    the file system refuses.

    >>> import juliaset, tempfile, os
    >>> p = juliaset.image_parameters("mandelbrot", size=(48, 32), itermax=50)
    >>> path = os.path.join(tempfile.mkdtemp(), "m.png")
    >>> juliaset.save_png(path, juliaset.render_parameters(p), p)
    >>> juliaset.read_parameters(path)["region"]
    {'xleft': -2.0, 'xright': 1.0, 'ybot': -1.0, 'ytop': 1.0}
    """
    try:
        from PIL import Image
        from PIL.PngImagePlugin import PngInfo
    except ImportError:
        raise ImportError("save_png needs Pillow: pip install pillow") from None
    checked = check_parameters(parameters)
    array = np.asarray(image)
    shape, dtype = image_layout(checked)
    if array.shape != shape or array.dtype != dtype:
        raise ValueError(
            f"image is {array.dtype} {array.shape}, but the parameters describe "
            f"{np.dtype(dtype)} {shape}"
        )
    info = PngInfo()
    for keyword, text in text_chunks(checked):
        info.add_text(keyword, text)
    info.add_text(PNG_KEYWORD, json.dumps(checked))
    picture = Image.fromarray(np.ascontiguousarray(array))
    write_atomically(path, lambda file: picture.save(file, format="PNG", pnginfo=info))


def read_parameters(path: PathLike) -> Dict[str, Any]:
    """The parameters stored in a PNG file by ``save_png`` or the ``juliaset`` command.

    Returns the JSON object of the file's ``juliaset`` tEXt chunk as a dict (see
    ``docs/png-metadata.md``); ``render_parameters`` turns it back into the image. Raises
    ValueError when the file has no such chunk or it is not a JSON object. Needs Pillow.
    """
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("read_parameters needs Pillow: pip install pillow") from None
    with Image.open(os.fspath(path)) as png:
        png.load()  # text chunks after the image data are read only with it
        text = getattr(png, "text", {}).get(PNG_KEYWORD)
    if text is None:
        raise ValueError(f"{os.fspath(path)} has no {PNG_KEYWORD!r} text chunk")
    try:
        parameters = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{os.fspath(path)}: the {PNG_KEYWORD!r} chunk is not JSON: {error}"
        ) from None
    except RecursionError:
        # json's decoder recurses once per nesting level; the command refuses > 64 levels too.
        raise ValueError(
            f"{os.fspath(path)}: the {PNG_KEYWORD!r} chunk nests arrays or objects too deeply"
        ) from None
    if not isinstance(parameters, dict):
        raise ValueError(f"{os.fspath(path)}: the {PNG_KEYWORD!r} chunk is not a JSON object")
    return parameters
