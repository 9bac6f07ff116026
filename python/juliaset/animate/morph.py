"""Julia-set morphs: ``c`` moves along a path while the view stays fixed or moves."""

from __future__ import annotations

import math
import numbers
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from . import paths
from ._run import Frame, ProgressArg, Result, run_plan
from .encode import PathLike

# Keywords of juliaset.julia_image that a morph passes through to every frame.
IMAGE_KEYWORDS = ("itermin", "itermax", "threshold", "power", "colormap", "coloring", "bits",
                  "supersample")


def _frames(frames: Any) -> int:
    if isinstance(frames, bool) or not isinstance(frames, numbers.Integral):
        raise TypeError(f"frames must be an integer, got {type(frames).__name__} {frames!r}")
    if not 1 <= int(frames) <= 10_000_000:
        raise ValueError(f"frames must be between 1 and 10000000, got {frames}")
    return int(frames)


def _image_keywords(keywords: Dict[str, Any], allowed: Sequence[str], what: str) -> Dict[str, Any]:
    unknown = sorted(set(keywords) - set(allowed))
    if unknown:
        raise TypeError(
            f"{what}: unknown keyword {unknown[0]!r}; image keywords are {', '.join(allowed)}"
        )
    return keywords


def _centers(center: Any, count: int, fractions: np.ndarray) -> List[complex]:
    """A fixed centre, or one moving through a sequence of centres (a polyline, arc length)."""
    if isinstance(center, numbers.Complex) and not isinstance(center, bool):
        return [complex(center)] * count
    path = paths.polyline(center)
    return [complex(p) for p in path(fractions)]


def _widths(width: Any, count: int, fractions: np.ndarray) -> List[float]:
    """A fixed width, or one moving geometrically through a sequence of widths."""
    if isinstance(width, numbers.Real) and not isinstance(width, bool):
        return [float(width)] * count
    values = [float(w) for w in width]
    if not values or any(not (w > 0 and math.isfinite(w)) for w in values):
        raise ValueError(f"width must be a number above 0 or a sequence of them, got {width!r}")
    if len(values) == 1:
        return values * count
    logs = np.log(values)
    knots = np.linspace(0.0, 1.0, len(values))
    result = np.exp(np.interp(fractions, knots, logs))
    # The ends exactly as given.
    result[fractions <= 0.0] = values[0]
    result[fractions >= 1.0] = values[-1]
    return [float(w) for w in result]


def morph_plan(
    c_path: Any,
    frames: int,
    *,
    size: Tuple[int, int] = (640, 360),
    center: Any = 0j,
    width: Any = 3.2,
    smooth: bool = False,
    **keywords: Any,
) -> List[Frame]:
    """The frames of a morph: each frame's ``julia_image`` parameters (see ``morph``)."""
    from .. import image_parameters

    count = _frames(frames)
    path = paths.as_path(c_path, smooth_curve=smooth)
    fractions = path.frame_fractions(count)
    cs = path(fractions)
    centers = _centers(center, count, fractions)
    widths = _widths(width, count, fractions)
    options = _image_keywords(dict(keywords), IMAGE_KEYWORDS, "morph")
    return [
        Frame(image_parameters("julia", c=complex(c), center=middle, width=w, size=size, **options))
        for c, middle, w in zip(cs, centers, widths)
    ]


def morph(
    path: PathLike,
    c_path: Any,
    frames: int,
    *,
    size: Tuple[int, int] = (640, 360),
    fps: float = 30,
    center: Any = 0j,
    width: Any = 3.2,
    smooth: bool = False,
    progress: ProgressArg = None,
    quality: Optional[int] = None,
    lossless: bool = False,
    preset: Optional[str] = None,
    threads: Optional[int] = None,
    **keywords: Any,
) -> Result:
    """Writes a video of the Julia set of ``z**power + c`` as ``c`` moves along ``c_path``.

    ``c_path`` is a sequence of complex numbers that ``c`` passes through in order, at constant
    speed (closed, looping seamlessly, when the first equals the last); with ``smooth=True`` a
    Catmull-Rom curve through them instead of straight segments; or a path from
    ``juliaset.animate.paths`` (``circle``, ``cardioid``, ``line``, ``polyline``, ``smooth``).
    Frame k samples the path at ``k / (frames - 1)`` (an open path: the first and last frames
    are its ends) or ``k / frames`` (a closed one).

    The view is ``width`` wide around ``center``; either may be a sequence (keyframes spread
    evenly over the morph: centres along straight lines, widths geometrically) for a moving
    view. ``**keywords`` are ``juliaset.julia_image``'s image keywords (``itermax``,
    ``colormap``, ``coloring``, ``supersample``, ...), the same for every frame.

    ``path``'s suffix picks the format: ``.mp4`` (H.264), ``.webm`` (VP9), ``.mkv`` (lossless
    FFV1), ``.gif`` / ``.webp`` (short loops), or no suffix for a folder of numbered PNG frames
    with their parameter records (a re-run resumes it). ``quality`` is the CRF of mp4 / webm or
    the WebP quality; ``lossless`` makes WebP lossless; ``preset`` is x264's speed preset for
    ``.mp4`` (default ``"veryfast"``; ``"ultrafast"`` is about 3 times as fast, 1.5 times the size). ``progress=True`` shows a bar with an
    ETA, a callable is called as ``progress(frames_done, frames_total)``. Ctrl-C finishes the
    output with the frames so far, then raises ``juliaset.animate.Interrupted``.

    >>> import juliaset.animate as animate
    >>> plan = animate.morph_plan([0.285 + 0.01j, -0.8 + 0.156j], 3, size=(32, 24))
    >>> [p.parameters["c"] for p in plan]
    [[0.285, 0.01], [-0.2575, 0.083], [-0.8, 0.156]]
    """
    plan = morph_plan(c_path, frames, size=size, center=center, width=width, smooth=smooth,
                      **keywords)
    return run_plan(path, plan, fps, progress=progress, quality=quality, lossless=lossless,
                    preset=preset, threads=threads, description="morph")
