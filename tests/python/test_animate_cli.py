"""The juliaset-animate command, run as a real process: outputs, errors, Ctrl-C."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Tuple

import pytest

import juliaset

COMMAND = [sys.executable, "-m", "juliaset.animate"]


def run(args: List[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(COMMAND + args, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("juliaset-animate")
    found = shutil.which("juliaset-animate") or (str(script) if script.exists() else None)
    assert found is not None
    result = subprocess.run([found, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "morph" in result.stdout and "zoom" in result.stdout


def test_morph_and_zoom_commands_write_their_outputs(tmp_path: Path) -> None:
    morph = run(["morph", "m", "--c=-0.8+0.156i", "--c", "-0.4+0.6i", "--smooth", "--frames=3",
                 "--size=32x24", "--itermax=40"], tmp_path)
    assert morph.returncode == 0, morph.stderr
    assert "3 of 3 frames" in morph.stdout
    records = [juliaset.read_parameters(tmp_path / "m" / f"frame_{k:06d}.png") for k in range(3)]
    assert records[0]["c"] == [-0.8, 0.156] and records[-1]["c"] == [-0.4, 0.6]
    zoom = run(["zoom", "z", "--start=-0.5,3", "--end=-0.745+0.113i,1e-3", "--frames=3",
                "--size=32x24", "--itermax=50", "--itermax-per-decade=10"], tmp_path)
    assert zoom.returncode == 0, zoom.stderr
    last = juliaset.read_parameters(tmp_path / "z" / "frame_000002.png")
    # Frames are exact views (decimal strings, record schema 2).
    assert float(last["view"]["width"]) == pytest.approx(1e-3)
    assert last["itermax"] == 50 + round(10 * 3.4771212547)
    julia = run(["zoom", "j", "--julia=-0.8+0.156i", "--end=0.3+0.2i,0.5", "--frames=2",
                 "--size=32x24", "--rotation=90"], tmp_path)
    assert julia.returncode == 0, julia.stderr
    first = juliaset.read_parameters(tmp_path / "j" / "frame_000000.png")
    assert first["family"] == "julia" and first["c"] == [-0.8, 0.156]
    view = first["view"]
    assert float(view["center"][0]) - float(view["width"]) / 2 == pytest.approx(-1.6)


@pytest.mark.parametrize(
    "args, message",
    [
        (["morph", "x.mp4", "--frames=3"], "one of the arguments --c --circle --cardioid"),
        (["morph", "x.mp4", "--c=0.3", "--size=63x48"], "even width and height"),
        (["morph", "x.mp4", "--c=zz"], "complex number"),
        (["morph", "x.avi", "--c=0.3"], "unknown format '.avi'"),
        (["morph", "x.mp4", "--c=0.3", "--size=big"], "--size must be WIDTHxHEIGHT"),
        (["zoom", "x.mp4", "--end=-0.75+0.1i"], "CENTER,WIDTH"),
        (["zoom", "x.mp4", "--end=-0.75+0.1i,-1"], "end width"),
        (["zoom", "x.mp4", "--end=0,1", "--coloring=histogram"], "flickers"),
        (["zoom", "x.mp4", "--end=0,1", "--itermax=0"], "itermax"),
        (["morph", "x.mp4", "--c=0.3", "--colormap=nope"], "colormap"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(tmp_path: Path, args: List[str],
                                                message: str) -> None:
    result = run(args, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("juliaset-animate: error:") and message in lines[0]
    assert list(tmp_path.iterdir()) == []


def _interrupt_when(process: subprocess.Popen, ready: object, limit: float = 60) -> Tuple[str, str]:
    """Sends SIGINT once ``ready()``, and returns the output; the process is killed if anything
    goes wrong (no test leaves one behind)."""
    try:
        deadline = time.monotonic() + limit
        while not ready():  # type: ignore[operator]
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the command made no progress"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        return process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_ctrl_c_leaves_a_playable_video(tmp_path: Path) -> None:
    av = pytest.importorskip("av")
    process = subprocess.Popen(
        COMMAND + ["zoom", "z.mp4", "--end=-0.745+0.113i,1e-6", "--frames=5000",
                   "--size=96x64", "--itermax=100"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )

    def partial_has_frames() -> bool:
        # libx264 writes once it has a few frames buffered; a non-empty partial file is proof.
        return any(p.stat().st_size > 2000 for p in tmp_path.glob(".z.mp4.*"))

    out, err = _interrupt_when(process, partial_has_frames)
    assert process.returncode == 130, err
    assert "interrupted" in err and "of 5000 frames" in err
    assert [p.name for p in tmp_path.iterdir()] == ["z.mp4"]
    with av.open(str(tmp_path / "z.mp4")) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert 0 < frames < 5000


def test_ctrl_c_leaves_resumable_png_frames(tmp_path: Path) -> None:
    args = ["morph", "f", "--cardioid=0.95", "--frames=400", "--size=64x48", "--itermax=60"]
    process = subprocess.Popen(COMMAND + args, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    _, err = _interrupt_when(process,
                             lambda: len(list((tmp_path / "f").glob("frame_*.png"))) >= 3)
    assert process.returncode == 130, err
    done = sorted((tmp_path / "f").glob("frame_*.png"))
    assert 3 <= len(done) < 400
    assert not [p for p in (tmp_path / "f").iterdir() if p.name.startswith(".")]
    # The same command resumes: the frames there are kept (not rendered again) and it goes on
    # from where it stopped (it is stopped again once it has gone past there).
    stamp = done[0].stat().st_mtime_ns
    process = subprocess.Popen(COMMAND + args, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    count = len(done)
    _, err = _interrupt_when(
        process, lambda: len(list((tmp_path / "f").glob("frame_*.png"))) > count + 1)
    assert process.returncode == 130
    assert f"({count} kept from before)" in err
    assert done[0].stat().st_mtime_ns == stamp
