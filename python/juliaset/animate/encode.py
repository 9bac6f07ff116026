"""Writers that take frames one by one and produce a video, an animated image or PNG frames.

The format follows the output path (``output_format``):

==========  =============================================================================
``.mp4``    H.264 (libx264, yuv420p, ``crf`` 18 by default), through PyAV's own FFmpeg
``.webm``   VP9 (libvpx-vp9, yuv420p, constant quality ``crf`` 32 by default)
``.mkv``    FFV1 in Matroska: lossless (RGB as bgr0, gray as gray / gray16le), so
            every decoded frame equals the rendered one exactly
``.gif``    animated GIF through Pillow (a loop; durations in hundredths of a second)
``.webp``   animated WebP through Pillow (a loop; lossy ``quality`` 80, or lossless)
a folder    numbered PNG frames ``frame_000000.png``... each carrying its parameter record
            (``juliaset.save_png``), so ``juliaset --from`` re-renders any of them
==========  =============================================================================

Video files are written to a hidden temporary file beside the target and renamed into place
when the container is finished, so the target is never a broken file; an interrupted render
still finishes the container (``finish``) and leaves a playable video of the frames so far.
The video writers stream: each frame is encoded as it arrives. Pillow keeps every frame of a
GIF or WebP until it writes the file, so those are for short loops (``MAX_LOOP_BYTES``).
"""

from __future__ import annotations

import os
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple, Union

import numpy as np
from numpy.typing import NDArray

PathLike = Union[str, "os.PathLike[str]"]

VIDEO_FORMATS: Dict[str, Tuple[str, str]] = {
    # suffix: (container format, codec)
    ".mp4": ("mp4", "libx264"),
    ".webm": ("webm", "libvpx-vp9"),
    ".mkv": ("matroska", "ffv1"),
}
LOOP_FORMATS = {".gif": "GIF", ".webp": "WEBP"}
FORMATS = tuple(VIDEO_FORMATS) + tuple(LOOP_FORMATS)
# Pillow holds a GIF's or WebP's frames until it writes the file: refuse loops whose frames
# would take more than this (as RGB) and point to the streaming formats instead.
MAX_LOOP_BYTES = 2 * 1024**3
DEFAULT_QUALITY = {".mp4": 18, ".webm": 32, ".webp": 80}
QUALITY_RANGE = {".mp4": (0, 51), ".webm": (0, 63), ".webp": (0, 100)}
# libx264's speed presets, fastest first: "veryfast" (default) encodes 720p in about 25 ms of
# CPU per frame, "ultrafast" in about 9 ms for files about 1.5 times the size.
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow",
                "slower", "veryslow")
FRAME_NAME = "frame_{:06d}.png"


def output_format(path: PathLike) -> str:
    """The format of ``path``: one of ``FORMATS``, or ``"png"`` for a folder of PNG frames.

    A path with no suffix, or an existing folder, is a folder; an unknown suffix is an error.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if target.is_dir() or suffix == "":
        return "png"
    if suffix in FORMATS:
        return suffix
    raise ValueError(
        f"output {str(path)!r}: unknown format {target.suffix!r}; give a name ending in "
        f"{', '.join(FORMATS)}, or a folder (no suffix) for numbered PNG frames"
    )


def check_output(path: PathLike, size: Tuple[int, int], frames: int, image_kind: str,
                 quality: Optional[int] = None, preset: Optional[str] = None) -> str:
    """Validates the output for ``frames`` frames of ``size`` pixels of ``image_kind`` (``"rgb"``,
    ``"gray"`` or ``"gray16"``) and the encoder options before anything is rendered; returns
    the format."""
    kind = output_format(path)
    if quality is not None:
        if kind not in QUALITY_RANGE:
            raise ValueError(f"quality applies to .mp4, .webm and .webp, not {kind}")
        low, high = QUALITY_RANGE[kind]
        if isinstance(quality, bool) or not isinstance(quality, int) or not low <= quality <= high:
            raise ValueError(f"quality for {kind} must be an integer from {low} to {high}, "
                             f"got {quality!r}")
    if preset is not None:
        if kind != ".mp4":
            raise ValueError(f"preset applies to .mp4 (x264) only, not {kind}")
        if preset not in X264_PRESETS:
            raise ValueError(f"preset must be one of {', '.join(X264_PRESETS)}, got {preset!r}")
    width, height = size
    if kind in (".mp4", ".webm") and (width % 2 or height % 2):
        raise ValueError(
            f"size {width}x{height}: {kind} video (yuv420p) needs an even width and height"
        )
    if image_kind == "gray16" and kind not in (".mkv", "png"):
        raise ValueError(
            f"bits=16 can be written to .mkv (FFV1) or PNG frames only, not {kind}"
        )
    if kind in LOOP_FORMATS and frames * width * height * 3 > MAX_LOOP_BYTES:
        raise ValueError(
            f"{frames} frames of {width}x{height} are too many for a {kind} loop (Pillow holds "
            f"every frame); write .mp4, .webm or .mkv instead, or fewer or smaller frames"
        )
    parent = Path(path).parent if kind != "png" else Path(path).parent
    if not parent.exists() or not parent.is_dir():
        raise ValueError(f"output {str(path)!r}: folder {str(parent)!r} does not exist")
    return kind


def _rate(fps: Any) -> Fraction:
    rate = Fraction(fps).limit_denominator(1001)
    if rate <= 0:
        raise ValueError(f"fps must be above 0, got {fps!r}")
    return rate


def _import_av() -> Any:
    try:
        import av
    except ImportError:
        raise ImportError(
            "writing video needs PyAV: pip install 'juliaset[animate]' (or pip install av); "
            "GIF, WebP and PNG frames need only Pillow"
        ) from None
    return av


def _temporary(target: Path) -> Path:
    handle, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=f".partial{target.suffix}", dir=target.parent or "."
    )
    os.close(handle)
    return Path(name)


def _image_kind(image: NDArray[Any]) -> str:
    if image.ndim == 3:
        return "rgb"
    return "gray16" if image.dtype == np.uint16 else "gray"


class FrameWriter:
    """Takes frames in order with ``write(image, parameters)``; ``finish()`` completes the
    output (also after an interruption), ``discard()`` removes what was started."""

    frames_written: int = 0

    def has_frame(self, index: int, parameters: Mapping[str, Any]) -> bool:
        """Whether frame ``index`` with ``parameters`` is already there (resumed PNG frames)."""
        return False

    def write(self, image: NDArray[Any], parameters: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def skip(self) -> None:
        """Counts a frame that ``has_frame`` reported as present."""
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def discard(self) -> None:
        raise NotImplementedError


class VideoWriter(FrameWriter):
    """MP4 / WebM / Matroska-FFV1 through PyAV, encoding each frame as it arrives."""

    def __init__(self, path: PathLike, size: Tuple[int, int], fps: Any, quality: Optional[int],
                 image_kind: str, preset: Optional[str] = None) -> None:
        av = _import_av()
        self._av = av
        self.target = Path(path)
        suffix = self.target.suffix.lower()
        container_format, codec = VIDEO_FORMATS[suffix]
        self._temporary = _temporary(self.target)
        self._container = av.open(str(self._temporary), mode="w", format=container_format)
        try:
            rate = _rate(fps)
            stream = self._container.add_stream(codec, rate=rate)
            stream.width, stream.height = size
            stream.time_base = 1 / rate
            crf = DEFAULT_QUALITY.get(suffix) if quality is None else quality
            if codec == "ffv1":
                stream.pix_fmt = {"rgb": "bgr0", "gray": "gray", "gray16": "gray16le"}[image_kind]
                # Every frame a key frame: any frame can be decoded (and checked) on its own.
                stream.options = {"g": "1", "level": "3", "slicecrc": "1"}
            elif codec == "libx264":
                stream.pix_fmt = "yuv420p"
                stream.options = {"crf": str(crf), "preset": preset or "veryfast"}
            else:
                stream.pix_fmt = "yuv420p"
                stream.bit_rate = 0
                stream.options = {"crf": str(crf), "deadline": "realtime", "cpu-used": "8",
                                  "row-mt": "1"}
            stream.thread_type = "AUTO"
        except Exception:
            self._container.close()
            self._temporary.unlink(missing_ok=True)
            raise
        self._stream = stream
        self._format = {"rgb": "rgb24", "gray": "gray", "gray16": "gray16le"}[image_kind]
        self.frames_written = 0

    def write(self, image: NDArray[Any], parameters: Mapping[str, Any]) -> None:
        frame = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format=self._format)
        frame.pts = self.frames_written
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames_written += 1

    def finish(self) -> None:
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()
        if self.frames_written == 0:
            self._temporary.unlink(missing_ok=True)
            return
        os.chmod(self._temporary, 0o666 & ~_umask())
        os.replace(self._temporary, self.target)

    def discard(self) -> None:
        try:
            self._container.close()
        except Exception:  # noqa: BLE001 - the file is removed either way
            pass
        self._temporary.unlink(missing_ok=True)


class LoopWriter(FrameWriter):
    """Animated GIF or WebP through Pillow: frames are collected (as Pillow images) and written
    by ``finish``, so an interrupted run still writes the frames it has."""

    def __init__(self, path: PathLike, fps: Any, quality: Optional[int], lossless: bool) -> None:
        self.target = Path(path)
        self._format = LOOP_FORMATS[self.target.suffix.lower()]
        rate = _rate(fps)
        # GIF stores hundredths of a second; Pillow rounds the milliseconds down to them.
        self.duration_ms = float(1000 / rate)
        self._quality = DEFAULT_QUALITY[".webp"] if quality is None else quality
        self._lossless = lossless
        self._frames: List[Any] = []
        self.frames_written = 0

    def write(self, image: NDArray[Any], parameters: Mapping[str, Any]) -> None:
        from PIL import Image

        self._frames.append(Image.fromarray(np.ascontiguousarray(image)))
        self.frames_written += 1

    def finish(self) -> None:
        if not self._frames:
            return
        first, rest = self._frames[0], self._frames[1:]
        options: Dict[str, Any] = {"save_all": True, "append_images": rest, "loop": 0}
        if self._format == "GIF":
            options["duration"] = round(self.duration_ms / 10) * 10
            options["optimize"] = False
        else:
            options["duration"] = round(self.duration_ms)
            options["lossless"] = self._lossless
            options["quality"] = self._quality
            options["method"] = 4
        temporary = _temporary(self.target)
        try:
            first.save(temporary, format=self._format, **options)
            os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, self.target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        finally:
            self._frames = []

    def discard(self) -> None:
        self._frames = []


class PngFramesWriter(FrameWriter):
    """Numbered PNG frames in a folder, each with its parameter record; resumable.

    A frame whose file exists and records exactly the parameters planned for it is kept (not
    rendered again), so re-running an interrupted command resumes where it stopped.
    """

    def __init__(self, folder: PathLike) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._index = 0
        self.frames_written = 0
        self.frames_kept = 0

    def frame_path(self, index: int) -> Path:
        return self.folder / FRAME_NAME.format(index)

    def has_frame(self, index: int, parameters: Mapping[str, Any]) -> bool:
        from .. import read_parameters

        path = self.frame_path(index)
        if not path.is_file():
            return False
        try:
            return read_parameters(path) == dict(parameters)
        except (OSError, ValueError):
            return False  # a damaged or foreign file is rendered again

    def write(self, image: NDArray[Any], parameters: Mapping[str, Any]) -> None:
        from .. import save_png

        save_png(self.frame_path(self._index), image, parameters)
        self._index += 1
        self.frames_written += 1

    def skip(self) -> None:
        self._index += 1
        self.frames_kept += 1

    def finish(self) -> None:
        pass

    def discard(self) -> None:
        pass  # frames written so far are complete files: they are what a resume keeps


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def open_writer(path: PathLike, size: Tuple[int, int], fps: Any, *, image_kind: str,
                quality: Optional[int] = None, lossless: bool = False,
                preset: Optional[str] = None) -> FrameWriter:
    """The writer for ``path``'s format (see the module's table)."""
    kind = output_format(path)
    if kind == "png":
        return PngFramesWriter(path)
    if kind in LOOP_FORMATS:
        return LoopWriter(path, fps, quality, lossless)
    return VideoWriter(path, size, fps, quality, image_kind, preset)


def frame_kind(image: NDArray[Any]) -> str:
    """``"rgb"``, ``"gray"`` or ``"gray16"`` for a rendered image."""
    return _image_kind(image)


# The type of a frame source for ``write_frames``: yields (parameters, image or None).
FrameSource = Iterator[Tuple[Mapping[str, Any], Optional[NDArray[Any]]]]
ProgressFn = Callable[[int, int], object]
