"""The `juliaset` command, run as users run it: golden images, flags, bad input, failed writes.

Pixels are checked against the seed's published images and against an independent NumPy
implementation of the seed's semantics (tests/data/golden/README.md), written here from that text.
"""

from __future__ import annotations

import io
import math
import os
import resource
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

HEADLINE = ["-x=-0.1", "-X=0.1", "-y=-0.1", "-Y=0.1", "-m=20", "-M=100", "-R=4000"]
SEED_LEVEL9_BYTES = 2_267_957  # the seed's 4000 x 4000 file (zlib level 9, no filter)
SEED_FAST_BYTES = 3_180_511  # the seed's --fast file (zlib level 1)
DEFAULT_LIMIT_BYTES = int(SEED_LEVEL9_BYTES * 1.10)


def run(cli: str, *args: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([cli, *args], cwd=cwd, capture_output=True, timeout=120, **kwargs)


def decode(data_or_path) -> np.ndarray:
    source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    with Image.open(source) as image:
        assert image.mode == "L", f"expected 8-bit grayscale, got mode {image.mode}"
        return np.asarray(image).copy()


def render(cli: str, tmp_path: Path, *args: str) -> np.ndarray:
    """Pixels of `juliaset ARGS -o -`, checking the run succeeded quietly."""
    result = run(cli, *args, "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    return decode(result.stdout)


# --- an independent implementation of the seed's semantics -----------------------------------


def round_half_away(value: float) -> int:
    floor = math.floor(value)
    return floor + 1 if value - floor >= 0.5 else floor


def reference_gray(
    resolution: int = 500,
    xleft: float = -1.6,
    xright: float = 1.6,
    ybot: float = -1.0,
    ytop: float = 1.0,
    c_re: float = -0.835,
    c_im: float = -0.2321,
    threshold: float = 2.0,
    itermin: int = 5,
    itermax: int = 80,
) -> np.ndarray:
    """The seed's image, from golden/README.md; separate real and imaginary float64 arrays,
    because NumPy's complex multiply may order (or fuse) its operations differently."""
    nx = resolution
    ny = round_half_away(nx * abs(ytop - ybot) / abs(xright - xleft))
    x = np.arange(nx, dtype=np.float64) / nx * (xright - xleft) + xleft
    y = np.arange(ny, dtype=np.float64) / ny * (ybot - ytop) + ytop
    re = np.broadcast_to(x[None, :], (ny, nx)).copy()
    im = np.broadcast_to(y[:, None], (ny, nx)).copy()
    counts = np.full((ny, nx), itermax, dtype=np.int64)
    done = np.zeros((ny, nx), dtype=bool)
    limit = threshold * threshold
    with np.errstate(all="ignore"):  # escaped points may overflow; they are done by then
        # k counts steps: after step k + 1 the loop stops at the first |z|^2 > limit.
        for k in range(itermax + 1):
            re, im = (re * re - im * im) + c_re, (re * im + im * re) + c_im
            escaped = ~done & (re * re + im * im > limit)
            counts[escaped] = k
            done |= escaped
            if done.all():
                break
    lum = (np.maximum(counts, itermin) - itermin) / float(itermax - itermin)
    return np.trunc(lum * 255.0).astype(np.uint8)


def test_reference_reproduces_a_golden_image(golden_dir: Path) -> None:
    # The oracle of the tests below is itself checked against the seed's published output.
    expected = decode(golden_dir / "zoomlowres.png")
    got = reference_gray(1000, -0.1, 0.1, -0.1, 0.1, itermin=20, itermax=100)
    np.testing.assert_array_equal(got, expected)


# --- the golden images -----------------------------------------------------------------------

GOLDEN = {
    "overview.png": ["-R=1000", "-m=0"],
    "zoomlowres.png": ["-x=-0.1", "-X=0.1", "-y=-0.1", "-Y=0.1", "-m=20", "-M=100", "-R=1000"],
    "zoomhighres.png": HEADLINE,
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
@pytest.mark.parametrize("extra", [[], ["--fast"], ["--best"], ["--threads", "1"]])
def test_golden_images_pixel_for_pixel(cli, golden_dir, tmp_path, name, extra) -> None:
    result = run(cli, *GOLDEN[name], *extra, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"" and result.stderr == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plot.png"]
    np.testing.assert_array_equal(decode(tmp_path / "plot.png"), decode(golden_dir / name))


def test_headline_file_sizes(cli, tmp_path) -> None:
    sizes = {}
    for flag in ("", "--fast", "--best"):
        output = tmp_path / f"headline{flag}.png"
        result = run(cli, *HEADLINE, *([flag] if flag else []), "-o", str(output), cwd=tmp_path)
        assert result.returncode == 0, result.stderr.decode()
        sizes[flag] = output.stat().st_size
    assert sizes[""] <= DEFAULT_LIMIT_BYTES, sizes
    assert sizes["--fast"] <= SEED_FAST_BYTES, sizes
    assert sizes["--best"] <= DEFAULT_LIMIT_BYTES, sizes
    assert sizes["--best"] < sizes[""] < sizes["--fast"], sizes


def test_bytes_do_not_depend_on_the_thread_count(cli, tmp_path) -> None:
    args = ["-R=700", "-x=-0.5", "-X=0.5", "-y=-0.8", "-Y=0.8"]
    outputs = {run(cli, *args, "--threads", t, "-o", "-", cwd=tmp_path).stdout for t in "1237"}
    assert len(outputs) == 1
    np.testing.assert_array_equal(
        decode(outputs.pop()), reference_gray(700, -0.5, 0.5, -0.8, 0.8)
    )


def test_standard_output(cli, tmp_path) -> None:
    result = run(cli, "-R=64", "-o", "-", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith(b"\x89PNG\r\n\x1a\n")
    assert list(tmp_path.iterdir()) == []
    np.testing.assert_array_equal(decode(result.stdout), reference_gray(64))


def test_metadata_records_the_parameters(cli, tmp_path) -> None:
    result = run(cli, "-R=16", "-r=0.25", "-m=2", "-o", "-", cwd=tmp_path)
    with Image.open(io.BytesIO(result.stdout)) as image:
        assert image.text["Software"] == "juliaset 0.2.0"
        assert "-R=16" in image.text["Comment"] and "-r=0.25" in image.text["Comment"]


# --- other parameters against the independent implementation --------------------------------

CASES = [
    (["-R=60"], dict(resolution=60)),
    (["-R=80", "-r=0.285", "-i=0.01"], dict(resolution=80, c_re=0.285, c_im=0.01)),
    (
        ["-R=90", "-r=-0.4", "-i=0.6", "-t=3", "-m=0", "-M=50"],
        dict(resolution=90, c_re=-0.4, c_im=0.6, threshold=3.0, itermin=0, itermax=50),
    ),
    (
        ["-R=70", "-t=1.5", "-m=10", "-M=11"],
        dict(resolution=70, threshold=1.5, itermin=10, itermax=11),
    ),
    (["-R=50", "-t=0.5", "-m=0", "-M=3"], dict(resolution=50, threshold=0.5, itermin=0, itermax=3)),
    (
        ["-R=37", "-x=-0.5", "-X=0.5", "-y=-1.5", "-Y=1.5"],
        dict(resolution=37, xleft=-0.5, xright=0.5, ybot=-1.5, ytop=1.5),
    ),
    (["-R=1"], dict(resolution=1)),
    (["-R=3", "-M=200"], dict(resolution=3, itermax=200)),
    (
        ["-R=101", "-x=1.6", "-X=-1.6", "-y=1", "-Y=-1"],
        dict(resolution=101, xleft=1.6, xright=-1.6, ybot=1.0, ytop=-1.0),
    ),
    (
        ["-R=120", "-x=-0.75", "-X=-0.7", "-y=0.1", "-Y=0.13", "-M=150", "-m=30"],
        dict(
            resolution=120, xleft=-0.75, xright=-0.7, ybot=0.1, ytop=0.13, itermax=150, itermin=30
        ),
    ),
    # Rows wider than the renderer's 16384-pixel count chunks are rendered piece by piece.
    (["-R=16385", "-y=0.3", "-Y=0.3006"], dict(resolution=16385, ybot=0.3, ytop=0.3006)),
    (["-R=40000", "-y=-0.1", "-Y=-0.1004"], dict(resolution=40000, ybot=-0.1, ytop=-0.1004)),
    (
        ["-R=45", "-r=0", "-i=0", "-x=-2", "-X=2", "-y=-2", "-Y=2"],
        dict(resolution=45, c_re=0.0, c_im=0.0, xleft=-2.0, xright=2.0, ybot=-2.0, ytop=2.0),
    ),
]


@pytest.mark.parametrize(("args", "params"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_pixels_match_an_independent_implementation(cli, tmp_path, args, params) -> None:
    np.testing.assert_array_equal(render(cli, tmp_path, *args), reference_gray(**params))


def test_reversed_bounds_mirror_the_image(cli, tmp_path) -> None:
    # Row j of the flipped grid samples the y of row ny - j of the normal one (the top edge is
    # sampled, the bottom is not), up to the rounding of a different operation order.
    normal = render(cli, tmp_path, "-R=64", "-y=-1", "-Y=1")
    flipped = render(cli, tmp_path, "-R=64", "-y=1", "-Y=-1")
    assert (flipped[1:] == normal[::-1][:-1]).mean() > 0.99
    assert not np.array_equal(flipped, normal)


# --- every spelling of every flag -------------------------------------------------------------

SPELLED = [
    ("R", "resolution", "33", dict(resolution=33)),
    ("x", "xleft", "-0.1", dict(xleft=-0.1)),
    ("X", "xright", "-0.2", dict(xright=-0.2)),
    ("y", "ybot", "-0.3", dict(ybot=-0.3)),
    ("Y", "ytop", "-0.05", dict(ytop=-0.05)),
    ("r", "real", "-0.4", dict(real=-0.4)),
    ("i", "imag", "-0.6", dict(imag=-0.6)),
    ("t", "threshold", "3", dict(threshold=3.0)),
    ("m", "itermin", "1", dict(itermin=1)),
    ("M", "itermax", "40", dict(itermax=40)),
]


@pytest.mark.parametrize(("short", "long", "value", "change"), SPELLED, ids=[s[1] for s in SPELLED])
def test_every_spelling_of_every_flag(cli, tmp_path, short, long, value, change) -> None:
    params = dict(resolution=40, xleft=-1.6, xright=1.6, ybot=-1.0, ytop=1.0)
    base = {
        "resolution": "-R=40",
        "xleft": "-x=-1.6",
        "xright": "-X=1.6",
        "ybot": "-y=-1",
        "ytop": "-Y=1",
    }
    if long in ("xleft", "xright"):
        params.update(xleft=-1.0, xright=1.0)
        base.update(xleft="-x=-1", xright="-X=1")
    if long in ("ybot", "ytop"):
        params.update(ybot=-0.5, ytop=0.5)
        base.update(ybot="-y=-0.5", ytop="-Y=0.5")
    renamed = {"real": "c_re", "imag": "c_im"}
    params.update({renamed.get(k, k): v for k, v in change.items()})
    base.pop(long, None)
    expected = reference_gray(**params)
    spellings = (
        [f"-{short}={value}"],
        [f"-{short}", value],
        [f"--{long}={value}"],
        [f"--{long}", value],
    )
    for spelling in spellings:
        got = render(cli, tmp_path, *base.values(), *spelling)
        np.testing.assert_array_equal(got, expected, err_msg=" ".join(spelling))


@pytest.mark.parametrize(
    "spelling", [["-o", "out.png"], ["-o=out.png"], ["--output=out.png"], ["--output", "out.png"]]
)
def test_every_spelling_of_output(cli, tmp_path, spelling) -> None:
    result = run(cli, "-R=20", *spelling, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]
    np.testing.assert_array_equal(decode(tmp_path / "out.png"), reference_gray(20))


@pytest.mark.parametrize("spelling", [["--threads=2"], ["--threads", "2"], ["--threads", "0"]])
def test_every_spelling_of_threads(cli, tmp_path, spelling) -> None:
    np.testing.assert_array_equal(render(cli, tmp_path, "-R=30", *spelling), reference_gray(30))


def test_output_file_gets_normal_permissions(cli, tmp_path) -> None:
    previous = os.umask(0o027)
    try:
        result = run(cli, "-R=8", cwd=tmp_path)
    finally:
        os.umask(previous)
    assert result.returncode == 0
    assert (tmp_path / "plot.png").stat().st_mode & 0o777 == 0o640


def test_replaces_an_existing_file(cli, tmp_path) -> None:
    (tmp_path / "plot.png").write_bytes(b"old contents")
    assert run(cli, "-R=8", cwd=tmp_path).returncode == 0
    np.testing.assert_array_equal(decode(tmp_path / "plot.png"), reference_gray(8))


# --- bad input: one line naming the flag, status 2, nothing written --------------------------

BAD = [
    (["-m=80"], ["--itermin/-m (80) must be smaller than --itermax/-M (80)"]),
    (["-m=50", "-M=10"], ["--itermin/-m", "--itermax/-M"]),
    (["-x=0.5", "-X=0.5"], ["--xleft/-x", "--xright/-X", "differ"]),
    (["-y=1", "-Y=1"], ["--ybot/-y", "--ytop/-Y", "differ"]),
    (["-R=0"], ["--resolution/-R", "at least 1"]),
    (["-R=-3"], ["--resolution/-R", "negative"]),
    (["-x=nan"], ["--xleft/-x", "finite"]),
    (["-x=inf"], ["--xleft/-x", "finite"]),
    (["--ytop=-inf"], ["--ytop/-Y", "finite"]),
    (["-r=nan"], ["--real/-r", "finite"]),
    (["-i", "inf"], ["--imag/-i", "finite"]),
    (["-t=0"], ["--threshold/-t", "above 0"]),
    (["-t=-1"], ["--threshold/-t", "above 0"]),
    (["-t=nan"], ["--threshold/-t"]),
    (["-R=100000000"], ["--resolution/-R", "100000000 x 62500000", "pixels"]),
    (["-R=1000", "-y=0", "-Y=1e12"], ["--resolution/-R", "pixels"]),
    (["-R=2000000000"], ["--resolution/-R", "at most"]),
    (["-R=10", "-y=0", "-Y=1e-4"], ["--resolution/-R", "0 pixels"]),
    (["--bogus"], ["'--bogus'", "unknown"]),
    (["-Q"], ["'-Q'", "unknown"]),
    (["-R=abc"], ["--resolution/-R", "'abc'"]),
    (["-R=1.5"], ["--resolution/-R", "'1.5'"]),
    (["-x=1.5e"], ["--xleft/-x", "'1.5e'"]),
    (["-M=lots"], ["--itermax/-M", "'lots'"]),
    (["-x"], ["--xleft/-x", "needs a value"]),
    (["--itermax"], ["--itermax/-M", "needs a value"]),
    (["-x", "-R=5"], ["--xleft/-x", "needs a value"]),
    (["-x=1", "-x=2"], ["--xleft/-x", "more than once"]),
    (["--threads=abc"], ["--threads", "'abc'"]),
    (["--threads=100000"], ["--threads", "at most"]),
    (["--fast", "--best"], ["--fast", "--best"]),
]


@pytest.mark.parametrize(("args", "parts"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_reported_and_writes_nothing(cli, tmp_path, args, parts) -> None:
    existing = tmp_path / "plot.png"
    existing.write_bytes(b"precious")
    for extra in ([], ["-o", "new.png"]):
        result = run(cli, *args, *extra, cwd=tmp_path)
        message = result.stderr.decode()
        assert result.returncode == 2, message
        assert result.stdout == b""
        assert message.startswith("juliaset: error: ") and message.count("\n") == 1, message
        for part in parts:
            assert part in message, message
        assert sorted(p.name for p in tmp_path.iterdir()) == ["plot.png"]
        assert existing.read_bytes() == b"precious"


def test_help_lists_every_flag(cli, tmp_path) -> None:
    for flag in ("-h", "--help"):
        result = run(cli, flag, cwd=tmp_path)
        assert result.returncode == 0
        text = result.stdout.decode()
        for name in ("-R,--resolution", "-x,--xleft", "-X,--xright", "-y,--ybot", "-Y,--ytop",
                     "-r,--real", "-i,--imag", "-t,--threshold", "-m,--itermin", "-M,--itermax",
                     "-o,--output", "--threads", "--fast", "--best", "-h,--help", "-V,--version"):
            assert name in text, name
        assert "juliaset -x=-0.1 -X=0.1 -y=-0.1 -Y=0.1 -m=20 -M=100 -R=4000" in text
        assert "[default: -0.2321]" in text and "[default: plot.png]" in text
    assert list(tmp_path.iterdir()) == []


def test_version(cli, tmp_path) -> None:
    for flag in ("-V", "--version"):
        result = run(cli, flag, cwd=tmp_path)
        assert result.returncode == 0
        assert result.stdout.decode() == "juliaset 0.2.0\n"


# --- failed writes: status 1, a message, the old file intact, no temporary files -------------


def test_missing_directory(cli, tmp_path) -> None:
    result = run(cli, "-R=8", "-o", "nowhere/out.png", cwd=tmp_path)
    assert result.returncode == 1
    assert "nowhere/out.png" in result.stderr.decode()
    assert list(tmp_path.iterdir()) == []


def test_directory_as_output(cli, tmp_path) -> None:
    (tmp_path / "folder").mkdir()
    result = run(cli, "-R=8", "-o", "folder", cwd=tmp_path)
    assert result.returncode == 1
    assert "directory" in result.stderr.decode()
    assert list((tmp_path / "folder").iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only directories")
def test_read_only_directory(cli, tmp_path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "plot.png").write_bytes(b"precious")
    folder.chmod(0o555)
    try:
        result = run(cli, "-R=8", cwd=folder)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1
    assert "plot.png" in result.stderr.decode()
    assert (folder / "plot.png").read_bytes() == b"precious"
    assert sorted(p.name for p in folder.iterdir()) == ["plot.png"]


def _small_file_size_limit() -> None:
    # Writes past 100 kB fail with EFBIG instead of killing the process with SIGXFSZ.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))


def test_failed_write_leaves_the_existing_file_and_no_temporary(cli, tmp_path) -> None:
    existing = tmp_path / "plot.png"
    existing.write_bytes(b"precious")
    result = run(cli, *HEADLINE[:-1], "-R=2000", cwd=tmp_path, preexec_fn=_small_file_size_limit)
    assert result.returncode == 1
    message = result.stderr.decode()
    assert message.startswith("juliaset: error: ") and "plot.png" in message, message
    assert existing.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plot.png"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_standard_output_to_a_full_device(cli, tmp_path) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [cli, "-R=300", "-o", "-"],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    assert result.returncode == 1
    assert "standard output" in result.stderr.decode()


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_render_removes_its_temporary_file(cli, tmp_path, signal_number) -> None:
    existing = tmp_path / "plot.png"
    existing.write_bytes(b"precious")
    # Long enough to be caught mid-render on any machine.
    process = subprocess.Popen(
        [cli, "-R=30000", "-M=2000", "--threads=1"], cwd=tmp_path, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(list(tmp_path.iterdir())) == 2, "no temporary file appeared"
        process.send_signal(signal_number)
        process.wait(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal_number
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plot.png"]
    assert existing.read_bytes() == b"precious"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_to_a_full_device(cli, tmp_path) -> None:
    result = run(cli, "-R=300", "-o", "/dev/full", cwd=tmp_path)
    assert result.returncode == 1
    assert "/dev/full" in result.stderr.decode()


def test_output_to_a_device_writes_into_it_instead_of_replacing_it(cli, tmp_path) -> None:
    result = run(cli, "-R=30", "-o", "/dev/null", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert Path("/dev/null").is_char_device()
    assert not [p for p in Path("/dev").iterdir() if p.name.startswith(".null.")]


def test_output_through_a_symbolic_link_keeps_the_link(cli, tmp_path) -> None:
    (tmp_path / "real.png").write_bytes(b"old")
    (tmp_path / "link.png").symlink_to("real.png")
    result = run(cli, "-R=30", "-o", "link.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert (tmp_path / "link.png").is_symlink()
    np.testing.assert_array_equal(decode(tmp_path / "real.png"), reference_gray(30))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.png", "real.png"]
