"""Arbitrary values thrown at every public function: only the documented exceptions come out.

Every argument gets, at random, a value that works or anything at all: None, bools, huge,
negative, NaN and infinite numbers, complex numbers, strings, bytes, Decimals, Fractions, numpy
scalars and arrays, containers of these, plain objects. The documented outcomes are a result,
TypeError, ValueError or MemoryError (and OSError where a file is involved); anything else
(OverflowError, KeyError, AttributeError, ZeroDivisionError, a crash) is a bug.

Renders are kept tiny: integers are drawn from at most 64 or beyond every limit (so sizes,
resolutions and iteration limits that are accepted stay small), and a view whose pixel count
would still be large (a resolution over a tall region) is skipped before the call.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Dict, Tuple, Type

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import juliaset
from juliaset import _modern

# Hypothesis warns when a drawn value (10**400, a big array) has a long repr; that is the point.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

DOCUMENTED: Tuple[Type[BaseException], ...] = (TypeError, ValueError, MemoryError)
WITH_FILES = DOCUMENTED + (OSError,)
MAX_SAMPLES = 20_000  # pixels x supersample^2 of a call that is let through

# The hundred examples per test of a normal run take about 25 s in all; set
# JULIASET_FUZZ_EXAMPLES for a longer campaign.
FUZZ = settings(
    max_examples=int(os.environ.get("JULIASET_FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# -- values ------------------------------------------------------------------------------------

# No integer between 65 and 2**32: accepted sizes and iteration limits stay tiny, and every
# limit (2**30 pixels a side, 2**32 - 1 iterations) is still crossed.
small_or_huge = st.one_of(
    st.integers(min_value=-(2**70), max_value=64), st.integers(min_value=2**32, max_value=2**80)
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    small_or_huge,
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 1e-320, 1e150, 1e151, -0.0, 0.5]),
    st.complex_numbers(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.binary(max_size=6),
    st.decimals(),
    st.fractions(),
    st.sampled_from([Fraction(10**400, 3), Decimal("1e400"), 10**400, -(10**400)]),
    small_or_huge.filter(lambda n: -(2**63) <= n < 2**63).map(np.int64),
    st.integers(min_value=0, max_value=64).map(np.uint8),
    st.floats(allow_nan=True).map(np.float64),
    st.floats(width=32, allow_nan=True).map(np.float32),
    st.complex_numbers(allow_nan=True).map(np.complex128),
    st.booleans().map(np.bool_),
    st.builds(object),
    st.sampled_from([Ellipsis, print, int, juliaset, slice(1, 2)]),
    hnp.arrays(
        dtype=st.one_of(hnp.scalar_dtypes()),
        shape=hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3),
    ),
)
anything = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.tuples(inner, inner, inner, inner),
        st.dictionaries(st.text(max_size=4), inner, max_size=3),
    ),
    max_leaves=6,
)


# The values most likely to slip through a check, drawn often on their own.
nasty = st.sampled_from([
    None, True, False, 0, -1, 2**31, 2**32, 2**64, 10**400, -(10**400), math.nan, math.inf,
    -math.inf, 1e308, 1e-320, -0.0, complex(math.inf, 0), complex(0, math.nan), 1e308 + 1e308j,
    Decimal("1e400"), Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity"), Decimal("0.5"),
    Fraction(10**400, 3), Fraction(1, 3), np.float64(math.nan), np.int64(-5), np.uint64(2**64 - 1),
    np.float32(math.inf), np.complex64(1j), np.bool_(True), np.array(2.0), np.array([1.0, 2.0]),
    np.array([[1, 2], [3, 4]]), np.array([]), np.array("text"), "", "x", "1.5", b"\x00", [], (), {},
    [1], (1.0, 2.0), (1, 2, 3, 4), {"a": 1}, object(), Ellipsis, print, type,
])


def maybe(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A working value, one of the nasty ones, or anything at all."""
    return st.one_of(valid, nasty, anything)


SMALL = st.integers(min_value=1, max_value=24)
VIEW = {
    "center": maybe(st.complex_numbers(max_magnitude=2.0, allow_nan=False)),
    "width": maybe(st.floats(min_value=1e-3, max_value=4.0)),
    "bounds": maybe(st.tuples(*[st.floats(-2.0, 2.0)] * 4)),
    "size": maybe(st.tuples(SMALL, SMALL)),
    "resolution": maybe(SMALL),
}
ITERATION = {
    "itermax": maybe(st.integers(min_value=1, max_value=40)),
    "threshold": maybe(st.floats(min_value=0.5, max_value=10.0)),
    "power": maybe(st.integers(min_value=2, max_value=16)),
    "threads": maybe(st.sampled_from([None, 0, 1, 2])),
}
FIELDS = maybe(
    st.one_of(
        st.sampled_from(juliaset.FIELD_NAMES),
        st.lists(st.sampled_from(juliaset.FIELD_NAMES), max_size=3),
    )
)
COLOUR = {
    "itermin": maybe(st.integers(min_value=0, max_value=5)),
    "colormap": maybe(st.sampled_from(juliaset.BUILTIN_COLORMAPS + ("jet", "virdis"))),
    "coloring": maybe(st.sampled_from(["count", "smooth", "histogram"])),
    "bits": maybe(st.sampled_from([8, 16])),
    "supersample": maybe(st.integers(min_value=1, max_value=3)),
}
PROGRESS = st.one_of(st.none(), st.just(lambda done, total: None), anything)


def keywords(**strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[Dict[str, Any]]:
    """Dicts with any subset of the keywords, each drawn from its strategy."""
    return st.fixed_dictionaries({}, optional=strategies)


def pixels_of(family: str, arguments: Dict[str, Any]) -> int:
    """Samples a call with these view arguments would render (0 when the view is invalid)."""
    default_center, default_width = (0j, 3.2) if family == "julia" else (-0.5 + 0j, 3.0)
    try:
        grid = _modern._grid(
            arguments.get("center", default_center),
            arguments.get("width", default_width),
            arguments.get("bounds"),
            arguments.get("size"),
            arguments.get("resolution"),
        )
    except Exception:
        return 0
    supersample = arguments.get("supersample", 1)
    if isinstance(supersample, (int, np.integer)) and 1 <= supersample <= 16:
        return grid.width * grid.height * int(supersample) ** 2
    return grid.width * grid.height


def only_documented(call: Callable[[], Any], allowed: Tuple[Type[BaseException], ...] = DOCUMENTED):
    """Runs ``call``; a result or an allowed exception passes, anything else fails the test."""
    try:
        return call()
    except allowed:
        return None


# -- the keyword API ---------------------------------------------------------------------------


@FUZZ
@given(c=maybe(st.complex_numbers(max_magnitude=2.0)),
       arguments=keywords(**VIEW, **ITERATION, fields=FIELDS, progress=PROGRESS))
def test_julia(c, arguments):
    assume(pixels_of("julia", arguments) <= MAX_SAMPLES)
    only_documented(lambda: juliaset.julia(c, **arguments))


@FUZZ
@given(arguments=keywords(**VIEW, **ITERATION, fields=FIELDS, progress=PROGRESS))
def test_mandelbrot(arguments):
    assume(pixels_of("mandelbrot", arguments) <= MAX_SAMPLES)
    only_documented(lambda: juliaset.mandelbrot(**arguments))


@FUZZ
@given(
    c=maybe(st.complex_numbers(max_magnitude=2.0)),
    arguments=keywords(**VIEW, **ITERATION, **COLOUR, progress=PROGRESS),
)
def test_julia_image(c, arguments):
    assume(pixels_of("julia", arguments) <= MAX_SAMPLES)
    only_documented(lambda: juliaset.julia_image(c, **arguments))


@FUZZ
@given(arguments=keywords(**VIEW, **ITERATION, **COLOUR, progress=PROGRESS))
def test_mandelbrot_image(arguments):
    assume(pixels_of("mandelbrot", arguments) <= MAX_SAMPLES)
    only_documented(lambda: juliaset.mandelbrot_image(**arguments))


@FUZZ
@given(
    points=maybe(
        hnp.arrays(np.complex128, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                   elements=st.complex_numbers(max_magnitude=3.0))
    ),
    c=maybe(st.complex_numbers(max_magnitude=2.0)),
    arguments=keywords(
        family=maybe(st.sampled_from(["julia", "mandelbrot"])), fields=FIELDS, **ITERATION
    ),
)
def test_evaluate(points, c, arguments):
    only_documented(lambda: juliaset.evaluate(points, c, **arguments))


@FUZZ
@given(
    family=maybe(st.sampled_from(["julia", "mandelbrot"])),
    arguments=keywords(c=maybe(st.complex_numbers(max_magnitude=2.0)), **VIEW, **COLOUR,
                       itermax=ITERATION["itermax"], threshold=ITERATION["threshold"],
                       power=ITERATION["power"]),
)
def test_image_parameters_and_render_parameters(family, arguments):
    parameters = only_documented(lambda: juliaset.image_parameters(family, **arguments))
    if parameters is not None:
        assume(parameters["width"] * parameters["height"] * parameters["supersample"] ** 2
               <= MAX_SAMPLES)
        image = juliaset.render_parameters(parameters)
        assert image.shape[:2] == (parameters["height"], parameters["width"])


def valid_parameters() -> Dict[str, Any]:
    return juliaset.image_parameters("julia", size=(12, 8), itermax=20, colormap="gray")


PARAMETER_KEYS = list(valid_parameters()) + ["unknown"]


@FUZZ
@given(
    changes=st.dictionaries(st.sampled_from(PARAMETER_KEYS), anything, max_size=3),
    removed=st.lists(st.sampled_from(PARAMETER_KEYS), max_size=2),
    region_changes=st.dictionaries(
        st.sampled_from(["xleft", "xright", "ybot", "ytop", "other"]), anything, max_size=2
    ),
    replace_whole=maybe(st.none()),
    threads=ITERATION["threads"],
    progress=PROGRESS,
)
def test_render_parameters(changes, removed, region_changes, replace_whole, threads, progress):
    parameters: Any = valid_parameters()
    parameters["region"] = dict(parameters["region"], **region_changes)
    parameters.update(changes)
    for key in removed:
        parameters.pop(key, None)
    if replace_whole is not None:
        parameters = replace_whole

    def render() -> Any:
        checked = juliaset._metadata.check_parameters(parameters)
        assume(checked["width"] * checked["height"] * checked["supersample"] ** 2 <= MAX_SAMPLES)
        return juliaset.render_parameters(parameters, threads=threads, progress=progress)

    only_documented(render)


@FUZZ
@given(arguments=keywords(**VIEW), family=maybe(st.sampled_from(["julia", "mandelbrot"])))
def test_grid(arguments, family):
    assume(pixels_of("julia", arguments) <= MAX_SAMPLES)
    assume(pixels_of("mandelbrot", arguments) <= MAX_SAMPLES)
    result = only_documented(lambda: juliaset.grid(family, **arguments))
    if result is not None:
        assert np.isfinite(result.x).all() and np.isfinite(result.y).all()
        assert all(math.isfinite(edge) for edge in result.extent)


# -- files ---------------------------------------------------------------------------------------

FOLDER = Path(tempfile.mkdtemp(prefix="juliaset-fuzz-"))


def a_file(name: str) -> Path:
    return FOLDER / name


def not_a_path(value: Any) -> bool:
    """True for values that are no file name, so that nothing is written outside FOLDER."""
    return not isinstance(value, (str, bytes, os.PathLike))


@FUZZ
@given(
    path=st.one_of(
        st.just(a_file("out.png")),
        st.text(max_size=12).map(lambda name: FOLDER / "sub" / name),
        anything.filter(not_a_path),
    ),
    image=maybe(
        st.one_of(
            st.just(juliaset.render_parameters(valid_parameters())),
            hnp.arrays(st.sampled_from([np.uint8, np.uint16, np.float64]),
                       hnp.array_shapes(min_dims=1, max_dims=3, max_side=12)),
        )
    ),
    parameters=maybe(st.just(valid_parameters())),
)
def test_save_png(path, image, parameters):
    (FOLDER / "sub").mkdir(exist_ok=True)
    only_documented(lambda: juliaset.save_png(path, image, parameters), WITH_FILES)
    leftovers = [name for name in os.listdir(FOLDER) if name.startswith(".")]
    assert leftovers == []


def png_with_record(text: str) -> Path:
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("juliaset", text)
    path = a_file("record.png")
    Image.fromarray(np.zeros((2, 2), np.uint8)).save(path, pnginfo=info)
    return path


@FUZZ
@given(
    path=st.one_of(
        anything.filter(not_a_path),
        st.binary(max_size=64).map(lambda data: (a_file("bytes.png").write_bytes(data),
                                                 a_file("bytes.png"))[1]),
        st.text(max_size=40).map(png_with_record),
        anything.map(lambda value: png_with_record(json.dumps(value, default=repr))),
        st.just(a_file("missing.png")),
        st.just(FOLDER),
    )
)
def test_read_parameters(path):
    parameters = only_documented(lambda: juliaset.read_parameters(path), WITH_FILES)
    if parameters is not None:
        assert isinstance(parameters, dict)
        # What read_parameters returns goes to render_parameters, which checks it.
        only_documented(lambda: juliaset._metadata.check_parameters(parameters))


# -- the seed's classes and the notebook helpers -------------------------------------------------


@FUZZ
@given(
    bounds=st.tuples(*[maybe(st.floats(-2.0, 2.0))] * 4),
    c_0=maybe(st.complex_numbers(max_magnitude=2.0)),
    threshold=maybe(st.floats(0.5, 10.0)),
    n_iterations=maybe(st.tuples(st.integers(0, 5), st.integers(6, 40))),
    resolution=maybe(SMALL),
    threads=ITERATION["threads"],
    method=st.sampled_from(["over", "escape_counts", "gray_image"]),
)
def test_complex_region_and_julia_div(bounds, c_0, threshold, n_iterations, resolution, threads,
                                      method):
    region = only_documented(lambda: juliaset.ComplexRegion(*bounds))
    div = only_documented(
        lambda: juliaset.JuliaDiv(c_0, threshold, n_iterations, resolution, threads=threads)
    )
    if region is None or div is None:
        return
    width, height = only_documented(lambda: region.shape(div.resolution)) or (0, 0)
    assume(width * height <= MAX_SAMPLES)
    only_documented(lambda: getattr(div, method)(region))
    only_documented(lambda: region.build(div.resolution))


@FUZZ
@given(resolution=anything, argument=anything)
def test_complex_region_methods_and_julia_div_over_take_only_their_types(resolution, argument):
    region = juliaset.ComplexRegion(-1.0, 1.0, 1.0, -1.0)
    if not isinstance(resolution, (int, np.integer)) or int(resolution) <= 64:
        only_documented(lambda: region.shape(resolution))
        only_documented(lambda: region.build(resolution))
    div = juliaset.JuliaDiv(0.3 + 0.1j, resolution=16)
    only_documented(lambda: div.over(argument))


@FUZZ
@given(
    array=maybe(
        st.one_of(
            st.just(juliaset.render_parameters(valid_parameters())),
            hnp.arrays(st.sampled_from([np.uint8, np.uint16, np.int32, np.float32]),
                       hnp.array_shapes(min_dims=0, max_dims=3, max_side=6)),
        )
    ),
    parameters=maybe(st.one_of(st.none(), st.just(valid_parameters()))),
)
def test_image(array, parameters):
    image = only_documented(lambda: juliaset.Image(array, parameters))
    if image is not None:
        assert image._repr_png_().startswith(b"\x89PNG")
        assert np.asarray(image).shape == image.shape


@FUZZ
@given(c=maybe(st.complex_numbers(max_magnitude=2.0)),
       arguments=keywords(**VIEW, **ITERATION, fields=FIELDS))
def test_xarray(c, arguments):
    pytest.importorskip("xarray")
    import juliaset.xarray

    assume(pixels_of("julia", arguments) <= MAX_SAMPLES)
    only_documented(lambda: juliaset.xarray.julia(c, **arguments))


# -- what the fuzz tests found, kept as plain regression tests ------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: juliaset.julia(10**400, size=(4, 4)),
        lambda: juliaset.julia(size=(4, 4), threshold=10**400),
        lambda: juliaset.mandelbrot(center=Fraction(10**400, 3), size=(4, 4)),
        lambda: juliaset.julia_image(size=(4, 4), width=-(10**400)),
        lambda: juliaset.evaluate([0j], c=10**400),
        lambda: juliaset.ComplexRegion(10**400, 1.0, 1.0, -1.0),
        lambda: juliaset.JuliaDiv(10**400),
    ],
    ids=["julia c", "threshold", "center", "width", "evaluate c", "ComplexRegion", "JuliaDiv"],
)
def test_a_number_beyond_the_doubles_is_a_value_error(call):
    with pytest.raises(ValueError, match="beyond the range of a double"):
        call()
