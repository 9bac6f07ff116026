"""The default view frames each set whole (issue 10, item 13): `--mandelbrot --power=3` cropped
the set. The command and juliaset.mandelbrot take their default from one table in the core."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
from PIL import Image

import juliaset
from juliaset import _core

ITERMAX = 300


def border(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([counts[0], counts[-1], counts[:, 0], counts[:, -1]])


def command_view(cli: str, tmp_path, power: int) -> tuple[dict, np.ndarray]:
    """The record and the gray pixels of `juliaset --mandelbrot --power=P` at its defaults."""
    result = subprocess.run(
        [cli, "--mandelbrot", f"--power={power}", "-R=200", "-m=0", f"-M={ITERMAX}", "-o", "m.png"],
        cwd=tmp_path, capture_output=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    with Image.open(tmp_path / "m.png") as image:
        return json.loads(image.text["juliaset"]), np.asarray(image).copy()


@pytest.mark.parametrize("power", range(3, 17))
def test_the_command_frames_each_multibrot_set_whole(cli, tmp_path, power):
    record, gray = command_view(cli, tmp_path, power)
    region = record["region"]
    assert (region["xleft"], region["xright"], region["ybot"], region["ytop"]) == (
        _core.default_region("mandelbrot", power)
    )
    counts = juliaset.mandelbrot(
        bounds=tuple(region.values()), size=(record["width"], record["height"]),
        itermax=ITERMAX, power=power,
    )  # fmt: skip
    # The pixels are these counts (gray = count / itermax * 255, truncated).
    assert np.array_equal(gray, (counts.astype(np.float64) / ITERMAX * 255).astype(np.uint8))
    # Nothing of the set touches the frame: every border pixel escapes within 3 iterations...
    assert border(counts).max() <= 3
    # ...and the set fills it: its interior spans most of the width and the height.
    rows, columns = np.nonzero(counts == ITERMAX)
    assert (columns.max() - columns.min() + 1) / counts.shape[1] > 0.8
    assert (rows.max() - rows.min() + 1) / counts.shape[0] > 0.8


def test_the_old_default_cropped_the_power_3_set():
    counts = juliaset.mandelbrot(bounds=(-2.0, 1.0, -1.0, 1.0), size=(150, 100), itermax=ITERMAX, power=3)
    assert (border(counts) == ITERMAX).any()


@pytest.mark.parametrize("power", range(3, 17))
@pytest.mark.parametrize("size", [(160, 100), (100, 160), None])
def test_python_frames_each_multibrot_set_whole_at_any_aspect(power, size):
    counts = juliaset.mandelbrot(power=power, size=size, itermax=ITERMAX)
    assert border(counts).max() <= 3
    params = juliaset.image_parameters("mandelbrot", power=power, size=size)
    xleft, xright, ybot, ytop = _core.default_region("mandelbrot", power)
    region = params["region"]
    # The command's frame lies within Python's view (widened to the image's aspect).
    assert region["xleft"] <= xleft + 1e-12 and region["xright"] >= xright - 1e-12
    assert region["ybot"] <= ybot + 1e-12 and region["ytop"] >= ytop - 1e-12


def test_power_2_and_julia_defaults_are_unchanged(cli, tmp_path):
    record, _ = command_view(cli, tmp_path, 2)
    assert record["region"] == {"xleft": -2.0, "xright": 1.0, "ybot": -1.0, "ytop": 1.0}
    assert juliaset.image_parameters("mandelbrot", size=(800, 500))["region"] == {
        "xleft": -2.0, "xright": 1.0, "ybot": -0.9375, "ytop": 0.9375,
    }  # fmt: skip
    for power in (2, 5):
        assert juliaset.image_parameters("julia", power=power, size=(800, 500))["region"] == {
            "xleft": -1.6, "xright": 1.6, "ybot": -1.0, "ytop": 1.0,
        }  # fmt: skip
        assert _core.default_region("julia", power) == (-1.6, 1.6, -1.0, 1.0)
    with pytest.raises(ValueError, match="power"):
        _core.default_region("mandelbrot", 17)
