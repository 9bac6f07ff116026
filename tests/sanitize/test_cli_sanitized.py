"""The `juliaset` command built with AddressSanitizer and UBSan (`make test-sanitize`).

Each case runs the sanitized binary ($JULIASET_CLI, build/sanitize/juliaset) as a user would and
checks its exit status, its output and that no sanitizer reported anything: the reports abort
the process (ASAN_OPTIONS=abort_on_error=1, UBSAN_OPTIONS=halt_on_error=1, set by the Makefile),
and their text is looked for on stderr as well. Sizes are small: the sanitizers slow the render.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Sequence, Union

import numpy as np
import pytest
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[2]
SANITIZER_MARKERS = (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:", b"UndefinedBehaviorSanitizer")
COLORMAPS = ["gray", "viridis", "magma", "inferno", "plasma", "twilight"]
COLORINGS = [[], ["--smooth"], ["--histogram"]]
Arg = Union[str, bytes]


@pytest.fixture(scope="session")
def cli() -> str:
    path = Path(os.environ.get("JULIASET_CLI", REPO_ROOT / "build" / "sanitize" / "juliaset"))
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make test-sanitize` (or set JULIASET_CLI)")
    # These tests only mean something for a sanitized binary.
    binary = path.read_bytes()
    if b"__asan_init" not in binary or b"__ubsan_handle" not in binary:
        pytest.fail(f"{path} is not built with ASan and UBSan (JULIASET_SANITIZE)")
    for variable, needed in (("ASAN_OPTIONS", "abort_on_error=1"), ("UBSAN_OPTIONS", "halt_on_error=1")):
        if needed not in os.environ.get(variable, ""):
            pytest.fail(f"{variable} must contain {needed} (the Makefile's test-sanitize sets it)")
    return str(path)


def run(cli: str, args: Sequence[Arg], cwd: Path, expect: int) -> subprocess.CompletedProcess:
    """Runs the command; checks its status, that no sanitizer spoke, and that an error is one
    "juliaset: error:" line."""
    result = subprocess.run([cli, *args], cwd=cwd, capture_output=True, timeout=300)
    for marker in SANITIZER_MARKERS:
        assert marker not in result.stderr, result.stderr.decode(errors="replace")
    assert result.returncode == expect, (result.returncode, result.stderr.decode(errors="replace"))
    if expect == 0:
        assert result.stderr == b""
    else:
        lines = result.stderr.decode(errors="replace").splitlines()
        assert len(lines) == 1 and lines[0].startswith("juliaset: error: "), lines
    return result


def pixels(data_or_path: Union[bytes, Path]) -> np.ndarray:
    source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    with Image.open(source) as image:
        image.load()
        return np.asarray(image).copy()


# --- images that must come out --------------------------------------------------------------

GOLDEN_SMALL = [
    ["-R=100", "-m=0"],  # overview.png's flags, 100 pixels wide
    ["-x=-0.1", "-X=0.1", "-y=-0.1", "-Y=0.1", "-m=20", "-M=100", "-R=120"],  # the zoom's
    [],  # the seed tool's defaults
]


@pytest.mark.parametrize("flags", GOLDEN_SMALL, ids=["overview", "zoom", "defaults"])
def test_golden_flags_at_small_sizes(cli: str, tmp_path: Path, flags: list) -> None:
    flags = [flag for flag in flags if not flag.startswith("-R=")] + ["-R=120"]
    for compression in ([], ["--fast"], ["--best"]):
        result = run(cli, [*flags, *compression, "-o", "-"], tmp_path, 0)
        image = pixels(result.stdout)
        assert image.dtype == np.uint8 and image.shape[1] == 120
        assert 0 < len(np.unique(image)) <= 256


@pytest.mark.parametrize("colormap", COLORMAPS + [name + "_r" for name in COLORMAPS])
def test_every_colormap_and_coloring(cli: str, tmp_path: Path, colormap: str) -> None:
    for coloring in COLORINGS:
        out = tmp_path / "out.png"
        run(cli, ["-R=48", "-M=60", f"--colormap={colormap}", *coloring, "-o", str(out)], tmp_path, 0)
        image = pixels(out)
        assert image.shape == ((30, 48) if colormap == "gray" else (30, 48, 3))


@pytest.mark.parametrize(
    "flags",
    [
        ["--supersample=2"],
        ["--supersample=3", "--colormap=magma", "--smooth"],
        ["--supersample=16", "-R=8"],
        ["--bits=16"],
        ["--bits=16", "--smooth", "--supersample=2"],
        ["--bits=16", "--histogram"],
        ["--precision=single"],
        ["--precision=single", "--histogram", "--colormap=viridis"],
        ["--mandelbrot"],
        ["--mandelbrot", "--power=3", "--colormap=twilight", "--histogram"],
        ["--mandelbrot", "--power=16", "--smooth"],
        ["--power=5", "-r=0.5", "-i=0.1"],
        ["--threads=1"],
        ["--threads=3", "--best"],
        ["-x=1", "-X=-1", "-y=1", "-Y=-1"],  # reversed bounds mirror the image
        ["-x=0", "-X=1e-300", "-y=0", "-Y=1e-300"],  # a tiny region
        ["-t=1e150", "-M=30"],  # threshold^2 near the double range
        ["-m=0", "-M=1"],
        ["-R=1", "-x=0", "-X=1", "-y=0", "-Y=1"],
        ["-R=2000", "-y=0", "-Y=0.001"],  # one wide row
        ["-x=10", "-X=11", "-y=10", "-Y=11", "-M=4294967295"],  # everything escapes at once
    ],
)
def test_options_render(cli: str, tmp_path: Path, flags: list) -> None:
    width = [] if any(flag.startswith("-R=") for flag in flags) else ["-R=64"]
    result = run(cli, [*width, *flags, "-o", "-"], tmp_path, 0)
    assert pixels(result.stdout).size > 0


def test_from_round_trip(cli: str, tmp_path: Path) -> None:
    flags = ["-R=64", "-M=90", "--colormap=inferno_r", "--histogram", "--supersample=2", "--power=3"]
    first, again, wider = tmp_path / "first.png", tmp_path / "again.png", tmp_path / "wider.png"
    run(cli, [*flags, "-o", str(first)], tmp_path, 0)
    run(cli, ["--from", str(first), "-o", str(again)], tmp_path, 0)
    assert np.array_equal(pixels(first), pixels(again))
    run(cli, ["--from", str(first), "-R=96", "--colormap=gray", "-o", str(wider)], tmp_path, 0)
    assert pixels(wider).shape == (60, 96)
    bits16 = tmp_path / "bits16.png"
    run(cli, ["-R=40", "--bits=16", "--mandelbrot", "-o", str(bits16)], tmp_path, 0)
    result = run(cli, ["--from", str(bits16), "-o", "-"], tmp_path, 0)
    assert np.array_equal(pixels(bits16), pixels(result.stdout))


# --- refused arguments: status 2, one line, no file -------------------------------------------

HOSTILE_FLAGS = [
    ["-R=0"], ["-R=-5"], ["-R=99999999999999999999999"], ["-R=1073741825"], ["-R=1e3"],
    ["-x=nan"], ["-X=inf"], ["-y=-inf"], ["-Y=NaN"], ["-x=1e400"], ["-x=1e-400", "-X=1e-400"],
    ["-x=1e308", "-X=-1e308"], ["-x=1", "-X=1"], ["-y=0", "-Y=1e-300", "-R=1000000"],
    ["-t=0"], ["-t=-1"], ["-t=1e200"], ["-t=nan"], ["-m=80", "-M=80"], ["-M=-1"],
    ["-M=4294967296"], ["--power=1"], ["--power=17"], ["--power=4294967295"],
    ["--supersample=0"], ["--supersample=17"], ["--bits=12"], ["--bits=16", "--colormap=magma"],
    ["--colormap=" + "x" * 100_000], ["--colormap=cividis"], ["--coloring=banded"],
    ["--smooth", "--histogram"], ["--smooth", "-t=0.5"], ["--precision=quad"],
    ["--precision=single", "--smooth"], ["--precision=single", "-M=16777217"],
    ["--threads=1025"], ["--threads=-1"], ["--fast", "--best"], ["--mandelbrot", "--julia"],
    ["--mandelbrot", "-r=0.3"], ["-x"], ["-x", "-o", "a.png"], ["--xleft="], ["-x=1", "-x=2"],
    ["--no-such-flag"], ["positional"], ["--", "-x"], [""], ["-o", ""], ["--from="],
    [b"-x=\xff\xfe"], [b"--colormap=\xc3\x28"], ["-R=" + "9" * 10_000],
]


@pytest.mark.parametrize("flags", HOSTILE_FLAGS)
def test_hostile_values_are_refused(cli: str, tmp_path: Path, flags: list) -> None:
    run(cli, [*flags, "-o", "out.png"] if "-o" not in flags else flags, tmp_path, 2)
    assert not (tmp_path / "out.png").exists()


# --- --from on malformed files ----------------------------------------------------------------


def chunk(kind: bytes, data: bytes, crc: Union[int, None] = None) -> bytes:
    crc = zlib.crc32(kind + data) if crc is None else crc
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


SIGNATURE = b"\x89PNG\r\n\x1a\n"
IHDR = chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
IDAT = chunk(b"IDAT", zlib.compress(b"\0\0\0\0\0" * 4))
IEND = chunk(b"IEND", b"")


def png_with_chunk(kind: bytes, data: bytes) -> bytes:
    return SIGNATURE + IHDR + chunk(kind, data) + IDAT + IEND


def png_with_record(text: bytes) -> bytes:
    return png_with_chunk(b"tEXt", b"juliaset\0" + text)


GOOD_RECORD = {
    "family": "julia", "c": [-0.835, -0.2321],
    "region": {"xleft": -1.6, "xright": 1.6, "ybot": -1.0, "ytop": 1.0},
    "width": 8, "height": 5, "threshold": 2.0, "itermin": 5, "itermax": 80,
}


def record_with(**changes: object) -> bytes:
    return json.dumps({**GOOD_RECORD, **changes}).encode()


MALFORMED_FILES = {
    "empty": b"",
    "not_png": b"GIF89a" + b"\0" * 40,
    "signature_only": SIGNATURE,
    "truncated_ihdr": SIGNATURE + IHDR[:10],
    "no_ihdr_first": SIGNATURE + chunk(b"tEXt", b"juliaset\0{}") + IHDR + IEND,
    "bad_crc": SIGNATURE + IHDR + chunk(b"tEXt", b"juliaset\0" + record_with(), crc=1) + IEND,
    "huge_length": SIGNATURE + IHDR + struct.pack(">I", 0xFFFFFFFF) + b"tEXt" + b"x" * 64,
    "length_past_end": SIGNATURE + IHDR + struct.pack(">I", 1 << 20) + b"tEXt" + b"x" * 64,
    "no_record": SIGNATURE + IHDR + chunk(b"tEXt", b"Software\0juliaset") + IDAT + IEND,
    "text_without_separator": SIGNATURE + IHDR + chunk(b"tEXt", b"juliaset") + IDAT + IEND,
    "not_json": png_with_record(b"family=julia"),
    "json_array": png_with_record(b"[1, 2, 3]"),
    "deeply_nested": png_with_record(b"[" * 100_000 + b"]" * 100_000),
    "unterminated_nesting": png_with_record(b"{\"a\":" * 50_000),
    "number_out_of_range": png_with_record(record_with().replace(b'"threshold": 2.0', b'"threshold": 1e400')),
    "integer_out_of_range": png_with_record(record_with().replace(b'"width": 8', b'"width": 1' + b"0" * 400)),
    "c_out_of_range": png_with_record(record_with().replace(b"-0.835", b"-1e999")),
    "negative_width": png_with_record(record_with(width=-8)),
    "float_width": png_with_record(record_with(width=8.5)),
    "wrong_height": png_with_record(record_with(height=6)),
    "huge_image": png_with_record(record_with(width=1 << 30, height=1 << 30)),
    "power_out_of_range": png_with_record(record_with(power=2**40)),
    "c_not_pair": png_with_record(record_with(c=[1])),
    "region_not_object": png_with_record(record_with(region=[1, 2, 3, 4])),
    "unknown_family": png_with_record(record_with(family="x" * 100_000)),
    "unknown_colormap": png_with_record(record_with(colormap="cividis")),
    "bits_12": png_with_record(record_with(bits=12)),
    "nul_in_string": png_with_record(record_with(colormap="gray\u0000x")),
    "invalid_utf8": png_with_record(record_with().replace(b'"julia"', b'"jul\xffia"')),
    "lone_surrogate": png_with_record(record_with().replace(b'"julia"', b'"\\ud800"')),
    "itermin_not_below_itermax": png_with_record(record_with(itermin=80)),
    "colour_table_short": png_with_record(record_with(colormap="mine", colormap_table=[[0, 0, 0]] * 255)),
    "colour_table_out_of_range": png_with_record(record_with(colormap="mine", colormap_table=[[0, 2, 0]] * 256)),
    "ztxt_bad_zlib": png_with_chunk(b"zTXt", b"juliaset\0\0" + b"not zlib data"),
    "ztxt_unknown_method": png_with_chunk(b"zTXt", b"juliaset\0\x07" + zlib.compress(record_with())),
    "ztxt_bomb": png_with_chunk(b"zTXt", b"juliaset\0\0" + zlib.compress(b" " * (64 << 20), 9)),
    "ztxt_truncated_stream": png_with_chunk(b"zTXt", b"juliaset\0\0" + zlib.compress(record_with())[:-6]),
    "itxt_without_fields": png_with_chunk(b"iTXt", b"juliaset\0"),
    "itxt_bad_flag": png_with_chunk(b"iTXt", b"juliaset\0\x05\0\0\0" + record_with()),
    "itxt_bad_utf8": png_with_chunk(b"iTXt", b"juliaset\0\0\0\0\0" + record_with().replace(b"julia", b"\xffulia")),
    "oversized_record": png_with_record(record_with(engine="x" * (1 << 20))),
}


@pytest.mark.parametrize("name", sorted(MALFORMED_FILES))
def test_from_malformed_files(cli: str, tmp_path: Path, name: str) -> None:
    source = tmp_path / "source.png"
    source.write_bytes(MALFORMED_FILES[name])
    run(cli, ["--from", str(source), "-o", "out.png"], tmp_path, 2)
    assert not (tmp_path / "out.png").exists()


@pytest.mark.parametrize("path", ["missing.png", ".", "/dev/null", "/proc/self/status"])
def test_from_unreadable_paths(cli: str, tmp_path: Path, path: str) -> None:
    run(cli, ["--from", path, "-o", "out.png"], tmp_path, 2)


GOOD_FILES = {
    "tEXt": png_with_record(record_with(colormap="plasma", coloring="smooth")),
    "after_the_image_data": SIGNATURE + IHDR + IDAT + chunk(b"tEXt", b"juliaset\0" + record_with()) + IEND,
    "zTXt": png_with_chunk(b"zTXt", b"juliaset\0\0" + zlib.compress(record_with(colormap="magma"))),
    "iTXt": png_with_chunk(b"iTXt", b"juliaset\0\0\0en\0juliaset\0" + record_with(colormap="magma")),
    "iTXt_compressed": png_with_chunk(b"iTXt", b"juliaset\0\1\0\0\0" + zlib.compress(record_with())),
    "colour_table": png_with_record(record_with(colormap="mine", colormap_table=[[i / 255, 0.5, 1 - i / 255] for i in range(256)])),
}


@pytest.mark.parametrize("name", sorted(GOOD_FILES))
def test_from_good_handmade_files(cli: str, tmp_path: Path, name: str) -> None:
    source = tmp_path / "source.png"
    source.write_bytes(GOOD_FILES[name])
    result = run(cli, ["--from", str(source), "-o", "-"], tmp_path, 0)
    assert pixels(result.stdout).shape[:2] == (5, 8)


# --- outputs that cannot be written: status 1, one line ----------------------------------------


@pytest.mark.parametrize("target", ["/dev/full", "no/such/folder/out.png", "/proc/version"])
def test_unwritable_outputs(cli: str, tmp_path: Path, target: str) -> None:
    run(cli, ["-R=64", "-o", target], tmp_path, 1)


def test_standard_output_to_dev_full(cli: str, tmp_path: Path) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run([cli, "-R=64", "-o", "-"], cwd=tmp_path, stdout=full,
                                stderr=subprocess.PIPE, timeout=300)
    for marker in SANITIZER_MARKERS:
        assert marker not in result.stderr
    assert result.returncode == 1, result.stderr
