"""The keyword API: regions and sizes, PNG metadata round trips, bad input, docs, Ctrl-C."""

from __future__ import annotations

import doctest
import json
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import juliaset
from juliaset import _core, _metadata, _modern

SEED_C = -0.835 - 0.2321j


# --- regions and sizes ----------------------------------------------------------------------


def test_center_and_width_give_square_pixels():
    a = juliaset.julia(center=0.1 + 0.2j, width=1.0, size=(40, 30), itermax=20)
    b = juliaset.julia(bounds=(-0.4, 0.6, 0.2 - 0.375, 0.2 + 0.375), size=(40, 30), itermax=20)
    assert a.shape == (30, 40)
    assert np.array_equal(a, b)


def test_mandelbrot_default_region():
    p = juliaset.image_parameters("mandelbrot")
    assert p["region"] == {"xleft": -2.0, "xright": 1.0, "ybot": -0.9375, "ytop": 0.9375}
    assert (p["width"], p["height"]) == (800, 500)


@settings(max_examples=30, deadline=None)
@given(
    xleft=st.floats(-3, 3), xspan=st.floats(0.01, 4), ybot=st.floats(-3, 3),
    yspan=st.floats(0.01, 4), resolution=st.integers(1, 300),
)
def test_resolution_follows_the_seeds_rule(xleft, xspan, ybot, yspan, resolution):
    bounds = (xleft, xleft + xspan, ybot, ybot + yspan)
    if bounds[0] == bounds[1] or bounds[2] == bounds[3]:
        return
    try:
        expected = _core.grid_shape(*bounds, resolution)
    except ValueError:  # too flat for this resolution: the keyword API must say so too
        with pytest.raises(ValueError):
            juliaset.image_parameters(bounds=bounds, resolution=resolution)
        return
    p = juliaset.image_parameters(bounds=bounds, resolution=resolution)
    assert (p["width"], p["height"]) == expected
    assert expected[0] == resolution
    ratio = abs(bounds[3] - bounds[2]) / abs(bounds[1] - bounds[0])
    assert abs(expected[1] - resolution * ratio) <= 0.5 + 1e-9 * resolution * ratio


def test_resolution_without_bounds_uses_the_default_aspect():
    counts = juliaset.julia(resolution=160, itermax=30)
    assert counts.shape == (100, 160)
    assert np.array_equal(counts, juliaset.julia(size=(160, 100), itermax=30))


def test_reversed_bounds_mirror_the_image():
    plain = juliaset.julia(bounds=(-1.6, 1.6, -1.0, 1.0), size=(64, 40), itermax=40)
    mirrored = juliaset.julia(bounds=(1.6, -1.6, -1.0, 1.0), size=(64, 40), itermax=40)
    # Column i of the mirror samples 1.6 - i * 0.05, column 64 - i of the plain one the same x
    # (up to rounding), so compare away from the boundary's sensitive pixels loosely.
    assert np.count_nonzero(mirrored[:, 1:] != plain[:, :0:-1]) <= plain.size // 50


# --- PNG metadata -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        {"family": "julia", "c": 0.1 + 0.2 - 0.7j, "colormap": "gray", "itermin": 5},
        {"family": "julia", "colormap": "gray", "bits": 16, "coloring": "smooth"},
        {"family": "mandelbrot", "colormap": "magma_r", "coloring": "histogram", "supersample": 2},
        {"family": "mandelbrot", "power": 3, "colormap": "cividis", "center": -0.1 + 0.3j,
         "width": 0.7},
    ],
)
def test_save_read_render_round_trip_gives_identical_pixels(tmp_path, arguments):
    if arguments["colormap"] == "cividis":
        pytest.importorskip("matplotlib")
    parameters = juliaset.image_parameters(size=(70, 45), itermax=90, **arguments)
    image = juliaset.render_parameters(parameters)
    path = tmp_path / "image.png"
    juliaset.save_png(path, image, parameters)
    read = juliaset.read_parameters(path)
    assert read == parameters  # every float survives JSON exactly
    with Image.open(path) as png:
        decoded = np.asarray(png)
    assert decoded.dtype == image.dtype and np.array_equal(decoded, image)
    assert np.array_equal(juliaset.render_parameters(read), decoded)


def test_single_precision_records_render_with_the_float_kernels():
    # The command can write precision "single"; its images come from the float counts.
    parameters = {**juliaset.image_parameters(size=(90, 60), colormap="gray"), "precision": "single"}
    image = juliaset.render_parameters(parameters)
    region = parameters["region"]
    counts = _core.escape_counts(
        region["xleft"], region["xright"], region["ybot"], region["ytop"], 90, -0.835, -0.2321,
        2.0, 0, 100, precision="single",
    )
    assert image.shape == counts.shape
    assert np.array_equal(image, (counts / 100 * 255).astype(np.uint8))


def test_metadata_is_one_text_chunk_with_the_documented_keys(tmp_path):
    parameters = juliaset.image_parameters("julia", size=(8, 5), colormap="viridis")
    path = tmp_path / "small.png"
    juliaset.save_png(str(path), juliaset.render_parameters(parameters), parameters)
    data = path.read_bytes()
    # A chunk is: 4-byte length, type, data, CRC; the data is the keyword, NUL, then the text.
    chunk_type = data.index(b"tEXtjuliaset\x00")
    length = int.from_bytes(data[chunk_type - 4 : chunk_type], "big")
    text = json.loads(data[chunk_type + 4 + len(b"juliaset\x00") : chunk_type + 4 + length])
    assert data.count(b"tEXtjuliaset") == 1
    assert set(text) == {
        "schema", "engine", "family", "power", "c", "region", "width", "height", "threshold", "itermin",
        "itermax", "coloring", "colormap", "bits", "supersample", "precision",
    }
    assert text["engine"] == f"juliaset {juliaset.__version__}"
    assert text["precision"] == "double"
    assert text["region"] == {"xleft": -1.6, "xright": 1.6, "ybot": -1.0, "ytop": 1.0}
    assert text["c"] == [-0.835, -0.2321]
    # Every key is described in the schema's docstring.
    for key in text:
        assert f"``{key}``" in (_metadata.__doc__ or ""), key


def test_read_parameters_of_a_png_without_them_is_a_value_error(tmp_path):
    path = tmp_path / "plain.png"
    Image.fromarray(np.zeros((3, 4), dtype=np.uint8)).save(path)
    with pytest.raises(ValueError, match="no 'juliaset' text chunk"):
        juliaset.read_parameters(path)


def test_save_png_checks_the_image_against_the_parameters(tmp_path):
    parameters = juliaset.image_parameters(size=(8, 5), colormap="gray")
    with pytest.raises(ValueError, match=r"image is uint8 \(5, 8, 3\)"):
        juliaset.save_png(tmp_path / "x.png", np.zeros((5, 8, 3), np.uint8), parameters)
    with pytest.raises(ValueError, match=r"parameters\['itermin'\]"):
        juliaset.save_png(
            tmp_path / "x.png", np.zeros((5, 8), np.uint8), {**parameters, "itermin": 100}
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"family": "burning ship"}, r"parameters\['family'\] must be 'julia' or 'mandelbrot'"),
        ({"power": 17}, r"parameters\['power'\] must be between 2 and 16"),
        ({"c": [1.0]}, r"parameters\['c'\] must be \[re, im\]"),
        ({"region": {"xleft": 0, "xright": 0, "ybot": 0, "ytop": 1}}, "xleft and xright must differ"),
        ({"width": 0}, r"parameters\['width'\] must be between 1"),
        ({"bits": 12}, r"parameters\['bits'\] must be 8 or 16"),
        ({"coloring": "smooth", "threshold": 1.0}, "above 1 for smooth"),
        ({"precision": "half"}, r"parameters\['precision'\] must be 'double' or 'single'"),
        ({"precision": "single", "coloring": "smooth"}, "does not support smooth colouring"),
        ({"colormap": "nope"}, "unknown colormap 'nope'"),
    ],
)
def test_render_parameters_names_the_bad_entry(change, message):
    parameters = {**juliaset.image_parameters(size=(8, 5)), **change}
    with pytest.raises(ValueError, match=message):
        juliaset.render_parameters(parameters)


def test_render_parameters_needs_every_entry():
    parameters = juliaset.image_parameters(size=(8, 5))
    del parameters["itermax"]
    with pytest.raises(ValueError, match="parameters has no 'itermax' entry"):
        juliaset.render_parameters(parameters)
    # Unknown keys are ignored: later writers may add some.
    assert juliaset.render_parameters({**juliaset.image_parameters(size=(8, 5)), "x": 1}).shape


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: juliaset.julia(fields="count"), ValueError, "unknown field 'count'; valid fields are counts, smooth, final_norm, interior, distance"),
        (lambda: juliaset.julia(fields=[]), ValueError, "fields must name at least one"),
        (lambda: juliaset.julia(fields=3), TypeError, "fields must be a field name"),
        (lambda: juliaset.julia(power=1), ValueError, "power must be between 2 and 16, got 1"),
        (lambda: juliaset.mandelbrot(power=17), ValueError, "power must be between 2 and 16"),
        (lambda: juliaset.julia(power=2.0), TypeError, "power must be an integer"),
        (lambda: juliaset.julia(size=(0, 10)), ValueError, r"size\[0\] \(width in pixels\) must be between 1"),
        (lambda: juliaset.julia(size=(10, 0)), ValueError, r"size\[1\] \(height in pixels\)"),
        (lambda: juliaset.julia(size=10), TypeError, r"size must be \(width_px, height_px\)"),
        (lambda: juliaset.julia(size=(4, 4), resolution=4), TypeError, "size or resolution"),
        (lambda: juliaset.julia(resolution=0), ValueError, "resolution must be between 1"),
        (lambda: juliaset.julia_image(bits=12), ValueError, "bits must be 8 or 16, got 12"),
        (lambda: juliaset.julia_image(supersample=0), ValueError, "supersample must be between 1 and 16"),
        (lambda: juliaset.julia_image(supersample=17), ValueError, "supersample must be between 1 and 16"),
        (lambda: juliaset.julia(fields="smooth", threshold=1.0), ValueError, "threshold must be above 1 for the smooth field"),
        (lambda: juliaset.julia_image(coloring="smooth", threshold=0.5), ValueError, "threshold must be above 1 for coloring='smooth'"),
        (lambda: juliaset.julia_image(coloring="linear"), ValueError, "coloring must be 'count', 'smooth' or 'histogram'"),
        (lambda: juliaset.julia_image(colormap="nope"), ValueError, "unknown colormap 'nope'"),
        (lambda: juliaset.julia(bounds=(1, 1, 0, 1)), ValueError, "bounds: xleft and xright must differ"),
        (lambda: juliaset.julia(bounds=(0, 1, 2, 2)), ValueError, "bounds: ybot and ytop must differ"),
        (lambda: juliaset.julia(bounds=(0, float("nan"), 0, 1)), ValueError, r"bounds\[1\] \(xright\) must be a finite number"),
        (lambda: juliaset.julia(bounds=(0, 1, 0)), TypeError, r"bounds must be \(xleft, xright, ybot, ytop\)"),
        (lambda: juliaset.julia(bounds=(0, 1e200, 0, 1)), ValueError, r"bounds\[1\] \(xright\) must lie within"),
        (lambda: juliaset.julia(complex(float("nan"), 0)), ValueError, "c must have finite real and imaginary parts"),
        (lambda: juliaset.julia(center=complex(0, float("inf"))), ValueError, "center must have finite"),
        (lambda: juliaset.julia(width=0), ValueError, r"width \(of the region in the plane\) must be above 0"),
        (lambda: juliaset.julia(width=float("nan")), ValueError, "width must be a finite number"),
        (lambda: juliaset.julia(threshold=0), ValueError, "threshold must be above 0"),
        (lambda: juliaset.julia(threshold=float("nan")), ValueError, "threshold must be a finite number"),
        (lambda: juliaset.julia(itermax=0), ValueError, "itermax must be between 1"),
        (lambda: juliaset.julia(threads=-1), ValueError, "threads must be between 0"),
        (lambda: juliaset.julia_image(itermin=100, itermax=100), ValueError, "itermin must be smaller than itermax"),
        (lambda: juliaset.evaluate([0, float("nan")]), ValueError, r"points\[1\] is not a finite complex number"),
        (lambda: juliaset.evaluate(np.array([[0, 1j, 2], [3, 4, complex(0, np.inf)]]).T), ValueError, r"points\[2, 1\] is not a finite"),
        (lambda: juliaset.evaluate(float("inf")), ValueError, "points is not a finite complex number"),
        (lambda: juliaset.evaluate(["a"]), TypeError, "points must be numbers"),
        (lambda: juliaset.evaluate([0], family="julian"), ValueError, "family must be 'julia' or 'mandelbrot'"),
        (lambda: juliaset.evaluate([0], 0.3, family="mandelbrot"), ValueError, "c has no meaning for family='mandelbrot'"),
        (lambda: juliaset.image_parameters("tricorn"), ValueError, "family must be 'julia' or 'mandelbrot'"),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: _core.fields(0, 1, 0, 1, 0, 4, c_re=0, c_im=0, threshold=2, itermax=5), "width must be at least 1"),
        (lambda: _core.fields(0, 1, 0, 1, 4, 4, c_re=0, c_im=0, threshold=2, itermax=0), "itermax must be at least 1"),
        (lambda: _core.fields(0, 1, 0, 1, 4, 4, family="x", c_re=0, c_im=0, threshold=2, itermax=5), 'family must be "julia" or "mandelbrot"'),
        (lambda: _core.fields(0, 1, 0, 1, 4, 4, power=1, c_re=0, c_im=0, threshold=2, itermax=5), "power must be between 2 and 16"),
        (lambda: _core.fields(0, 1, 0, 1, 4, 4, c_re=0, c_im=0, threshold=2, itermax=5, fields=["x"]), 'unknown field "x"'),
        (lambda: _core.fields(0, 1, 0, 1, 4, 4, c_re=0, c_im=0, threshold=1, itermax=5, fields=["smooth"]), "threshold > 1"),
        (lambda: _core.fields_at(np.array([1, np.nan], complex), c_re=0, c_im=0, threshold=2, itermax=5), "point 1 is not a finite"),
        (lambda: _core.image(0, 1, 0, 1, 4, 4, c_re=0, c_im=0, threshold=2, itermin=0, itermax=5, bits=9), "bits must be 8 or 16"),
        (lambda: _core.image(0, 1, 0, 1, 4, 4, c_re=0, c_im=0, threshold=2, itermin=0, itermax=5, colormap="viridis", bits=16), "bits=16 needs"),
        (lambda: _core.image(0, 1, 0, 1, 4, 4, c_re=0, c_im=0, threshold=2, itermin=0, itermax=5, coloring="x"), "coloring must be"),
        (lambda: _core.image(0, 1, 0, 1, 4, 4, c_re=0, c_im=0, threshold=2, itermin=0, itermax=5, supersample=17), "supersample must be between 1 and 16"),
        (lambda: _core.image(0, 1, 0, 1, 4, 4, c_re=0, c_im=0, threshold=2, itermin=0, itermax=5, colormap="nope"), "unknown colormap 'nope'"),
    ],
)
def test_core_functions_raise_value_errors_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_absurd_sizes_are_memory_errors_not_crashes():
    with pytest.raises(MemoryError, match="fields: cannot allocate"):
        _core.fields(0, 1, 0, 1, 2**30, 2**30, c_re=0, c_im=0, threshold=2, itermax=5)


# --- exports, documentation -------------------------------------------------------------------


def test_exports():
    for name in (
        "julia", "mandelbrot", "evaluate", "julia_image", "mandelbrot_image", "image_parameters",
        "render_parameters", "save_png", "read_parameters", "ComplexRegion", "JuliaDiv",
    ):
        assert name in juliaset.__all__ and callable(getattr(juliaset, name))
    assert juliaset.BUILTIN_COLORMAPS == tuple(_core.colormap_names())
    assert juliaset.FIELD_NAMES == ("counts", "smooth", "final_norm", "interior", "distance")


@pytest.mark.parametrize("module", [_modern, _metadata])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_png_metadata_document_lists_the_schema():
    text = (Path(__file__).resolve().parents[2] / "docs" / "png-metadata.md").read_text()
    for key in ("engine", "family", "power", "region", "threshold", "itermin", "itermax",
                "coloring", "colormap", "bits", "supersample", "precision", "tEXt", "juliaset"):
        assert key in text, key


# --- the GIL and Ctrl-C -----------------------------------------------------------------------


def test_new_functions_run_without_the_gil():
    window: dict[str, float] = {}

    def render() -> None:
        window["start"] = time.perf_counter()
        # Every point of the unit disk iterates itermax times, on one native thread.
        juliaset.julia(0, bounds=(-0.5, 0.5, -0.5, 0.5), size=(300, 300), itermax=20000,
                       fields=["counts", "distance"], threads=1)
        window["end"] = time.perf_counter()

    ticks: list[float] = []
    worker = threading.Thread(target=render)
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0)
    worker.join()
    duration = window["end"] - window["start"]
    assert duration > 0.2, "the render was too quick to tell anything"
    margin = 0.25 * duration
    assert len([t for t in ticks if window["start"] + margin < t < window["end"] - margin]) > 100


CHILD = textwrap.dedent(
    """
    import sys, time
    import juliaset

    print("ready", flush=True)
    try:
        # Inside the main cardioid: every sample iterates itermax times, in tasks (bands of
        # 65536 samples) of a fraction of a second, for about a minute in all.
        juliaset.mandelbrot_image(center=-0.2, width=0.2, size=(4000, 4000), itermax=3000,
                                  coloring="histogram")
    except KeyboardInterrupt:
        print("interrupted", time.perf_counter(), flush=True)
    else:
        print("finished", flush=True)
        sys.exit(3)
    print("after", int(juliaset.evaluate(0, family="mandelbrot", itermax=10)), flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery to a child is POSIX")
def test_ctrl_c_interrupts_an_image_render_promptly(interrupt_child):
    latency, lines = interrupt_child(CHILD)
    assert latency < 2.0
    assert "after 10" in lines
