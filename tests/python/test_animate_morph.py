"""juliaset.animate.morph: PNG frames and lossless video equal the still renders, exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import juliaset
from juliaset import animate

SIZE = (64, 48)
C_PATH = [-0.8 + 0.156j, 0.285 + 0.01j, -0.4 + 0.6j]
KEYWORDS = dict(itermax=60, colormap="magma", coloring="smooth")


def _frames(folder: Path) -> list:
    return sorted(folder.glob("frame_*.png"))


def test_morph_png_frames_are_the_still_renders_with_records(tmp_path: Path) -> None:
    out = tmp_path / "frames"
    result = animate.morph(out, C_PATH, 5, size=SIZE, **KEYWORDS)
    files = _frames(out)
    assert [f.name for f in files] == [f"frame_{k:06d}.png" for k in range(5)]
    assert result.frames_written == 5 and not result.interrupted
    plan = animate.morph_plan(C_PATH, 5, size=SIZE, **KEYWORDS)
    for k, file in enumerate(files):
        record = juliaset.read_parameters(file)
        assert record == plan[k].parameters
        c = complex(*record["c"])
        still = juliaset.julia_image(c, size=SIZE, **KEYWORDS)
        assert np.array_equal(np.asarray(Image.open(file).convert("RGB")), still)
    # The first and last frames are the path's ends.
    assert juliaset.read_parameters(files[0])["c"] == [C_PATH[0].real, C_PATH[0].imag]
    assert juliaset.read_parameters(files[-1])["c"] == [C_PATH[-1].real, C_PATH[-1].imag]


def test_png_frames_resume_where_they_stopped(tmp_path: Path) -> None:
    out = tmp_path / "frames"
    animate.morph(out, C_PATH, 4, size=SIZE, **KEYWORDS)
    first = _frames(out)[0]
    stamp = first.stat().st_mtime_ns
    _frames(out)[2].unlink()
    _frames(out)[-1].write_bytes(b"not a png")
    result = animate.morph(out, C_PATH, 4, size=SIZE, **KEYWORDS)
    assert result.frames_kept == 2 and result.frames_written == 2
    assert first.stat().st_mtime_ns == stamp
    for k, file in enumerate(_frames(out)):
        assert juliaset.read_parameters(file) == animate.morph_plan(C_PATH, 4, size=SIZE,
                                                                    **KEYWORDS)[k].parameters
    # Other parameters: every frame is rendered again.
    again = animate.morph(out, C_PATH, 4, size=SIZE, itermax=61, colormap="magma")
    assert again.frames_kept == 0 and again.frames_written == 4


def test_morph_closed_path_loops_without_repeating(tmp_path: Path) -> None:
    loop = [0.3 + 0.5j, -0.5 + 0.5j, -0.5 - 0.5j, 0.3 + 0.5j]
    plan = animate.morph_plan(loop, 6, size=SIZE, smooth=True)
    cs = [complex(*f.parameters["c"]) for f in plan]
    assert cs[0] == loop[0] and cs[-1] != loop[0]
    assert len(set(cs)) == 6


def test_morph_with_a_moving_view() -> None:
    plan = animate.morph_plan([0.285 + 0.01j], 3, size=SIZE, center=[0j, 0.5 + 0.5j],
                              width=[3.2, 0.8])
    widths = [f.parameters["region"]["xright"] - f.parameters["region"]["xleft"] for f in plan]
    assert widths == pytest.approx([3.2, 1.6, 0.8])
    assert plan[-1].parameters["region"]["xleft"] == pytest.approx(0.5 - 0.4)


def test_morph_lossless_video_equals_the_still_renders(tmp_path: Path) -> None:
    av = pytest.importorskip("av")
    out = tmp_path / "morph.mkv"
    animate.morph(out, C_PATH, 4, size=SIZE, fps=12, **KEYWORDS)
    plan = animate.morph_plan(C_PATH, 4, size=SIZE, **KEYWORDS)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "ffv1"
        assert stream.average_rate == 12
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(decoded) == 4
    for k, image in enumerate(decoded):
        c = complex(*plan[k].parameters["c"])
        assert np.array_equal(image, juliaset.julia_image(c, size=SIZE, **KEYWORDS)), k


def test_gray_lossless_video_equals_the_still_renders(tmp_path: Path) -> None:
    av = pytest.importorskip("av")
    out = tmp_path / "gray.mkv"
    animate.morph(out, C_PATH[:2], 3, size=SIZE, itermax=40, colormap="gray")
    plan = animate.morph_plan(C_PATH[:2], 3, size=SIZE, itermax=40, colormap="gray")
    with av.open(str(out)) as container:
        decoded = [f.to_ndarray(format="gray") for f in container.decode(video=0)]
    assert [d.shape for d in decoded] == [(48, 64)] * 3
    for k, image in enumerate(decoded):
        assert np.array_equal(image, juliaset.render_parameters(plan[k].parameters))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda p: animate.morph(p / "x.avi", C_PATH, 3, size=SIZE), ValueError, "unknown format"),
        (lambda p: animate.morph(p / "x.mp4", C_PATH, 3, size=(63, 48)), ValueError, "even"),
        (lambda p: animate.morph(p / "f", C_PATH, 0, size=SIZE), ValueError, "frames"),
        (lambda p: animate.morph(p / "f", C_PATH, 3, size=SIZE, fps=0), ValueError, "fps"),
        (lambda p: animate.morph(p / "f", C_PATH, 3, size=SIZE, itermax=0), ValueError, "itermax"),
        (lambda p: animate.morph(p / "f", C_PATH, 3, size=SIZE, colour="x"), TypeError, "colour"),
        (lambda p: animate.morph(p / "f", "0.3", 3, size=SIZE), TypeError, "c_path"),
        (lambda p: animate.morph(p / "no" / "x.mp4", C_PATH, 3, size=SIZE), ValueError,
         "does not exist"),
        (lambda p: animate.morph(p / "x.mp4", C_PATH, 3, size=SIZE, quality=52), ValueError,
         "quality for .mp4 must be an integer from 0 to 51"),
        (lambda p: animate.morph(p / "x.mkv", C_PATH, 3, size=SIZE, quality=5), ValueError,
         "quality applies to"),
        (lambda p: animate.morph(p / "x.mp4", C_PATH, 3, size=SIZE, preset="warp"), ValueError,
         "preset must be one of"),
        (lambda p: animate.morph(p / "x.webm", C_PATH, 3, size=SIZE, preset="fast"), ValueError,
         "preset applies to .mp4"),
    ],
)
def test_bad_morph_arguments_fail_before_rendering(tmp_path: Path, call: object, error: type,
                                                   message: str) -> None:
    with pytest.raises(error, match=message):
        call(tmp_path)  # type: ignore[operator]
    assert list(tmp_path.iterdir()) == []


def test_progress_reports_every_frame(tmp_path: Path) -> None:
    seen: list = []
    animate.morph(tmp_path / "f", C_PATH, 4, size=SIZE, itermax=20,
                  progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    with pytest.raises(TypeError, match="progress"):
        animate.morph(tmp_path / "g", C_PATH, 2, size=SIZE, progress="yes")
    assert not (tmp_path / "g").exists()
