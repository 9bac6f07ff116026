"""The `juliaset` command beyond the seed: Mandelbrot and higher powers, colormaps, smooth and
histogram colouring, supersampling, 16-bit output, single precision, the parameter record every
PNG carries and `--from`, the progress bar, and agreement with the Python API.

Run as users run it (a subprocess) and decoded with Pillow; pixels are checked against
independent NumPy implementations written here from docs and tests/data/golden/README.md.
"""

from __future__ import annotations

import io
import json
import math
import os
import pty
import select
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable, List, Optional, Tuple

import numpy as np
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

HEADLINE_BOUNDS = ["-x=-0.1", "-X=0.1", "-y=-0.1", "-Y=0.1"]
HEADLINE_REGION = [*HEADLINE_BOUNDS, "-m=20", "-M=100"]
RECORD_KEYS = [
    "schema", "engine", "family", "power", "c", "region", "width", "height", "threshold", "itermin",
    "itermax", "coloring", "colormap", "bits", "supersample", "precision",
]  # fmt: skip


def run(cli: str, *args: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([cli, *args], cwd=cwd, capture_output=True, timeout=120, **kwargs)


def render(cli: str, tmp_path: Path, *args: str) -> tuple[np.ndarray, Image.Image]:
    """Pixels and the (loaded) Pillow image of `juliaset ARGS -o -`, checking a quiet success."""
    result = run(cli, *args, "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    image = Image.open(io.BytesIO(result.stdout))
    image.load()
    return np.asarray(image).copy(), image


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image).copy()


# --- independent NumPy implementation: both families, any power -----------------------------


def round_half_away(value: float) -> int:
    floor = math.floor(value)
    return floor + 1 if value - floor >= 0.5 else floor


def grid(resolution: int, xleft: float, xright: float, ybot: float, ytop: float):
    """The seed's sample grid: x = i/nx*(xright-xleft)+xleft, y = j/ny*(ybot-ytop)+ytop."""
    nx = resolution
    ny = round_half_away(nx * abs(ytop - ybot) / abs(xright - xleft))
    x = np.arange(nx, dtype=np.float64) / nx * (xright - xleft) + xleft
    y = np.arange(ny, dtype=np.float64) / ny * (ybot - ytop) + ytop
    re = np.broadcast_to(x[None, :], (ny, nx)).copy()
    im = np.broadcast_to(y[:, None], (ny, nx)).copy()
    return re, im


def reference_counts(
    resolution: int,
    region: tuple[float, float, float, float],
    *,
    mandelbrot: bool = False,
    power: int = 2,
    c: tuple[float, float] = (-0.835, -0.2321),
    threshold: float = 2.0,
    itermax: int = 80,
) -> np.ndarray:
    """Escape counts: z <- z^power + c with z^power as ((z*z)*z)..., each product
    (a*c - b*d, a*d + b*c) on separate float64 real and imaginary arrays, then + c; the count is
    the 0-based index of the first iterate with |z|^2 > threshold^2, or itermax."""
    x, y = grid(resolution, *region)
    if mandelbrot:
        z_re, z_im = np.zeros_like(x), np.zeros_like(y)
        c_re, c_im = x, y
    else:
        z_re, z_im = x, y
        c_re, c_im = np.float64(c[0]), np.float64(c[1])
    counts = np.full(x.shape, itermax, dtype=np.int64)
    done = np.zeros(x.shape, dtype=bool)
    limit = threshold * threshold
    with np.errstate(all="ignore"):  # escaped orbits may overflow; they are done by then
        for k in range(itermax + 1):
            re, im = z_re, z_im
            for _ in range(power - 1):
                re, im = re * z_re - im * z_im, re * z_im + im * z_re
            z_re, z_im = re + c_re, im + c_im
            escaped = ~done & (z_re * z_re + z_im * z_im > limit)
            counts[escaped] = k
            done |= escaped
            if done.all():
                break
    return counts


def normalized(counts: np.ndarray, itermin: int, itermax: int) -> np.ndarray:
    return (np.maximum(counts, itermin) - itermin) / float(itermax - itermin)


def gray8(counts: np.ndarray, itermin: int, itermax: int) -> np.ndarray:
    return np.trunc(normalized(counts, itermin, itermax) * 255.0).astype(np.uint8)


# --- Mandelbrot and powers -------------------------------------------------------------------

MANDELBROT_REGION = (-2.2, 0.8, -1.2, 1.2)
MANDELBROT_FLAGS = ["-x=-2.2", "-X=0.8", "-y=-1.2", "-Y=1.2"]


@pytest.mark.parametrize("spelling", [["--power", "2"], ["--power=2"], []])
def test_mandelbrot_power_2_is_pixel_exact(cli, tmp_path, spelling) -> None:
    image, pil = render(cli, tmp_path, "--mandelbrot", *spelling, "-R=240", *MANDELBROT_FLAGS,
                        "-m=0", "-M=60")  # fmt: skip
    assert pil.mode == "L"
    expected = gray8(reference_counts(240, MANDELBROT_REGION, mandelbrot=True, itermax=60), 0, 60)
    np.testing.assert_array_equal(image, expected)
    # The set itself is there: the point -0.5 (column 68 of 240, row 96 of 192) is inside.
    assert image[96, 68] == 255 and image[0, 0] == 0


def test_mandelbrot_default_region_is_the_python_packages(cli, tmp_path) -> None:
    image, _ = render(cli, tmp_path, "--mandelbrot", "-R=150")
    expected = gray8(reference_counts(150, (-2.0, 1.0, -1.0, 1.0), mandelbrot=True), 5, 80)
    np.testing.assert_array_equal(image, expected)


POWER_CASES = [
    (True, 3, MANDELBROT_REGION, 60),
    (True, 5, (-1.4, 1.4, -1.4, 1.4), 50),
    (True, 16, (-1.3, 1.3, -1.3, 1.3), 40),
    (False, 3, (-1.5, 1.5, -1.5, 1.5), 80),
    (False, 4, (-1.3, 1.3, -1.3, 1.3), 60),
]


@pytest.mark.parametrize(("mandelbrot", "power", "region", "itermax"), POWER_CASES)
def test_higher_powers_agree_with_numpy(cli, tmp_path, mandelbrot, power, region, itermax) -> None:
    flags = [f"-x={region[0]}", f"-X={region[1]}", f"-y={region[2]}", f"-Y={region[3]}"]
    family = ["--mandelbrot"] if mandelbrot else ["-r=0.3", "-i=0.5"]
    image, _ = render(cli, tmp_path, *family, f"--power={power}", "-R=200", *flags, "-m=0",
                      f"-M={itermax}")  # fmt: skip
    counts = reference_counts(200, region, mandelbrot=mandelbrot, power=power, c=(0.3, 0.5),
                              itermax=itermax)  # fmt: skip
    expected = gray8(counts, 0, itermax)
    different = np.count_nonzero(image != expected) / image.size
    assert different <= 0.001, f"{different:.4%} of pixels differ"
    # Not a trivial image: several bands and some interior.
    assert len(np.unique(image)) >= 8 and np.count_nonzero(image == 255) > 100


# --- colormaps ------------------------------------------------------------------------------


def colormap_bytes(name: str, values: np.ndarray) -> np.ndarray:
    import matplotlib

    return np.asarray(matplotlib.colormaps[name](values, bytes=True))[..., :3]


DISK = ["-r=0", "-i=0", "-x=-2", "-X=2", "-y=-2", "-Y=2", "-R=120", "-m=0", "-M=30"]


# matplotlib's twilight has 510 colours, the engine's table 256 samples of it: its colours may
# differ by a few levels; viridis, magma and the others are matplotlib's own 256 colours.
@pytest.mark.parametrize(("name", "tolerance"), [("viridis", 0), ("magma", 0), ("twilight_r", 3)])
def test_colormap_gives_rgb_with_matplotlibs_colours(cli, tmp_path, name, tolerance) -> None:
    image, pil = render(cli, tmp_path, *DISK, f"--colormap={name}")
    assert pil.mode == "RGB" and image.shape == (120, 120, 3)
    counts = reference_counts(120, (-2, 2, -2, 2), c=(0.0, 0.0), itermax=30)
    interior, outside = counts == 30, counts == 0
    assert interior.sum() > 1000 and outside.sum() > 1000
    first, last = colormap_bytes(name, 0.0).astype(int), colormap_bytes(name, 1.0).astype(int)
    assert (np.abs(image[interior] - last) <= tolerance).all()
    assert (np.abs(image[outside] - first) <= tolerance).all()
    # Every pixel is the colour matplotlib gives its value (index min(floor(t * 256), 255)).
    expected = colormap_bytes(name, normalized(counts, 0, 30))
    assert np.abs(image.astype(int) - expected).max() <= tolerance


def test_reversed_colormap_swaps_the_ends(cli, tmp_path) -> None:
    forward, _ = render(cli, tmp_path, *DISK, "--colormap", "viridis")
    reverse, _ = render(cli, tmp_path, *DISK, "--colormap", "viridis_r")
    counts = reference_counts(120, (-2, 2, -2, 2), c=(0.0, 0.0), itermax=30)
    assert (reverse[counts == 30] == colormap_bytes("viridis", 0.0)).all()
    assert (reverse[counts == 0] == colormap_bytes("viridis", 1.0)).all()
    assert (forward[counts == 30] == reverse[counts == 0][0]).all()
    assert (forward[counts == 0] == reverse[counts == 30][0]).all()
    assert not np.array_equal(forward, reverse)


def test_gray_colormap_is_the_default_image_and_gray_r_is_rgb(cli, tmp_path) -> None:
    default, _ = render(cli, tmp_path, "-R=90")
    gray, pil = render(cli, tmp_path, "-R=90", "--colormap=gray")
    assert pil.mode == "L"
    np.testing.assert_array_equal(gray, default)
    inverted, pil_r = render(cli, tmp_path, "-R=90", "--colormap=gray_r")
    assert pil_r.mode == "RGB"
    # Interior white becomes black and black becomes white.
    assert (inverted[default == 255] == 0).all() and (inverted[default == 0] == 255).all()


# --- 16-bit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", [["--bits", "16"], ["--bits=16"]])
def test_sixteen_bit_gray(cli, tmp_path, spelling) -> None:
    args = ["-R=200", *HEADLINE_REGION]
    deep, pil = render(cli, tmp_path, *args, *spelling)
    assert pil.mode == "I;16"
    shallow, _ = render(cli, tmp_path, *args)
    assert deep.shape == shallow.shape
    counts = reference_counts(200, (-0.1, 0.1, -0.1, 0.1), itermax=100)
    np.testing.assert_array_equal(deep, np.trunc(normalized(counts, 20, 100) * 65535.0))
    # Same order as the 8-bit image: sorted by one, the other never decreases.
    order = np.lexsort((shallow.ravel(), deep.ravel()))
    assert (np.diff(shallow.ravel()[order].astype(int)) >= 0).all()
    order = np.lexsort((deep.ravel(), shallow.ravel()))
    assert (np.diff(deep.ravel()[order].astype(int)) >= 0).all()
    assert deep.max() == 65535 and deep.min() == 0


# --- supersampling ----------------------------------------------------------------------------


def test_supersampling_a_uniform_region_changes_nothing(cli, tmp_path) -> None:
    inside = ["-r=0", "-i=0", "-x=-0.3", "-X=0.3", "-y=-0.3", "-Y=0.3", "-R=50"]
    for uniform in (inside, ["-x=5", "-X=6", "-y=5", "-Y=6", "-R=50"]):
        once, _ = render(cli, tmp_path, *uniform)
        assert len(np.unique(once)) == 1
        for factor in ("2", "5"):
            twice, _ = render(cli, tmp_path, *uniform, "--supersample", factor)
            np.testing.assert_array_equal(twice, once)


def test_supersampling_smooths_the_headline(cli, tmp_path) -> None:
    args = ["-R=300", *HEADLINE_REGION]
    once, _ = render(cli, tmp_path, *args)
    explicit, _ = render(cli, tmp_path, *args, "--supersample=1")
    np.testing.assert_array_equal(explicit, once)
    twice, _ = render(cli, tmp_path, *args, "--supersample=2")
    changed = np.count_nonzero(twice != once) / once.size
    assert 0.05 < changed < 0.95, changed
    # A 2 x 2 average of the 600-pixel render (truncated), as documented.
    counts = reference_counts(600, (-0.1, 0.1, -0.1, 0.1), itermax=100)
    values = normalized(counts, 20, 100).reshape(300, 2, 300, 2).mean(axis=(1, 3))
    expected = np.trunc(values * 255.0)
    assert np.abs(twice.astype(int) - expected).max() <= 1


# --- histogram and smooth colouring ---------------------------------------------------------


def test_histogram_colouring_equalises(cli, tmp_path) -> None:
    args = ["-R=240", *HEADLINE_REGION]
    equalised, _ = render(cli, tmp_path, *args, "--histogram")
    counts = reference_counts(240, (-0.1, 0.1, -0.1, 0.1), itermax=100)
    escaped = counts < 100
    # Level of a count k: the fraction of escaped pixels with a count <= k; interior is white.
    histogram = np.bincount(counts[escaped], minlength=101).astype(np.float64)
    levels = np.cumsum(histogram) / histogram.sum()
    levels[100] = 1.0
    np.testing.assert_array_equal(equalised, np.trunc(levels[counts] * 255.0).astype(np.uint8))
    # Roughly uniform over the escaped pixels, where the count colouring is mostly dark.
    count_image, _ = render(cli, tmp_path, *args)
    assert 0.45 < equalised[escaped].mean() / 255 < 0.7
    assert count_image[escaped].mean() / 255 < 0.3
    quartiles = np.percentile(equalised[escaped], [25, 50, 75]) / 255
    assert np.all(np.abs(quartiles - [0.25, 0.5, 0.75]) < 0.15), quartiles
    same, _ = render(cli, tmp_path, *args, "--coloring", "histogram")
    np.testing.assert_array_equal(same, equalised)


def test_smooth_colouring_stays_within_a_band(cli, tmp_path) -> None:
    args = ["-R=240", *HEADLINE_REGION]
    smooth, _ = render(cli, tmp_path, *args, "--smooth")
    count_image, _ = render(cli, tmp_path, *args)
    assert np.count_nonzero(smooth != count_image) > smooth.size // 10
    band = 255 / (100 - 20)
    difference = smooth.astype(int) - count_image.astype(int)
    within = np.abs(difference) <= band + 1
    assert within.mean() > 0.99, within.mean()
    assert (smooth[count_image == 255] == 255).all()
    # Smooth shading has many more distinct levels than the 80 bands.
    assert len(np.unique(smooth)) > 2 * len(np.unique(count_image))
    same, _ = render(cli, tmp_path, *args, "--coloring=smooth")
    np.testing.assert_array_equal(same, smooth)


# --- single precision -----------------------------------------------------------------------


def test_single_precision_differs_on_a_few_pixels(cli, tmp_path) -> None:
    args = ["-R=1000", *HEADLINE_REGION]
    exact, _ = render(cli, tmp_path, *args)
    single, _ = render(cli, tmp_path, *args, "--precision", "single")
    explicit, _ = render(cli, tmp_path, *args, "--precision=double")
    np.testing.assert_array_equal(explicit, exact)
    different = np.count_nonzero(single != exact) / exact.size
    print(f"--precision single: {different:.3%} of the headline's pixels at -R=1000 differ")
    assert 0 < different < 0.05
    # Its speed is the benchmark's business (python -m juliaset.bench), not a unit test's.


# --- the parameter record and --from ---------------------------------------------------------


def record_of(path_or_image) -> dict:
    if isinstance(path_or_image, Image.Image):
        return json.loads(path_or_image.text["juliaset"])
    with Image.open(path_or_image) as image:
        return json.loads(image.text["juliaset"])


def test_every_png_records_its_parameters_as_json(cli, tmp_path) -> None:
    # Values whose shortest decimal form needs all 17 digits must come back exactly.
    c_re, xleft = -0.8350000000000001, -0.10000000000000003
    _, pil = render(cli, tmp_path, "-R=40", f"-r={c_re}", "-i=0.1", f"-x={xleft}", "-X=0.1",
                    "-y=-0.1", "-Y=0.1", "-t=2.5", "-m=3", "-M=90")  # fmt: skip
    assert pil.text["Software"] == "juliaset 0.2.0"
    record = record_of(pil)
    assert list(record) == RECORD_KEYS
    assert record == {
        "schema": 2, "engine": "juliaset 0.2.0", "family": "julia", "power": 2, "c": [c_re, 0.1],
        "region": {"xleft": xleft, "xright": 0.1, "ybot": -0.1, "ytop": 0.1},
        "width": 40, "height": 40, "threshold": 2.5, "itermin": 3, "itermax": 90,
        "coloring": "count", "colormap": "gray", "bits": 8, "supersample": 1,
        "precision": "double",
    }  # fmt: skip
    assert isinstance(record["threshold"], float) and isinstance(record["region"]["ytop"], float)

    _, pil = render(cli, tmp_path, "-R=30", "--mandelbrot", "--power=4", "--colormap=magma_r",
                    "--histogram", "--supersample=3", "-t=3", "-M=40")  # fmt: skip
    record = record_of(pil)
    assert record["family"] == "mandelbrot" and record["power"] == 4
    assert record["c"] == [0.0, 0.0]
    # The multibrot set of power 4 has a default region of its own (juliaset::default_region).
    assert record["region"] == {"xleft": -1.4, "xright": 0.9, "ybot": -1.25, "ytop": 1.25}
    assert (record["width"], record["height"]) == (30, 33)
    assert record["coloring"] == "histogram" and record["colormap"] == "magma_r"
    assert record["supersample"] == 3 and record["threshold"] == 3.0
    _, pil = render(cli, tmp_path, "-R=30", "--bits=16", "--precision=single")
    assert record_of(pil)["bits"] == 16 and record_of(pil)["precision"] == "single"


FROM_CASES = {
    "gray default": [],
    "colour smooth supersample": ["--colormap=inferno", "--smooth", "--supersample=2", "-M=200"],
    "mandelbrot power 3": ["--mandelbrot", "--power=3", "--colormap=twilight", "-x=-1.5",
                           "-X=1.5", "-y=-1.5", "-Y=1.5"],  # fmt: skip
    "16-bit histogram": ["--bits=16", "--histogram", *HEADLINE_REGION],
    "single precision": ["--precision=single", *HEADLINE_REGION, "--colormap=plasma"],
}


@pytest.mark.parametrize("flags", FROM_CASES.values(), ids=FROM_CASES.keys())
def test_from_reproduces_the_image(cli, tmp_path, flags) -> None:
    assert run(cli, "-R=160", *flags, "-o", "a.png", cwd=tmp_path).returncode == 0
    for spelling in (["--from", "a.png"], ["--from=a.png"]):
        result = run(cli, *spelling, "-o", "b.png", cwd=tmp_path)
        assert result.returncode == 0, result.stderr.decode()
        with Image.open(tmp_path / "a.png") as a, Image.open(tmp_path / "b.png") as b:
            assert (a.mode, a.size) == (b.mode, b.size)
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
            assert a.text == b.text


def test_flags_beside_from_override_the_record(cli, tmp_path) -> None:
    original = ["--colormap=viridis", "--smooth", *HEADLINE_REGION]
    assert run(cli, "-R=160", *original, "-o", "a.png", cwd=tmp_path).returncode == 0
    overridden = {
        ("-R=200",): ["-R=200", *original],
        ("--colormap=gray", "-M=150"): ["-R=160", "--smooth", *HEADLINE_BOUNDS, "-m=20",
                                        "-M=150"],  # fmt: skip
        ("--coloring=count", "-r=0.3"): ["-R=160", "--colormap=viridis", *HEADLINE_REGION,
                                         "-r=0.3"],  # fmt: skip
        ("--mandelbrot", "-x=-2", "-X=1", "-y=-1", "-Y=1"): ["-R=160", "--colormap=viridis",
                                                             "--smooth", "-m=20", "-M=100",
                                                             "--mandelbrot"],  # fmt: skip
    }
    for extra, direct in overridden.items():
        result = run(cli, "--from=a.png", *extra, "-o", "b.png", cwd=tmp_path)
        assert result.returncode == 0, result.stderr.decode()
        assert run(cli, *direct, "-o", "c.png", cwd=tmp_path).returncode == 0
        np.testing.assert_array_equal(pixels(tmp_path / "b.png"), pixels(tmp_path / "c.png"))
        assert record_of(tmp_path / "b.png") == record_of(tmp_path / "c.png")
    assert pixels(tmp_path / "b.png").shape[:2] != pixels(tmp_path / "a.png").shape[:2]
    # A Mandelbrot image turned back into a Julia set with --julia.
    assert run(cli, "--mandelbrot", "-R=60", "-o", "m.png", cwd=tmp_path).returncode == 0
    result = run(cli, "--from=m.png", "--julia", "-r=-0.835", "-i=-0.2321", "-o", "j.png",
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    assert record_of(tmp_path / "j.png")["family"] == "julia"


def png_with_text(path: Path, text: dict[str, str], size=(10, 10)) -> None:
    info = PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    Image.new("L", size).save(path, pnginfo=info)


def test_from_rejects_files_without_a_usable_record(cli, tmp_path, golden_dir) -> None:
    good = tmp_path / "good.png"
    assert run(cli, "-R=20", "-o", str(good), cwd=tmp_path).returncode == 0
    corrupt = bytearray(good.read_bytes())
    corrupt[corrupt.index(b"juliaset\x00") + 20] ^= 0x01  # a bit of the JSON, not the CRC
    (tmp_path / "corrupt.png").write_bytes(bytes(corrupt))
    (tmp_path / "text.png").write_text("not a png")
    png_with_text(tmp_path / "other.png", {"Comment": "hello"})
    png_with_text(tmp_path / "badjson.png", {"juliaset": "{not json"})
    record = record_of(good)
    png_with_text(tmp_path / "nofamily.png", {"juliaset": json.dumps({**record, "family": "x"})})
    png_with_text(tmp_path / "tall.png", {"juliaset": json.dumps({**record, "height": 99})})
    cases = {
        str(golden_dir / "overview.png"): "no juliaset parameters",
        "other.png": "no juliaset parameters",
        "missing.png": "cannot read",
        "text.png": "not a PNG",
        "corrupt.png": "CRC",
        "badjson.png": "not valid JSON",
        "nofamily.png": '"family"',
        "tall.png": "20 x 99 pixels",
    }
    for source, part in cases.items():
        result = run(cli, "--from", source, "-o", "out.png", cwd=tmp_path)
        message = result.stderr.decode()
        assert result.returncode == 2, message
        assert message.startswith("juliaset: error: --from") and message.count("\n") == 1
        assert part in message, message
        assert not (tmp_path / "out.png").exists()


# --- bad values of every new flag --------------------------------------------------------------

BAD = [
    (["--power=1"], "--power", "between 2 and 16"),
    (["--power", "17"], "--power", "between 2 and 16"),
    (["--power=two"], "--power", "'two'"),
    (["--colormap=jet"], "--colormap", "'jet'"),
    (["--colormap="], "--colormap", "needs a value"),
    (["--coloring=fancy"], "--coloring", "'fancy'"),
    (["--smooth", "--histogram"], "--smooth", "one of them"),
    (["--smooth", "-t=1"], "--smooth", "above 1"),
    (["--supersample=0"], "--supersample", "between 1 and 16"),
    (["--supersample", "17"], "--supersample", "between 1 and 16"),
    (["--supersample=-2"], "--supersample", "negative"),
    (["--bits=12"], "--bits", "8 or 16"),
    (["--bits", "16", "--colormap=viridis"], "--bits", "gray"),
    (["--precision=half"], "--precision", "'half'"),
    (["--precision=single", "--smooth"], "--precision", "--smooth"),
    (["--precision=single", "-M=20000000"], "--precision", "2^24"),
    (["--mandelbrot", "-r=0.3"], "--real/-r", "--mandelbrot"),
    (["--mandelbrot", "--imag", "0.3"], "--imag/-i", "--mandelbrot"),
    (["--mandelbrot", "--julia"], "--mandelbrot", "--julia"),
    (["--from"], "--from", "needs a value"),
    (["--from="], "--from", "needs a value"),
    (["--power"], "--power", "needs a value"),
    (["--supersample=2", "--supersample=3"], "--supersample", "more than once"),
]


@pytest.mark.parametrize(("args", "flag", "part"), BAD, ids=[" ".join(a) for a, _, _ in BAD])
def test_bad_values_of_new_flags(cli, tmp_path, args, flag, part) -> None:
    result = run(cli, *args, "-o", "out.png", cwd=tmp_path)
    message = result.stderr.decode()
    assert result.returncode == 2, message
    assert result.stdout == b""
    assert message.startswith("juliaset: error: ") and message.count("\n") == 1, message
    assert flag in message and part in message, message
    assert list(tmp_path.iterdir()) == []


def test_help_documents_every_new_flag(cli, tmp_path) -> None:
    text = run(cli, "--help", cwd=tmp_path).stdout.decode()
    for flag, default in [
        ("--mandelbrot", "[default: off]"), ("--julia", "[default]"), ("--power", "[default: 2]"),
        ("--colormap", "[default: gray]"), ("--coloring", "[default: count]"),
        ("--smooth", "[default: off]"), ("--histogram", "[default: off]"),
        ("--supersample", "[default: 1]"), ("--bits", "[default: 8]"),
        ("--precision", "[default: double]"), ("--from", "[default: none]"),
    ]:  # fmt: skip
        line = next(line for line in text.splitlines() if line.strip().startswith(flag + " "))
        assert default in line, line
        assert "e.g." in line or flag in ("--julia", "--smooth", "--histogram", "--coloring")
    assert "NOT bit-exact" in text
    assert "juliaset --from=julia.png -R=3000 -o large.png" in text


# --- the Python API and the command agree -------------------------------------------------------

AGREEMENT_CASES = {
    "gray": ["-R=120"],
    "mandelbrot power 3 histogram": ["-R=120", "--mandelbrot", "--power=3", "--histogram",
                                     "--colormap=magma"],  # fmt: skip
    "smooth supersample": ["-R=100", "--smooth", "--supersample=2", "--colormap=viridis_r",
                           *HEADLINE_REGION],  # fmt: skip
    "16-bit": ["-R=100", "--bits=16", "-t=3", "-m=0", "-M=60"],
}


@pytest.mark.parametrize("flags", AGREEMENT_CASES.values(), ids=AGREEMENT_CASES.keys())
def test_python_api_renders_the_same_pixels(cli, tmp_path, flags) -> None:
    juliaset = pytest.importorskip("juliaset")
    if not hasattr(juliaset, "render_parameters") or not hasattr(juliaset, "read_parameters"):
        pytest.skip("this juliaset package has no render_parameters/read_parameters yet")
    assert run(cli, *flags, "-o", "a.png", cwd=tmp_path).returncode == 0
    expected = pixels(tmp_path / "a.png")
    parameters = juliaset.read_parameters(tmp_path / "a.png")
    np.testing.assert_array_equal(juliaset.render_parameters(parameters), expected)
    p = record_of(tmp_path / "a.png")
    region = p["region"]
    image = juliaset._core.image(
        region["xleft"], region["xright"], region["ybot"], region["ytop"], p["width"],
        p["height"], family=p["family"], power=p["power"], c_re=p["c"][0], c_im=p["c"][1],
        threshold=p["threshold"], itermin=p["itermin"], itermax=p["itermax"],
        coloring=p["coloring"], colormap=p["colormap"], bits=p["bits"],
        supersample=p["supersample"], threads=0,
    )  # fmt: skip
    np.testing.assert_array_equal(image, expected)


# --- progress bar ---------------------------------------------------------------------------


def test_no_progress_bar_when_stderr_is_not_a_terminal(cli, tmp_path) -> None:
    result = run(cli, "-r=0", "-i=0", "-R=300", "-M=200000", "-o", "p.png", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == b""


def run_on_a_terminal(command: List[str], cwd: Path,
                      on_output: Optional[Callable[[subprocess.Popen, bytes], None]] = None,
                      ) -> Tuple[int, bytes]:  # fmt: skip
    """Runs `command` with stderr on a pseudo-terminal (stdout discarded) and returns its exit
    status and everything it wrote there. `on_output(process, seen)` runs after each chunk."""
    primary, replica = pty.openpty()
    process: Optional[subprocess.Popen] = None
    try:
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=replica)
        os.close(replica)
        replica = -1
        seen = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(primary, 4096)
                except OSError:  # the terminal closes when the process exits
                    break
                if not chunk:
                    break
                seen += chunk
                if on_output is not None:
                    on_output(process, seen)
            elif process.poll() is not None:
                break
        return process.wait(timeout=60), seen
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        os.close(primary)
        if replica >= 0:
            os.close(replica)


def test_progress_bar_on_a_terminal(cli, tmp_path) -> None:
    # The interior of the unit disk (c = 0) iterates itermax times per pixel, so the render's
    # time grows in proportion to itermax: calibrate it to last about two seconds here.
    slow = ["-r=0", "-i=0", "-R=300", "-o", "p.png"]
    start = time.perf_counter()
    assert run(cli, *slow, "-M=100000", cwd=tmp_path).returncode == 0
    itermax = int(100000 * 2.0 / max(time.perf_counter() - start, 0.02))

    status, seen = run_on_a_terminal([cli, *slow, f"-M={itermax}"], tmp_path)
    assert status == 0
    text = seen.decode()
    assert "juliaset [" in text and "%" in text and " s" in text, repr(text)
    assert "\r" in text
    # The line is erased at the end: the output finishes with spaces between carriage returns.
    assert text.endswith("\r") and text.rstrip("\r").split("\r")[-1].strip() == "", repr(text)
    assert Image.open(tmp_path / "p.png").size == (300, 188)


@pytest.mark.parametrize("output", ["p.png", "-"])
def test_progress_bar_is_erased_when_a_signal_ends_the_render(cli, tmp_path, output) -> None:
    # Slow enough to still be rendering a second after the bar appears (see above: c = 0).
    slow = ["-r=0", "-i=0", "-R=300", "-M=50000000", "-o", output]
    signalled = []

    def interrupt_once_the_bar_shows(process: subprocess.Popen, seen: bytes) -> None:
        if not signalled and b"juliaset [" in seen:
            process.send_signal(signal.SIGINT)
            signalled.append(True)

    status, seen = run_on_a_terminal([cli, *slow], tmp_path, interrupt_once_the_bar_shows)
    assert signalled, repr(seen)
    assert status == -signal.SIGINT
    text = seen.decode()
    # The last thing written is a blank line between carriage returns, as long as the bar.
    assert text.endswith("\r"), repr(text)
    bar, blank = text.rstrip("\r").split("\r")[-2:]
    assert "juliaset [" in bar and blank.strip() == "" and len(blank) >= len(bar), repr(text)
    assert list(tmp_path.iterdir()) == []  # no image, no temporary file


# --- the default path -----------------------------------------------------------------------


def test_default_image_stays_8_bit_gray_count(cli, tmp_path) -> None:
    image, pil = render(cli, tmp_path, "-R=100")
    assert pil.mode == "L"
    expected = gray8(reference_counts(100, (-1.6, 1.6, -1.0, 1.0)), 5, 80)
    np.testing.assert_array_equal(image, expected)
