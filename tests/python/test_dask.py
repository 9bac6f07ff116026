"""juliaset.dask, juliaset.zarr_store, juliaset.tiles and juliaset-dask on a real Dask cluster.

The cluster is a dask.distributed.LocalCluster with two worker processes (one thread each),
started once for this module. Every result is compared with the in-process render.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("dask")
pytest.importorskip("distributed")
pytest.importorskip("zarr")

import dask  # noqa: E402
from distributed import Client, LocalCluster, wait  # noqa: E402
from PIL import Image  # noqa: E402

import juliaset  # noqa: E402
import juliaset.dask as jd  # noqa: E402
from juliaset import tiles, zarr_store  # noqa: E402

SEED_VIEW = dict(bounds=(-0.1, 0.1, -0.1, 0.1), itermax=100)
# A slow view (much of it interior at a high itermax) for the tests that interrupt a render.
SLOW_VIEW = dict(center=-0.75 + 0.1j, width=0.3, itermax=4000)


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=50,
    )
    with Client(cluster) as c:
        yield c
    cluster.close()


def test_chunks_are_the_in_process_pixels_on_the_local_schedulers():
    fields = ("counts", "smooth", "final_norm", "interior", "distance")
    lazy = jd.julia(size=(203, 131), chunks=(50, 64), fields=fields, **SEED_VIEW)
    expected = juliaset.julia(size=(203, 131), fields=fields, **SEED_VIEW)
    assert lazy["counts"].chunks == ((50, 50, 31), (64, 64, 64, 11))
    for scheduler in ("threads", "sync"):
        (computed,) = dask.compute(lazy, scheduler=scheduler)
        for name in fields:
            assert computed[name].dtype == expected[name].dtype
            np.testing.assert_array_equal(computed[name], expected[name], err_msg=name)
    cubic = jd.mandelbrot(power=3, center=0j, width=3.0, size=(97, 61), chunks=32, itermax=60)
    np.testing.assert_array_equal(
        cubic.compute(scheduler="threads"),
        juliaset.mandelbrot(power=3, center=0j, width=3.0, size=(97, 61), itermax=60),
    )


@pytest.mark.parametrize(
    "image",
    [
        dict(colormap="gray", itermin=20),
        dict(colormap="gray", bits=16),
        dict(colormap="magma", coloring="smooth", supersample=2),
        dict(colormap="viridis", coloring="histogram", supersample=2),
    ],
)
def test_image_chunks_are_the_in_process_image(image):
    lazy = jd.julia_image(size=(150, 110), chunks=(40, 64), **SEED_VIEW, **image)
    expected = juliaset.julia_image(size=(150, 110), **SEED_VIEW, **image)
    computed = lazy.compute(scheduler="threads")
    assert computed.dtype == expected.dtype
    np.testing.assert_array_equal(computed, expected)


def test_errors_are_raised_before_anything_is_computed():
    with pytest.raises(ValueError, match="itermax"):
        jd.julia(itermax=0)
    with pytest.raises(ValueError, match="chunks"):
        jd.mandelbrot(size=(100, 100), chunks=0)
    with pytest.raises(ValueError, match="fields: unknown field"):
        jd.julia(fields=("counts", "colour"))
    with pytest.raises(ValueError, match="chunks must be regular"):
        zarr_store.render_fields("unused.zarr", size=(100, 100), chunks=((40, 60), (50, 50)))


def test_cluster_renders_the_in_process_values(client):
    fields = ("counts", "distance")
    lazy = jd.mandelbrot(size=(300, 200), chunks=64, fields=fields, itermax=300)
    computed = client.compute(lazy).result()
    expected = juliaset.mandelbrot(size=(300, 200), fields=fields, itermax=300)
    for name in fields:
        np.testing.assert_array_equal(computed[name], expected[name], err_msg=name)
    # Both worker processes took part.
    persisted = lazy["counts"].persist()
    wait(persisted)
    holders = client.who_has(persisted)
    assert len({address for addresses in holders.values() for address in addresses}) == 2
    del persisted


def _kill_one_worker(client) -> int:
    pids = client.run(os.getpid)
    pid = sorted(pids.values())[0]
    os.kill(pid, signal.SIGKILL)
    return pid


def _wait_for_workers(client, pid: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pids = client.run(os.getpid)
        except Exception:  # a worker is still starting
            pids = {}
        if len(pids) == 2 and pid not in pids.values():
            return
        time.sleep(0.2)
    raise AssertionError("the nanny did not restart the killed worker")


def _chunk_files(store: Path, array: str) -> dict[str, tuple[int, int, int]]:
    root = store / array / "c"
    if not root.is_dir():
        return {}
    found = {}
    for path in root.rglob("*"):
        if path.is_file() and ".partial" not in path.name:
            stat = path.stat()
            found[str(path.relative_to(root))] = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    return found


def test_a_worker_killed_while_writing_the_store_loses_nothing(client, tmp_path):
    store = tmp_path / "killed.zarr"
    size = (256, 256)
    job = zarr_store.render_fields(
        store, "mandelbrot", size=size, chunks=32, fields=("counts",), compute=False,
        **SLOW_VIEW,
    )
    future = client.compute(job)
    deadline = time.monotonic() + 60
    while len(_chunk_files(store, "counts/0")) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    pid = _kill_one_worker(client)
    assert len(_chunk_files(store, "counts/0")) < 64, "the write finished before the kill"
    report = future.result()
    assert report["chunks"] == 64
    levels = zarr_store.open_levels(store)
    np.testing.assert_array_equal(
        levels[0].compute(), juliaset.mandelbrot(size=size, **SLOW_VIEW)
    )
    _wait_for_workers(client, pid)


def _cluster_idle(client, timeout: float = 60.0) -> None:
    """Waits until no task is left: the scheduler forgets a gone client's tasks at once, but
    a worker finishes the one it is running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scheduled = client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))
        running = client.run(lambda dask_worker: len(dask_worker.active_threads))
        if scheduled == 0 and not any(running.values()):
            return
        time.sleep(0.1)
    raise AssertionError("the cluster still runs tasks")


def test_an_interrupted_write_resumes_without_redoing_chunks(client, tmp_path):
    store = tmp_path / "resumed.zarr"
    view = ["--mandelbrot", "--center=-0.75,0.1", "--width=0.3", "--size=256x256", "-M=4000"]
    command = [sys.executable, "-m", "juliaset.dask_cli", str(store), *view, "--chunk=32",
               f"--scheduler={client.scheduler.address}", "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(_chunk_files(store, "counts/0")) < 3 and time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.01)
        process.kill()  # SIGKILL: the command ends mid-write, its client gone
    finally:
        process.wait()
        process.stderr.close()
    _cluster_idle(client)
    before = _chunk_files(store, "counts/0")
    assert 3 <= len(before) < 64, "the write was not interrupted mid-way"
    # Damage one written chunk: the checksum must catch it and the resume rewrite it.
    damaged = sorted(before)[0]
    path = store / "counts" / "0" / "c" / damaged
    path.write_bytes(path.read_bytes()[:-7])
    before = _chunk_files(store, "counts/0")

    report = zarr_store.render_fields(
        store, "mandelbrot", size=(256, 256), chunks=32, compute=False, **SLOW_VIEW,
    )
    report = client.compute(report).result()
    assert report["chunks"] == 64
    assert report["kept"] == len(before) - 1
    assert report["rendered"] == 64 - report["kept"]
    after = _chunk_files(store, "counts/0")
    assert len(after) == 64
    for name, stat in before.items():
        if name == damaged:
            assert after[name] != stat, "the damaged chunk was kept"
        else:
            assert after[name] == stat, f"chunk {name} was written again"
    levels = zarr_store.open_levels(store)
    expected = juliaset.mandelbrot(size=(256, 256), **SLOW_VIEW)
    np.testing.assert_array_equal(levels[0].compute(), expected)
    for below, above in zip(levels, levels[1:]):
        np.testing.assert_array_equal(
            above.compute(), zarr_store.aggregate(below.compute(), "max")
        )
    # A different view into the same store is refused.
    with pytest.raises(ValueError, match="different render"):
        zarr_store.render_fields(store, "mandelbrot", size=(256, 256), chunks=32, itermax=50)


def test_pyramid_levels_are_consistent(client, tmp_path):
    store = tmp_path / "pyramid.zarr"
    size = (333, 205)  # odd sides: the last row and column aggregate the pixels that exist
    fields = ("counts", "distance", "interior")
    report = zarr_store.render_fields(store, "julia", size=size, chunks=48, fields=fields,
                                      **SEED_VIEW)
    assert report["rendered"] == report["chunks"] == 7 * 5
    expected = juliaset.julia(size=size, fields=fields, **SEED_VIEW)
    shapes = [(205, 333), (103, 167), (52, 84), (26, 42)]
    for name, rule in (("counts", "max"), ("distance", "min"), ("interior", "max")):
        levels = [level.compute() for level in zarr_store.open_levels(store, name)]
        assert [level.shape for level in levels] == shapes
        np.testing.assert_array_equal(levels[0], expected[name])
        for below, above in zip(levels, levels[1:]):
            # Recomputed here by hand: pad by repeating the edge, then 2 x 2 blocks.
            h, w = below.shape
            padded = np.pad(below, ((0, h % 2), (0, w % 2)), mode="edge")
            blocks = padded.reshape(padded.shape[0] // 2, 2, padded.shape[1] // 2, 2)
            reduce = np.max if rule == "max" else np.min
            np.testing.assert_array_equal(above, reduce(blocks, axis=(1, 3)))
    assert levels[0].dtype == np.bool_
    counts0 = zarr_store.open_levels(store, "counts")[0]
    assert counts0.dtype == np.uint8  # itermax 100 fits a byte
    attributes = zarr_store.read_attributes(store)
    assert attributes["pixels"] == [333, 205] and attributes["levels"] == 4
    assert attributes["c"] == ["-0.835", "-0.2321"]
    assert attributes["version"] == juliaset.__version__
    assert attributes["region"]["xleft"] == "-0.1"
    # The recorded view renders the same pixels again.
    again = jd.fields_of(zarr_store.view_from_attributes(attributes), chunks=100)["counts"]
    assert again.chunks[0][0] == 100
    again = again.compute()
    np.testing.assert_array_equal(again, expected["counts"])
    import zarr

    ome = zarr.open_group(store / "counts", mode="r").attrs["ome"]
    (multiscale,) = ome["multiscales"]
    assert ome["version"] == "0.5" and multiscale["type"] == "max"
    assert [d["path"] for d in multiscale["datasets"]] == ["0", "1", "2", "3"]
    assert multiscale["datasets"][2]["coordinateTransformations"][0]["scale"] == [4.0, 4.0]


def test_image_store_and_deep_zoom_tiles(client, tmp_path):
    store = tmp_path / "image.zarr"
    parameters = juliaset.image_parameters(
        "julia", size=(300, 170), colormap="inferno", coloring="histogram", **SEED_VIEW
    )
    zarr_store.render_image(store, parameters, chunks=64)
    levels = [level.compute() for level in zarr_store.open_levels(store)]
    expected = juliaset.render_parameters(parameters)
    assert levels[0].shape == (3, 170, 300)
    np.testing.assert_array_equal(np.moveaxis(levels[0], 0, 2), expected)
    for below, above in zip(levels, levels[1:]):
        h, w = below.shape[1:]
        padded = np.pad(below, ((0, 0), (0, h % 2), (0, w % 2)), mode="edge").astype(np.int64)
        blocks = padded.reshape(3, padded.shape[1] // 2, 2, padded.shape[2] // 2, 2)
        np.testing.assert_array_equal(above, (blocks.sum(axis=(2, 4)) + 2) // 4)

    out = tmp_path / "tiles"
    dzi = tiles.export_dzi(store, out, tile_size=128)
    root = ElementTree.parse(dzi).getroot()
    namespace = {"dz": tiles.DZI_NAMESPACE}
    assert root.get("TileSize") == "128" and root.get("Overlap") == "0"
    size = root.find("dz:Size", namespace)
    assert (size.get("Width"), size.get("Height")) == ("300", "170")
    top = math.ceil(math.log2(300))
    files = out / "image_files"
    assert sorted(int(p.name) for p in files.iterdir()) == list(range(top + 1))
    for level in range(top + 1):
        scale = 2 ** (top - level)
        width, height = math.ceil(300 / scale), math.ceil(170 / scale)
        columns, rows = math.ceil(width / 128), math.ceil(height / 128)
        names = {p.name for p in (files / str(level)).iterdir()}
        assert names == {f"{c}_{r}.png" for c in range(columns) for r in range(rows)}
        canvas = np.zeros((height, width, 3), np.uint8)
        for c in range(columns):
            for r in range(rows):
                with Image.open(files / str(level) / f"{c}_{r}.png") as tile:
                    assert tile.mode == "RGB"
                    canvas[r * 128:(r + 1) * 128, c * 128:(c + 1) * 128] = np.asarray(tile)
        if top - level < len(levels):
            np.testing.assert_array_equal(canvas, np.moveaxis(levels[top - level], 0, 2))
    with Image.open(files / "0" / "0_0.png") as tile:
        assert tile.size == (1, 1)


def test_the_command_rejects_bad_arguments_with_status_2(tmp_path, capsys):
    from juliaset import dask_cli

    output = str(tmp_path / "x.zarr")
    for flags, message in (
        (["--tiles", str(tmp_path / "t")], "--tiles needs --colormap"),
        (["--size=10by10"], "--size"),
        (["--center=1", "--width=2"], "--center"),
        (["--colormap=nope"], "colormap"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            dask_cli.main([output, *flags])
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err.splitlines()[-1]
    # The installed console script, as a user runs it.
    script = Path(sys.executable).with_name("juliaset-dask")
    result = subprocess.run([str(script), output, "-M=0"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2, result.stderr
    assert "itermax must be between 1" in result.stderr.splitlines()[-1]
    assert not (tmp_path / "x.zarr").exists()


def test_the_command_renders_an_image_store_and_tiles_on_the_cluster(client, tmp_path):
    store, folder = tmp_path / "seed.zarr", tmp_path / "tiles"
    script = Path(sys.executable).with_name("juliaset-dask")
    result = subprocess.run(
        [str(script), str(store), "-x=-0.1", "-X=0.1", "-y=-0.1", "-Y=0.1", "-m=20", "-M=100",
         "-R=300", "--colormap=gray", "--chunk=128", f"--tiles={folder}",
         f"--scheduler={client.scheduler.address}", "--no-progress"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "9 chunks (9 rendered, 0 already written)" in result.stderr
    # The seed's gray image, pixel for pixel, in the store and in the top Deep Zoom level.
    expected = juliaset.julia_image(bounds=(-0.1, 0.1, -0.1, 0.1), resolution=300, itermin=20,
                                    itermax=100, colormap="gray")
    np.testing.assert_array_equal(zarr_store.open_levels(store)[0].compute(), expected)
    top = math.ceil(math.log2(300))
    canvas = np.zeros((300, 300), np.uint8)
    for c in range(2):
        for r in range(2):
            with Image.open(folder / "image_files" / str(top) / f"{c}_{r}.png") as tile:
                assert tile.mode == "L"
                canvas[r * 256:(r + 1) * 256, c * 256:(c + 1) * 256] = np.asarray(tile)
    np.testing.assert_array_equal(canvas, expected)
    assert zarr_store.read_attributes(store)["image"]["itermin"] == 20


# fractalshades' deep location (the peer's minibrot), cut to 86 digits: 1e-40 is far below
# what doubles resolve, so every chunk goes through the deep engine.
DEEP_CENTER = (
    "-1.9999661944503703041843468850635057967553124154072485151176192294480158424234268438",
    "0.0000000000000000000000000000000003001382436790938324072497303977592498734683119077",
)
DEEP_VIEW = dict(center=DEEP_CENTER, width="1e-40", itermax=5000, threshold=100.0)


def test_deep_views_on_the_cluster(client, tmp_path):
    fields = ("counts", "smooth", "distance")
    lazy = jd.mandelbrot(size=(96, 64), chunks=(24, 40), fields=fields, **DEEP_VIEW)
    assert lazy["counts"].npartitions == 9
    computed = client.compute(lazy).result()
    expected = juliaset.mandelbrot(size=(96, 64), fields=fields, **DEEP_VIEW)
    assert len(np.unique(expected["counts"])) > 20  # the view has structure
    for name in fields:
        np.testing.assert_array_equal(computed[name], expected[name], err_msg=name)
    # A deep Julia image, smooth and supersampled, in chunks.
    julia = juliaset.image_parameters(
        "julia", c=("-0.835", "-0.2321"), center=("0.3", "0.1"), width="1e-30", size=(60, 40),
        itermax=3000, coloring="smooth", colormap="inferno", supersample=2,
    )
    image = client.compute(jd.render_parameters(julia, chunks=16)).result()
    np.testing.assert_array_equal(image, juliaset.render_parameters(julia))
    # Stores record the exact strings (no double region) and render the same pixels again.
    store = tmp_path / "deep.zarr"
    zarr_store.render_fields(store, "mandelbrot", size=(96, 64), chunks=32, fields=fields,
                             **DEEP_VIEW)
    attributes = zarr_store.read_attributes(store)
    assert attributes["region"] is None
    assert attributes["center"] == list(DEEP_CENTER) and attributes["width"] == "1e-40"
    np.testing.assert_array_equal(zarr_store.open_levels(store, "counts")[0].compute(),
                                  expected["counts"])
    again = jd.fields_of(zarr_store.view_from_attributes(attributes), ("counts",), chunks=50)
    np.testing.assert_array_equal(again["counts"].compute(), expected["counts"])
    histogram = juliaset.image_parameters("mandelbrot", size=(96, 64), coloring="histogram",
                                          colormap="viridis", **DEEP_VIEW)
    image_store = tmp_path / "deep-image.zarr"
    zarr_store.render_image(image_store, histogram, chunks=32)
    stored = zarr_store.open_levels(image_store)[0].compute()
    np.testing.assert_array_equal(np.moveaxis(np.asarray(stored), 0, -1),
                                  juliaset.render_parameters(histogram))
