"""Zoom videos: from a start view to an end view (through optional keyframes), exponential in
width so that the zoom speed looks constant.

Views are ``(center, width)`` pairs; a centre is a complex number, a string such as
``"-0.7436438870371587+0.1318259042053120i"`` or a pair of decimal strings / ``Decimal``\\ s, a
width a number or a decimal string (``"1e-40"``). Frame views are computed with Python's
``decimal`` module at enough digits for the deepest frame (``_precision``), never in doubles:

- **width**: ``w(u) = w_a * (w_b / w_a) ** f`` on the segment from keyframe a to keyframe b,
  ``f`` the fraction of the segment, so the width shrinks by the same factor every frame;
- **centre**: the point that stays put on the screen is the zoom's fixed point, which makes
  ``c(u) = c_b + (c_a - c_b) * (w(u) - w_b) / (w_a - w_b)`` (exactly ``c_a`` and ``c_b`` at the
  segment's ends; when zooming in, the frames converge on ``c_b``). A segment of equal widths
  pans in a straight line;
- **timing**: frame k sits at ``u = ease(k / (frames - 1))`` of the whole path, where segments
  take time in proportion to their length ``sqrt(ln(w_b/w_a)^2 + (|c_b - c_a| / sqrt(w_a w_b))^2)``
  (decades of zoom, and pans counted in screen widths), so the speed is constant across
  keyframes. ``ease`` is ``"linear"`` (default: constant speed), ``"in"``, ``"out"`` or
  ``"in-out"`` (cubic Hermite speed-up / slow-down at the ends);
- **rotation**: ``rotation`` degrees in all, turned in step with ``u`` (image-space, bicubic);
- **iterations**: ``itermax_k = itermax + round(itermax_per_decade * d_k)`` and
  ``itermin_k = itermin + round(itermin_per_decade * d_k)``, with ``d_k = max(0, log10(w_0 / w_k))``
  the frame's depth in decades below the start width ``w_0``: the limit rises with depth
  (default 100 per decade), and the colour window ``[itermin_k, itermax_k]`` may rise with it
  (default 0 per decade), because escape counts near a boundary point grow with depth. A
  pixel's colour is the smooth colouring's ``(s - itermin_k) / (itermax_k - itermin_k)``: both
  ends move by a fraction of an iteration per frame, so colours drift slowly and never flicker
  (histogram colouring, which re-equalises every frame, is refused).

Views reach the renderer as decimal strings when the installed ``juliaset`` accepts them (the
deep engine), otherwise rounded to doubles, and then a view whose pixel spacing falls below two
units in the last place of its coordinates is refused with a message saying so.

Reference orbits: every frame of a zoom into a point visible in the start view contains the
end centre (``|c_k - c_end| = |c_0 - c_end| * (w_k - w_end) / (w_0 - w_end) < w_k / 2``), so one
reference orbit there, iterated to the plan's largest ``itermax``, serves every frame.
``ZoomPlan.reference`` names it; a ``renderer`` built on a deep engine that accepts a shared
reference renders each frame from it (the default renderer renders each frame as a still).
"""

from __future__ import annotations

import decimal
import math
import numbers
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from numpy.typing import NDArray

from ._run import Frame, ProgressArg, Result, SharedReferenceRenderer, run_plan
from .encode import PathLike
from .morph import _frames, _image_keywords

DecimalComplex = Tuple[Decimal, Decimal]
IMAGE_KEYWORDS = ("threshold", "power", "colormap", "coloring", "bits", "supersample")
EASES = ("linear", "in", "out", "in-out")
_NUMBER = r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_REAL = re.compile(rf"[+-]?{_NUMBER}")
_COMPLEX = re.compile(rf"(?P<re>[+-]?{_NUMBER})?(?P<im>[+-](?:{_NUMBER})?)[ij]")


def _decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, str):
        text = value.strip()
        if not _REAL.fullmatch(text):
            raise ValueError(f"{name} must be a decimal number such as '-1.25e-40', got {value!r}")
        result = Decimal(text)
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        if isinstance(value, numbers.Integral):
            result = Decimal(int(value))
        else:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
            result = Decimal(repr(number))  # the shortest decimal that rounds to the double
    else:
        raise TypeError(f"{name} must be a number or a decimal string, got {value!r}")
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return result


def parse_center(value: Any, name: str = "center") -> DecimalComplex:
    """A centre as exact decimals: a complex, ``"re+imi"`` text or a pair of reals/strings."""
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1]
        if _REAL.fullmatch(text):
            return _decimal(text, name), Decimal(0)
        match = _COMPLEX.fullmatch(text)
        if match is None:
            raise ValueError(
                f"{name} must be a complex number such as '-0.75+0.1i' (or a pair of decimal "
                f"strings), got {value!r}"
            )
        imag = match.group("im")
        if imag in ("+", "-"):
            imag += "1"
        return _decimal(match.group("re") or "0", name), _decimal(imag, name)
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be (re, im), got {value!r}")
        return _decimal(value[0], f"{name}[0]"), _decimal(value[1], f"{name}[1]")
    if isinstance(value, numbers.Complex) and not isinstance(value, bool):
        number = complex(value)
        return _decimal(number.real, name), _decimal(number.imag, name)
    raise TypeError(f"{name} must be a complex number or decimal strings, got {value!r}")


def parse_width(value: Any, name: str = "width") -> Decimal:
    result = _decimal(value, name)
    if result <= 0:
        raise ValueError(f"{name} (of the view in the plane) must be above 0, got {value!r}")
    return result


def parse_view(value: Any, name: str) -> Tuple[DecimalComplex, Decimal]:
    """``(center, width)`` as exact decimals, with errors naming ``name``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise ValueError(f"{name} must be a (center, width) pair, got {value!r}")
    return parse_center(value[0], f"{name} center"), parse_width(value[1], f"{name} width")


def _digits(value: Decimal) -> int:
    return len(value.as_tuple().digits)


def _precision(views: Sequence[Tuple[DecimalComplex, Decimal]], pixels: int) -> int:
    """Significant digits for the frame views: the inputs' digits and enough below the smallest
    width to place a pixel to 1e-12 of its spacing, with a margin."""
    digits = max(_digits(d) for (c, w) in views for d in (c[0], c[1], w))
    scale = max(max(abs(c[0]), abs(c[1]), w) for (c, w) in views)
    smallest = min(w for (_, w) in views)
    depth = (scale.adjusted() if scale else 0) - smallest.adjusted()
    return max(34, digits + 10, depth + len(str(pixels)) + 20)


def ease_fraction(t: float, ease: str) -> float:
    """``t`` in [0, 1] eased: linear, in (slow start), out (slow end), in-out (both)."""
    if ease == "linear":
        return t
    if ease == "in":
        return t * t * (2 - t)
    if ease == "out":
        return t * (1 + t - t * t)
    return t * t * (3 - 2 * t)


@dataclass(frozen=True)
class FrameView:
    """Frame k's exact view: centre and width as decimal strings, and its rotation."""

    center: Tuple[str, str]
    width: str
    rotation: float
    itermax: int
    decades: float
    itermin: int = 0

    def center_complex(self) -> complex:
        return complex(float(self.center[0]), float(self.center[1]))


@dataclass
class ZoomPlan:
    """The frames of a zoom with their exact views, and the shared reference point."""

    frames: List[Frame]
    views: List[FrameView]
    family: str
    reference: Tuple[str, str, int]  # (re, im, the largest itermax): see the module docstring
    exact: bool  # whether views reach the renderer as decimal strings


_EXACT_SUPPORT: Dict[str, bool] = {}


def exact_views_supported() -> bool:
    """Whether the installed ``juliaset`` takes centres and widths as decimal strings."""
    if "value" not in _EXACT_SUPPORT:
        from .. import image_parameters

        probe: Any = image_parameters  # typed for numbers today; the deep engine widens it
        try:
            probe("mandelbrot", center=("0", "0"), width="1", size=(2, 2))
            _EXACT_SUPPORT["value"] = True
        except TypeError:
            _EXACT_SUPPORT["value"] = False
    return _EXACT_SUPPORT["value"]


def _segment_lengths(views: Sequence[Tuple[DecimalComplex, Decimal]]) -> List[float]:
    lengths = []
    for (ca, wa), (cb, wb) in zip(views, views[1:]):
        zoom = math.log(float(wb / wa)) if wa != wb else 0.0
        pan = math.hypot(float((cb[0] - ca[0]) / wa), float((cb[1] - ca[1]) / wa))
        pan *= math.sqrt(float(wa / wb))
        lengths.append(math.hypot(zoom, pan))
    return lengths


def _view_at(
    views: Sequence[Tuple[DecimalComplex, Decimal]], lengths: Sequence[float], u: float
) -> Tuple[DecimalComplex, Decimal]:
    """The exact view at fraction ``u`` of the whole path (inside a decimal context)."""
    if u <= 0.0:
        return views[0]
    if u >= 1.0:
        return views[-1]
    total = sum(lengths)
    position = u * total if total > 0 else u * len(lengths)
    segment = 0
    while segment < len(lengths) - 1 and position > (lengths[segment] if total > 0 else 1.0):
        position -= lengths[segment] if total > 0 else 1.0
        segment += 1
    span = lengths[segment] if total > 0 else 1.0
    f = Decimal(repr(min(max(position / span, 0.0), 1.0))) if span > 0 else Decimal(0)
    (ca, wa), (cb, wb) = views[segment], views[segment + 1]
    if f == 0:
        return ca, wa
    if f == 1:
        return cb, wb
    if wa == wb:
        width = wa
        center = (ca[0] + (cb[0] - ca[0]) * f, ca[1] + (cb[1] - ca[1]) * f)
    else:
        width = wa * ((wb / wa).ln() * f).exp()
        k = (width - wb) / (wa - wb)
        center = (cb[0] + (ca[0] - cb[0]) * k, cb[1] + (ca[1] - cb[1]) * k)
    return center, width


def _text(value: Decimal) -> str:
    return format(value.normalize() if value else Decimal(0), "")


def _check_double_view(center: complex, width: float, size: Tuple[int, int], k: int) -> None:
    spacing = width / size[0]
    reach = max(abs(center.real), abs(center.imag)) + width
    if not width > 0 or spacing < 2 * math.ulp(reach):
        raise ValueError(
            f"zoom: frame {k}'s view (width {width:.3g} at {size[0]} pixels) is finer than double "
            f"precision resolves; this juliaset has no deep engine (decimal-string views), so "
            f"zoom no deeper than about {size[0] * 2 * math.ulp(reach):.2g} here"
        )


def zoom_plan(
    start: Any,
    end: Any,
    frames: int,
    *,
    size: Tuple[int, int] = (640, 360),
    family: str = "mandelbrot",
    keyframes: Sequence[Any] = (),
    ease: str = "linear",
    rotation: float = 0.0,
    itermax: int = 200,
    itermax_per_decade: float = 100.0,
    itermin: int = 0,
    itermin_per_decade: float = 0.0,
    c: Any = None,
    coloring: str = "smooth",
    **keywords: Any,
) -> ZoomPlan:
    """The frames of a zoom (see ``zoom`` and the module docstring for the rules)."""
    from .. import image_parameters

    count = _frames(frames)
    if family not in ("mandelbrot", "julia"):
        raise ValueError(f"family must be 'mandelbrot' or 'julia', got {family!r}")
    if ease not in EASES:
        raise ValueError(f"ease must be one of {', '.join(EASES)}, got {ease!r}")
    if coloring == "histogram":
        raise ValueError(
            "coloring='histogram' re-equalises every frame and flickers in a zoom; use 'smooth' "
            "(default) or 'count'"
        )
    if isinstance(rotation, bool) or not isinstance(rotation, numbers.Real) or not math.isfinite(rotation):
        raise ValueError(f"rotation must be a finite number of degrees, got {rotation!r}")
    for name, rate in (("itermax_per_decade", itermax_per_decade),
                       ("itermin_per_decade", itermin_per_decade)):
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate <= 1e7:
            raise ValueError(f"{name} must be a number between 0 and 1e7, got {rate!r}")
    if isinstance(itermin, bool) or not isinstance(itermin, numbers.Integral) or itermin < 0:
        raise ValueError(f"itermin must be an integer of at least 0, got {itermin!r}")
    if isinstance(itermax, bool) or not isinstance(itermax, numbers.Integral) or itermax < 1:
        raise ValueError(f"itermax must be an integer of at least 1, got {itermax!r}")
    options = _image_keywords(dict(keywords), IMAGE_KEYWORDS, "zoom")
    if family == "julia":
        options["c"] = c
    elif c is not None:
        raise ValueError("c has no meaning for family='mandelbrot' (c is the pixel's point)")
    views = [parse_view(start, "start")]
    views += [parse_view(v, f"keyframes[{i}]") for i, v in enumerate(keyframes)]
    views.append(parse_view(end, "end"))
    exact = exact_views_supported()
    with decimal.localcontext() as context:
        context.prec = _precision(views, max(size) if isinstance(size, tuple) else 1)
        lengths = _segment_lengths(views)
        start_width = views[0][1]
        frame_views: List[FrameView] = []
        plan: List[Frame] = []
        for k in range(count):
            t = k / (count - 1) if count > 1 else 0.0
            u = ease_fraction(t, ease)
            (re_, im_), width = _view_at(views, lengths, u)
            decades = max(0.0, float((start_width / width).log10()))
            limit = int(itermax) + round(float(itermax_per_decade) * decades)
            floor = int(itermin) + round(float(itermin_per_decade) * decades)
            if floor >= limit:
                raise ValueError(
                    f"zoom: frame {k} would have itermin {floor} >= itermax {limit}; lower "
                    "itermin_per_decade or raise itermax_per_decade"
                )
            view = FrameView((_text(re_), _text(im_)), _text(width), float(rotation) * u, limit,
                             decades, floor)
            if exact:
                where: Dict[str, Any] = {"center": view.center, "width": view.width}
            else:
                middle = complex(float(re_), float(im_))
                where = {"center": middle, "width": float(width)}
                _check_double_view(middle, float(width), (size[0], size[1]), k)
            parameters = image_parameters(
                family, size=size, itermin=floor, itermax=limit, coloring=coloring, **where,
                **options
            )
            frame_views.append(view)
            plan.append(Frame(parameters, view.rotation))
        end_center = views[-1][0]
        reference = (_text(end_center[0]), _text(end_center[1]), max(v.itermax for v in frame_views))
    return ZoomPlan(plan, frame_views, family, reference, exact)


def zoom(
    path: PathLike,
    start: Any,
    end: Any,
    frames: int,
    *,
    size: Tuple[int, int] = (640, 360),
    fps: float = 30,
    family: str = "mandelbrot",
    keyframes: Sequence[Any] = (),
    ease: str = "linear",
    rotation: float = 0.0,
    itermax: int = 200,
    itermax_per_decade: float = 100.0,
    itermin: int = 0,
    itermin_per_decade: float = 0.0,
    progress: ProgressArg = None,
    quality: Optional[int] = None,
    lossless: bool = False,
    preset: Optional[str] = None,
    threads: Optional[int] = None,
    renderer: Optional[Callable[[Frame], NDArray[Any]]] = None,
    share_reference: bool = True,
    **keywords: Any,
) -> Result:
    """Writes a zoom video from view ``start`` to view ``end``, each a ``(center, width)`` pair.

    Centres and widths may be decimal strings (``("-0.743643887037158704752191506114774",
    "0.131825904205311970493132056385139")``, ``"1e-12"``); frame views are computed in exact
    decimal arithmetic (module docstring: the width shrinks geometrically, the zoom's fixed
    point is kept still, ``keyframes`` are further views passed through on the way, ``ease``
    slows the ends, ``rotation`` turns the view, ``itermax`` rises by ``itermax_per_decade``
    and ``itermin`` by ``itermin_per_decade`` per decade of depth). ``family="julia"`` zooms into the Julia set of
    ``c=...``. ``**keywords`` are the image keywords of ``mandelbrot_image`` / ``julia_image``
    (``colormap``, ``coloring`` (default ``"smooth"``), ``itermin``, ``supersample``, ...).
    Output formats, ``quality``, ``lossless``, ``preset``, ``progress`` and Ctrl-C as for
    ``morph``.
    Deep frames render around one set of reference orbits computed once, for the deepest
    frame (``share_reference=True``, ``SharedReferenceRenderer``): each such frame equals
    ``render_parameters(frame_parameters, reference=deep_reference(deepest, itermax=...))``
    exactly; ``share_reference=False`` renders every frame as its own still (each its own
    orbit). ``renderer(frame)`` replaces both.
    """
    plan = zoom_plan(start, end, frames, size=size, family=family, keyframes=keyframes, ease=ease,
                     rotation=rotation, itermax=itermax, itermax_per_decade=itermax_per_decade,
                     itermin=itermin, itermin_per_decade=itermin_per_decade, **keywords)
    if renderer is None and share_reference and plan.exact:
        renderer = SharedReferenceRenderer(plan.frames, threads)
    return run_plan(path, plan.frames, fps, progress=progress, quality=quality,
                    lossless=lossless, preset=preset, threads=threads, renderer=renderer,
                    description="zoom")
