"""save_png writes atomically (a failed write leaves no partial file and the old one intact) and
writes the same Software and Comment chunks as the juliaset command."""

from __future__ import annotations

import os
import stat
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path
from typing import List, Tuple

import numpy as np
import pytest
from PIL import Image

import juliaset
from juliaset._pngfile import shortest


def text_chunks_in_order(path: Path) -> List[Tuple[str, str]]:
    """(keyword, text) of every tEXt chunk, in file order, read from the raw chunk stream."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks = []
    position = 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body)
        if kind == b"tEXt":
            keyword, text = body.split(b"\0", 1)
            chunks.append((keyword.decode("latin-1"), text.decode("latin-1")))
        if kind == b"IDAT":
            assert chunks, "the text chunks come before the image data"
        position += 12 + length
    return chunks


def leftovers(directory: Path, *keep: str) -> List[str]:
    return sorted(name for name in os.listdir(directory) if name not in keep)


# -- the command's chunks --------------------------------------------------------------------

CLI_CASES = [
    ["-R=24"],
    ["-R=30", "-x=-0.1", "-X=0.1", "-y=-0.1", "-Y=0.1", "-m=20", "-M=100"],
    ["-R=17", "--mandelbrot", "--power=3", "--colormap=magma_r", "--coloring=histogram"],
    ["-R=20", "-r=1e-05", "-i=123456789012", "-t=1e+22", "-m=0", "-M=7", "--supersample=2"],
    ["-R=16", "-x=100000", "-X=100000.0125", "-y=-2.5e-07", "-Y=0.001234", "--bits=16"],
    ["-R=12", "--colormap=twilight", "--coloring=smooth", "-t=3"],
    ["-R=12", "--precision=single", "-M=300", "--colormap=gray_r"],
]


@pytest.mark.parametrize("flags", CLI_CASES, ids=lambda flags: " ".join(flags))
def test_save_png_writes_the_commands_software_and_comment_chunks(cli, tmp_path, flags):
    from_cli = tmp_path / "cli.png"
    subprocess.run([cli, *flags, "-o", str(from_cli)], check=True, timeout=60)
    parameters = juliaset.read_parameters(from_cli)
    image = juliaset.render_parameters(parameters)
    from_python = tmp_path / "python.png"
    juliaset.save_png(from_python, image, parameters)

    cli_chunks = text_chunks_in_order(from_cli)
    python_chunks = text_chunks_in_order(from_python)
    assert [keyword for keyword, _ in python_chunks] == ["Software", "Comment", "juliaset"]
    assert python_chunks[:2] == cli_chunks[:2]
    assert python_chunks[0] == ("Software", f"juliaset {juliaset.__version__}")
    with Image.open(from_cli) as a, Image.open(from_python) as b:
        assert np.array_equal(np.asarray(a), np.asarray(b))


def test_the_comment_is_a_command_that_renders_the_same_image(cli, tmp_path):
    parameters = juliaset.image_parameters(
        "julia", c=0.285 + 0.0123j, bounds=(-1.25, 1.5, -0.75, 1.0), resolution=40, itermin=3,
        itermax=150, colormap="inferno", coloring="smooth", supersample=3,
    )
    saved = tmp_path / "saved.png"
    juliaset.save_png(saved, juliaset.render_parameters(parameters), parameters)
    with Image.open(saved) as png:
        command = png.text["Comment"].split()
        saved_pixels = np.asarray(png)
    assert command[0] == "juliaset"
    again = tmp_path / "again.png"
    subprocess.run([cli, *command[1:], "-o", str(again)], check=True, timeout=60)
    with Image.open(again) as png:
        assert np.array_equal(np.asarray(png), saved_pixels)


def test_no_comment_where_no_command_line_gives_the_image(tmp_path):
    # The command sets the height from -R and the region; 40 x 40 over a 3.2 x 2 region is not
    # what -R=40 gives (25 rows).
    square = juliaset.image_parameters(
        "julia", bounds=(-1.6, 1.6, -1.0, 1.0), size=(40, 40), colormap="gray"
    )
    juliaset.save_png(tmp_path / "square.png", juliaset.render_parameters(square), square)
    assert [k for k, _ in text_chunks_in_order(tmp_path / "square.png")] == [
        "Software", "juliaset"
    ]
    pytest.importorskip("matplotlib")
    # The command knows the built-in colormaps only.
    jet = juliaset.image_parameters("julia", resolution=40, colormap="jet")
    juliaset.save_png(tmp_path / "jet.png", juliaset.render_parameters(jet), jet)
    assert [k for k, _ in text_chunks_in_order(tmp_path / "jet.png")] == ["Software", "juliaset"]
    # jet is recorded with its colour table; the same view with a built-in colormap has none.
    assert "colormap_table" in jet
    same_with_viridis = {k: v for k, v in jet.items() if k != "colormap_table"}
    same_with_viridis["colormap"] = "viridis"
    juliaset.save_png(
        tmp_path / "viridis.png", juliaset.render_parameters(same_with_viridis), same_with_viridis
    )
    assert [k for k, _ in text_chunks_in_order(tmp_path / "viridis.png")] == [
        "Software", "Comment", "juliaset"
    ]


@pytest.mark.parametrize(
    "value, text",
    [(-0.1, "-0.1"), (2.0, "2"), (0.0, "0"), (-0.0, "-0"), (1e-05, "1e-05"), (1e22, "1e+22"),
     (100000.0, "1e+05"), (10000.0, "10000"), (1e6, "1e+06"), (123456.0, "123456"),
     (0.001234, "0.001234"),
     (-2.5e-07, "-2.5e-07"), (1.2345678901234568e20, "123456789012345680000"),
     (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308")],
)
def test_numbers_are_written_as_the_commands_to_chars(value, text):
    assert shortest(value) == text
    assert float(text) == value


# -- atomic writes -----------------------------------------------------------------------------

FILE_SIZE_LIMIT_CHILD = textwrap.dedent(
    """
    import resource, signal, sys
    import juliaset
    # Python ignores SIGXFSZ already; say so, so the write fails with EFBIG and not a signal.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    p = juliaset.image_parameters("julia", size=(300, 200), colormap="magma", coloring="smooth")
    image = juliaset.render_parameters(p)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
    try:
        juliaset.save_png(sys.argv[1], image, p)
    except OSError as error:
        print("OSError", error.errno)
    else:
        print("written")
    """
)


def test_a_write_that_hits_the_file_size_limit_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "image.png"
    small = juliaset.image_parameters("julia", size=(32, 20), colormap="gray")
    juliaset.save_png(target, juliaset.render_parameters(small), small)
    before = target.read_bytes()

    result = subprocess.run(
        [sys.executable, "-c", FILE_SIZE_LIMIT_CHILD, str(target)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["OSError", "27"]  # EFBIG
    assert target.read_bytes() == before
    assert leftovers(tmp_path, "image.png") == []
    assert juliaset.read_parameters(target)["width"] == 32


def test_ctrl_c_during_the_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    import PIL.Image

    target = tmp_path / "image.png"
    target.write_bytes(b"the previous file")
    encode = PIL.Image.SAVE["PNG"]

    def interrupted_encode(image, file, filename):  # the real encoder, stopped half-way
        encode(image, file, filename)
        file.flush()
        assert os.fstat(file.fileno()).st_size > 0
        raise KeyboardInterrupt

    monkeypatch.setitem(PIL.Image.SAVE, "PNG", interrupted_encode)
    parameters = juliaset.image_parameters("mandelbrot", size=(40, 30), colormap="plasma")
    with pytest.raises(KeyboardInterrupt):
        juliaset.save_png(target, juliaset.render_parameters(parameters), parameters)
    assert target.read_bytes() == b"the previous file"
    assert leftovers(tmp_path, "image.png") == []


def test_an_unwritable_directory_or_a_directory_target_is_an_oserror_and_leaves_nothing(tmp_path):
    parameters = juliaset.image_parameters("julia", size=(8, 5), colormap="gray")
    image = juliaset.render_parameters(parameters)
    with pytest.raises(IsADirectoryError):
        juliaset.save_png(tmp_path, image, parameters)
    with pytest.raises(FileNotFoundError):
        juliaset.save_png(tmp_path / "missing" / "x.png", image, parameters)
    assert leftovers(tmp_path) == []


def test_the_file_replaces_the_old_one_with_the_umask_mode_and_a_name_of_255_bytes(tmp_path):
    parameters = juliaset.image_parameters("julia", size=(8, 5), colormap="gray")
    image = juliaset.render_parameters(parameters)
    name = "n" * 251 + ".png"
    target = tmp_path / name
    target.write_bytes(b"old")
    os.chmod(target, 0o600)
    previous = os.umask(0o027)
    try:
        juliaset.save_png(target, image, parameters)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert leftovers(tmp_path, name) == []
    with Image.open(target) as png:
        assert np.array_equal(np.asarray(png), image)


def test_a_relative_path_is_written_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    parameters = juliaset.image_parameters("julia", size=(8, 5), colormap="gray")
    juliaset.save_png("here.png", juliaset.render_parameters(parameters), parameters)
    assert leftovers(tmp_path) == ["here.png"]
