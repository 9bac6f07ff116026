"""Hostile input to the command (issue 10): records that are out of range, huge, deeply nested or
compressed; signals and limits during a write; long names; messages that name what was given.

Every test runs the real `juliaset` command in a subprocess and decodes its PNGs with Pillow.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

import juliaset

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run(cli: str, *args: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([cli, *args], cwd=cwd, capture_output=True, timeout=120, **kwargs)


def error_line(result: subprocess.CompletedProcess) -> str:
    """The one line a failed run printed (and nothing on stdout)."""
    stderr = result.stderr.decode()
    assert result.stdout == b""
    assert stderr.startswith("juliaset: error: ") and stderr.count("\n") == 1, stderr
    return stderr


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image).copy()


def small_png(cli: str, tmp_path: Path, *flags: str) -> tuple[Path, dict]:
    """A small image written by the command, and its record."""
    path = tmp_path / "small.png"
    result = run(cli, "-R=16", *flags, "-o", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    with Image.open(path) as image:
        return path, json.loads(image.text["juliaset"])


def with_record_text(source: Path, target: Path, text: str, **chunk: bool) -> Path:
    """`source`'s pixels saved by Pillow with `text` as the juliaset chunk (tEXt; zTXt with
    zip=True; iTXt with itxt=True)."""
    info = PngInfo()
    if chunk.get("itxt"):
        info.add_itxt("juliaset", text, zip=chunk.get("zip", False))
    else:
        info.add_text("juliaset", text, zip=chunk.get("zip", False))
    with Image.open(source) as image:
        image.save(target, pnginfo=info)
    return target


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def one_pixel_png(*chunks: bytes) -> bytes:
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    data = png_chunk(b"IDAT", zlib.compress(b"\x00\x00")) + png_chunk(b"IEND", b"")
    return PNG_SIGNATURE + header + b"".join(chunks) + data


def peak_memory_kib(cli: str, *args: str, cwd: Path) -> tuple[int, subprocess.CompletedProcess]:
    """The command's peak resident memory (KiB, getrusage of a fresh parent) and its result."""
    probe = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
        "sys.stderr.buffer.write(r.stderr)\n"
        "sys.exit(r.returncode)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, cli, *args], cwd=cwd, capture_output=True, timeout=120
    )
    return int(result.stdout), subprocess.CompletedProcess(result.args, result.returncode, b"", result.stderr)


# --- item 2: numbers outside the range of a double -----------------------------------------


@pytest.mark.parametrize("number", ["1e400", "-1e400", "7" * 400])
@pytest.mark.parametrize("key", ["threshold", "xleft", "future"])
def test_a_record_number_outside_the_double_range_is_a_usage_error(cli, tmp_path, number, key):
    source, record = small_png(cli, tmp_path)
    text = json.dumps(record)
    if key == "xleft":
        text = text.replace('"xleft": -1.6', f'"xleft": {number}')
    elif key == "threshold":
        text = text.replace('"threshold": 2.0', f'"threshold": {number}')
    else:
        text = text.replace("{", '{"future": ' + number + ", ", 1)
    assert number in text
    hostile = with_record_text(source, tmp_path / "hostile.png", text)
    result = run(cli, "--from", str(hostile), "-o", "out.png", cwd=tmp_path)
    assert result.returncode == 2
    line = error_line(result)
    assert "malformed parameter record" in line and "outside the range of a double" in line
    assert not (tmp_path / "out.png").exists()


# --- item 6: bounded memory whatever the file holds, compressed records ----------------------


def test_hostile_records_are_refused_within_a_few_megabytes(cli, tmp_path):
    mib = 2**20
    (tmp_path / "brackets.png").write_bytes(
        one_pixel_png(png_chunk(b"tEXt", b"juliaset\x00" + b"[" * (16 * mib - 9)))
    )
    (tmp_path / "deep.png").write_bytes(
        one_pixel_png(png_chunk(b"tEXt", b"juliaset\x00" + b"[" * (mib - 100)))
    )
    squeezer = zlib.compressobj(9)
    bomb = b"".join(squeezer.compress(b"[" * (16 * mib)) for _ in range(16)) + squeezer.flush()
    (tmp_path / "bomb.png").write_bytes(
        one_pixel_png(png_chunk(b"zTXt", b"juliaset\x00\x00" + bomb))
    )
    # 64 text chunks of 16 MiB each, written sparse (1 GiB long, a few hundred KB on disk).
    zeros_crc = zlib.crc32(bytes(16 * mib), zlib.crc32(b"tEXt"))
    with open(tmp_path / "sparse.png", "wb") as sparse:
        sparse.write(one_pixel_png()[:33])  # signature and IHDR
        for _ in range(64):
            sparse.write(struct.pack(">I", 16 * mib) + b"tEXt")
            sparse.seek(16 * mib, 1)
            sparse.write(struct.pack(">I", zeros_crc))
        sparse.write(one_pixel_png()[33:])
    expected = {
        "brackets.png": "is too large: PNG tEXt chunk 'juliaset' holds 16777216 bytes",
        "deep.png": "nests arrays or objects more than 64 deep",
        "bomb.png": "is too large: PNG zTXt chunk 'juliaset' inflates to more than 1048576",
        "sparse.png": "carries no juliaset parameters",
    }
    for name, message in expected.items():
        peak, result = peak_memory_kib(cli, "--from", name, "-o", "out.png", cwd=tmp_path)
        assert result.returncode == 2, name
        assert message in error_line(result), name
        # Before: 1.27 GB (brackets), 1.08 GB (sparse). A few MB of buffers now.
        assert peak < 40_000, (name, peak)


@pytest.mark.parametrize("kind", ["zTXt", "iTXt", "iTXt compressed"])
def test_the_record_may_be_a_compressed_or_international_text_chunk(cli, tmp_path, kind):
    source, record = small_png(cli, tmp_path, "--colormap=magma", "--smooth")
    copy = with_record_text(
        source, tmp_path / "copy.png", json.dumps(record),
        zip=kind != "iTXt", itxt=kind.startswith("iTXt"),
    )  # fmt: skip
    with open(copy, "rb") as f:
        assert kind[:4].encode() in f.read()
    assert juliaset.read_parameters(copy) == record
    result = run(cli, "--from", str(copy), "-o", "again.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert np.array_equal(pixels(tmp_path / "again.png"), pixels(source))


def test_a_record_after_the_image_data_is_found_as_pillow_finds_it(cli, tmp_path):
    source, record = small_png(cli, tmp_path, "-M=40")
    data = source.read_bytes()
    iend = data.rindex(b"IEND") - 4
    moved = data[:iend] + png_chunk(b"zTXt", b"juliaset\x00\x00" + zlib.compress(json.dumps(record).encode())) + data[iend:]
    # Remove the original tEXt record before the image data.
    start = moved.index(b"tEXtjuliaset") - 4
    length = struct.unpack(">I", moved[start : start + 4])[0]
    moved = moved[:start] + moved[start + 12 + length :]
    (tmp_path / "moved.png").write_bytes(moved)
    assert juliaset.read_parameters(tmp_path / "moved.png")["itermax"] == 40
    result = run(cli, "--from", "moved.png", "-o", "again.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert np.array_equal(pixels(tmp_path / "again.png"), pixels(source))


def test_read_parameters_reports_deep_json_as_a_value_error(tmp_path):
    path = tmp_path / "deep.png"
    with_record_text_from_array(path, "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match="nests arrays or objects too deeply"):
        juliaset.read_parameters(path)


def with_record_text_from_array(path: Path, text: str) -> None:
    info = PngInfo()
    info.add_text("juliaset", text)
    Image.fromarray(np.zeros((2, 2), np.uint8)).save(path, pnginfo=info)


# --- item 7: signals and limits never leave a temporary file ---------------------------------


def no_core_dumps() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


@pytest.mark.parametrize(
    "signal_name", ["SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGHUP", "SIGVTALRM", "SIGXCPU"]
)
def test_a_fatal_signal_removes_the_temporary_file(cli, tmp_path, signal_name):
    import signal
    import time

    signal_number = getattr(signal, signal_name)
    existing = tmp_path / "plot.png"
    existing.write_bytes(b"precious")
    process = subprocess.Popen(
        [cli, "-R=30000", "-M=2000", "--threads=1"], cwd=tmp_path, stderr=subprocess.PIPE,
        preexec_fn=no_core_dumps,
    )  # fmt: skip
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
    assert process.returncode == -signal_number  # it still dies of the signal
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plot.png"]
    assert existing.read_bytes() == b"precious"


def test_the_file_size_limit_is_an_error_that_removes_the_temporary_file(cli, tmp_path):
    import resource

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100 * 1024, 100 * 1024))  # ulimit -f 100

    existing = tmp_path / "plot.png"
    existing.write_bytes(b"precious")
    result = subprocess.run(
        [cli, "-R=3000"], cwd=tmp_path, capture_output=True, timeout=120, preexec_fn=limit_file_size
    )
    assert result.returncode == 1  # not killed by SIGXFSZ
    line = error_line(result)
    assert "'plot.png'" in line and "File too large" in line and "ulimit -f" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plot.png"]
    assert existing.read_bytes() == b"precious"


def test_a_closed_pipe_is_exit_status_1_with_a_message(cli, tmp_path):
    process = subprocess.Popen(
        [cli, "-R=3000", "-o", "-"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stdout.read(10)[:4] == b"\x89PNG"  # `| head -c 10`
    process.stdout.close()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1  # was 141: killed by SIGPIPE, silently
    assert stderr.decode() == (
        "juliaset: error: cannot write to standard output: the reader closed the pipe "
        "(Broken pipe)\n"
    )


# --- item 9: long output names -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["a" * 251 + ".png", "\u00e9" * 125 + ".png", "b" * 255])
def test_an_output_name_up_to_the_name_limit_is_written(cli, tmp_path, name):
    assert len(name.encode()) in (255, 254)
    result = run(cli, "-R=24", "-o", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert [p.name for p in tmp_path.iterdir()] == [name]  # and no temporary file left
    assert pixels(tmp_path / name).shape == (15, 24)


# --- item 11: messages name what was given ---------------------------------------------------


@pytest.mark.parametrize(
    "args, expected",
    [
        (["-R=64", "-x=0", "-X=1e-320"], "1e-320 wide and 2 tall, so at --resolution/-R 64"),
        (["-x=1e-400"], "--xleft/-x: '1e-400' is too small for a double"),
        (["--precision=single", "-t=1e30"], "--threshold/-t is too large for --precision single"),
        (
            ["-R=1073741800", "-x=0", "-X=1", "-y=0", "-Y=1e-9", "--supersample=2"],
            "--supersample 2 on an image of 1073741800 x 1 pixels",
        ),
        (["-o", "/proc/self/status"], "cannot create a temporary file in '/proc/self'"),
        (["--bogus\x1b[31m"], "unknown argument '--bogus\\x1b[31m'"),
    ],
)
def test_messages_name_the_flag_given_and_the_real_reason(cli, tmp_path, args, expected):
    result = run(cli, *args, "-R=8" if args[0] == "-o" else "--threads=1", cwd=tmp_path)
    assert result.returncode in (1, 2)
    line = error_line(result)
    assert expected in line
    assert "inf pixels" not in line and "\x1b" not in line


def test_record_values_are_echoed_short_and_printable(cli, tmp_path):
    source, record = small_png(cli, tmp_path)
    for value, expected in [
        ("x" * 500_000, "xxx... (500000 bytes)"),
        ("vir\x00idis\nmore", "'vir\\0idis\\nmore'"),
    ]:
        hostile = with_record_text(
            source, tmp_path / "hostile.png", json.dumps({**record, "colormap": value})
        )
        result = run(cli, "--from", hostile.name, "-o", "out.png", cwd=tmp_path)
        assert result.returncode == 2
        line = error_line(result)
        assert len(line) < 400 and expected in line
        assert line.startswith("juliaset: error: record in ")
