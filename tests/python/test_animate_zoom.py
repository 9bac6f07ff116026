"""juliaset.animate.zoom: exact decimal frame views, geometric widths, frames = still renders."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from pathlib import Path

import numpy as np
import pytest

import juliaset
from juliaset import animate

SIZE = (64, 48)
TARGET = ("-0.743643887037158704752191506114774", "0.131825904205311970493132056385139")


def test_zoom_widths_are_geometric_and_the_ends_exact() -> None:
    plan = animate.zoom_plan((-0.5, 3), (TARGET, "1e-9"), 9, size=SIZE)
    widths = [Decimal(v.width) for v in plan.views]
    assert widths[0] == 3 and widths[-1] == Decimal("1e-9")
    with localcontext() as context:
        context.prec = 50
        ratios = [b / a for a, b in zip(widths, widths[1:])]
        expected = (Decimal("1e-9") / 3) ** (Decimal(1) / 8)
        for ratio in ratios:
            assert abs(ratio / expected - 1) < Decimal("1e-30")
    # The last frame is centred on the target to every digit given.
    assert plan.views[-1].center == (TARGET[0], TARGET[1])
    assert plan.views[0].center == ("-0.5", "0")


def test_zoom_centres_keep_the_fixed_point_still() -> None:
    start, end = ((-0.5, 0.0), Decimal(3)), ((Decimal(TARGET[0]), Decimal(TARGET[1])), Decimal("1e-6"))
    plan = animate.zoom_plan(((-0.5, 0), 3), (TARGET, "1e-6"), 7, size=SIZE)
    with localcontext() as context:
        context.prec = 60
        (c0, w0), (c1, w1) = start, end
        c0 = (Decimal("-0.5"), Decimal(0))
        # The screen-fixed point p: (p - c0) / w0 == (p - c1) / w1 in both coordinates.
        p = [(c0[i] * w1 - c1[i] * w0) / (w1 - w0) for i in range(2)]
        for view in plan.views:
            w = Decimal(view.width)
            for i in range(2):
                left = (p[i] - c0[i]) / w0
                here = (p[i] - Decimal(view.center[i])) / w
                assert abs(here - left) < Decimal("1e-25")
        # Every frame contains the end centre (the reference point of a deep zoom).
        for view in plan.views:
            offset = abs(Decimal(view.center[0]) - c1[0])
            assert offset <= Decimal(view.width) / 2
    assert plan.reference[:2] == TARGET


def test_zoom_iterations_rise_with_depth() -> None:
    plan = animate.zoom_plan((-0.5, 3), (TARGET, "3e-6"), 3, size=SIZE, itermax=100,
                             itermax_per_decade=50)
    assert [v.itermax for v in plan.views] == [100, 100 + 50 * 3, 100 + 50 * 6]
    assert [f.parameters["itermax"] for f in plan.frames] == [v.itermax for v in plan.views]
    assert plan.reference[2] == 400
    rising = animate.zoom_plan((-0.5, 3), (TARGET, "3e-6"), 3, size=SIZE, itermax=100,
                               itermin=10, itermin_per_decade=20)
    assert [f.parameters["itermin"] for f in rising.frames] == [10, 70, 130]
    with pytest.raises(ValueError, match="frame 1 would have itermin 450 >= itermax 400"):
        animate.zoom_plan((-0.5, 3), (TARGET, "3e-6"), 3, size=SIZE, itermax=100,
                          itermin_per_decade=150)


def test_zoom_keyframes_and_easing() -> None:
    views = [((-0.5, 0), 3), ((-0.75, 0.1), "0.3"), ((-0.745, 0.113), "0.003")]
    plan = animate.zoom_plan(views[0], views[2], 21, size=SIZE, keyframes=[views[1]])
    widths = [float(v.width) for v in plan.views]
    # The keyframe is passed through: one frame sits on it (segments take time by length).
    assert any(abs(w - 0.3) < 1e-12 for w in widths) or min(
        abs(math.log(w / 0.3)) for w in widths) < 0.2
    assert widths == sorted(widths, reverse=True)
    eased = animate.zoom_plan(views[0], views[2], 21, size=SIZE, ease="in-out")
    steps = np.diff(np.log([float(v.width) for v in eased.views]))
    assert abs(steps[0]) < abs(steps[10]) and abs(steps[-1]) < abs(steps[10])
    assert float(eased.views[-1].width) == 0.003


def test_zoom_png_frames_equal_the_still_renders(tmp_path: Path) -> None:
    out = tmp_path / "zoom"
    keywords = dict(colormap="twilight_r", supersample=2)
    animate.zoom(out, (-0.5, 3), ((-0.745, 0.113), 0.01), 4, size=SIZE, itermax=80, **keywords)
    plan = animate.zoom_plan((-0.5, 3), ((-0.745, 0.113), 0.01), 4, size=SIZE, itermax=80,
                             **keywords)
    for k, view in enumerate(plan.views):
        file = out / f"frame_{k:06d}.png"
        assert juliaset.read_parameters(file) == plan.frames[k].parameters
        still = juliaset.mandelbrot_image(center=view.center_complex(), width=float(view.width),
                                          size=SIZE, itermax=view.itermax, coloring="smooth",
                                          **keywords)
        from PIL import Image

        assert np.array_equal(np.asarray(Image.open(file)), still), k


def test_zoom_lossless_video_equals_the_still_renders(tmp_path: Path) -> None:
    av = pytest.importorskip("av")
    out = tmp_path / "zoom.mkv"
    animate.zoom(out, (-0.5, 3), (TARGET, "1e-4"), 5, size=SIZE, fps=24, itermax=60)
    plan = animate.zoom_plan((-0.5, 3), (TARGET, "1e-4"), 5, size=SIZE, itermax=60)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height, stream.average_rate) == (64, 48, 24)
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(decoded) == 5
    for k, (image, view) in enumerate(zip(decoded, plan.views)):
        still = juliaset.mandelbrot_image(center=view.center_complex(), width=float(view.width),
                                          size=SIZE, itermax=view.itermax, coloring="smooth")
        assert np.array_equal(image, still), k


def test_zoom_of_a_julia_set_and_rotation() -> None:
    plan = animate.zoom_plan((0, 3.2), (0.3 + 0.2j, 0.5), 3, size=SIZE, family="julia",
                             c=-0.8 + 0.156j, rotation=90)
    assert [f.rotation for f in plan.frames] == [0.0, 45.0, 90.0]
    assert plan.frames[0].parameters["family"] == "julia"
    assert plan.frames[0].parameters["c"] == [-0.8, 0.156]
    unrotated = animate.render_frame(plan.frames[0])
    assert np.array_equal(unrotated, juliaset.render_parameters(plan.frames[0].parameters))
    # Julia sets are symmetric under z -> -z, a half turn about the view's centre 0. The engine
    # samples pixel i at x_i = (i - width/2) dx, and the half turn maps pixel i to width-1-i,
    # that is to -x_i - dx: so the turned frame is the straight one moved by one pixel, exactly
    # (a half turn maps pixel centres onto pixel centres, so the bicubic filter only copies).
    turned = animate.render_frame(animate.Frame(plan.frames[0].parameters, 180.0))
    straight = juliaset.render_parameters(plan.frames[0].parameters)
    inner = (slice(1, -1), slice(1, -1))
    assert np.array_equal(turned[:-1, :-1], straight[1:, 1:])
    assert not np.array_equal(turned[inner], straight[inner])


def test_zoom_too_deep_for_doubles_says_so() -> None:
    if animate.exact_views_supported():
        pytest.skip("this juliaset has the deep engine")
    with pytest.raises(ValueError, match="finer than double precision"):
        animate.zoom_plan((-0.5, 3), (TARGET, "1e-20"), 3, size=SIZE)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(start=(-0.5, 0)), ValueError, "start width"),
        (dict(end=("x", 1)), ValueError, "end center"),
        (dict(end=((-0.7, 0.1), "1e")), ValueError, "end width"),
        (dict(ease="slow"), ValueError, "ease"),
        (dict(coloring="histogram"), ValueError, "flickers"),
        (dict(itermax_per_decade=-1), ValueError, "itermax_per_decade"),
        (dict(rotation=float("inf")), ValueError, "rotation"),
        (dict(c=0.3), ValueError, "c has no meaning"),
        (dict(family="burning"), ValueError, "family"),
    ],
)
def test_bad_zoom_arguments(kwargs: dict, error: type, message: str) -> None:
    arguments = dict(start=(-0.5, 3), end=((-0.7, 0.1), 0.01), frames=3, size=SIZE)
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        animate.zoom_plan(**arguments)  # type: ignore[arg-type]


DEEP_TARGET = (
    "-1.9999661944503703041843468850635057967553124154072485151176192294480158424234268438",
    "0.0000000000000000000000000000000003001382436790938324072497303977592498734683119077",
)


def test_deep_zoom_frames_equal_the_still_renders(tmp_path: Path) -> None:
    if not animate.exact_views_supported():
        pytest.skip("this juliaset has no deep engine (decimal-string views)")
    out = tmp_path / "deep"
    animate.zoom(out, (-0.5, 3), (DEEP_TARGET, "1e-30"), 4, size=SIZE, itermax=500,
                 itermax_per_decade=200, share_reference=False)
    plan = animate.zoom_plan((-0.5, 3), (DEEP_TARGET, "1e-30"), 4, size=SIZE, itermax=500,
                             itermax_per_decade=200)
    assert plan.exact
    assert tuple(map(Decimal, plan.views[-1].center)) == tuple(map(Decimal, DEEP_TARGET))
    from PIL import Image

    for k, view in enumerate(plan.views):
        still = juliaset.mandelbrot_image(center=view.center, width=view.width, size=SIZE,
                                          itermax=view.itermax, coloring="smooth")
        image = np.asarray(Image.open(out / f"frame_{k:06d}.png"))
        assert np.array_equal(image, still), k


def test_deep_zoom_shares_one_reference_across_frames(tmp_path: Path) -> None:
    if not animate.exact_views_supported():
        pytest.skip("this juliaset has no deep engine (decimal-string views)")
    from PIL import Image

    from juliaset.animate._run import SharedReferenceRenderer

    arguments = dict(size=SIZE, itermax=500, itermax_per_decade=200)
    plan = animate.zoom_plan((-0.5, 3), (DEEP_TARGET, "1e-40"), 6, **arguments)
    renderer = SharedReferenceRenderer(plan.frames)
    out = tmp_path / "shared"
    animate.zoom(out, (-0.5, 3), (DEEP_TARGET, "1e-40"), 6, renderer=renderer, **arguments)
    deep = [k for k, f in enumerate(plan.frames) if renderer._deep(f)]
    assert len(deep) >= 3 and renderer.shared_frames == len(deep)
    # The shared reference is the deepest frame's, iterated to the largest itermax.
    reference = juliaset.deep_reference(plan.frames[-1].parameters,
                                        itermax=max(v.itermax for v in plan.views))
    assert reference.precision_bits == renderer.reference().precision_bits
    for k, frame in enumerate(plan.frames):
        image = np.asarray(Image.open(out / f"frame_{k:06d}.png"))
        if k in deep:
            # Exactly the still around the same reference ...
            assert np.array_equal(
                image, juliaset.render_parameters(frame.parameters, reference=reference)), k
            # ... and the still around its own orbit up to rounding: smooth counts that differ
            # in their last bits move a few pixels by one colour level (17 of 3,072 at most,
            # measured).
            own = juliaset.render_parameters(frame.parameters).astype(np.int64)
            difference = np.abs(image.astype(np.int64) - own).max(axis=-1)
            assert difference.max() <= 1 and np.mean(difference > 0) <= 0.01, k
        else:
            assert np.array_equal(image, juliaset.render_parameters(frame.parameters)), k
    # zoom() uses the shared renderer by default: the same frames.
    default = tmp_path / "default"
    animate.zoom(default, (-0.5, 3), (DEEP_TARGET, "1e-40"), 6, **arguments)
    for k in range(len(plan.frames)):
        assert np.array_equal(np.asarray(Image.open(default / f"frame_{k:06d}.png")),
                              np.asarray(Image.open(out / f"frame_{k:06d}.png"))), k


def test_deep_reference_refuses_what_it_cannot_serve() -> None:
    if not animate.exact_views_supported():
        pytest.skip("this juliaset has no deep engine (decimal-string views)")
    deep = juliaset.image_parameters("mandelbrot", center=DEEP_TARGET, width="1e-30",
                                     size=(16, 12), itermax=3000)
    reference = juliaset.deep_reference(deep)
    assert "precision_bits" in repr(reference)
    with pytest.raises(ValueError, match="deep_reference needs a view"):
        juliaset.deep_reference(juliaset.image_parameters("mandelbrot", size=(16, 12)))
    deeper = juliaset.image_parameters("mandelbrot", center=DEEP_TARGET, width="1e-300",
                                       size=(16, 12), itermax=3000)
    with pytest.raises(ValueError, match="^reference: .*bits"):
        juliaset.render_parameters(deeper, reference=reference)
    cubic = juliaset.image_parameters("mandelbrot", center=DEEP_TARGET, width="1e-30",
                                      size=(16, 12), itermax=3000, power=3)
    with pytest.raises(ValueError, match="^reference: .*same family, power"):
        juliaset.render_parameters(cubic, reference=reference)
    with pytest.raises(TypeError, match="deep_reference"):
        juliaset.render_parameters(deep, reference="not one")  # type: ignore[arg-type]
    # A shallow view ignores it.
    shallow = juliaset.image_parameters("mandelbrot", size=(16, 12))
    assert np.array_equal(juliaset.render_parameters(shallow, reference=reference),
                          juliaset.render_parameters(shallow))
