"""Coloured images of the keyword API: colormaps, colourings, bit depths, supersampling."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import juliaset
from juliaset import ComplexRegion, JuliaDiv, _core

SEED_C = -0.835 - 0.2321j
# For c = 0 the filled Julia set is the closed unit disk: this square lies inside it, and the
# other one so far outside that every point escapes at the first iterate.
ALL_INTERIOR = (-0.3, 0.3, -0.3, 0.3)
ALL_ESCAPED = (10.0, 11.0, 10.0, 11.0)


def uniform_colour(image: np.ndarray) -> tuple[int, ...]:
    """The one RGB colour of a uniform image (a gray level g reads as (g, g, g))."""
    rgb = image if image.ndim == 3 else np.repeat(image[..., None], 3, axis=2)
    colours = np.unique(rgb.reshape(-1, 3), axis=0)
    assert len(colours) == 1, "the image is not uniform"
    return tuple(int(v) for v in colours[0])


def count_values(counts: np.ndarray, itermin: int, itermax: int) -> np.ndarray:
    """The seed's normalised value of each count, in double."""
    return (np.maximum(counts, itermin) - itermin) / (itermax - itermin)


# --- colormaps ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["gray", "viridis", "magma", "inferno", "plasma", "twilight"])
def test_interior_takes_the_last_colour_and_instant_escape_the_first(name):
    def colour(bounds, colormap):
        return uniform_colour(
            juliaset.julia_image(0, bounds=bounds, size=(6, 5), itermax=30, colormap=colormap)
        )

    first, last = colour(ALL_ESCAPED, name), colour(ALL_INTERIOR, name)
    assert first != last
    # "_r" swaps the ends.
    assert colour(ALL_ESCAPED, name + "_r") == last
    assert colour(ALL_INTERIOR, name + "_r") == first
    if name == "gray":
        assert (first, last) == ((0, 0, 0), (255, 255, 255))


def test_builtin_colormaps_are_matplotlibs():
    matplotlib = pytest.importorskip("matplotlib")
    for name in juliaset.BUILTIN_COLORMAPS:
        if name.startswith("gray"):
            continue
        ends = matplotlib.colormaps[name](np.array([0.0, 1.0]), bytes=True)[:, :3]
        escaped = juliaset.julia_image(0, bounds=ALL_ESCAPED, size=(3, 3), colormap=name)
        interior = juliaset.julia_image(0, bounds=ALL_INTERIOR, size=(3, 3), colormap=name)
        assert uniform_colour(escaped) == tuple(ends[0]), name
        assert uniform_colour(interior) == tuple(ends[1]), name


@pytest.mark.parametrize("how", ["name", "object"])
def test_matplotlib_colormaps_give_the_colours_of_cmap(how):
    matplotlib = pytest.importorskip("matplotlib")
    name = "cividis" if how == "name" else "coolwarm"
    cmap = matplotlib.colormaps[name]
    colormap = name if how == "name" else cmap
    bounds = (-1.6, 1.6, -1.0, 1.0)
    image = juliaset.julia_image(
        bounds=bounds, size=(80, 50), itermin=3, itermax=60, colormap=colormap
    )
    counts = juliaset.julia(bounds=bounds, size=(80, 50), itermax=60)
    expected = cmap(count_values(counts, 3, 60), bytes=True)[..., :3]
    assert image.shape == (50, 80, 3) and image.dtype == np.uint8
    assert np.array_equal(image, expected)
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 10


def test_unknown_colormap_lists_the_builtin_names():
    with pytest.raises(ValueError, match="colormap") as error:
        juliaset.julia_image(size=(4, 4), colormap="no-such-map")
    for name in ("gray", "viridis", "twilight_r"):
        assert name in str(error.value)


def test_without_matplotlib_unknown_names_say_that_matplotlib_enables_more(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(ValueError, match="install matplotlib") as error:
        juliaset.julia_image(size=(4, 4), colormap="cividis")
    assert "viridis" in str(error.value)
    # Built-in names do not need matplotlib.
    assert juliaset.julia_image(size=(4, 4), colormap="magma").shape == (4, 4, 3)


@pytest.mark.parametrize("colormap", [3, None, ["viridis"]])
def test_colormap_of_the_wrong_type_is_a_type_error(colormap):
    with pytest.raises(TypeError, match="colormap"):
        juliaset.julia_image(size=(4, 4), colormap=colormap)


# --- gray images, bit depths ----------------------------------------------------------------


def test_gray_count_image_is_exactly_the_seeds():
    region = ComplexRegion(-0.1, 0.1, 0.1, -0.1)
    seed = JuliaDiv(SEED_C, 2.0, (20, 100), 300).gray_image(region)
    image = juliaset.julia_image(
        SEED_C, bounds=(-0.1, 0.1, -0.1, 0.1), resolution=300, itermin=20, itermax=100,
        colormap="gray",
    )
    assert image.dtype == np.uint8 and image.shape == seed.shape
    assert np.array_equal(image, seed)


def test_16_bit_images_are_uint16_with_the_same_ordering_as_8_bit():
    kwargs = {"size": (90, 60), "itermin": 2, "itermax": 70, "colormap": "gray"}
    eight = juliaset.mandelbrot_image(**kwargs)
    sixteen = juliaset.mandelbrot_image(bits=16, **kwargs)
    assert sixteen.dtype == np.uint16 and sixteen.shape == eight.shape == (60, 90)
    assert sixteen.dtype.isnative
    counts = juliaset.mandelbrot(size=(90, 60), itermax=70)
    values = count_values(counts, 2, 70)
    assert np.array_equal(sixteen, (values * 65535).astype(np.uint16))
    assert np.array_equal(eight, (values * 255).astype(np.uint8))
    # Sorting by the 16-bit levels sorts the 8-bit ones too.
    order = np.argsort(sixteen, axis=None, kind="stable")
    assert np.all(np.diff(eight.ravel()[order].astype(int)) >= 0)
    assert sixteen.max() == 65535 and len(np.unique(sixteen)) > 20


def test_16_bit_needs_the_gray_colormap():
    with pytest.raises(ValueError, match="bits=16 needs colormap='gray'"):
        juliaset.julia_image(size=(4, 4), colormap="viridis", bits=16)


# --- colourings -----------------------------------------------------------------------------


def test_histogram_colouring_equalises_the_escaped_pixels():
    kwargs = {"size": (160, 100), "itermax": 200}
    image = juliaset.mandelbrot_image(colormap="gray", coloring="histogram", **kwargs)
    counts = juliaset.mandelbrot(**kwargs).astype(np.int64)
    escaped = counts < 200
    below_middle = np.count_nonzero(image[escaped] < 128) / np.count_nonzero(escaped)
    assert 0.4 < below_middle < 0.6
    assert np.all(image[~escaped] == 255)
    # Exactly: level(k) = (escaped samples with count <= k) / (escaped samples).
    histogram = np.bincount(counts[escaped], minlength=200)
    levels = np.cumsum(histogram) / np.count_nonzero(escaped)
    assert np.array_equal(image[escaped], (levels[counts[escaped]] * 255).astype(np.uint8))
    # The count colouring of the same picture is far darker: most pixels escape quickly.
    plain = juliaset.mandelbrot_image(colormap="gray", **kwargs)
    assert np.count_nonzero(plain[escaped] < 128) / np.count_nonzero(escaped) > 0.9


def test_smooth_colouring_stays_within_one_band_of_the_count_colouring():
    kwargs = {
        "bounds": (-0.8, 0.8, -0.5, 0.5), "size": (96, 60), "itermax": 60,
        "threshold": 100.0, "colormap": "gray", "bits": 16,
    }
    smooth = juliaset.julia_image(SEED_C, coloring="smooth", **kwargs).astype(np.int64)
    count = juliaset.julia_image(SEED_C, **kwargs).astype(np.int64)
    band = 65535 // 60 + 1
    assert np.all(smooth >= count)
    assert np.all(smooth - count <= band)
    assert np.count_nonzero(smooth != count) > smooth.size // 4


def test_smooth_colouring_needs_threshold_above_1():
    with pytest.raises(ValueError, match="threshold must be above 1"):
        juliaset.julia_image(size=(4, 4), coloring="smooth", threshold=1.0)


# --- supersampling --------------------------------------------------------------------------


@pytest.mark.parametrize("supersample", [2, 3, 16])
@pytest.mark.parametrize("colormap", ["gray", "viridis", "twilight_r"])
def test_supersampling_a_uniform_region_changes_nothing(supersample, colormap):
    for bounds in (ALL_INTERIOR, ALL_ESCAPED):
        plain = juliaset.julia_image(0, bounds=bounds, size=(5, 4), colormap=colormap)
        fine = juliaset.julia_image(
            0, bounds=bounds, size=(5, 4), colormap=colormap, supersample=supersample
        )
        assert np.array_equal(plain, fine)


def test_supersampled_pixels_average_the_finer_grid():
    n = 3
    bounds = (-1.6, 1.6, -1.0, 1.0)
    image = juliaset.julia_image(
        bounds=bounds, size=(40, 25), itermax=50, colormap="gray", supersample=n
    )
    fine = juliaset.julia(bounds=bounds, size=(40 * n, 25 * n), itermax=50)
    values = count_values(fine, 0, 50)
    total = np.zeros((25, 40))
    for b in range(n):  # the core's summation order: sample rows, then columns
        for a in range(n):
            total += values[b::n, a::n]
    assert np.array_equal(image, (total / (n * n) * 255).astype(np.uint8))


# --- threads --------------------------------------------------------------------------------


@pytest.mark.parametrize("coloring", ["count", "smooth", "histogram"])
def test_threads_give_identical_images(coloring):
    kwargs = {"size": (120, 70), "itermax": 120, "coloring": coloring, "supersample": 2}
    one = juliaset.mandelbrot_image(threads=1, **kwargs)
    for threads in (2, 5, None):
        assert np.array_equal(one, juliaset.mandelbrot_image(threads=threads, **kwargs))


def test_core_image_accepts_a_colour_table():
    table = np.zeros((256, 3))
    table[:, 0] = np.linspace(0.0, 1.0, 256)  # a red ramp
    image = _core.image(
        -2.0, 1.0, -1.0, 1.0, 30, 20, family="mandelbrot", c_re=0.0, c_im=0.0,
        threshold=2.0, itermin=0, itermax=40, colormap=table,
    )
    gray = _core.image(
        -2.0, 1.0, -1.0, 1.0, 30, 20, family="mandelbrot", c_re=0.0, c_im=0.0,
        threshold=2.0, itermin=0, itermax=40,
    )
    assert image.shape == (20, 30, 3)
    assert np.all(image[..., 1:] == 0)
    # Red follows the table's index min(floor(v * 256), 255) of each value v.
    counts = juliaset.mandelbrot(bounds=(-2.0, 1.0, -1.0, 1.0), size=(30, 20), itermax=40)
    index = np.minimum((count_values(counts, 0, 40) * 256).astype(int), 255)
    assert np.array_equal(image[..., 0], (table[index, 0] * 255).astype(np.uint8))
    assert gray.shape == (20, 30) and gray.dtype == np.uint8
    with pytest.raises(ValueError, match="colormap"):
        _core.image(
            -2.0, 1.0, -1.0, 1.0, 3, 2, c_re=0.0, c_im=0.0, threshold=2.0, itermin=0,
            itermax=4, colormap=table * 2,
        )
