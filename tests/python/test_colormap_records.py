"""Every image saved from Python re-renders identically, by `juliaset --from` and by
`render_parameters`, whatever its colormap (issue 10, item 12): colormaps that are not built-in
names are recorded by their 256 colours."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import LinearSegmentedColormap, ListedColormap
from PIL import Image
from PIL.PngImagePlugin import PngInfo

import juliaset

COLORMAPS = {
    "jet": "jet",
    "cividis": "cividis",
    "viridis resampled to 8": matplotlib.colormaps["viridis"].resampled(8),
    "custom segmented": LinearSegmentedColormap.from_list("mine", ["navy", "white", "crimson"]),
    "listed named gray": ListedColormap([[0.2, 0.4, 0.6], [0.9, 0.1, 0.0]], name="gray"),
    "built-in magma": "magma",
}


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image).copy()


def rerendered_by_the_command(cli: str, path: Path, tmp_path: Path) -> np.ndarray:
    result = subprocess.run(
        [cli, "--from", str(path), "-o", "again.png"], cwd=tmp_path, capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr.decode()
    return pixels(tmp_path / "again.png")


@pytest.mark.parametrize("label", list(COLORMAPS))
@pytest.mark.parametrize(
    "family, coloring, supersample",
    [("julia", "count", 1), ("mandelbrot", "smooth", 2), ("julia", "histogram", 1)],
)
def test_a_saved_image_re_renders_identically_everywhere(
    cli, tmp_path, label, family, coloring, supersample
):
    colormap = COLORMAPS[label]
    params = juliaset.image_parameters(
        family, size=(48, 30), itermax=60, colormap=colormap, coloring=coloring,
        supersample=supersample,
    )  # fmt: skip
    image = juliaset.render_parameters(params)
    assert image.shape == (30, 48, 3)
    # The keyword API with the colormap object itself gives the same pixels.
    direct = (juliaset.julia_image if family == "julia" else juliaset.mandelbrot_image)(
        size=(48, 30), itermax=60, colormap=colormap, coloring=coloring, supersample=supersample
    )
    assert np.array_equal(direct, image)
    path = tmp_path / "saved.png"
    juliaset.save_png(path, image, params)
    assert np.array_equal(pixels(path), image)
    recorded = juliaset.read_parameters(path)
    assert ("colormap_table" in recorded) == (label != "built-in magma")
    assert np.array_equal(juliaset.render_parameters(recorded), image)
    assert np.array_equal(rerendered_by_the_command(cli, path, tmp_path), image)


def test_a_resampled_colormap_is_not_recorded_as_its_namesake(cli, tmp_path):
    resampled = matplotlib.colormaps["viridis"].resampled(8)
    params = juliaset.image_parameters(size=(64, 40), itermax=80, colormap=resampled)
    assert params["colormap"] == "viridis"  # its name, but...
    table = np.array(params["colormap_table"])
    assert len(np.unique(table, axis=0)) == 8  # ...its own eight colours
    image = juliaset.render_parameters(params)
    builtin = juliaset.julia_image(size=(64, 40), itermax=80, colormap="viridis")
    assert not np.array_equal(image, builtin)
    path = tmp_path / "eight.png"
    juliaset.save_png(path, image, params)
    assert np.array_equal(rerendered_by_the_command(cli, path, tmp_path), image)
    # A --colormap flag replaces the recorded table.
    subprocess.run(
        [cli, "--from", str(path), "--colormap=viridis", "-o", "named.png"], cwd=tmp_path, check=True
    )
    assert np.array_equal(pixels(tmp_path / "named.png"), builtin)


def test_save_png_refuses_an_image_that_does_not_match_its_parameters(tmp_path):
    params = juliaset.image_parameters(size=(32, 20), colormap="jet")
    image = juliaset.render_parameters(params)
    with pytest.raises(ValueError, match=r"\(20, 32, 3\)"):
        juliaset.save_png(tmp_path / "a.png", image[:, :, 0], params)
    with pytest.raises(ValueError, match="image is"):
        juliaset.save_png(tmp_path / "a.png", image[:10], params)
    gray = juliaset.image_parameters(size=(32, 20), colormap="gray")
    with pytest.raises(ValueError, match="image is"):
        juliaset.save_png(tmp_path / "a.png", image, gray)
    assert not (tmp_path / "a.png").exists()


def test_recorded_tables_are_validated(tmp_path):
    params = juliaset.image_parameters(size=(8, 5), colormap="jet")
    for table, message in [
        (params["colormap_table"][:255], "must be 256"),
        ([[0.0, 0.0, 2.0]] * 256, "between 0 and 1"),
        ("jet", "must be 256"),
    ]:
        with pytest.raises(ValueError, match=message):
            juliaset.render_parameters({**params, "colormap_table": table})
    with pytest.raises(ValueError, match="bits"):
        juliaset.render_parameters({**params, "colormap": "gray", "bits": 16})


def test_an_old_record_naming_a_matplotlib_colormap_is_blamed_on_the_record(cli, tmp_path):
    # Written before colour tables were recorded: the name alone, which the command lacks.
    params = juliaset.image_parameters(size=(16, 10), colormap="cividis")
    del params["colormap_table"]
    info = PngInfo()
    info.add_text("juliaset", json.dumps(params))
    Image.fromarray(juliaset.render_parameters(params)).save(tmp_path / "old.png", pnginfo=info)
    result = subprocess.run(
        [cli, "--from", "old.png", "-o", "x.png"], cwd=tmp_path, capture_output=True, timeout=60
    )
    assert result.returncode == 2
    line = result.stderr.decode()
    assert line.startswith("juliaset: error: record in 'old.png': \"colormap\": unknown colormap 'cividis'")
    assert "--colormap:" not in line
