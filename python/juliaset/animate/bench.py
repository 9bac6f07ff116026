"""Frames per second of the two animations the issue names, split into render and encode.

``python -m juliaset.animate.bench`` (``make bench-animate``) measures

- **morph**: a 1280 x 720 Julia morph, itermax 256, magma, ``c`` once around the circle of
  radius 0.7885 (the classic "rotating Julia set"), encoded to H.264 (.mp4);
- **zoom**: a 1920 x 1080 zoom from the whole Mandelbrot set (-0.5, width 3) to a width of
  1e-12 at the Misiurewicz point ``c = i`` (itermax 200 + 100 per decade: 1448 at the end),
  encoded to H.264;

each with the smooth colouring (the zoom's default: no banding, no flicker) and with the count
colouring. For each, three rows: **render** (the still renders alone, one after another, every
core, each image dropped at once; a second, untimed pass keeps them for the encode row),
**encode** (the encoder alone, fed the same frames, kept in a
file-backed array in the temporary folder), and **pipeline** (``morph``
/ ``zoom`` writing the .mp4, render and encode overlapping; once more with x264's
``ultrafast`` preset). The zoom's frames are spread over
its whole depth range. Besides frames per wall-clock second it reports this process's CPU time
per frame (every thread) and the frame rate that CPU time would give on ``--cores`` cores the
process had to itself: the development machine is shared, so wall-clock rates there say more
about the other users than about the code. Writes JSON to ``bench-results/animate.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import numpy as np

from . import morph, morph_plan, paths, render_frame, zoom, zoom_plan
from .encode import open_writer

# The Misiurewicz point c = i (0 -> i -> -1+i -> -i -> -1+i ...): on the boundary with no
# interior near it, as zoom targets usually are.
TARGET = ("0", "1")
MORPH = dict(size=(1280, 720), itermax=256, colormap="magma")
ZOOM = dict(size=(1920, 1080), itermax=200, itermax_per_decade=100.0, colormap="magma")
COLORINGS = ("smooth", "count")


class _Clock:
    """Wall-clock and CPU seconds (this process, every thread) of a block."""

    def __enter__(self) -> "_Clock":
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def rates(self, frames: int, cores: int) -> Dict[str, float]:
        """Frames per wall-clock second, and per second of ``cores`` cores' CPU time (what the
        machine would give with those cores to itself, if the work spread over them)."""
        return {"fps": frames / self.wall, "cpu_s_per_frame": self.cpu / frames,
                "fps_on_dedicated_cores": frames / (self.cpu / cores)}


def _render(plan: List[Any], cores: int, store: Path) -> Dict[str, float]:
    """Renders every frame (timed, each image dropped at once), then renders them again
    (untimed) into a file-backed array for ``_encode``. Storing as they render had slowed the
    renders by a fifth: the kernel writing the array's pages back to disk shares the cores."""
    with _Clock() as clock:
        for frame in plan:
            render_frame(frame)
    first = plan[0].parameters
    frames = np.lib.format.open_memmap(store, mode="w+", dtype=np.uint8,
                                       shape=(len(plan), first["height"], first["width"], 3))
    for k, frame in enumerate(plan):
        frames[k] = render_frame(frame)
    frames.flush()
    del frames
    return clock.rates(len(plan), cores)


def _encode(store: Path, folder: Path, cores: int) -> Dict[str, float]:
    """Encodes the frames ``_render`` kept (read from the page cache), in order."""
    frames = np.load(store, mmap_mode="r")
    count, height, width = frames.shape[:3]
    for frame in frames:  # read them once, so the timed loop does not wait on the disk
        frame.sum()
    writer = open_writer(folder / "encode.mp4", (width, height), 30, image_kind="rgb")
    with _Clock() as clock:
        for frame in frames:
            writer.write(frame, {})
        writer.finish()
    return clock.rates(count, cores)


def _pipeline(write: Any, frames: int, cores: int) -> Dict[str, float]:
    with _Clock() as clock:
        write()
    return clock.rates(frames, cores)


def run(frames: int, out: Path, cores: int = 2) -> Dict[str, Any]:
    results: Dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "frames": frames,
        "cores": cores, "load_average": os.getloadavg(),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    circle = paths.circle(0j, 0.7885)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for coloring in COLORINGS:
            options: Dict[str, Any] = dict(MORPH, coloring=coloring)
            plan = morph_plan(circle, frames, **options)
            results[f"morph/{coloring}"] = {
                "render": _render(plan, cores, folder / "frames.npy"),
                "encode": _encode(folder / "frames.npy", folder, cores),
                "pipeline": _pipeline(
                    lambda: morph(folder / "morph.mp4", circle, frames, **options),
                    frames, cores),
                "pipeline, ultrafast": _pipeline(
                    lambda: morph(folder / "morph.mp4", circle, frames, preset="ultrafast",
                                  **options),
                    frames, cores),
            }
        for coloring in COLORINGS:
            options = dict(ZOOM, coloring=coloring)
            zplan = zoom_plan((-0.5, 3), (TARGET, "1e-12"), frames, **options).frames
            results[f"zoom/{coloring}"] = {
                "render": _render(zplan, cores, folder / "frames.npy"),
                "encode": _encode(folder / "frames.npy", folder, cores),
                "pipeline": _pipeline(
                    lambda: zoom(folder / "zoom.mp4", (-0.5, 3), (TARGET, "1e-12"), frames,
                                 **options),
                    frames, cores),
                "pipeline, ultrafast": _pipeline(
                    lambda: zoom(folder / "zoom.mp4", (-0.5, 3), (TARGET, "1e-12"), frames,
                                 preset="ultrafast", **options),
                    frames, cores),
            }
    out.mkdir(parents=True, exist_ok=True)
    (out / "animate.json").write_text(json.dumps(results, indent=2) + "\n")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m juliaset.animate.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=60,
                        help="frames per measurement (default 60; each kept on disk for the "
                        "encode step: 370 MB at 1080p)")
    parser.add_argument("--cores", type=int, default=2,
                        help="cores for the CPU-time estimate (default 2)")
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args()
    results = run(args.frames, args.out, args.cores)
    load = ", ".join(f"{x:.1f}" for x in results["load_average"])
    print(f"{results['when']}, {results['machine']} (load average {load}), "
          f"{args.frames} frames per row")
    print(f"fps: frames per wall-clock second; CPU s/frame: this process's CPU time (every "
          f"thread) per frame; est. fps: frames per {args.cores} cores' worth of that CPU time")
    print("| animation | step | fps | CPU s/frame | est. fps on "
          f"{args.cores} dedicated cores |")
    print("|---|---|--:|--:|--:|")
    labels = {"morph": "1280x720 Julia morph, itermax 256", "zoom": "1920x1080 zoom to 1e-12"}
    for name in (f"{a}/{c}" for a in ("morph", "zoom") for c in COLORINGS):
        animation, coloring = name.split("/")
        for step in ("render", "encode", "pipeline", "pipeline, ultrafast"):
            row = results[name][step]
            print(f"| {labels[animation]}, {coloring} | {step} | {row['fps']:.1f} | "
                  f"{row['cpu_s_per_frame']:.3f} | {row['fps_on_dedicated_cores']:.1f} |")


if __name__ == "__main__":
    main()
