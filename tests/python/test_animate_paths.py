"""juliaset.animate.paths: the paths of c, checked against their definitions."""

from __future__ import annotations

import cmath
import math

import numpy as np
import pytest

from juliaset.animate import paths


def test_polyline_passes_its_points_in_order_at_constant_speed() -> None:
    path = paths.polyline([0, 1, 1 + 2j])
    assert path.length == pytest.approx(3.0)
    assert path.start == 0 and path.end == 1 + 2j
    assert path.at(1 / 3) == pytest.approx(1)  # the corner, one third of the way along
    s = np.linspace(0, 1, 31)
    steps = np.abs(np.diff(path(s)))
    assert steps == pytest.approx(np.full(30, 0.1))
    assert not path.closed


def test_closed_paths_spread_frames_over_a_loop() -> None:
    square = paths.polyline([0, 1, 1 + 1j, 1j, 0])
    assert square.closed
    fractions = square.frame_fractions(8)
    assert fractions[0] == 0 and fractions[-1] == pytest.approx(7 / 8)
    open_line = paths.line(0, 1)
    assert open_line.frame_fractions(5).tolist() == [0, 0.25, 0.5, 0.75, 1]


def test_smooth_curve_interpolates_its_points() -> None:
    points = [-0.8 + 0.156j, 0.285 + 0.01j, -0.4 + 0.6j, 0.3 - 0.5j]
    curve = paths.smooth(points)
    assert curve.start == points[0] and curve.end == points[-1]
    dense = curve(np.linspace(0, 1, 4001))
    for p in points[1:-1]:
        assert np.min(np.abs(dense - p)) < 2e-3 * curve.length
    # Smooth: no step is much longer than the average (no jumps), and no corners: the turn
    # between consecutive steps stays small (the polyline through the points turns by more
    # than a radian at once at its corners).
    steps = np.diff(dense)
    assert np.max(np.abs(steps)) < 1.05 * curve.length / 4000
    turns = np.abs(np.angle(steps[1:] / steps[:-1]))
    assert np.max(turns) < 0.25
    corners = np.diff(paths.polyline(points)(np.linspace(0, 1, 4001)))
    assert np.max(np.abs(np.angle(corners[1:] / corners[:-1]))) > 1.0


def test_closed_smooth_curve_is_smooth_at_the_seam() -> None:
    points = [0.3 + 0j, 0j + 0.3j, -0.3 + 0j, -0.3j, 0.3 + 0j]
    curve = paths.smooth(points)
    assert curve.closed
    a, b = curve(np.array([1 - 1e-4, 1.0])), curve(np.array([0.0, 1e-4]))
    into, out = a[1] - a[0], b[1] - b[0]
    assert abs(cmath.phase(out / into)) < 1e-2


def test_circle_and_cardioid_follow_their_formulas() -> None:
    circle = paths.circle(0.1 + 0.2j, 0.5)
    assert circle.closed and circle.length == pytest.approx(math.pi, rel=1e-5)
    pts = circle(np.linspace(0, 1, 50))
    assert np.abs(pts - (0.1 + 0.2j)) == pytest.approx(np.full(50, 0.5))
    cardioid = paths.cardioid()
    assert cardioid.start == pytest.approx(0.25)  # the cusp
    assert cardioid.closed
    pts = cardioid(np.linspace(0, 1, 200))
    # Each point is r e^(it)/2 - r^2 e^(2it)/4 with r = 1: its fixed point z = e^(it)/2 has
    # multiplier 2z of modulus 1.
    fixed = (1 - np.sqrt(1 - 4 * pts + 0j)) / 2
    assert np.abs(2 * fixed) == pytest.approx(np.ones(200), abs=1e-6)
    inner = paths.cardioid(0.9)(np.linspace(0, 1, 50))
    assert np.abs(1 - np.sqrt(1 - 4 * inner + 0j)) == pytest.approx(np.full(50, 0.9), abs=1e-9)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: paths.polyline([]), "at least 1"),
        (lambda: paths.smooth([1]), "at least 2"),
        (lambda: paths.polyline([0, float("nan")]), r"points\[1\] must be finite"),
        (lambda: paths.circle(0, -1), "radius"),
        (lambda: paths.cardioid(0), "multiplier"),
    ],
)
def test_bad_paths_are_reported(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]
