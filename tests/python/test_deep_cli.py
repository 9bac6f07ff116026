"""Deep zoom from the command line: --center/--width/--size, exact records, --from, bad input,
Ctrl-C. Real subprocesses of the installed `juliaset`, images decoded with Pillow."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import juliaset

PEER_RE = "-1.99996619445037030418434688506350579675531241540724851511761922944801584"
PEER_IM = "3.00138243679093832407249730397759e-34"
DEEP = [f"--center={PEER_RE},{PEER_IM}", "--width=1e-30", "--mandelbrot", "-t=100", "-M=1500",
        "-m=0"]  # fmt: skip


def run(cli: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([cli, *args], cwd=cwd, capture_output=True, timeout=300)


def test_deep_render_records_exact_strings_and_from_reproduces_it(cli, tmp_path):
    result = run(cli, *DEEP, "--size=24x16", "--colormap=magma", "--histogram", "-o", "a.png",
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    with Image.open(tmp_path / "a.png") as png:
        assert png.size == (24, 16) and png.mode == "RGB"
        pixels = np.asarray(png.convert("RGB")).copy()
        record = json.loads(png.text["juliaset"])
        comment = png.text["Comment"]
    assert record["schema"] == 2
    assert record["view"] == {"center": [PEER_RE, PEER_IM], "width": "1e-30"}
    assert "region" not in record and (record["width"], record["height"]) == (24, 16)
    assert f"--center={PEER_RE},{PEER_IM}" in comment and "--size=24x16" in comment
    # Many distinct colours: not the blocks of a double grid at this depth.
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 20
    again = run(cli, "--from=a.png", "-o", "b.png", cwd=tmp_path)
    assert again.returncode == 0, again.stderr.decode()
    with Image.open(tmp_path / "b.png") as png:
        assert np.array_equal(np.asarray(png.convert("RGB")), pixels)
    # The Python package reads the same record and renders the same pixels.
    parameters = juliaset.read_parameters(tmp_path / "a.png")
    assert np.array_equal(juliaset.render_parameters(parameters), pixels)


def test_histogram_at_a_deep_itermax_keeps_memory_small(cli, tmp_path):
    # A dense histogram of itermax + 1 bins would take 3.2 GB here (and as much per thread);
    # the sparse one holds the distinct counts of 240 samples. The pixels match the package's.
    args = [*DEEP[:-2], "-M=400000000", "-m=0", "--size=20x12", "--histogram"]
    # Started from a small Python process: a child forked from this (large) test process
    # reports this process's resident set as its own peak (Linux carries the pre-exec peak
    # across exec), so the command's peak is read by wait4 in that small parent.
    measure = (
        "import os, sys\n"
        "pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)\n"
        "_, status, usage = os.wait4(pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n"
    )
    result = subprocess.run([sys.executable, "-c", measure, cli, *args, "-o", "h.png"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    returncode, peak_kb = map(int, result.stdout.split())
    assert returncode == 0, result.stderr
    assert peak_kb < 400_000, f"the command peaked at {peak_kb} kB"
    with Image.open(tmp_path / "h.png") as png:
        pixels = np.asarray(png)
    image = juliaset.mandelbrot_image(center=(PEER_RE, PEER_IM), width="1e-30", size=(20, 12),
                                      threshold=100, itermin=0, itermax=400_000_000,
                                      coloring="histogram", colormap="gray")
    assert np.array_equal(image, pixels) and len(np.unique(pixels)) > 10


@pytest.mark.parametrize("extra", [[], ["--smooth"], ["--supersample=2"], ["--bits=16"]])
def test_every_colouring_works_at_depth(cli, tmp_path, extra):
    result = run(cli, *DEEP, "--size=12x10", *extra, "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    png = Image.open(__import__("io").BytesIO(result.stdout))
    assert png.size == (12, 10)
    assert len(np.unique(np.asarray(png))) > 2


def test_shallow_centred_view_is_the_double_path(cli, tmp_path):
    # A view doubles resolve: the same pixels as the Python package's centre/width region.
    result = run(cli, "--mandelbrot", "--center=-0.75,0.1", "--width=0.05", "--size=40x25",
                 "-M=200", "-m=0", "--colormap=viridis", "-o", "c.png", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    expected = juliaset.mandelbrot_image(center=-0.75 + 0.1j, width=0.05, size=(40, 25),
                                         itermax=200, colormap="viridis")  # fmt: skip
    with Image.open(tmp_path / "c.png") as png:
        assert np.array_equal(np.asarray(png), expected)


def test_julia_c_keeps_every_digit(cli, tmp_path):
    c_re = "-0.83500000000000000000000000000000000000001"
    result = run(cli, f"-r={c_re}", "-i=-0.2321", "--center=0.3,0.1", "--width=1e-25",
                 "--size=8x8", "-M=300", "-o", "j.png", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    with Image.open(tmp_path / "j.png") as png:
        assert json.loads(png.text["juliaset"])["c"] == [c_re, "-0.2321"]


@pytest.mark.parametrize(
    "args, flag",
    [
        (["--center=abc,0"], "--center"),
        (["--center=1e-30"], "--center"),
        (["--width=0"], "--width"),
        (["--width=-1e-40"], "--width"),
        (["--width=1e-99999"], "--width"),
        (["--center=0,0", "-x=-1"], "--xleft/-x"),
        (["--size=10x10", "-R=20"], "--size"),
        (["--size=10"], "--size"),
        (["--size=0x5"], "--size"),
        (["--width=1e-30", "-M=99999999999"], "--itermax/-M"),
        (["-r=1.2.3"], "--real/-r"),
        ([f"--center={PEER_RE},{PEER_IM}", "--width=1e-30", "--mandelbrot", "--precision=single"],
         "--precision"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_file(cli, tmp_path, args, flag):
    result = run(cli, *args, "-o", "bad.png", cwd=tmp_path)
    message = result.stderr.decode()
    assert result.returncode == 2, message
    assert message.count("\n") == 1 and flag in message, message
    assert not (tmp_path / "bad.png").exists() and list(tmp_path.iterdir()) == []


def test_ctrl_c_stops_a_deep_render_at_once_and_leaves_no_file(cli, tmp_path):
    child = subprocess.Popen(
        # Tens of seconds of work on two free cores (a median of 550 iterations a pixel).
        [cli, f"--center={PEER_RE},{PEER_IM}", "--mandelbrot", "-t=100", "--width=1e-30",
         "-M=4000000000", "--size=4000x4000", "-o", "x.png"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(1.0)
    assert child.poll() is None, child.stderr.read() if child.stderr else ""
    signalled = time.perf_counter()
    child.send_signal(signal.SIGINT)
    child.wait(timeout=30)
    assert time.perf_counter() - signalled < 1.0
    assert child.returncode == -signal.SIGINT
    assert list(tmp_path.iterdir()) == []


def test_python_views_too_fine_for_doubles_switch_to_the_deep_engine():
    # Given as floats, a view whose pixels doubles cannot tell apart (centre 1e17, width 1)
    # used to be refused ("the region's edges coincide"); the deep engine now renders it.
    counts = juliaset.julia(center=1e17, width=1.0, size=(4, 3), itermax=10)
    assert counts.shape == (3, 4) and (counts == 0).all()
    with pytest.raises(ValueError, match="width"):
        juliaset.mandelbrot(center=("-1.5", "0"), width="-1e-40", size=(4, 4))
    with pytest.raises(ValueError, match="center"):
        juliaset.mandelbrot(center="-1.5+abc i", width="1e-40", size=(4, 4))
