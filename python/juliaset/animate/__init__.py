"""Animations: zoom videos and Julia-set morphs, rendered frame by frame and streamed into a
video encoder (PyAV's FFmpeg), an animated GIF / WebP (Pillow) or numbered PNG frames.

``morph(path, c_path, frames, ...)`` moves Julia's ``c`` along a path (``paths``);
``zoom(path, start, end, frames, ...)`` zooms from one view to another, exponentially in width.
Both are Python over the still renderer: frame k is exactly ``julia_image`` /
``mandelbrot_image`` of its parameters (``morph_plan`` / ``zoom_plan`` list them). The command
is ``juliaset-animate`` (``python -m juliaset.animate``).
"""

from __future__ import annotations

from . import paths
from ._run import Frame, Interrupted, Result, render_frame
from .encode import FORMATS, output_format
from .morph import morph, morph_plan
from .zoom import ZoomPlan, exact_views_supported, zoom, zoom_plan

__all__ = [
    "FORMATS",
    "Frame",
    "Interrupted",
    "Result",
    "ZoomPlan",
    "exact_views_supported",
    "morph",
    "morph_plan",
    "output_format",
    "paths",
    "render_frame",
    "zoom",
    "zoom_plan",
]
