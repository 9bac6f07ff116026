"""Scale benchmark of juliaset on Dask: the seed's view rendered into Zarr on a local cluster.

    python -m juliaset.dask_bench [--size 100000] [--compare-size 20000] [--chunk 1024]

The seed's view (c = -0.835 - 0.2321i, region [-0.1, 0.1]^2, itermax 100; itermin 20 only
matters for colouring, so the counts are stored) at ``--size`` x ``--size`` pixels is written
as counts (uint8) with its pyramid into a Zarr store on a LocalCluster of two single-threaded
worker processes: the time, throughput, store size and peak memory (RSS) of each worker.

At ``--compare-size`` (smaller, so that each run stays short) it measures the ratios:

- one worker against two (the same Zarr write, with the pyramid);
- Dask's overhead: the lazy array reduced to its sum on two workers (no storage) against the
  same pixels rendered in process by the native engine on two threads, window by window
  (``fields_window`` over the same chunks, each freed at once: an image this size does not fit
  in memory whole);
- the Zarr write's cost on top of the Dask render.

Not a test: it prints a table and writes ``bench-results/dask.json``. This machine's load
varies; compare ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Dict

import numpy as np

SEED: Dict[str, Any] = dict(c=-0.835 - 0.2321j, bounds=(-0.1, 0.1, -0.1, 0.1), itermax=100)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _store_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _cluster(workers: int) -> Any:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=40,
    )
    client = Client(cluster)
    # Imports happen before the clock starts (a worker's first task would pay for them).
    client.run(_warm_up)
    return cluster, client


def _warm_up() -> None:
    import juliaset.dask
    import juliaset.zarr_store

    juliaset.dask.render_window(juliaset.dask.view("julia", size=(64, 64)), ("counts",), 0, 0,
                                64, 64)


def zarr_write(size: int, chunk: int, workers: int, directory: Path) -> Dict[str, Any]:
    """The seed's view into a fresh store on ``workers`` single-threaded worker processes."""
    from juliaset import zarr_store

    store = directory / f"seed-{size}-{workers}w.zarr"
    cluster, client = _cluster(workers)
    try:
        job = zarr_store.render_fields(
            store, "julia", size=(size, size), chunks=chunk, compute=False, **SEED
        )
        start = time.perf_counter()
        report = client.compute(job).result()
        seconds = time.perf_counter() - start
        peaks = client.run(_peak_rss_mb)
    finally:
        client.close()
        cluster.close()
    stored = _store_bytes(store)
    shutil.rmtree(store, ignore_errors=True)
    return {
        "size": size, "chunk": chunk, "workers": workers, "seconds": seconds,
        "pixels_per_second": size * size / seconds, "store_bytes": stored,
        "peak_rss_mb_per_worker": sorted(peaks.values()), "chunks": report["chunks"],
        "pyramid_chunks": report["pyramid_written"],
    }


def dask_sum(size: int, chunk: int, workers: int) -> Dict[str, Any]:
    """The lazy array's sum on the cluster: the render with Dask and no storage."""
    import juliaset.dask as jd

    cluster, client = _cluster(workers)
    try:
        lazy = jd.julia(size=(size, size), chunks=chunk, **SEED)
        assert not isinstance(lazy, dict)
        start = time.perf_counter()
        total = int(client.compute(lazy.sum(dtype=np.uint64)).result())
        seconds = time.perf_counter() - start
    finally:
        client.close()
        cluster.close()
    return {"seconds": seconds, "sum": total}


def native(size: int, chunk: int, threads: int) -> Dict[str, Any]:
    """The same pixels in process: the native engine on ``threads`` threads, chunk by chunk."""
    import juliaset.dask as jd

    view = jd.view("julia", size=(size, size), **SEED)
    total = 0
    start = time.perf_counter()
    for y0 in range(0, size, chunk):
        for x0 in range(0, size, chunk):
            counts = jd.render_window(
                view, ("counts",), x0, y0, min(chunk, size - x0), min(chunk, size - y0),
                threads=threads,
            )["counts"]
            total += int(counts.sum(dtype=np.uint64))
    return {"seconds": time.perf_counter() - start, "sum": total}


def main(argv: Any = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m juliaset.dask_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="side of the big render")
    parser.add_argument("--compare-size", type=int, default=20_000,
                        help="side of the renders that measure the ratios")
    parser.add_argument("--chunk", type=int, default=1024, help="chunk side (default 1024)")
    parser.add_argument("--skip-big", action="store_true", help="only the ratios")
    parser.add_argument("--skip-compare", action="store_true", help="only the big render")
    parser.add_argument("--directory", default=None, help="where the stores go (a temp dir)")
    parser.add_argument("--output", default="bench-results/dask.json")
    args = parser.parse_args(argv)

    directory = Path(args.directory or tempfile.mkdtemp(prefix="juliaset-dask-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    results: Dict[str, Any] = {"cpu_count": os.cpu_count(), "load_before": os.getloadavg()}
    n, chunk = args.compare_size, args.chunk

    if not args.skip_compare:
        one = zarr_write(n, chunk, 1, directory)
        two = zarr_write(n, chunk, 2, directory)
        summed = dask_sum(n, chunk, 2)
        inproc = native(n, chunk, 2)
        if summed["sum"] != inproc["sum"]:
            raise SystemExit(f"checksums differ: dask {summed['sum']} vs native {inproc['sum']}")
        results["compare"] = compare = {
            "size": n, "zarr_one_worker": one, "zarr_two_workers": two,
            "dask_sum_two_workers": summed, "native_two_threads": inproc,
            "two_vs_one": one["seconds"] / two["seconds"],
            "dask_overhead": summed["seconds"] / inproc["seconds"] - 1.0,
            "zarr_overhead": two["seconds"] / summed["seconds"] - 1.0,
            "zarr_vs_native": two["seconds"] / inproc["seconds"] - 1.0,
        }
        print(f"ratios at {n} x {n} ({n * n / 1e6:.0f} Mpx, chunks {chunk}):")
        print(f"  Zarr write, 1 worker   {one['seconds']:8.2f} s")
        print(f"  Zarr write, 2 workers  {two['seconds']:8.2f} s   two vs one: "
              f"{compare['two_vs_one']:.2f}x")
        print(f"  Dask sum, 2 workers    {summed['seconds']:8.2f} s")
        print(f"  native, 2 threads      {inproc['seconds']:8.2f} s   Dask overhead: "
              f"{100 * compare['dask_overhead']:+.1f} %")
        print(f"  Zarr write vs Dask render: {100 * compare['zarr_overhead']:+.1f} %, "
              f"vs native: {100 * compare['zarr_vs_native']:+.1f} %")
    if not args.skip_big:
        results["big"] = zarr_write(args.size, chunk, 2, directory)
    results["load_after"] = os.getloadavg()
    if args.directory is None:
        shutil.rmtree(directory, ignore_errors=True)
    if "big" in results:
        big = results["big"]
        print(f"big: {big['size']} x {big['size']} into Zarr on 2 workers: "
              f"{big['seconds']:.1f} s, {big['pixels_per_second'] / 1e6:.1f} Mpx/s, store "
              f"{big['store_bytes'] / 1e9:.2f} GB, peak RSS per worker "
              f"{', '.join(f'{m:.0f}' for m in big['peak_rss_mb_per_worker'])} MB")
    print(f"load average before {results['load_before']}, after {results['load_after']}")
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
