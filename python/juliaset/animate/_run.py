"""The frame pipeline shared by morphs and zooms: render ahead on a thread, encode in order.

A render thread renders the frames of a plan (their parameter dicts) into a small queue while
the calling thread encodes them, so the core's render (which releases the GIL) and the encoder
overlap. Ctrl-C stops the plan between frames: the writer then finishes its output (a playable
video, a written loop, or complete PNG frames that a re-run resumes from) and
``KeyboardInterrupt`` is raised once the output is complete. A second Ctrl-C interrupts at once.
"""

from __future__ import annotations

import decimal
import math
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from numpy.typing import NDArray

from .encode import FrameWriter, PathLike, check_output, open_writer

ProgressArg = Any  # None, True (a tqdm bar) or a callable progress(frames_done, frames_total)


@dataclass(frozen=True)
class Frame:
    """One planned frame: the parameter record it is rendered from, and an image-space
    rotation in degrees (counter-clockwise) applied after the render (0: none)."""

    parameters: Dict[str, Any]
    rotation: float = 0.0


@dataclass
class Result:
    """What a morph or zoom wrote."""

    output: Path
    format: str
    frames: int
    frames_written: int
    frames_kept: int = 0
    interrupted: bool = False
    render_seconds: float = 0.0
    encode_seconds: float = 0.0
    wall_seconds: float = 0.0
    plan: List[Frame] = field(default_factory=list, repr=False)


def render_frame(frame: Frame, threads: Optional[int] = None) -> NDArray[Any]:
    """The image of one planned frame: the still render of its parameters, rotated if asked."""
    from .. import render_parameters

    if frame.rotation % 360.0 == 0.0:
        return render_parameters(frame.parameters, threads=threads)
    return _rotated(frame.parameters, frame.rotation, threads)


class SharedReferenceRenderer:
    """Renders the frames of a zoom, the deep ones around one set of reference orbits: those
    of the deepest deep frame, iterated to the largest itermax of the plan, computed at the
    first deep frame (``juliaset.deep_reference``). Every frame of a zoom into a point contains
    that point, so the reference lies inside each frame. Shallow and rotated frames, and a
    frame the reference does not fit (more bits needed), render as stills."""

    def __init__(self, plan: Sequence[Frame], threads: Optional[int] = None) -> None:
        self.plan = list(plan)
        self.threads = threads
        self.shared_frames = 0
        self._reference: Any = None
        self._built = False

    def _deep(self, frame: Frame) -> bool:
        from .._metadata import check_parameters
        from .._modern import _record_view

        if frame.rotation % 360.0 != 0.0 or "view" not in frame.parameters:
            return False
        view = _record_view(check_parameters(frame.parameters))
        return view is not None and view.deep

    def reference(self) -> Any:
        """The shared reference (built on first use; None when no frame is deep)."""
        if not self._built:
            self._built = True
            deep = [f for f in self.plan if self._deep(f)]
            if deep:
                from .. import deep_reference

                deepest = min(deep, key=lambda f: decimal.Decimal(f.parameters["view"]["width"]))
                itermax = max(f.parameters["itermax"] for f in deep)
                self._reference = deep_reference(deepest.parameters, itermax=itermax)
        return self._reference

    def __call__(self, frame: Frame) -> NDArray[Any]:
        from .. import render_parameters

        if self._deep(frame):
            reference = self.reference()
            try:
                image = render_parameters(frame.parameters, threads=self.threads,
                                          reference=reference)
            except ValueError as error:
                if not str(error).startswith("reference: "):
                    raise
            else:
                self.shared_frames += 1
                return image
        return render_frame(frame, self.threads)


def _rotated(parameters: Mapping[str, Any], degrees: float, threads: Optional[int]) -> NDArray[Any]:
    """Renders a square around the frame at the same pixel spacing (on the same pixel grid),
    rotates it by ``degrees`` with bicubic resampling and crops the frame out of the middle."""
    from PIL import Image

    from .. import render_parameters

    width, height = parameters["width"], parameters["height"]
    side = math.ceil(math.hypot(width, height)) + 2
    pad_x = (side - width + 1) // 2
    pad_y = (side - height + 1) // 2
    big = dict(parameters)
    big["width"], big["height"] = width + 2 * pad_x, height + 2 * pad_y
    if "region" in parameters:
        region = parameters["region"]
        dx = (region["xright"] - region["xleft"]) / width
        dy = (region["ytop"] - region["ybot"]) / height
        big["region"] = {
            "xleft": region["xleft"] - pad_x * dx,
            "xright": region["xright"] + pad_x * dx,
            "ybot": region["ybot"] - pad_y * dy,
            "ytop": region["ytop"] + pad_y * dy,
        }
    else:
        # An exact view (decimal strings): the same centre, the width of the larger image at
        # the same pixel spacing, computed exactly.
        view = parameters["view"]
        extent = decimal.Decimal(view["width"])
        with decimal.localcontext() as context:
            context.prec = len(extent.as_tuple().digits) + 12
            wider = extent * big["width"] / width
        big["view"] = dict(view, width=str(wider))
    image = render_parameters(big, threads=threads)
    turned = np.asarray(Image.fromarray(image).rotate(degrees, resample=Image.Resampling.BICUBIC))
    return np.ascontiguousarray(turned[pad_y:pad_y + height, pad_x:pad_x + width])


def image_kind(parameters: Mapping[str, Any]) -> str:
    if parameters.get("colormap") == "gray" and "colormap_table" not in parameters:
        return "gray16" if parameters.get("bits") == 16 else "gray"
    return "rgb"


class _Interrupt:
    """Turns the first SIGINT into a flag (the frame in progress completes, the output is
    finished) and restores the previous handler so that a second one interrupts at once."""

    def __init__(self) -> None:
        self.raised = threading.Event()
        self._previous: Any = None
        self._installed = False

    def __enter__(self) -> "_Interrupt":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.getsignal(signal.SIGINT)
            signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.raised.set()
        signal.signal(signal.SIGINT, self._previous)

    def __exit__(self, *exc: Any) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)


def _progress_reporter(progress: ProgressArg, total: int, description: str) -> Tuple[
        Callable[[int], None], Callable[[], None]]:
    """(update(frames_done), close()) for ``progress``."""
    if progress is None or progress is False:
        return (lambda done: None), (lambda: None)
    if progress is True:
        try:
            from tqdm.auto import tqdm  # type: ignore[import-untyped, unused-ignore]
        except ImportError:
            raise ImportError(
                "progress=True needs tqdm: pip install tqdm (or pass a callable "
                "progress(frames_done, frames_total))"
            ) from None
        bar = tqdm(total=total, desc=description, unit="frame", dynamic_ncols=True)

        def update(done: int) -> None:
            bar.update(done - bar.n)

        return update, bar.close
    if callable(progress):
        return (lambda done: progress(done, total)), (lambda: None)
    raise TypeError(
        "progress must be None, True (a tqdm bar) or a callable progress(done, total), "
        f"got {type(progress).__name__} {progress!r}"
    )


_DONE = object()


def run_plan(
    output: PathLike,
    plan: Sequence[Frame],
    fps: Any,
    *,
    progress: ProgressArg = None,
    quality: Optional[int] = None,
    lossless: bool = False,
    preset: Optional[str] = None,
    threads: Optional[int] = None,
    lookahead: int = 2,
    renderer: Optional[Callable[[Frame], NDArray[Any]]] = None,
    description: str = "frames",
) -> Result:
    """Renders ``plan`` into ``output`` (format by suffix). ``renderer(frame)`` replaces the
    still render (a hook for engines that share work across frames)."""
    if not plan:
        raise ValueError("frames must be at least 1")
    first = plan[0].parameters
    size = (first["width"], first["height"])
    kind = image_kind(first)
    fmt = check_output(output, size, len(plan), kind, quality, preset)
    if fps is None or isinstance(fps, bool) or not (isinstance(fps, (int, float)) or hasattr(fps, "numerator")):
        raise TypeError(f"fps must be a number, got {fps!r}")
    if not (0 < float(fps) <= 1000) or not math.isfinite(float(fps)):
        raise ValueError(f"fps must be above 0 and at most 1000, got {fps!r}")
    if any(f.rotation % 360.0 and kind == "gray16" for f in plan):
        raise ValueError("rotation needs 8-bit images (bits=8)")
    render = renderer or (lambda frame: render_frame(frame, threads))
    update, close = _progress_reporter(progress, len(plan), description)
    try:
        writer = open_writer(output, size, fps, image_kind=kind, quality=quality,
                             lossless=lossless, preset=preset)
    except BaseException:
        close()
        raise
    result = Result(Path(output), fmt, len(plan), 0, plan=list(plan))
    frames: "queue.Queue[Any]" = queue.Queue(maxsize=max(1, lookahead))
    stop = threading.Event()
    render_time = [0.0]

    def hand_over(item: Any) -> None:
        """Queues ``item`` unless the consumer has stopped (then nobody takes it)."""
        while not stop.is_set():
            try:
                frames.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            for index, frame in enumerate(plan):
                if stop.is_set():
                    return
                if writer.has_frame(index, frame.parameters):
                    image: Any = None
                else:
                    started = time.perf_counter()
                    image = render(frame)
                    render_time[0] += time.perf_counter() - started
                hand_over((frame, image))
        except BaseException as error:  # noqa: BLE001 - handed to the consuming thread
            hand_over(error)
            return
        hand_over(_DONE)

    started = time.perf_counter()
    worker = threading.Thread(target=produce, name="juliaset-animate-render", daemon=True)
    completed = False
    try:
        with _Interrupt() as interrupt:
            worker.start()
            done = 0
            while True:
                if interrupt.raised.is_set():
                    result.interrupted = True
                    break
                try:
                    item = frames.get(timeout=0.1)
                except queue.Empty:
                    continue
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                frame, image = item
                encode_started = time.perf_counter()
                if image is None:
                    writer.skip()
                else:
                    writer.write(image, frame.parameters)
                result.encode_seconds += time.perf_counter() - encode_started
                done += 1
                update(done)
            stop.set()
            worker.join()
            writer.finish()
            completed = True
    except KeyboardInterrupt:
        # A second Ctrl-C (or one outside the main thread): finish what can be finished.
        stop.set()
        worker.join()
        result.interrupted = True
        writer.finish()
        completed = True
        raise
    finally:
        stop.set()
        close()
        if not completed:
            writer.discard()
        result.frames_written = writer.frames_written
        result.frames_kept = getattr(writer, "frames_kept", 0)
        result.render_seconds = render_time[0]
        result.wall_seconds = time.perf_counter() - started
    if result.interrupted:
        raise Interrupted(result)
    return result


class Interrupted(KeyboardInterrupt):
    """Raised after Ctrl-C once the output is finished; ``result`` says what was written."""

    def __init__(self, result: Result) -> None:
        super().__init__(
            f"interrupted after {result.frames_written + result.frames_kept} of "
            f"{result.frames} frames; {result.output} is complete up to there"
        )
        self.result = result
