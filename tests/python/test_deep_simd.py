"""The deep engine's SIMD kernel (rows of neighbouring pixels in lanes) against its scalar
kernel, bit for bit, through the binding: counts, smooth counts and final |z|^2 at random deep
views around boundary points of both families, on every SIMD target this CPU has."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from juliaset import _core

DATA = Path(__file__).resolve().parent.parent / "data" / "deep"
PEER_RE = (DATA / "fractalshades-min-re.txt").read_text().strip()[:160]
PEER_IM = (DATA / "fractalshades-min-im.txt").read_text().strip()[:180]

# Boundary points with structure at every depth: the peer's minibrot, seahorse valley, the
# Misiurewicz point i, and (for Julia sets, with their c) points of their Julia sets (2000
# inverse steps in doubles; i is on the repelling cycle of c = i).
MANDELBROT_CENTRES = [(PEER_RE, PEER_IM), ("-0.7436438870371587", "0.1318259042053119"),
                      ("0", "1")]
JULIA = [("-0.835", "-0.2321", "1.0285946435458906", "-0.10200296261790796"),
         ("0", "1", "0", "1"),
         ("-0.12", "0.75", "-1.2425813725380939", "0.6624898229423242")]


def bits(array: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(array).view(np.uint64 if array.dtype == np.float64 else array.dtype)


def fields_of(engine: _core.DeepRender, kernel: str) -> dict:
    return engine.fields(["counts", "smooth", "final_norm"], kernel=kernel)


def assert_identical(engine: _core.DeepRender, label: str) -> None:
    scalar = fields_of(engine, "scalar")
    try:
        for target in _core.available_simd_targets():
            _core.force_simd_target(target)
            lanes = fields_of(engine, "auto")
            for name in scalar:
                assert np.array_equal(bits(lanes[name]), bits(scalar[name])), (label, target, name)
    finally:
        _core.force_simd_target("")


@settings(max_examples=30, deadline=None)
@given(centre=st.sampled_from(MANDELBROT_CENTRES), decade=st.integers(14, 160),
       mantissa=st.sampled_from(["1", "2.5", "7"]), width=st.integers(1, 37),
       height=st.integers(1, 9), itermax=st.integers(50, 20000),
       threshold=st.sampled_from([2.0, 10.0, 100.0]))
def test_mandelbrot_rows_are_bit_identical(centre, decade, mantissa, width, height, itermax,
                                           threshold):
    span = f"{mantissa}e-{decade}"
    engine = _core.DeepRender(centre[0], centre[1], span, width, height, family="mandelbrot",
                              threshold=threshold, itermax=itermax)
    assert_identical(engine, (centre[0][:12], span, width, height, itermax, threshold))


@settings(max_examples=20, deadline=None)
@given(julia=st.sampled_from(JULIA), decade=st.integers(14, 120), width=st.integers(1, 37),
       height=st.integers(1, 9), itermax=st.integers(50, 5000))
def test_julia_rows_are_bit_identical(julia, decade, width, height, itermax):
    c_re, c_im, re, im = julia
    engine = _core.DeepRender(re, im, f"3e-{decade}", width, height, family="julia",
                              c_re=c_re, c_im=c_im, itermax=itermax)
    assert_identical(engine, (c_re, c_im, decade, width, height, itermax))


def test_the_scalar_kernel_is_a_choice_and_a_bad_one_is_refused():
    engine = _core.DeepRender(PEER_RE, PEER_IM, "1e-30", 8, 4, family="mandelbrot",
                              threshold=100.0, itermax=5000)
    assert fields_of(engine, "scalar")["counts"].shape == (4, 8)
    with pytest.raises(ValueError, match="kernel"):
        engine.fields(["counts"], kernel="fast")
