"""The seed's Python implementations agree with the native core, bit for bit."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from juliaset import ComplexRegion, JuliaDiv, reference

try:
    import numba  # noqa: F401

    HAVE_NUMBA = True
except ImportError:
    HAVE_NUMBA = False

needs_numba = pytest.mark.skipif(not HAVE_NUMBA, reason="numba is not installed")

SEED_C = -0.835 - 0.2321j


def full_precision(low: float, high: float) -> st.SearchStrategy[float]:
    """Floats in [low, high] with all 53 bits random.

    Hypothesis favours round numbers (0, 1, 2, ...), whose orbits can land exactly on the
    threshold circle, the one case where the seed's ``abs(z) >= t`` and the core's
    ``|z|^2 > t^2`` legitimately differ (see juliaset.reference).
    """
    return st.integers(0, 2**53 - 1).map(lambda n: low + (high - low) * (n / 2**53))


@st.composite
def scenes(draw: st.DrawFn, max_resolution: int) -> tuple[JuliaDiv, ComplexRegion]:
    """A random JuliaDiv and a random region around the filled Julia set."""
    c = complex(draw(full_precision(-1.0, 0.5)), draw(full_precision(-0.8, 0.8)))
    threshold = draw(full_precision(1.5, 4.0))
    itermin = draw(st.integers(0, 20))
    itermax = itermin + draw(st.integers(1, 60))
    resolution = draw(st.integers(2, max_resolution))
    xleft = draw(full_precision(-2.0, 0.0))
    xright = xleft + draw(full_precision(0.01, 3.0)) * draw(st.sampled_from([1, -1]))
    ytop = draw(full_precision(-1.5, 1.5))
    ybot = ytop - (xright - xleft) * draw(full_precision(0.3, 1.2)) * draw(st.sampled_from([1, -1]))
    return (
        JuliaDiv(c, threshold, (itermin, itermax), resolution),
        ComplexRegion(xleft, xright, ytop, ybot),
    )


def reference_over(name: str, div: JuliaDiv, region: ComplexRegion, **options) -> np.ndarray:
    implementation = reference.IMPLEMENTATIONS[name]
    return implementation(div.c_0, div.threshold, div.n_iterations, div.resolution, **options).over(
        region
    )


@settings(max_examples=60, deadline=None)
@given(scenes(max_resolution=60))
def test_numpy_reference_equals_native(scene):
    div, region = scene
    assert np.array_equal(reference_over("numpy", div, region), div.over(region))


@settings(max_examples=25, deadline=None)
@given(scenes(max_resolution=12))
def test_vectorize_reference_equals_native(scene):
    div, region = scene
    assert np.array_equal(reference_over("np.vectorize", div, region), div.over(region))


@needs_numba
@pytest.mark.parametrize("name", ["numba", "numba-nosqrt"])
@settings(max_examples=40, deadline=None)
@given(scene=scenes(max_resolution=60))
def test_numba_references_equal_native(name, scene):
    div, region = scene
    assert np.array_equal(reference_over(name, div, region), div.over(region))


@pytest.mark.parametrize("name", sorted(reference.IMPLEMENTATIONS))
def test_each_reference_reproduces_the_seed_zoom(name):
    if name.startswith("numba") and not HAVE_NUMBA:
        pytest.skip("numba is not installed")
    resolution = 24 if name == "np.vectorize" else 200
    div = JuliaDiv(SEED_C, 2.0, (20, 100), resolution)
    region = ComplexRegion(-0.1, 0.1, 0.1, -0.1)
    result = reference_over(name, div, region)
    assert result.shape == (resolution, resolution) and result.dtype == np.float64
    assert np.array_equal(result, div.over(region))


def test_the_registry_names_the_seeds_four_versions():
    assert list(reference.IMPLEMENTATIONS) == ["np.vectorize", "numpy", "numba", "numba-nosqrt"]
    for name, implementation in reference.IMPLEMENTATIONS.items():
        assert implementation.name == name


def test_native_grid_in_numpy_equals_the_cores_grid():
    for region, resolution in [
        (ComplexRegion(-0.1, 0.1, 0.1, -0.1), 4000),
        (ComplexRegion(-1.6, 1.6, 1, -1), 1000),
        (ComplexRegion(0.37, -1.91, -0.5, 0.123), 333),
    ]:
        assert np.array_equal(reference.native_grid(region, resolution), region.build(resolution))


@settings(max_examples=100, deadline=None)
@given(resolution=st.integers(1, 5000), ratio=full_precision(0.0005, 3.0))
def test_grid_height_rounds_like_the_core(resolution, ratio):
    region = ComplexRegion(-1.0, 1.0, ratio, -ratio)
    try:
        expected = region.shape(resolution)
    except ValueError:
        with pytest.raises(ValueError, match="too flat"):
            reference.native_grid(region, resolution)
        return
    assert reference.native_grid(region, resolution).shape == expected


def test_linspace_grid_samples_all_four_edges():
    region = ComplexRegion(-1.0, 1.0, 0.5, -0.5)
    points = reference.linspace_grid(region, 5)
    assert points.shape == region.shape(5) == (5, 3)  # 5 * 1 / 2 = 2.5 rounds up
    assert points[0, 0] == complex(-1.0, 0.5) and points[-1, -1] == complex(1.0, -0.5)
    div = reference.NumpyJuliaDiv(SEED_C, 2.0, (0, 30), 64, grid="linspace")
    values = div.over(ComplexRegion(-1.6, 1.6, 1, -1))
    assert values.shape == (64, 40)
    # Different points from the native grid, so (for this picture) a different image.
    assert not np.array_equal(values, JuliaDiv(SEED_C, 2.0, (0, 30), 64).over(ComplexRegion(-1.6, 1.6, 1, -1)))


def test_references_validate_like_juliadiv():
    with pytest.raises(ValueError, match="itermin < itermax"):
        reference.NumpyJuliaDiv(SEED_C, n_iterations=(5, 5))
    with pytest.raises(ValueError, match="grid"):
        reference.NumpyJuliaDiv(SEED_C, grid="chebyshev")
    with pytest.raises(TypeError, match="region"):
        reference.NumpyJuliaDiv(SEED_C).over("everywhere")  # type: ignore[arg-type]


def test_threshold_circle_is_where_the_seeds_python_rule_differs():
    # z_0 = 0, c = 2: the first iterate is exactly 2, on the circle |z| = 2. The seed's
    # Python rule (abs(z) >= 2) counts it as escaped; the core's strict rule does not.
    region = ComplexRegion(0.0, 1.0, 0.0, -1.0)  # the top-left sample is exactly 0
    seed = reference.NumpyJuliaDiv(2.0, 2.0, (0, 10), 4).over(region)
    native = JuliaDiv(2.0, 2.0, (0, 10), 4).over(region)
    assert seed[0, 0] == 0.0 and native[0, 0] == 0.1


@pytest.mark.parametrize("name", ["numba", "numba-nosqrt"])
def test_numba_entries_explain_how_to_install_numba(monkeypatch, name):
    monkeypatch.setitem(sys.modules, "numba", None)  # makes `import numba` raise ImportError
    monkeypatch.setattr(reference, "_numba_kernels", {})
    with pytest.raises(ImportError, match=r'pip install "juliaset\[bench\]"'):
        reference.IMPLEMENTATIONS[name](SEED_C)
