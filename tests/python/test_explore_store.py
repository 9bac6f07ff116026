"""``juliaset-explore --store``: a stored pyramid's description and tiles over HTTP, from a real
server process, compared with the store's own arrays (zarr) and the renderer's images."""

from __future__ import annotations

import io
import json
import subprocess

import numpy as np
import pytest
from PIL import Image

import juliaset
from explore_helpers import command, start_server

zarr = pytest.importorskip("zarr")
from juliaset import zarr_store  # noqa: E402

SEED_C = complex(-0.835, -0.2321)


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stores")
    rgb = juliaset.image_parameters("mandelbrot", center=complex(-0.75, 0.1), width=0.5,
                                    size=(300, 200), itermax=200, colormap="inferno")
    zarr_store.render_image(folder / "rgb.zarr", rgb, chunks=64)
    gray16 = juliaset.image_parameters("julia", c=SEED_C, size=(150, 100), itermax=120,
                                       colormap="gray", bits=16, coloring="smooth")
    zarr_store.render_image(folder / "gray16.zarr", gray16, chunks=64)
    zarr_store.render_fields(folder / "fields.zarr", "julia", c=SEED_C, size=(200, 130),
                             itermax=300, fields=("counts", "smooth"), chunks=64)
    return folder


@pytest.fixture(scope="module")
def rgb_server(stores):
    running = start_server("--store", str(stores / "rgb.zarr"))
    yield running
    code, err = running.stop()
    assert code == 0, err


def png_pixels(body: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "PNG"
        return np.asarray(image)


def stored_chunk(path, level: int, row: int, col: int) -> np.ndarray:
    """Chunk (row, col) of an image store's level, as (h, w) or (h, w, 3)."""
    array = zarr.open_array(str(path), path=f"image/{level}", mode="r")
    rows, cols = array.chunks[-2:]
    region = (slice(row * rows, (row + 1) * rows), slice(col * cols, (col + 1) * cols))
    if array.ndim == 3:
        return np.moveaxis(np.asarray(array[(slice(None),) + region]), 0, 2)
    return np.asarray(array[region])


def test_the_first_line_is_the_store_pages_url_and_it_describes_the_store(rgb_server, stores):
    assert rgb_server.url.endswith("/store")
    status, headers, page = rgb_server.get("/store")
    assert status == 200 and b'src="/static/store.js"' in page
    assert "default-src 'none'" in headers["content-security-policy"]
    status, described = rgb_server.json("/api/store")
    assert status == 200
    attributes = zarr_store.read_attributes(str(stores / "rgb.zarr"))
    assert described["attributes"] == attributes
    assert described["kind"] == "image" and described["pixels"] == [300, 200]
    assert described["chunks"] == [64, 64]
    assert [level["shape"] for level in described["levels"]] == [
        [200, 300], [100, 150], [50, 75], [25, 38]]
    assert [level["tiles"] for level in described["levels"]] == [[4, 5], [2, 3], [1, 2], [1, 1]]
    assert (described["colormap"], described["coloring"]) == ("inferno", "count")
    status, info = rgb_server.json("/api/info")
    assert status == 200 and info["store"] is True


def test_every_tile_is_exactly_its_stored_chunk(rgb_server, stores):
    _, described = rgb_server.json("/api/store")
    checked = 0
    for level in described["levels"]:
        rows, cols = level["tiles"]
        for row in range(rows):
            for col in range(cols):
                status, headers, body = rgb_server.get(
                    f"/api/store/tile/{level['level']}/{row}/{col}.png")
                assert status == 200 and headers["content-type"] == "image/png"
                expected = stored_chunk(stores / "rgb.zarr", level["level"], row, col)
                pixels = png_pixels(body)
                assert pixels.shape == expected.shape and pixels.dtype == np.uint8
                assert np.array_equal(pixels, expected), (level["level"], row, col)
                checked += 1
    assert checked == 20 + 6 + 2 + 1
    # Level 0 put together is the renderer's image of the view.
    image = juliaset.mandelbrot_image(center=complex(-0.75, 0.1), width=0.5, size=(300, 200),
                                      itermax=200, colormap="inferno")
    _, _, body = rgb_server.get("/api/store/tile/0/3/4.png")
    assert np.array_equal(png_pixels(body), image[192:200, 256:300])


def test_a_tile_is_revalidated_by_its_etag(rgb_server):
    status, headers, _ = rgb_server.get("/api/store/tile/1/1/2.png")
    assert status == 200 and headers["cache-control"] == "no-cache"
    status, again, body = rgb_server.get("/api/store/tile/1/1/2.png",
                                         headers={"If-None-Match": headers["etag"]})
    assert status == 304 and body == b"" and again["etag"] == headers["etag"]
    status, _, _ = rgb_server.get("/api/store/tile/1/1/1.png",
                                  headers={"If-None-Match": headers["etag"]})
    assert status == 200


@pytest.mark.parametrize(
    "path, parameter",
    [
        ("/api/store/tile/4/0/0.png", "level"),
        ("/api/store/tile/0/4/0.png", "row"),
        ("/api/store/tile/0/0/5.png", "col"),
        ("/api/store/tile/2/1/0.png", "row"),
        ("/api/store/tile/x/0/0.png", "level"),
        ("/api/store/tile/0/-1/0.png", "row"),
        ("/api/store/tile/0/0/1e3.png", "col"),
        ("/api/store/tile/0/0/0.png?colormap=gray", "colormap"),
        ("/api/store/tile/0/0/0.png?v=1", "v"),
    ],
)
def test_bad_tile_parameters_get_400_naming_them(rgb_server, path, parameter):
    status, headers, body = rgb_server.get(path)
    assert status == 400, body
    answer = json.loads(body)
    assert answer["parameter"] == parameter and parameter in answer["error"]
    assert headers["content-type"] == "application/json"


def test_16_bit_gray_tiles_are_the_high_bytes(stores):
    running = start_server("--store", str(stores / "gray16.zarr"))
    try:
        status, _, body = running.get("/api/store/tile/0/1/2.png")
        assert status == 200
        expected = stored_chunk(stores / "gray16.zarr", 0, 1, 2)
        assert expected.dtype == np.uint16 and expected.max() > 255
        pixels = png_pixels(body)
        assert pixels.dtype == np.uint8 and pixels.ndim == 2
        assert np.array_equal(pixels, (expected >> 8).astype(np.uint8))
    finally:
        code, err = running.stop()
    assert code == 0, err


def test_fields_tiles_are_counts_coloured_as_the_renderer_colours_them(stores):
    running = start_server("--store", str(stores / "fields.zarr"))
    try:
        _, described = running.json("/api/store")
        assert described["kind"] == "fields" and described["default_colormap"] in \
            described["colormaps"]
        for colormap in ("magma", "gray"):
            image = juliaset.julia_image(SEED_C, size=(200, 130), itermax=300,
                                         colormap=colormap, coloring="count")
            if image.ndim == 2:
                image = image.astype(np.uint8)
            for row, col in ((0, 0), (1, 2), (2, 3)):
                status, _, body = running.get(f"/api/store/tile/0/{row}/{col}.png",
                                              {"colormap": colormap})
                assert status == 200
                expected = image[row * 64:(row + 1) * 64, col * 64:(col + 1) * 64]
                assert np.array_equal(png_pixels(body), expected), (colormap, row, col)
        status, _, body = running.get("/api/store/tile/0/0/0.png", {"colormap": "nope"})
        assert status == 400 and json.loads(body)["parameter"] == "colormap"
    finally:
        code, err = running.stop()
    assert code == 0, err


def refused(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([*command(), "--port", "0", *arguments], capture_output=True,
                          text=True, timeout=60)


def test_what_is_not_a_juliaset_store_is_refused_at_start(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    zarr.open_group(str(tmp_path / "other.zarr"), mode="w").attrs["x"] = 1
    zarr_store.render_fields(tmp_path / "distance.zarr", "julia", c=SEED_C, size=(40, 30),
                             fields=("distance",))
    for path, message in (
        (tmp_path / "missing.zarr", "no such file"),
        (plain, "not a Zarr store"),
        (tmp_path / "other.zarr", "not a juliaset store"),
        (tmp_path / "distance.zarr", "without counts"),
    ):
        result = refused("--store", str(path))
        assert result.returncode == 2, result
        assert result.stdout == ""  # no URL: nothing was served
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"juliaset-explore: --store {path}: ")
        assert message in lines[0], lines[0]


def test_without_a_store_the_store_routes_say_how_to_get_one():
    running = start_server()
    try:
        for path in ("/store", "/api/store", "/api/store/tile/0/0/0.png"):
            status, _, body = running.get(path)
            assert status == 404 and "--store" in json.loads(body)["error"]
        assert running.json("/api/info")[1]["store"] is False
    finally:
        code, err = running.stop()
    assert code == 0, err
