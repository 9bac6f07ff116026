"""The seed's Python API on the native core: golden images, shapes, properties, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import juliaset
from juliaset import ComplexRegion, JuliaDiv, _core

SEED_C = -0.835 - 0.2321j
ZOOM = ComplexRegion(-0.1, 0.1, 0.1, -0.1)
OVERVIEW = ComplexRegion(-1.6, 1.6, 1, -1)


def seed_image(div: JuliaDiv, region: ComplexRegion) -> np.ndarray:
    """The seed script's flow from ``over`` to the 8-bit image PIL writes."""
    return np.asarray(Image.fromarray((div.over(region) * 255).astype(np.uint8).T))


def golden(golden_dir, name: str) -> np.ndarray:
    with Image.open(golden_dir / f"{name}.png") as image:
        assert image.mode == "L"
        return np.asarray(image)


# --- golden images ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "region", "n_iterations", "resolution"),
    [
        ("overview", OVERVIEW, (0, 80), 1000),
        ("zoomlowres", ZOOM, (20, 100), 1000),
        ("zoomhighres", ZOOM, (20, 100), 4000),
    ],
)
def test_golden_images_through_the_seed_script(golden_dir, name, region, n_iterations, resolution):
    div = JuliaDiv(SEED_C, n_iterations=n_iterations, resolution=resolution)
    expected = golden(golden_dir, name)
    assert np.array_equal(seed_image(div, region), expected)
    # gray_image is the same picture without the float64 detour.
    assert np.array_equal(div.gray_image(region), expected)


# --- shapes, dtypes, defaults ----------------------------------------------------------------


def test_over_returns_float64_indexed_x_then_y():
    div = JuliaDiv(SEED_C, n_iterations=(0, 80), resolution=160)
    values = div.over(OVERVIEW)
    assert values.shape == (160, 100) == OVERVIEW.shape(160)
    assert values.dtype == np.float64
    assert values.min() >= 0.0 and values.max() <= 1.0
    counts = div.escape_counts(OVERVIEW)
    assert counts.shape == (160, 100) and counts.dtype == np.uint32
    assert np.array_equal(values, counts / 80.0)


def test_build_is_indexed_x_then_y_with_yleft_on_top():
    points = ComplexRegion(-1.0, 1.0, 0.5, -0.5).build(4)
    assert points.dtype == np.complex128
    assert points.shape == (4, 2)
    assert np.array_equal(points.real[:, 0], [-1.0, -0.5, 0.0, 0.5])
    assert np.array_equal(points.imag[0, :], [0.5, 0.0])  # top row first, bottom edge unsampled


def test_build_matches_the_grid_formula_exactly():
    region = ComplexRegion(-0.3, 0.7, 0.1, -0.2)
    points = region.build(37)
    nx, ny = points.shape
    assert (nx, ny) == (37, round(37 * 0.3 / 1.0))
    for i in (0, 5, 36):
        assert points[i, 0].real == i / nx * (region.xright - region.xleft) + region.xleft
    for j in (0, 3, ny - 1):
        assert points[0, j].imag == j / ny * (region.yright - region.yleft) + region.yleft


def test_juliadiv_defaults_are_the_seeds():
    div = JuliaDiv(SEED_C)
    assert div.threshold == 2.0
    assert div.n_iterations == (0, 50)
    assert div.resolution == 1000
    assert div.threads is None


def test_reversed_bounds_mirror_the_image():
    div = JuliaDiv(SEED_C, n_iterations=(0, 60), resolution=64)
    upright = div.over(ComplexRegion(-1.0, 1.0, 1.0, -1.0))
    upside_down = div.over(ComplexRegion(-1.0, 1.0, -1.0, 1.0))
    # Row j of the flipped grid samples y = -1 + j/64 * 2, row 63 - j + 1 of the upright one.
    assert np.array_equal(upside_down[:, 1:], upright[:, :0:-1])


# --- value semantics -------------------------------------------------------------------------


def test_region_repr_equality_and_hash():
    region = ComplexRegion(-0.1, 0.1, 0.1, -0.1)
    assert repr(region) == "ComplexRegion(xleft=-0.1, xright=0.1, yleft=0.1, yright=-0.1)"
    assert region == ComplexRegion(xleft=-0.1, xright=0.1, yleft=0.1, yright=-0.1)
    assert ComplexRegion(-1, 1, 1, -1) == ComplexRegion(-1.0, 1.0, 1.0, -1.0)
    assert hash(ComplexRegion(-1, 1, 1, -1)) == hash(ComplexRegion(-1.0, 1.0, 1.0, -1.0))
    assert region != ComplexRegion(-0.1, 0.1, -0.1, 0.1)
    assert eval(repr(region)) == region
    with pytest.raises(AttributeError):
        region.xleft = 0.0  # type: ignore[misc]


def test_juliadiv_repr_equality_hash_and_immutability():
    div = JuliaDiv(SEED_C, 2.0, (20, 100), 4000)
    assert repr(div) == (
        "JuliaDiv(c_0=(-0.835-0.2321j), threshold=2.0, n_iterations=(20, 100), resolution=4000)"
    )
    assert repr(JuliaDiv(0, threads=3)).endswith("resolution=1000, threads=3)")
    same = JuliaDiv(c_0=SEED_C, threshold=2, n_iterations=[20, 100], resolution=4000, threads=2)
    assert div == same and hash(div) == hash(same)  # threads never changes the result
    assert div != JuliaDiv(SEED_C, 2.0, (20, 101), 4000)
    assert len({div, same, JuliaDiv(SEED_C)}) == 2
    assert isinstance(div.c_0, complex) and isinstance(div.threshold, float)
    for name in ("c_0", "threshold", "n_iterations", "resolution", "threads"):
        with pytest.raises(AttributeError):
            setattr(div, name, 1)
    with pytest.raises(AttributeError):
        del div.c_0


def test_package_metadata():
    assert juliaset.__version__ == _core.version
    # The seed's names stay exported; the keyword API's are checked in test_modern.py.
    assert {"ComplexRegion", "JuliaDiv", "__version__"} <= set(juliaset.__all__)
    assert all(hasattr(juliaset, name) for name in juliaset.__all__)
    assert _core.simd_target() in _core.available_simd_targets()


# --- native paths agree ----------------------------------------------------------------------

NATIVE_ARGS = (-1.6, 1.6, -1.0, 1.0, 97, -0.835, -0.2321, 2.0, 3, 90)


def test_scalar_kernel_equals_simd_kernel():
    auto = _core.escape_counts(*NATIVE_ARGS, kernel="auto")
    scalar = _core.escape_counts(*NATIVE_ARGS, kernel="scalar")
    assert np.array_equal(auto, scalar)
    assert len(np.unique(auto)) > 20  # a picture with structure, not a constant


def test_every_simd_target_equals_the_scalar_oracle():
    scalar = _core.escape_counts(*NATIVE_ARGS, kernel="scalar")
    try:
        for target in _core.available_simd_targets():
            _core.force_simd_target(target)
            assert np.array_equal(_core.escape_counts(*NATIVE_ARGS), scalar), target
    finally:
        _core.force_simd_target("")


@pytest.mark.parametrize("threads", [1, 2, 3, 8, 0])
def test_every_thread_count_gives_the_same_image(threads):
    reference = _core.escape_counts(*NATIVE_ARGS, threads=1, kernel="scalar")
    assert np.array_equal(_core.escape_counts(*NATIVE_ARGS, threads=threads), reference)
    div = JuliaDiv(SEED_C, n_iterations=(3, 90), resolution=97, threads=threads)
    assert np.array_equal(div.escape_counts(OVERVIEW), reference.T)


def test_the_three_renderers_agree():
    counts = _core.escape_counts(*NATIVE_ARGS)
    values = _core.normalized_values(*NATIVE_ARGS)
    gray = _core.gray_image(*NATIVE_ARGS)
    expected_values = (np.maximum(counts, 3) - 3) / (90 - 3)
    assert np.array_equal(values, expected_values)
    assert np.array_equal(gray, (expected_values * 255.0).astype(np.uint8))
    assert (counts.dtype, values.dtype, gray.dtype) == (np.uint32, np.float64, np.uint8)
    assert _core.grid_shape(*NATIVE_ARGS[:5]) == (counts.shape[1], counts.shape[0])


def test_single_precision_is_close_but_opt_in():
    exact = _core.escape_counts(*NATIVE_ARGS)
    single = _core.escape_counts(*NATIVE_ARGS, precision="single")
    assert np.array_equal(_core.escape_counts(*NATIVE_ARGS, precision="exact"), exact)
    assert single.dtype == np.uint32 and single.shape == exact.shape
    assert np.count_nonzero(single != exact) < 0.1 * exact.size


# --- properties from the mathematics ---------------------------------------------------------

finite_c = st.complex_numbers(max_magnitude=1.5, allow_nan=False, allow_infinity=False)


def symmetric_region(log2_side: int, scale_exponent: int) -> tuple[float, float, float, float]:
    """Bounds (xleft, xright, ybot, ytop) whose 2^k x 2^k grid is exactly symmetric about 0.

    With step d = 2^e and xleft = -(n - 1) / 2 * d, every sample i / n * (n * d) + xleft is an
    exact dyadic number, so column i samples exactly minus column n - 1 - i (rows likewise).
    """
    n = 2**log2_side
    step = 2.0**scale_exponent
    half = (n - 1) / 2 * step
    return -half, -half + n * step, half - n * step, half


@settings(max_examples=40, deadline=None)
@given(
    log2_side=st.integers(2, 6),
    scale_exponent=st.integers(-8, -3),
    c=finite_c,
    itermax=st.integers(1, 200),
)
def test_point_symmetry_z_to_minus_z(log2_side, scale_exponent, c, itermax):
    bounds = symmetric_region(log2_side, scale_exponent)
    points = _core.grid_points(*bounds, 2**log2_side)
    assert np.array_equal(points, -points[::-1, ::-1])
    counts = _core.escape_counts(*bounds, 2**log2_side, c.real, c.imag, 2.0, 0, itermax)
    assert np.array_equal(counts, counts[::-1, ::-1])


@settings(max_examples=40, deadline=None)
@given(
    log2_side=st.integers(2, 6),
    scale_exponent=st.integers(-8, -3),
    c_re=st.floats(-2.0, 0.5),
    itermax=st.integers(1, 200),
)
def test_real_c_gives_conjugation_symmetry(log2_side, scale_exponent, c_re, itermax):
    bounds = symmetric_region(log2_side, scale_exponent)
    counts = _core.escape_counts(*bounds, 2**log2_side, c_re, 0.0, 2.0, 0, itermax)
    assert np.array_equal(counts, counts[::-1, :])


def test_c_zero_gives_the_unit_disk():
    region = (-1.5, 1.5, -1.5, 1.5)
    counts = _core.escape_counts(*region, 301, 0.0, 0.0, 2.0, 0, 50)
    modulus = np.abs(_core.grid_points(*region, 301))
    assert np.all(counts[modulus <= 0.99] == 50)
    assert np.all(counts[modulus >= 1.01] < 50)
    assert np.count_nonzero(counts == 50) > 0.3 * counts.size


@settings(max_examples=60, deadline=None)
@given(
    c=st.complex_numbers(max_magnitude=4.0, allow_nan=False, allow_infinity=False),
    threshold=st.floats(0.1, 10.0),
    itermax=st.integers(1, 50),
    half_width=st.floats(0.5, 8.0),
)
def test_count_is_zero_exactly_when_the_first_iterate_is_outside(c, threshold, itermax, half_width):
    bounds = (-half_width, half_width, -half_width, half_width)
    counts = _core.escape_counts(*bounds, 23, c.real, c.imag, threshold, 0, itermax)
    z = _core.grid_points(*bounds, 23)
    x, y = z.real, z.imag
    # The first iterate, with the core's operations in the core's order.
    re = (x * x - y * y) + c.real
    im = (x * y + y * x) + c.imag
    first_outside = re * re + im * im > threshold * threshold
    assert np.array_equal(counts == 0, first_outside)
    # In particular a start far outside the threshold circle escapes at once.
    far = np.abs(z) ** 2 > threshold + abs(c) + 1e-9
    assert np.all(counts[far] == 0)


@settings(max_examples=40, deadline=None)
@given(c=finite_c, itermin=st.integers(0, 30), extra=st.integers(1, 100))
def test_counts_never_exceed_itermax_and_values_stay_in_the_unit_interval(c, itermin, extra):
    itermax = itermin + extra
    args = (-2.0, 2.0, -2.0, 2.0, 41, c.real, c.imag, 2.0, itermin, itermax)
    counts = _core.escape_counts(*args)
    assert counts.max() <= itermax
    values = _core.normalized_values(*args)
    assert values.min() >= 0.0 and values.max() <= 1.0
    assert np.array_equal(values == 1.0, counts == itermax)


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "error", "named"),
    [
        (("-1", 1, 1, -1), TypeError, "xleft"),
        ((None, 1, 1, -1), TypeError, "xleft"),
        ((-1, 1j, 1, -1), TypeError, "xright"),
        ((-1, 1, True, -1), TypeError, "yleft"),
        ((-1, 1, 1, math.nan), ValueError, "yright"),
        ((-math.inf, 1, 1, -1), ValueError, "xleft"),
        ((1, 1, 1, -1), ValueError, "xleft and xright"),
        ((-1, 1, 0.5, 0.5), ValueError, "yleft and yright"),
        ((-1e308, 1e308, 1, -1), ValueError, "xleft must lie within"),
        ((-1, 1, 1, -2e150), ValueError, "yright must lie within"),
    ],
)
def test_bad_region(args, error, named):
    with pytest.raises(error, match=named):
        ComplexRegion(*args)


def test_region_needs_exactly_four_bounds_by_their_names():
    with pytest.raises(TypeError):
        ComplexRegion(-1, 1, 1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        ComplexRegion(xleft=-1, xright=1, ybot=-1, ytop=1)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("kwargs", "error", "named"),
    [
        ({"c_0": "1+1j"}, TypeError, "c_0"),
        ({"c_0": None}, TypeError, "c_0"),
        ({"c_0": complex(math.nan, 0)}, ValueError, "c_0"),
        ({"c_0": complex(0, math.inf)}, ValueError, "c_0"),
        ({"threshold": "2"}, TypeError, "threshold"),
        ({"threshold": 0.0}, ValueError, "threshold"),
        ({"threshold": -2.0}, ValueError, "threshold"),
        ({"threshold": math.nan}, ValueError, "threshold"),
        ({"threshold": 1e200}, ValueError, "threshold"),
        ({"n_iterations": 50}, TypeError, "n_iterations"),
        ({"n_iterations": (1, 2, 3)}, TypeError, "n_iterations"),
        ({"n_iterations": (50, 50)}, ValueError, "itermin < itermax"),
        ({"n_iterations": (60, 50)}, ValueError, "itermin < itermax"),
        ({"n_iterations": (-1, 50)}, ValueError, "itermin"),
        ({"n_iterations": (0, 2**32)}, ValueError, "itermax"),
        ({"n_iterations": (0, 50.0)}, TypeError, "itermax"),
        ({"resolution": "1000"}, TypeError, "resolution"),
        ({"resolution": 1000.0}, TypeError, "resolution"),
        ({"resolution": 0}, ValueError, "resolution"),
        ({"resolution": -3}, ValueError, "resolution"),
        ({"resolution": 2**31}, ValueError, "resolution"),
        ({"threads": -1}, ValueError, "threads"),
        ({"threads": 1.5}, TypeError, "threads"),
    ],
)
def test_bad_juliadiv(kwargs, error, named):
    arguments = {"c_0": SEED_C, **kwargs}
    with pytest.raises(error, match=named):
        JuliaDiv(**arguments)


def test_numpy_scalars_are_accepted():
    div = JuliaDiv(np.complex128(SEED_C), np.float32(2.0), (np.int64(0), np.uint8(50)), np.int32(8))
    assert div == JuliaDiv(SEED_C, 2.0, (0, 50), 8)
    assert ComplexRegion(np.float64(-1), 1, np.int16(1), -1) == ComplexRegion(-1, 1, 1, -1)


def test_over_needs_a_region():
    with pytest.raises(TypeError, match="region"):
        JuliaDiv(SEED_C).over((-1, 1, 1, -1))  # type: ignore[arg-type]


def test_a_region_too_flat_for_the_resolution():
    with pytest.raises(ValueError, match="too flat"):
        JuliaDiv(SEED_C, resolution=10).over(ComplexRegion(-1, 1, 0.01, -0.01))


@pytest.mark.parametrize("renderer", ["escape_counts", "normalized_values", "gray_image"])
@pytest.mark.parametrize(
    ("resolution", "ytop"), [(2**30, 1.0), (2**30, 2.0**-10), (2**29, 2.0**-8)]
)
def test_an_array_too_large_is_a_memory_error_naming_its_size(renderer, resolution, ytop):
    with pytest.raises(MemoryError, match=rf"{renderer}: cannot allocate a \d+ x \d+ array"):
        getattr(_core, renderer)(-1.0, 1.0, -ytop, ytop, resolution, 0.0, 0.0, 2.0, 0, 10)


def test_juliadiv_over_too_large_is_a_memory_error():
    with pytest.raises(MemoryError, match=r"cannot allocate a \d+ x \d+ array of float64.* TB"):
        JuliaDiv(SEED_C, resolution=2**30).over(ComplexRegion(-1, 1, 1, -1))
    with pytest.raises(MemoryError, match="grid_points"):
        ComplexRegion(-1, 1, 1, -1).build(2**30)


@pytest.mark.parametrize(
    ("change", "error", "named"),
    [
        ({"resolution": 0}, ValueError, "resolution"),
        ({"resolution": -1}, ValueError, "resolution"),
        ({"resolution": 2**31}, ValueError, "resolution"),
        ({"resolution": "9"}, TypeError, "resolution"),
        ({"resolution": 9.0}, TypeError, "resolution"),
        ({"xleft": math.nan}, ValueError, "xleft"),
        ({"ytop": math.inf}, ValueError, "ytop"),
        ({"xright": -1.0}, ValueError, "xleft and xright"),
        ({"ybot": 1.0}, ValueError, "ybot and ytop"),
        ({"c_re": math.nan}, ValueError, "c_re"),
        ({"c_im": -math.inf}, ValueError, "c_im"),
        ({"threshold": 0.0}, ValueError, "threshold"),
        ({"threshold": 1e300}, ValueError, "threshold"),
        ({"itermin": 10, "itermax": 10}, ValueError, "itermin"),
        ({"itermin": -1}, ValueError, "itermin"),
        ({"itermax": 2**32}, ValueError, "itermax"),
        ({"itermax": 2**70}, TypeError, "itermax"),
        ({"threads": -2}, ValueError, "threads"),
        ({"kernel": "avx"}, ValueError, "kernel"),
        ({"kernel": None}, TypeError, "kernel"),
        ({"precision": "half"}, ValueError, "precision"),
        ({"precision": "single", "itermax": 2**24 + 1}, ValueError, "itermax"),
    ],
)
def test_bad_native_arguments(change, error, named):
    arguments = dict(
        xleft=-1.0, xright=1.0, ybot=-1.0, ytop=1.0, resolution=9, c_re=0.0, c_im=0.0,
        threshold=2.0, itermin=0, itermax=10, threads=0, kernel="auto", precision="exact",
    )
    arguments.update(change)
    for renderer in (_core.escape_counts, _core.normalized_values, _core.gray_image):
        with pytest.raises(error, match=named):
            renderer(**arguments)


def test_force_simd_target_rejects_unknown_targets():
    with pytest.raises(ValueError, match="NEON9000"):
        _core.force_simd_target("NEON9000")
