"""The ``juliaset-dask`` command: render a view into a Zarr store (and Deep Zoom tiles) on Dask.

    juliaset-dask OUT.zarr [view flags] [--fields=counts,smooth | --colormap=NAME ...]
                  [--scheduler=tcp://host:8786 | --workers=N --threads-per-worker=T]
                  [--chunk=1024] [--tiles=DIR] [--no-pyramid] [--overwrite] [--no-progress]

Without ``--scheduler`` a local cluster of worker processes is started for the run. A store
that already holds this view is resumed: chunks already written are checked, not rendered
again. Exit status: 0 done, 1 the render or the write failed, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any, Optional, Sequence

EPILOG = """\
examples:
  juliaset-dask seed.zarr -x=-0.1 -X=0.1 -y=-0.1 -Y=0.1 -m=20 -M=100 -R=20000
  juliaset-dask m.zarr --mandelbrot --center=-0.75,0.1 --width=0.05 --size=8000x5000 \\
      -M=500 --colormap=inferno --coloring=smooth --tiles=m-tiles
  juliaset-dask big.zarr -R=100000 -x=-0.1 -X=0.1 -y=-0.1 -Y=0.1 -M=100 \\
      --scheduler=tcp://scheduler:8786
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="juliaset-dask",
        description="Render a Julia or Mandelbrot view into a Zarr v3 store with an OME-Zarr "
        "multiscale pyramid, chunk by chunk on a Dask cluster; optionally export Deep Zoom "
        "(DZI) tiles for OpenSeadragon.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("output", help="the Zarr store to write (a directory, or a URL zarr opens)")
    view = p.add_argument_group("the view (as the juliaset command)")
    family = view.add_mutually_exclusive_group()
    family.add_argument("--mandelbrot", action="store_true", help="the Mandelbrot set")
    family.add_argument("--julia", action="store_true", help="the filled Julia set (default)")
    view.add_argument("-r", "--real", type=float, default=-0.835, help="Re c (default -0.835)")
    view.add_argument("-i", "--imag", type=float, default=-0.2321, help="Im c (default -0.2321)")
    view.add_argument("-x", "--xleft", type=float, help="real part at the left edge")
    view.add_argument("-X", "--xright", type=float, help="real part at the right edge")
    view.add_argument("-y", "--ybot", type=float, help="imaginary part at the bottom edge")
    view.add_argument("-Y", "--ytop", type=float, help="imaginary part at the top edge")
    view.add_argument("--center", help="the region's centre as RE,IM (instead of -x -X -y -Y)")
    view.add_argument("--width", help="the region's width in the plane (with --center)")
    view.add_argument("-R", "--resolution", type=int,
                      help="image width in pixels; the height follows the region (default 500)")
    view.add_argument("--size", help="image size as WIDTHxHEIGHT pixels (instead of -R)")
    view.add_argument("-t", "--threshold", type=float, default=2.0, help="escape radius (2)")
    view.add_argument("-m", "--itermin", type=int, default=0,
                      help="counts up to itermin get the colormap's start (images; default 0)")
    view.add_argument("-M", "--itermax", type=int, default=100, help="iteration limit (100)")
    view.add_argument("--power", type=int, default=2, help="the exponent d of z^d + c (2)")
    out = p.add_argument_group("what is stored")
    out.add_argument("--fields", default=None,
                     help="comma-separated fields to store: counts, smooth, final_norm, "
                     "interior, distance (default counts; not with --colormap)")
    out.add_argument("--colormap", help="store a coloured image instead of fields (gray, "
                     "viridis, magma, inferno, plasma, twilight, each with _r)")
    out.add_argument("--coloring", default="count", choices=("count", "smooth", "histogram"),
                     help="how counts become colours (default count)")
    out.add_argument("--bits", type=int, default=8, help="8, or 16 with --colormap=gray")
    out.add_argument("--supersample", type=int, default=1, help="N x N samples per pixel")
    out.add_argument("--chunk", type=int, default=None,
                     help="chunk side in pixels (default 1024); one task renders one chunk")
    out.add_argument("--no-pyramid", action="store_true", help="store level 0 only")
    out.add_argument("--tiles", help="also export Deep Zoom tiles (DZI) of the image to this "
                     "folder (needs --colormap)")
    out.add_argument("--tile-size", type=int, default=256, help="DZI tile side (default 256)")
    out.add_argument("--overwrite", action="store_true",
                     help="replace a store that holds a different render")
    run = p.add_argument_group("where it runs")
    run.add_argument("--scheduler", help="address of a running Dask scheduler "
                     "(tcp://host:8786); default: a local cluster for this run")
    run.add_argument("--workers", type=int, default=None,
                     help="local cluster: worker processes (default: one per core)")
    run.add_argument("--threads-per-worker", type=int, default=1,
                     help="local cluster: threads per worker process (default 1)")
    run.add_argument("--threads", type=int, default=1,
                     help="native threads per chunk (default 1; 0 = every core)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def _view_keywords(args: argparse.Namespace, p: argparse.ArgumentParser) -> dict[str, Any]:
    edges = (args.xleft, args.xright, args.ybot, args.ytop)
    keywords: dict[str, Any] = {
        "family": "mandelbrot" if args.mandelbrot else "julia",
        "itermax": args.itermax,
        "threshold": args.threshold,
        "power": args.power,
    }
    if not args.mandelbrot:
        keywords["c"] = complex(args.real, args.imag)
    if args.center is not None or args.width is not None:
        if any(e is not None for e in edges):
            p.error("give --center and --width, or -x -X -y -Y, not both")
        if args.center is not None:
            parts = args.center.split(",")
            if len(parts) != 2:
                p.error(f"--center must be RE,IM (two numbers), got {args.center!r}")
            try:
                keywords["center"] = complex(float(parts[0]), float(parts[1]))
            except ValueError:
                p.error(f"--center must be RE,IM (two numbers), got {args.center!r}")
        if args.width is not None:
            try:
                keywords["width"] = float(args.width)
            except ValueError:
                p.error(f"--width must be a number, got {args.width!r}")
    elif any(e is not None for e in edges):
        defaults = (-1.6, 1.6, -1.0, 1.0) if not args.mandelbrot else (-2.0, 1.0, -1.0, 1.0)
        keywords["bounds"] = tuple(d if e is None else e for e, d in zip(edges, defaults))
    if args.size is not None and args.resolution is not None:
        p.error("give --size or -R/--resolution, not both")
    if args.size is not None:
        parts = args.size.lower().split("x")
        if len(parts) != 2 or not all(part.strip().isdigit() for part in parts):
            p.error(f"--size must be WIDTHxHEIGHT in pixels, got {args.size!r}")
        keywords["size"] = (int(parts[0]), int(parts[1]))
    elif args.resolution is not None:
        keywords["resolution"] = args.resolution
    elif "bounds" in keywords or "center" not in keywords:
        keywords["resolution"] = 500
    return keywords


def _client(args: argparse.Namespace) -> Any:
    from distributed import Client, LocalCluster

    if args.scheduler is not None:
        return Client(args.scheduler), None
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=args.threads_per_worker, processes=True,
        dashboard_address=None,
    )
    return Client(cluster), cluster


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = _parser()
    args = p.parse_args(argv)
    keywords = _view_keywords(args, p)
    if args.workers is not None and args.workers < 1:
        p.error(f"--workers must be at least 1, got {args.workers}")
    if args.threads_per_worker < 1:
        p.error(f"--threads-per-worker must be at least 1, got {args.threads_per_worker}")
    if args.tiles is not None and args.colormap is None:
        p.error("--tiles needs --colormap (tiles are images)")
    if args.fields is not None and args.colormap is not None:
        p.error("give --fields or --colormap, not both")

    import juliaset
    from juliaset import tiles, zarr_store

    # Workers resolve paths in their own working directories: give them absolute ones.
    if "://" not in args.output:
        args.output = os.path.abspath(args.output)
    if args.tiles is not None and "://" not in args.tiles:
        args.tiles = os.path.abspath(args.tiles)

    chunks = args.chunk
    try:
        if args.colormap is not None:
            family = keywords.pop("family")
            c = keywords.pop("c", None)
            parameters = juliaset.image_parameters(
                family, c=c, itermin=args.itermin, colormap=args.colormap,
                coloring=args.coloring, bits=args.bits, supersample=args.supersample,
                **keywords,
            )
            job = zarr_store.render_image(
                args.output, parameters, chunks=chunks, pyramid=not args.no_pyramid,
                overwrite=args.overwrite, threads=args.threads, compute=False,
            )
        else:
            fields = [f.strip() for f in (args.fields or "counts").split(",") if f.strip()]
            job = zarr_store.render_fields(
                args.output, fields=fields, chunks=chunks, pyramid=not args.no_pyramid,
                overwrite=args.overwrite, threads=args.threads, compute=False, **keywords,
            )
    except (ValueError, TypeError) as error:
        p.error(str(error))

    from distributed import progress

    client, cluster = _client(args)
    try:
        start = time.perf_counter()
        future = client.compute(job)
        if not args.no_progress:
            progress(future)
            print(file=sys.stderr)
        report = future.result()
        elapsed = time.perf_counter() - start
        print(
            f"juliaset-dask: {args.output}: {report['chunks']} chunks ({report['rendered']} "
            f"rendered, {report['kept']} already written), {report['pyramid_written']} pyramid "
            f"chunks written, {elapsed:.1f} s",
            file=sys.stderr,
        )
        if args.tiles is not None:
            start = time.perf_counter()
            tile_job = tiles.export_dzi(
                args.output, args.tiles, tile_size=args.tile_size, compute=False
            )
            future = client.compute(tile_job)
            if not args.no_progress:
                progress(future)
                print(file=sys.stderr)
            count = future.result()
            print(
                f"juliaset-dask: {args.tiles}/image.dzi: {count} tiles of the stored levels, "
                f"{time.perf_counter() - start:.1f} s",
                file=sys.stderr,
            )
    except (OSError, RuntimeError, ValueError) as error:
        print(f"juliaset-dask: error: {error}", file=sys.stderr)
        return 1
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
