"""Per-pixel fields of the keyword API against independent NumPy oracles and the mathematics."""

from __future__ import annotations

import cmath
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import juliaset
from juliaset import ComplexRegion, JuliaDiv, _core

SEED_C = -0.835 - 0.2321j


def grid_axes(bounds, width, height):
    """The sample coordinates of the seed's rule, one IEEE operation at a time."""
    xleft, xright, ybot, ytop = bounds
    xs = np.arange(width, dtype=np.float64) / width * (xright - xleft) + xleft
    ys = np.arange(height, dtype=np.float64) / height * (ybot - ytop) + ytop
    return np.broadcast_to(xs, (height, width)), np.broadcast_to(ys[:, None], (height, width))


def oracle_counts(z_re, z_im, c_re, c_im, threshold, itermax, power):
    """Escape counts of z <- z**power + c on separate float64 real and imaginary arrays.

    z**power is a chain of products (re*zr - im*zi, re*zi + im*zr), left to right, then + c;
    a point stops when k == itermax or |z|^2 > threshold^2 (strictly), else k += 1.
    """
    z_re = np.array(z_re, dtype=np.float64)
    z_im = np.array(z_im, dtype=np.float64)
    c_re = np.broadcast_to(np.asarray(c_re, dtype=np.float64), z_re.shape)
    c_im = np.broadcast_to(np.asarray(c_im, dtype=np.float64), z_re.shape)
    limit = threshold * threshold
    counts = np.zeros(z_re.shape, dtype=np.int64)
    active = np.ones(z_re.shape, dtype=bool)
    with np.errstate(all="ignore"):  # escaped orbits may overflow; they are no longer counted
        while active.any():
            re, im = z_re, z_im
            for _ in range(power - 1):
                re, im = re * z_re - im * z_im, re * z_im + im * z_re
            z_re = re + c_re
            z_im = im + c_im
            done = (counts == itermax) | (z_re * z_re + z_im * z_im > limit)
            active &= ~done
            counts[active] += 1
    return counts


# --- counts: the seed's API, the reference oracle -------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    c=st.complex_numbers(max_magnitude=1.2, allow_nan=False, allow_infinity=False),
    resolution=st.integers(8, 60),
    itermax=st.integers(1, 120),
)
def test_julia_counts_equal_the_seed_api(c, resolution, itermax):
    region = ComplexRegion(-1.6, 1.6, 1.0, -1.0)
    seed = JuliaDiv(c, 2.0, (0, itermax), resolution).escape_counts(region).T
    counts = juliaset.julia(
        c, bounds=(-1.6, 1.6, -1.0, 1.0), resolution=resolution, itermax=itermax
    )
    assert counts.dtype == np.uint32
    assert np.array_equal(counts, seed)


def test_julia_default_region_is_the_seed_overview():
    counts = juliaset.julia(itermax=80)
    assert counts.shape == (500, 800)
    expected = _core.escape_counts(-1.6, 1.6, -1.0, 1.0, 800, -0.835, -0.2321, 2.0, 0, 80)
    assert np.array_equal(counts, expected)


@pytest.mark.parametrize("itermax", [1, 37, 150])
def test_mandelbrot_power_2_is_pixel_exact_against_numpy(itermax):
    bounds = (-2.1, 0.7, -1.2, 1.2)
    counts = juliaset.mandelbrot(bounds=bounds, size=(90, 77), itermax=itermax)
    x, y = grid_axes(bounds, 90, 77)
    expected = oracle_counts(np.zeros_like(x), np.zeros_like(y), x, y, 2.0, itermax, 2)
    assert np.array_equal(counts, expected)
    assert 0 < np.count_nonzero(counts == itermax) < counts.size


def test_julia_power_2_is_pixel_exact_against_numpy():
    bounds = (-1.6, 1.6, -1.0, 1.0)
    counts = juliaset.julia(SEED_C, bounds=bounds, size=(96, 60), itermax=90, threshold=2.5)
    x, y = grid_axes(bounds, 96, 60)
    expected = oracle_counts(x, y, SEED_C.real, SEED_C.imag, 2.5, 90, 2)
    assert np.array_equal(counts, expected)


@pytest.mark.parametrize("power", [3, 4, 5, 8, 16])
@pytest.mark.parametrize("family", ["julia", "mandelbrot"])
def test_higher_powers_agree_with_numpy(family, power):
    bounds = (-1.5, 1.5, -1.3, 1.3)
    x, y = grid_axes(bounds, 80, 70)
    if family == "julia":
        c = 0.4 + 0.3j
        counts = juliaset.julia(c, bounds=bounds, size=(80, 70), itermax=60, power=power)
        expected = oracle_counts(x, y, c.real, c.imag, 2.0, 60, power)
    else:
        counts = juliaset.mandelbrot(bounds=bounds, size=(80, 70), itermax=60, power=power)
        expected = oracle_counts(np.zeros_like(x), np.zeros_like(y), x, y, 2.0, 60, power)
    assert np.count_nonzero(counts != expected) <= counts.size // 1000
    # A picture, not a flat field: inside, outside and several bands between.
    assert len(np.unique(counts)) >= 4 and (counts == 60).any()


def test_counts_alone_and_with_other_fields_are_identical():
    # Counts alone take the SIMD kernels, counts with other fields the scalar loop.
    for power in (2, 3, 7):
        alone = juliaset.mandelbrot(size=(73, 41), itermax=70, power=power)
        together = juliaset.mandelbrot(
            size=(73, 41), itermax=70, power=power, fields=["counts", "smooth"]
        )
        assert np.array_equal(alone, together["counts"])


# --- smooth count, distance estimate, interior ----------------------------------------------


@pytest.mark.parametrize("family", ["julia", "mandelbrot"])
def test_smooth_values_are_continuous_across_iteration_bands(family):
    # Along a ray leaving the set the count climbs by whole steps; the smooth count must not
    # jump there. Each band edge is bisected down to a tiny interval whose two ends still have
    # different counts, and the smooth counts at those ends must agree.
    if family == "julia":
        start, direction, c = 0.3 * cmath.exp(0.7j), cmath.exp(0.7j), -0.1 + 0.65j
    else:
        start, direction, c = 0.26 + 0j, 1.0 + 0j, None  # the real axis beyond the cusp

    def fields(t):
        kwargs = {"itermax": 500, "threshold": 1e3, "fields": ("counts", "smooth")}
        if family == "julia":
            return juliaset.evaluate(start + t * direction, c, **kwargs)
        return juliaset.evaluate(start + t * direction, family="mandelbrot", **kwargs)

    t = np.linspace(0.0, 1.5, 2001)
    counts = fields(t)["counts"].astype(np.int64)
    edges = np.flatnonzero((np.diff(counts) != 0) & (counts[:-1] < 500) & (counts[1:] < 500))
    assert len(edges) >= 5, "the ray crosses too few bands to tell anything"
    lo, hi = t[edges], t[edges + 1]
    count_lo = counts[edges]
    for _ in range(40):
        mid = (lo + hi) / 2
        same = fields(mid)["counts"] == count_lo
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    at_lo, at_hi = fields(lo), fields(hi)
    assert np.all(at_lo["counts"] != at_hi["counts"])
    assert np.max(np.abs(at_lo["smooth"] - at_hi["smooth"])) < 1e-3
    # Away from the edges the smooth count lies in (k, k + 1] for this threshold.
    everywhere = fields(t)
    escaped = everywhere["counts"] < 500
    k = everywhere["counts"][escaped]
    assert np.all(everywhere["smooth"][escaped] > k)
    assert np.all(everywhere["smooth"][escaped] <= k + 1)


def test_distance_is_positive_outside_and_zero_inside():
    f = juliaset.mandelbrot(
        size=(120, 80), itermax=200, fields=["counts", "distance", "interior", "smooth"]
    )
    outside = f["counts"] < 200
    assert outside.any() and (~outside).any()
    assert np.all(f["distance"][outside] > 0.0)
    assert np.all(f["distance"][~outside] == 0.0)
    assert np.all(f["smooth"][~outside] == 200.0)


@pytest.mark.parametrize("family", ["julia", "mandelbrot"])
def test_distance_in_pixels_is_the_plane_distance_over_the_spacing(family):
    kwargs = {"size": (40, 24), "itermax": 300, "fields": ["counts", "distance"]}
    plane = getattr(juliaset, family)(**kwargs)
    pixel = getattr(juliaset, family)(**kwargs, distance_unit="pixel")
    spacing = (3.2 if family == "julia" else 3.0) / 40
    assert np.array_equal(pixel["counts"], plane["counts"])
    assert (plane["distance"] > 0).any()
    assert np.array_equal(pixel["distance"], plane["distance"] / spacing)
    with pytest.raises(ValueError, match="distance_unit"):
        getattr(juliaset, family)(**kwargs, distance_unit="metres")


DEEP_DATA = Path(__file__).resolve().parent.parent / "data" / "deep"
DEEP_RE = (DEEP_DATA / "fractalshades-min-re.txt").read_text().strip()[:360]
DEEP_IM = (DEEP_DATA / "fractalshades-min-im.txt").read_text().strip()[:400]


def test_deep_distances_in_pixels_stay_finite_where_plane_ones_underflow():
    # At 1e-30 both units hold the same distances; at 1e-330 the plane's fall below a double
    # (about 1e-308) and only the pixel unit keeps them.
    for width, plane_usable in (("1e-30", True), ("1e-330", False)):
        kwargs = {"center": (DEEP_RE, DEEP_IM), "width": width, "size": (12, 8),
                  "itermax": 200000, "threshold": 100.0, "fields": ["counts", "distance"]}
        plane = juliaset.mandelbrot(**kwargs)["distance"]
        pixel = juliaset.mandelbrot(**kwargs, distance_unit="pixel")
        outside = pixel["counts"] < 200000
        assert outside.any()
        in_pixels = pixel["distance"][outside]
        assert np.all(np.isfinite(in_pixels)) and np.all(in_pixels > 0.0)
        assert np.median(in_pixels) > 1e-3  # a boundary within a few pixels, not 1e-300 of one
        if plane_usable:
            np.testing.assert_allclose(plane[outside] / (float(width) / 12), in_pixels,
                                       rtol=1e-12)
        else:
            assert np.all(plane[outside] < 1e-300)


def test_distance_estimate_of_the_unit_disk_is_r_log_r():
    # c = 0: z1 = z0**2 is already outside for 1.42 < r < 2, and the estimate
    # |z1| ln|z1| / |2 z0| equals r ln r.
    rng = np.random.default_rng(5)
    r = rng.uniform(1.42, 1.99, 500)
    points = r * np.exp(1j * rng.uniform(0.0, 2.0 * np.pi, 500))
    f = juliaset.evaluate(points, 0, itermax=50, fields=["counts", "distance", "final_norm"])
    assert np.all(f["counts"] == 0)
    assert np.allclose(f["distance"], r * np.log(r), rtol=1e-12)
    assert np.allclose(f["final_norm"], r**4, rtol=1e-12)


@pytest.mark.parametrize("power", [2, 3])
@pytest.mark.parametrize("family", ["julia", "mandelbrot"])
def test_interior_flag_is_counts_equal_itermax(family, power):
    kwargs = {"size": (64, 48), "itermax": 40, "power": power, "fields": ["counts", "interior"]}
    f = juliaset.julia(0.3 + 0.5j, **kwargs) if family == "julia" else juliaset.mandelbrot(**kwargs)
    assert f["interior"].dtype == np.bool_
    assert np.array_equal(f["interior"], f["counts"] == 40)
    assert f["interior"].any() and not f["interior"].all()


def test_known_interior_points_of_the_mandelbrot_set_never_escape():
    cardioid_and_bulb = [0, -0.5, -0.25 + 0.2j, -1, -1.1 + 0.1j, -1.1 - 0.1j, 0.2 + 0.1j]
    f = juliaset.evaluate(
        cardioid_and_bulb, family="mandelbrot", itermax=20000,
        fields=["counts", "interior", "distance"],
    )
    assert np.all(f["counts"] == 20000)
    assert np.all(f["interior"])
    assert np.all(f["distance"] == 0.0)
    outside = juliaset.evaluate([0.3, 1, -2.1, 0.5 + 1j], family="mandelbrot", itermax=20000)
    assert np.all(outside < 20000)


@pytest.mark.parametrize("power", [2, 3, 5, 6])
def test_julia_sets_of_z_to_the_d_have_d_fold_rotational_symmetry(power):
    # (w z)**d = z**d for w**d = 1, so z and w z have the same orbit after one step; only
    # rounding differs, which can flip points right at the boundary.
    rng = np.random.default_rng(power)
    points = rng.uniform(-1.5, 1.5, 20000) + 1j * rng.uniform(-1.5, 1.5, 20000)
    rotation = cmath.exp(2j * cmath.pi / power)
    c = 0.28 + 0.53j if power == 2 else 0.55 - 0.2j
    here = juliaset.evaluate(points, c, power=power, itermax=60)
    there = juliaset.evaluate(points * rotation, c, power=power, itermax=60)
    assert len(np.unique(here)) > 5
    assert np.count_nonzero(here != there) <= points.size // 200


@pytest.mark.parametrize("power", [3, 4])
def test_multibrot_sets_have_d_minus_1_fold_symmetry(power):
    # With z0 = 0, (w c) is conjugate to c under z -> w z when w**(d-1) = 1.
    rng = np.random.default_rng(power)
    points = rng.uniform(-1.5, 1.5, 20000) + 1j * rng.uniform(-1.5, 1.5, 20000)
    rotation = cmath.exp(2j * cmath.pi / (power - 1))
    here = juliaset.evaluate(points, family="mandelbrot", power=power, itermax=60)
    there = juliaset.evaluate(points * rotation, family="mandelbrot", power=power, itermax=60)
    assert np.count_nonzero(here != there) <= points.size // 200


# --- evaluate: shapes, and the grid's points give the grid's values -------------------------


def test_evaluate_on_the_grid_points_equals_the_grid_render():
    bounds = (-0.9, 0.4, -0.7, 0.6)
    names = ["counts", "smooth", "final_norm", "interior", "distance"]
    grid = juliaset.julia(SEED_C, bounds=bounds, resolution=50, itermax=90, fields=names)
    points = _core.grid_points(*bounds[:2], bounds[2], bounds[3], 50)
    assert points.shape == grid["counts"].shape
    at = juliaset.evaluate(points, SEED_C, itermax=90, fields=names)
    for name in names:
        assert np.array_equal(at[name], grid[name], equal_nan=True), name
    # The same points in another shape give the same values in that shape.
    cube = juliaset.evaluate(points.reshape(2, -1, 10), SEED_C, itermax=90, fields="smooth")
    assert cube.shape == (2, points.size // 20, 10)
    assert np.array_equal(cube.ravel(), grid["smooth"].ravel())


@pytest.mark.parametrize(
    ("points", "shape"),
    [
        (0.1 + 0.1j, ()),
        (np.complex128(0.5j), ()),
        (np.array(2.0), ()),
        ([0, 1j, 2], (3,)),
        (np.zeros((2, 3, 4)), (2, 3, 4)),
        (np.zeros((0, 5), dtype=complex), (0, 5)),
        (np.arange(12).reshape(3, 4)[:, ::2], (3, 2)),  # integers, not contiguous
    ],
)
def test_evaluate_keeps_the_points_shape(points, shape):
    result = juliaset.evaluate(points, 0, itermax=10, fields=["counts", "interior", "smooth"])
    for name, array in result.items():
        assert array.shape == shape, name
    expected = np.where(np.abs(np.asarray(points)) <= 1.0, 10, -1)
    inside = expected == 10
    assert np.all(result["counts"][inside] == 10)
    assert np.all(result["counts"][~inside] < 10)


def test_evaluate_single_field_returns_an_array_and_several_a_dict_in_order():
    single = juliaset.evaluate([0.5], 0, fields="final_norm")
    assert isinstance(single, np.ndarray) and single.dtype == np.float64
    several = juliaset.evaluate([0.5], 0, fields=("distance", "counts", "distance"))
    assert list(several) == ["distance", "counts"]


def test_threads_give_identical_fields():
    names = ["counts", "smooth", "final_norm", "interior", "distance"]
    one = juliaset.mandelbrot(size=(150, 90), itermax=150, power=3, fields=names, threads=1)
    for threads in (2, 3, None):
        other = juliaset.mandelbrot(
            size=(150, 90), itermax=150, power=3, fields=names, threads=threads
        )
        for name in names:
            assert np.array_equal(one[name], other[name], equal_nan=True), (name, threads)
