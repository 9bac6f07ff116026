"""The explorer's request parameters: parsing and validation, one error naming each parameter.

Every request parameter is a string in the query. ``parse_render`` and ``parse_export`` turn a
query into a checked request or raise ``BadParameter`` naming the first bad parameter; the
server answers that with 400 and ``{"error": ..., "parameter": ...}``.

The view's centre and width are exact decimal strings (``"-0.7435"``, ``"2.5e-9"``), as in the
page's URL: the package takes the strings as they are (``float(text)`` on the double path, every
digit on the deep-zoom engine when the view needs it). ``MIN_RELATIVE_PIXEL`` is where doubles stop resolving pixels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .. import _core
from .._colormaps import BUILTIN_COLORMAPS
from .._metadata import COLORINGS, FAMILIES, MAX_POWER, MAX_SUPERSAMPLE, MIN_POWER

# Caps (issue 11, item 6): pixels of a view render and of an export, iteration limit, sizes.
MAX_VIEW_PIXELS = 3840 * 2400
MAX_EXPORT_SIDE = 16384
MAX_EXPORT_PIXELS = 7680 * 4320
MAX_EXPORT_SAMPLES = 64 * 2**20  # pixels x supersample**2
MAX_ITERMAX = 10_000_000
MAX_DECIMAL_LENGTH = 1200  # characters of a centre or width string
MAX_QUERY_LENGTH = 8192
MAX_COORDINATE = 10**6  # for centres, c and widths (the region must stay far from overflow)
MIN_MAGNITUDE = Decimal("1e-20000")  # the smallest non-zero decimal the deep engine takes
# Below this pixel spacing (relative to the largest coordinate of the view) doubles no longer
# give distinct, evenly spaced sample points: 2**-44 leaves 8 bits of margin per pixel.
MIN_RELATIVE_PIXEL = 2.0**-44
FIELD_SETS = {"counts": ("counts",), "counts,smooth": ("counts", "smooth")}

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,6})?")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SIZE = re.compile(r"([0-9]{1,6})x([0-9]{1,6})")
_INTEGER = re.compile(r"[0-9]{1,12}")


class BadParameter(ValueError):
    """A request parameter that is missing, malformed or out of range."""

    def __init__(self, parameter: Optional[str], message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message

    def json(self) -> Dict[str, Optional[str]]:
        return {"error": self.message, "parameter": self.parameter}


@dataclass(frozen=True)
class View:
    """A checked view: what to render, without colouring."""

    family: str
    power: int
    c: Tuple[str, str]  # Julia parameter as decimal strings (("0", "0") for the Mandelbrot set)
    center: Tuple[str, str]
    width: str
    size: Tuple[int, int]
    itermin: int
    itermax: int

    def center_complex(self) -> complex:
        return complex(float(self.center[0]), float(self.center[1]))

    def c_complex(self) -> complex:
        return complex(float(self.c[0]), float(self.c[1]))

    def width_float(self) -> float:
        return float(self.width)


@dataclass(frozen=True)
class RenderRequest:
    view: View
    fields: Tuple[str, ...]
    session: str
    channel: str


@dataclass(frozen=True)
class ExportRequest:
    view: View
    colormap: str
    coloring: str
    supersample: int
    session: str


VIEW_PARAMETERS = (
    "family", "power", "c_re", "c_im", "center_re", "center_im", "width", "size", "itermin",
    "itermax",
)
RENDER_PARAMETERS = VIEW_PARAMETERS + ("fields", "session", "channel")
EXPORT_PARAMETERS = VIEW_PARAMETERS + ("colormap", "coloring", "supersample", "session")


def single_values(items: Iterable[Tuple[str, str]], allowed: Sequence[str]) -> Dict[str, str]:
    """The query as a dict, rejecting unknown and repeated parameters."""
    values: Dict[str, str] = {}
    for name, value in items:
        if name not in allowed:
            shown = name if len(name) <= 40 else name[:40] + "..."
            raise BadParameter(
                shown, f"unknown parameter {shown!r}; known: {', '.join(allowed)}"
            )
        if name in values:
            raise BadParameter(name, f"{name} is given more than once")
        values[name] = value
    return values


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "...")


def _required(values: Mapping[str, str], name: str) -> str:
    try:
        return values[name]
    except KeyError:
        raise BadParameter(name, f"{name} is required") from None


def _choice(values: Mapping[str, str], name: str, choices: Sequence[str], default: str) -> str:
    value = values.get(name, default)
    if value not in choices:
        raise BadParameter(name, f"{name} must be one of {', '.join(choices)}, got {_shown(value)}")
    return value


def _int(values: Mapping[str, str], name: str, low: int, high: int, default: int) -> int:
    text = values.get(name)
    if text is None:
        return default
    if not _INTEGER.fullmatch(text):
        raise BadParameter(name, f"{name} must be a whole number, got {_shown(text)}")
    number = int(text)
    if not low <= number <= high:
        raise BadParameter(name, f"{name} must be between {low} and {high}, got {number}")
    return number


def _decimal(values: Mapping[str, str], name: str, default: str) -> str:
    text = values.get(name, default)
    if len(text) > MAX_DECIMAL_LENGTH:
        raise BadParameter(
            name, f"{name} must be at most {MAX_DECIMAL_LENGTH} characters, got {len(text)}"
        )
    if not _DECIMAL.fullmatch(text):
        raise BadParameter(
            name, f"{name} must be a decimal number such as -0.75 or 2.5e-9, got {_shown(text)}"
        )
    # Exact, so that a deep view's "1e-400" is a tiny positive number rather than 0.0.
    if abs(Decimal(text)) > MAX_COORDINATE:
        raise BadParameter(name, f"{name} must lie within +-{MAX_COORDINATE}, got {_shown(text)}")
    if 0 < abs(Decimal(text)) < MIN_MAGNITUDE:
        raise BadParameter(
            name, f"{name} must be 0 or at least {MIN_MAGNITUDE} in size, got {_shown(text)}"
        )
    return text


def _size(values: Mapping[str, str], name: str, max_side: int, max_pixels: int) -> Tuple[int, int]:
    text = _required(values, name)
    match = _SIZE.fullmatch(text)
    if not match:
        raise BadParameter(name, f"{name} must be WIDTHxHEIGHT in pixels, got {_shown(text)}")
    width, height = int(match.group(1)), int(match.group(2))
    if not (1 <= width <= max_side and 1 <= height <= max_side):
        raise BadParameter(name, f"{name}: each side must be 1 to {max_side} pixels, got {text}")
    if width * height > max_pixels:
        raise BadParameter(
            name, f"{name}: at most {max_pixels} pixels, got {width} x {height} = {width * height}"
        )
    return width, height


def parse_view(values: Mapping[str, str], max_side: int, max_pixels: int) -> View:
    family = _choice(values, "family", FAMILIES, "mandelbrot")
    power = _int(values, "power", MIN_POWER, MAX_POWER, 2)
    if family == "julia":
        c = (_decimal(values, "c_re", "-0.835"), _decimal(values, "c_im", "-0.2321"))
    else:
        for name in ("c_re", "c_im"):
            if name in values:
                raise BadParameter(name, f"{name} has no meaning for family=mandelbrot")
        c = ("0", "0")
    center = (_decimal(values, "center_re", "0"), _decimal(values, "center_im", "0"))
    width = _decimal(values, "width", "3")
    if not Decimal(width) > 0:
        raise BadParameter("width", f"width must be above 0, got {_shown(width)}")
    size = _size(values, "size", max_side, max_pixels)
    itermax = _int(values, "itermax", 1, MAX_ITERMAX, 100)
    itermin = _int(values, "itermin", 0, itermax - 1, 0)
    view = View(family, power, c, center, width, size, itermin, itermax)
    _check_resolvable(view)
    return view


# Deep zoom: the deep-zoom engine takes the centre, width and c as these very strings
# (juliaset.mandelbrot(center=(re, im), width="1e-100", ...)). With it in the package, views
# beyond doubles pass this check, server._fields_job hands the strings over, and /api/info's
# "deep_zoom" lifts the page's zoom limit.
DEEP_ZOOM = hasattr(_core, "DeepRender")


def _check_resolvable(view: View) -> None:
    """Doubles must still tell the view's pixels apart (deep zoom needs the deep engine)."""
    if DEEP_ZOOM:
        return
    middle = view.center_complex()
    extent = view.width_float()
    pixel = extent / view.size[0]
    height = extent * view.size[1] / view.size[0]
    largest = max(abs(middle.real) + extent, abs(middle.imag) + height)
    if pixel < largest * MIN_RELATIVE_PIXEL:
        raise BadParameter(
            "width",
            f"width {view.width} is too small for double precision at this centre (pixel "
            f"spacing {pixel:.3g} below {MIN_RELATIVE_PIXEL:.3g} of the coordinates); deeper "
            "views need the deep-zoom engine",
        )


def _token(values: Mapping[str, str], name: str) -> str:
    text = values.get(name, "default")
    if not _TOKEN.fullmatch(text):
        raise BadParameter(name, f"{name} must be 1 to 64 letters, digits, '-' or '_'")
    return text


def parse_render(items: Iterable[Tuple[str, str]]) -> RenderRequest:
    values = single_values(items, RENDER_PARAMETERS)
    view = parse_view(values, max_side=MAX_EXPORT_SIDE, max_pixels=MAX_VIEW_PIXELS)
    fields = FIELD_SETS[_choice(values, "fields", tuple(FIELD_SETS), "counts")]
    return RenderRequest(view, fields, _token(values, "session"), _token(values, "channel"))


def parse_export(items: Iterable[Tuple[str, str]]) -> ExportRequest:
    values = single_values(items, EXPORT_PARAMETERS)
    view = parse_view(values, max_side=MAX_EXPORT_SIDE, max_pixels=MAX_EXPORT_PIXELS)
    colormap = _choice(values, "colormap", BUILTIN_COLORMAPS, "viridis")
    coloring = _choice(values, "coloring", COLORINGS, "count")
    supersample = _int(values, "supersample", 1, MAX_SUPERSAMPLE, 1)
    samples = view.size[0] * view.size[1] * supersample * supersample
    if samples > MAX_EXPORT_SAMPLES:
        raise BadParameter(
            "supersample",
            f"supersample {supersample} gives {samples} samples for size "
            f"{view.size[0]}x{view.size[1]}; at most {MAX_EXPORT_SAMPLES}",
        )
    return ExportRequest(view, colormap, coloring, supersample, _token(values, "session"))


def caps() -> Dict[str, float]:
    """The limits, as the page's /api/info reports them."""
    return {
        "max_view_pixels": MAX_VIEW_PIXELS,
        "max_export_side": MAX_EXPORT_SIDE,
        "max_export_pixels": MAX_EXPORT_PIXELS,
        "max_export_samples": MAX_EXPORT_SAMPLES,
        "max_itermax": MAX_ITERMAX,
        "max_supersample": MAX_SUPERSAMPLE,
        "min_relative_pixel": MIN_RELATIVE_PIXEL,
    }

