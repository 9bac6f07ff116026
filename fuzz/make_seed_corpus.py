"""Writes the committed seed corpus of the fuzz targets (fuzz/corpus/<target>/).

    python3 fuzz/make_seed_corpus.py build/cpp/juliaset

The PNG seeds are tiny images written by the command (the test suite's flags at 4 to 8 pixels),
the record seeds are their "juliaset" chunks plus hand-written variants, and the option seeds
are command lines (arguments separated by NUL bytes; `--from` takes a JSON record in place of a
file name, see option_parser_fuzz.cpp). Standard library only; rerun it after a format change.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"

IMAGES = {
    "gray_overview": ["-R=8", "-m=0"],
    "gray_zoom": ["-x=-0.1", "-X=0.1", "-y=-0.1", "-Y=0.1", "-m=20", "-M=100", "-R=6"],
    "gray16_smooth": ["-R=6", "--bits=16", "--smooth"],
    "magma_histogram": ["-R=6", "--colormap=magma", "--histogram", "--supersample=2"],
    "mandelbrot_power3": ["-R=6", "--mandelbrot", "--power=3", "--colormap=twilight_r"],
    "single_precision": ["-R=5", "--precision=single", "-r=0.3", "-i=0.5", "--fast"],
}

OPTION_LINES = {
    "defaults": [],
    "golden_overview": ["-R=1000", "-m=0"],
    "golden_zoom": ["-x=-0.1", "-X=0.1", "-y=-0.1", "-Y=0.1", "-m=20", "-M=100", "-R=4000"],
    "spellings": ["-x", "-0.1", "--xright=0.1", "--ybot", "-0.1", "-Y0.1", "-o", "-"],
    "colour": ["-M=300", "--colormap=magma", "--smooth", "--supersample=2", "-o", "julia.png"],
    "multibrot": ["--mandelbrot", "--power=3", "--colormap=twilight", "--histogram"],
    "bits16": ["--bits=16", "--coloring=smooth", "--threads=3", "--best"],
    "single": ["--precision=single", "--fast", "-t=1e10", "-M=16777216"],
    "help": ["--help"],
    "version": ["-V"],
    "bad_values": ["-R=0", "-x=nan", "--power=17"],
}


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def records_in(png: bytes) -> list:
    """The text of every "juliaset" tEXt chunk before the image data."""
    found, at = [], 8
    while at + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[at : at + 8])
        data = png[at + 8 : at + 8 + length]
        if kind == b"tEXt" and data.startswith(b"juliaset\0"):
            found.append(data[len(b"juliaset\0") :])
        at += 12 + length
    return found


def write(target: str, name: str, data: bytes) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def main(cli: str) -> None:
    records = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, flags in IMAGES.items():
            out = Path(tmp) / f"{name}.png"
            subprocess.run([cli, *flags, "-o", str(out)], check=True)
            png = out.read_bytes()
            write("png_record_fuzz", f"{name}.png", png)
            (records[name],) = records_in(png)

    base = json.loads(records["gray_overview"])
    variants = {
        "minimal": {k: base[k] for k in ("family", "c", "region", "width", "height", "threshold",
                                         "itermin", "itermax")},
        "mandelbrot_without_c": {**{k: v for k, v in base.items() if k != "c"},
                                 "family": "mandelbrot"},
        "python_writer": {**base, "engine": "juliaset 0.2.0 (Python)", "colormap": "viridis_r",
                          "precision": "exact", "extra": {"nested": [1, 2.5, None, True]}},
        "escaped_strings": {**base, "engine": "caf\u00e9 \u2603 \"quoted\"\n"},
        "colour_table": {**base, "colormap": "my_colours",
                         "colormap_table": [[i / 255, 0.5, 1 - i / 255] for i in range(256)]},
    }
    for name, text in records.items():
        write("record_json_fuzz", f"{name}.json", text)
    for name, record in variants.items():
        write("record_json_fuzz", f"{name}.json", json.dumps(record).encode())

    signature = b"\x89PNG\r\n\x1a\n"
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
    tail = chunk(b"IDAT", zlib.compress(b"\0" * 20)) + chunk(b"IEND", b"")
    handmade = {
        "python_record": chunk(b"tEXt", b"juliaset\0" + json.dumps(variants["python_writer"]).encode()),
        "other_text_first": chunk(b"tEXt", b"Software\0juliaset 0.2.0")
        + chunk(b"tEXt", b"juliaset\0" + records["gray_zoom"]),
        "no_record": chunk(b"tEXt", b"Comment\0no record here"),
        "ztxt_record": chunk(b"zTXt", b"juliaset\0\0" + zlib.compress(records["magma_histogram"])),
        "itxt_record": chunk(b"iTXt", b"juliaset\0\0\0en\0juliaset\0" + records["gray16_smooth"]),
        "itxt_compressed_record": chunk(
            b"iTXt", b"juliaset\0\1\0\0\0" + zlib.compress(records["mandelbrot_power3"])),
    }
    for name, middle in handmade.items():
        write("png_record_fuzz", f"{name}.png", signature + ihdr + middle + tail)

    lines = dict(OPTION_LINES)
    lines["from_record"] = ["--from", records["magma_histogram"].decode(), "-R=12"]
    lines["from_mandelbrot"] = ["--from", json.dumps(variants["mandelbrot_without_c"]), "--julia"]
    lines["from_colour_table"] = ["--from", json.dumps(variants["colour_table"]), "--histogram"]
    for name, args in lines.items():
        write("option_parser_fuzz", name, b"\0".join(arg.encode() for arg in args))


if __name__ == "__main__":
    main(sys.argv[1])
