"""``juliaset-animate``: zoom videos and Julia-set morphs from the command line.

Exit status: 0 done, 1 the output could not be written, 2 bad arguments (one line on stderr
naming the argument), 130 interrupted by Ctrl-C (the output is finished with the frames so far:
a playable video or loop, or PNG frames that the same command resumes).
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, Dict, List, NoReturn, Optional, Sequence, Tuple

PROG = "juliaset-animate"

EXAMPLES_MORPH = f"""examples:
  {PROG} morph morph.mp4 --c=-0.8+0.156i --c=0.285+0.01i --c=-0.8+0.156i --smooth --frames=240
  {PROG} morph loop.webp --cardioid=0.98 --frames=120 --size=320x240 --colormap=magma
  {PROG} morph frames/ --circle=0+0i,0.7885 --frames=300 --itermax=300
"""
EXAMPLES_ZOOM = f"""examples:
  {PROG} zoom zoom.mp4 --start=-0.5,3 --end=-0.743643887037158704752191506114774+0.131825904205311970493132056385139i,1e-12 --frames=600
  {PROG} zoom zoom.mkv --start=-0.5,3 --end=-0.75+0.1i,0.01 --key=-0.7+0.2i,0.5 --ease=in-out --rotation=90
"""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and negative numbers (``-0.8+0.156i``) taken as values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Values such as -0.8+0.156i or -1e-3 are numbers, never options (argparse's own
        # matcher only knows plain negative decimals).
        self._negative_number_matcher = re.compile(r"^-[0-9.]")
        self._has_negative_number_optionals: List[Any] = []

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{PROG}: error: {message}\n")
        raise SystemExit(2)


def _size(text: str) -> Tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"--size must be WIDTHxHEIGHT such as 1280x720, got {text!r}")
    return int(match.group(1)), int(match.group(2))


def _complex(text: str) -> complex:
    from .zoom import parse_center

    try:
        re_, im_ = parse_center(text, "value")
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(
            f"expected a complex number such as -0.8+0.156i, got {text!r}"
        ) from None
    return complex(float(re_), float(im_))


def _view(text: str) -> Tuple[str, str]:
    center, comma, width = text.rpartition(",")
    if not comma or not center or not width:
        raise argparse.ArgumentTypeError(
            f"expected CENTER,WIDTH such as -0.75+0.1i,1e-3, got {text!r}"
        )
    return center.strip(), width.strip()


def _circle(text: str) -> Tuple[complex, float]:
    center, radius = _view(text)
    try:
        return _complex(center), float(radius)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected CENTER,RADIUS such as 0+0i,0.7885, got {text!r}"
        ) from None


def _add_common(parser: argparse.ArgumentParser, itermax: int) -> None:
    parser.add_argument("output", help="the output: NAME.mp4 (H.264), .webm (VP9), .mkv (lossless "
                        "FFV1), .gif, .webp, or a folder (no suffix) for numbered PNG frames")
    parser.add_argument("--frames", type=int, default=120, help="number of frames (default 120)")
    parser.add_argument("--fps", type=float, default=30.0, help="frames per second (default 30)")
    parser.add_argument("--size", type=_size, default=(640, 360),
                        help="frame size WIDTHxHEIGHT in pixels (default 640x360)")
    image = parser.add_argument_group("image (as juliaset.julia_image / mandelbrot_image)")
    image.add_argument("--itermax", type=int, default=itermax,
                       help=f"iteration limit (default {itermax}; a zoom's first frame)")
    image.add_argument("--itermin", type=int, default=0, help="counts up to this are the "
                       "colormap's first colour (default 0)")
    image.add_argument("--threshold", type=float, default=2.0, help="escape radius (default 2)")
    image.add_argument("--power", type=int, default=2, help="the exponent d of z^d + c (default 2)")
    image.add_argument("--colormap", default="magma", help="colormap name (default magma)")
    image.add_argument("--coloring", default="smooth", choices=("smooth", "count", "histogram"),
                       help="colouring (default smooth: no banding, no flicker)")
    image.add_argument("--supersample", type=int, default=1, help="N x N samples per pixel")
    output = parser.add_argument_group("output")
    output.add_argument("--quality", type=int, default=None,
                        help="CRF of .mp4 (default 18) / .webm (default 32), or WebP quality (80)")
    output.add_argument("--lossless", action="store_true", help="lossless WebP")
    output.add_argument("--preset", default=None, metavar="NAME",
                        help="x264 speed preset for .mp4 (default veryfast; ultrafast encodes "
                        "about 3 times as fast into files about 1.5 times the size)")
    output.add_argument("--threads", type=int, default=None, help="render threads (default all)")
    shown = output.add_mutually_exclusive_group()
    shown.add_argument("--progress", dest="progress", action="store_true", default=None,
                       help="show a progress bar with an ETA (default when stderr is a terminal)")
    shown.add_argument("--no-progress", dest="progress", action="store_false")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Zoom videos and Julia-set morphs, rendered by "
                     "juliaset and encoded as they are rendered.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                     metavar="{morph,zoom}")
    morph = commands.add_parser(
        "morph", help="a Julia set as c moves along a path",
        description="The filled Julia set of z^d + c as c moves along a path at constant speed "
        "(a closed path, first point = last, loops seamlessly).",
        epilog=EXAMPLES_MORPH, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = morph.add_mutually_exclusive_group(required=True)
    where.add_argument("--c", dest="points", type=_complex, action="append", metavar="C",
                       help="a point of the path (repeat, in order), e.g. --c=-0.8+0.156i")
    where.add_argument("--circle", type=_circle, metavar="CENTER,RADIUS",
                       help="c once around a circle, e.g. --circle=0+0i,0.7885")
    where.add_argument("--cardioid", type=float, nargs="?", const=1.0, metavar="MULTIPLIER",
                       help="c around the main cardioid's boundary (multiplier 1; below 1 inside)")
    morph.add_argument("--smooth", action="store_true",
                       help="a smooth (Catmull-Rom) curve through the --c points")
    morph.add_argument("--center", type=_complex, default=0j, help="view centre (default 0)")
    morph.add_argument("--width", type=float, default=3.2, help="view width (default 3.2)")
    _add_common(morph, 256)
    zoom = commands.add_parser(
        "zoom", help="a zoom from one view to another",
        description="A zoom from --start to --end (each CENTER,WIDTH; decimal strings keep every "
        "digit), exponential in width; the frames converge on the end centre.",
        epilog=EXAMPLES_ZOOM, formatter_class=argparse.RawDescriptionHelpFormatter)
    zoom.add_argument("--start", type=_view, default=None, metavar="CENTER,WIDTH",
                      help="the first view (default -0.5,3: the whole Mandelbrot set; 0,3.2 "
                      "with --julia)")
    zoom.add_argument("--end", type=_view, required=True, metavar="CENTER,WIDTH",
                      help="the last view, e.g. --end=-0.7436+0.1318i,1e-6")
    zoom.add_argument("--key", type=_view, action="append", default=[], metavar="CENTER,WIDTH",
                      help="a keyframe view passed through on the way (repeat, in order)")
    zoom.add_argument("--ease", default="linear", choices=("linear", "in", "out", "in-out"),
                      help="speed at the ends (default linear: constant zoom speed)")
    zoom.add_argument("--rotation", type=float, default=0.0, help="degrees turned over the zoom")
    zoom.add_argument("--itermax-per-decade", type=float, default=100.0,
                      help="iterations added per decade of depth (default 100)")
    zoom.add_argument("--itermin-per-decade", type=float, default=0.0,
                      help="raise the colour window's floor (--itermin) per decade of depth "
                      "(default 0), as escape counts grow with depth")
    zoom.add_argument("--julia", type=_complex, default=None, metavar="C",
                      help="zoom into the Julia set of this c instead of the Mandelbrot set")
    _add_common(zoom, 200)
    return parser


def _image_keywords(args: argparse.Namespace) -> Dict[str, Any]:
    return {
        "itermax": args.itermax, "itermin": args.itermin, "threshold": args.threshold,
        "power": args.power, "colormap": args.colormap, "coloring": args.coloring,
        "supersample": args.supersample,
    }


def _summary(result: Any) -> str:
    size = result.plan[0].parameters
    done = result.frames_written + result.frames_kept
    kept = f" ({result.frames_kept} kept from before)" if result.frames_kept else ""
    rate = result.frames_written / result.wall_seconds if result.wall_seconds > 0 else 0.0
    return (f"{result.output}: {done} of {result.frames} frames{kept}, "
            f"{size['width']}x{size['height']}, {rate:.1f} frames/s (render {result.render_seconds:.2f} s, "
            f"encode {result.encode_seconds:.2f} s, wall {result.wall_seconds:.2f} s)")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    from . import Interrupted, morph, paths, zoom

    common = dict(size=args.size, fps=args.fps, progress=progress, quality=args.quality,
                  lossless=args.lossless, preset=args.preset, threads=args.threads)
    try:
        if args.command == "morph":
            if args.points is not None:
                c_path: Any = args.points
            elif args.circle is not None:
                c_path = paths.circle(*args.circle)
            else:
                c_path = paths.cardioid(args.cardioid)
            result = morph(args.output, c_path, args.frames, center=args.center, width=args.width,
                           smooth=args.smooth, **common, **_image_keywords(args))
        else:
            keywords = _image_keywords(args)
            family = "mandelbrot"
            start = ("-0.5", "3") if args.start is None else args.start
            if args.julia is not None:
                family, keywords["c"] = "julia", args.julia
                start = ("0", "3.2") if args.start is None else args.start
            result = zoom(args.output, start, args.end, args.frames, family=family,
                          keyframes=args.key, ease=args.ease, rotation=args.rotation,
                          itermax_per_decade=args.itermax_per_decade,
                          itermin_per_decade=args.itermin_per_decade, **common, **keywords)
    except Interrupted as stopped:
        sys.stderr.write(f"{PROG}: interrupted: {_summary(stopped.result)}\n")
        return 130
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except (ValueError, TypeError) as error:
        sys.stderr.write(f"{PROG}: error: {str(error).splitlines()[0]}\n")
        return 2
    except ImportError as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return 2
    except OSError as error:
        sys.stderr.write(f"{PROG}: error: cannot write {args.output}: {error.strerror or error}\n")
        return 1
    print(_summary(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
