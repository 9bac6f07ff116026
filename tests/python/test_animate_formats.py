"""Every output format, decoded by a real decoder: frame count, rate and size."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

from juliaset import animate

av = pytest.importorskip("av")

SIZE = (64, 48)
C_PATH = [-0.8 + 0.156j, 0.285 + 0.01j, -0.4 + 0.6j]


@pytest.mark.parametrize("suffix, codec", [(".mp4", "h264"), (".webm", "vp9"), (".mkv", "ffv1")])
def test_videos_decode_with_their_frames_rate_and_size(tmp_path: Path, suffix: str,
                                                       codec: str) -> None:
    out = tmp_path / f"morph{suffix}"
    result = animate.morph(out, C_PATH, 7, size=SIZE, fps=25, itermax=50)
    assert result.format == suffix and result.frames_written == 7
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == codec
        assert (stream.codec_context.width, stream.codec_context.height) == SIZE
        assert stream.average_rate == 25
        frames = list(container.decode(stream))
    assert len(frames) == 7
    assert [f.pts * f.time_base for f in frames] == [Fraction(k, 25) for k in range(7)]
    # Lossy codecs still give the picture: close to the still render on average.
    first = frames[0].to_ndarray(format="rgb24").astype(int)
    still = animate.render_frame(animate.morph_plan(C_PATH, 7, size=SIZE, itermax=50)[0])
    assert np.mean(np.abs(first - still)) < 12
    # No temporary file is left beside the output.
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_fractional_rates_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "ntsc.mp4"
    animate.morph(out, C_PATH, 3, size=SIZE, fps=30000 / 1001, itermax=30, preset="ultrafast",
                  quality=30)
    with av.open(str(out)) as container:
        assert container.streams.video[0].average_rate * 1001 == 30000


@pytest.mark.parametrize("suffix", [".gif", ".webp"])
def test_loops_decode_with_their_frames_duration_and_size(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"loop{suffix}"
    loop = [0.3 + 0.5j, -0.5 + 0.5j, -0.5 - 0.5j, 0.3 + 0.5j]
    animate.morph(out, loop, 6, size=SIZE, fps=10, itermax=40, colormap="viridis")
    with Image.open(out) as image:
        assert image.size == SIZE
        assert image.n_frames == 6
        assert image.info.get("loop") == 0
        durations = []
        for frame in ImageSequence.Iterator(image):
            frame.load()  # WebP reads a frame's duration as it decodes it
            durations.append(frame.info["duration"])
    assert durations == [100] * 6


def test_gif_frames_keep_the_colours(tmp_path: Path) -> None:
    out = tmp_path / "loop.gif"
    animate.morph(out, C_PATH, 3, size=SIZE, fps=10, itermax=40, colormap="viridis")
    plan = animate.morph_plan(C_PATH, 3, size=SIZE, itermax=40, colormap="viridis")
    with Image.open(out) as image:
        for k, frame in enumerate(ImageSequence.Iterator(image)):
            decoded = np.asarray(frame.convert("RGB"))
            # A colormap image has at most 256 colours: the GIF palette holds them all.
            assert np.array_equal(decoded, animate.render_frame(plan[k])), k


def test_bits16_goes_to_lossless_outputs_only(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="bits=16"):
        animate.morph(tmp_path / "x.mp4", C_PATH, 2, size=SIZE, colormap="gray", bits=16)
    out = tmp_path / "deep.mkv"
    animate.morph(out, C_PATH, 2, size=SIZE, colormap="gray", bits=16, itermax=30)
    plan = animate.morph_plan(C_PATH, 2, size=SIZE, colormap="gray", bits=16, itermax=30)
    with av.open(str(out)) as container:
        decoded = [f.to_ndarray(format="gray16le") for f in container.decode(video=0)]
    assert all(np.array_equal(d, animate.render_frame(p)) for d, p in zip(decoded, plan))
