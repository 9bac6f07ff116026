"""Memory: requests that would exhaust the machine fail at once with MemoryError, and the
requests that used to cost memory in proportion to itermax or the image's width run within a
small address-space limit (RLIMIT_AS), in subprocesses so the limit binds them alone."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np
import pytest
from PIL import Image

MIB = 1 << 20


def memory_available() -> int:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    pytest.skip("no MemAvailable in /proc/meminfo")


def address_space_limit(limit_bytes: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    return apply


def run_limited(
    argv: Sequence[str], limit_bytes: int, cwd: Optional[Path] = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        list(argv), cwd=cwd, capture_output=True, timeout=300,
        preexec_fn=address_space_limit(limit_bytes),
    )


def python_limited(script: str, limit_bytes: int) -> subprocess.CompletedProcess:
    return run_limited([sys.executable, "-c", textwrap.dedent(script)], limit_bytes)


# --- Python: the sum of the requested arrays is checked before anything is allocated ---------


def test_fields_that_fit_one_by_one_but_not_together_are_a_memory_error_at_once():
    # Each float64 array is under half the available memory, the three together are 1.35
    # times it. The address-space limit keeps a broken check from allocating for real: it would
    # then fail on the second array with the allocator's message, not the total's.
    available = memory_available()
    side = int((0.45 * available / 8) ** 0.5)
    result = python_limited(
        f"""
        import juliaset
        try:
            juliaset.julia(size=({side}, {side}), fields=("smooth", "final_norm", "distance"))
        except MemoryError as error:
            print(error)
        """,
        limit_bytes=int(0.6 * available),
    )
    assert result.returncode == 0, result.stderr.decode()
    message = result.stdout.decode().strip()
    assert message.startswith(
        f"fields: cannot allocate the {side} x {side} arrays of smooth, final_norm, distance: "
    ), message
    assert "GB, more than the " in message and " of memory available;" in message, message
    assert "%" not in message


def test_an_image_larger_than_the_memory_available_is_a_memory_error_naming_its_size():
    side = int((2 * memory_available() / 3) ** 0.5) + 1
    import juliaset

    with pytest.raises(MemoryError, match=rf"image: cannot allocate a {side} x {side} x 3 image"):
        juliaset.julia_image(size=(side, side), colormap="magma")


def test_the_allocators_message_prints_the_size_not_a_format_directive():
    # 2 GB fit in the machine's memory but not under a 1 GB address-space limit: the allocation
    # itself fails, and its message used to read "(%.4g bytes)".
    result = python_limited(
        """
        from juliaset import _core
        try:
            _core.escape_counts(-1.0, 1.0, -1.0, 1.0, 23170, 0.0, 0.0, 2.0, 0, 10)
        except MemoryError as error:
            print(error)
        """,
        limit_bytes=1024 * MIB,
    )
    assert result.returncode == 0, result.stderr.decode()
    message = result.stdout.decode().strip()
    assert message == (
        "escape_counts: cannot allocate a 23170 x 23170 array of uint32 (2.15 GB); "
        "lower the resolution or split the region into tiles"
    ), message


# --- histogram colouring costs memory by the counts that occur, not by itermax ---------------


def test_python_histogram_image_with_a_huge_itermax_runs_in_little_memory():
    result = python_limited(
        """
        import json, numpy as np, juliaset
        image = juliaset.julia_image(size=(8, 8), itermax=10**8, coloring="histogram")
        small = juliaset.julia_image(size=(8, 8), itermax=10**8, coloring="histogram", threads=1)
        print(json.dumps([image.shape, bool(np.array_equal(image, small))]))
        """,
        limit_bytes=400 * MIB,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout) == [[8, 8, 3], True]


def test_histogram_levels_do_not_depend_on_itermax_beyond_the_largest_count():
    # Every pixel escapes within 91,000 steps: the histogram of counts, and so the image,
    # is the same for any itermax above them, whether the engine keeps a dense table or not.
    import juliaset

    images = [
        juliaset.julia_image(-0.75 + 0.005j, size=(120, 75), itermax=itermax, coloring="histogram",
                             colormap="magma")
        for itermax in (100_000, 1_000_000, 4_000_000_000)
    ]
    for image in images[1:]:
        np.testing.assert_array_equal(image, images[0])


# --- the command: peak memory does not grow with itermax, the width or the thread count ------

# Address space, not resident memory, is what RLIMIT_AS bounds: each thread adds its stack and
# a malloc arena reservation (up to 64 MiB each), so the limit allows for the cores the command
# may use. Before issue 10 these cases needed 0.6-7.4 GB.
CLI_LIMIT = 200 * MIB + (__import__("os").cpu_count() or 1) * 80 * MIB


def decode(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image)


@pytest.mark.parametrize(
    "args",
    [
        ["-R=8", "-M=4294967295", "--histogram"],
        ["-R=8", "-M=100000000", "--histogram", "--colormap=magma", "--supersample=4"],
        ["-R=1000000", "-y=0", "-Y=3.2e-6", "--threads=1024"],
        ["-R=200000", "-y=0", "-Y=16e-6", "--supersample=16"],
        # c outside the Mandelbrot set: every point escapes (these within a few hundred steps).
        ["-R=300000", "-y=0.5", "-Y=0.500032", "-r=-0.75", "-i=0.005", "--colormap=magma",
         "--histogram", "-M=500000000"],
        # 20 rows cut into pieces: the Up filter takes each piece's row above from the ring.
        ["-R=400000", "-y=0", "-Y=1.6e-4"],
    ],
    ids=["histogram-M-2^32", "histogram-magma-ss4", "wide-1024-threads", "wide-ss16",
         "wide-colour-histogram", "wide-20-rows"],
)
def test_command_runs_within_a_small_address_space(cli, tmp_path, args):
    output = tmp_path / "out.png"
    result = run_limited([cli, *args, "-o", str(output)], CLI_LIMIT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    # The pieces join into the image the Python API renders whole from the file's record.
    import juliaset

    expected = juliaset.render_parameters(juliaset.read_parameters(output))
    np.testing.assert_array_equal(decode(output), expected)
