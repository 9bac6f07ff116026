"""How ``save_png`` puts a file on disk: the command's text chunks, written atomically.

The ``juliaset`` command writes its PNG to a hidden temporary file beside the target and renames
it into place (``cli/render_png.cpp``), so a failed write (a full disk, a file-size limit,
Ctrl-C) never leaves a truncated image and never touches an existing one. ``write_atomically``
does the same for Python. ``text_chunks`` gives the ``Software`` and ``Comment`` chunks the
command writes before its ``juliaset`` record.
"""

from __future__ import annotations

import errno
import math
import os
import tempfile
from decimal import Decimal
from typing import IO, Any, Callable, List, Mapping, Optional, Tuple, Union

from . import _core

PathLike = Union[str, "os.PathLike[str]"]

# Random characters tempfile.mkstemp appends to the prefix.
_RANDOM_CHARACTERS = 8


def shortest(value: float) -> str:
    """``value`` as C++'s ``std::to_chars`` writes it with no format, the command's notation.

    The shortest digits that read back as the same double (Python's ``repr`` finds the same
    ones), in fixed or scientific notation, whichever is shorter, fixed on a tie: ``-0.1``,
    ``2``, ``1e-05``, ``1e+22``.
    """
    if value == 0.0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    sign = "-" if value < 0 else ""
    exact = Decimal(repr(abs(value))).normalize()
    _, digit_tuple, exponent = exact.as_tuple()
    assert isinstance(exponent, int)  # finite: bounds, c and threshold are checked before
    digits = "".join(map(str, digit_tuple))
    count = len(digits)
    if exponent >= 0:
        fixed = digits + "0" * exponent
    elif -exponent < count:
        fixed = digits[: count + exponent] + "." + digits[count + exponent :]
    else:
        fixed = "0." + "0" * (-exponent - count) + digits
    power = exponent + count - 1
    mantissa = digits[0] + ("." + digits[1:] if count > 1 else "")
    scientific = f"{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    return sign + (fixed if len(fixed) <= len(scientific) else scientific)


def command_line(parameters: Mapping[str, Any]) -> Optional[str]:
    """The ``juliaset`` command that renders checked ``parameters``, as the command words it.

    The same text as the ``Comment`` chunk of the command's own PNGs (``reproducing_command``
    in ``cli/render_png.cpp``). None where no command line gives the image: the command sets
    the height from ``-R`` and the region only, and its ``--colormap`` knows the built-in
    colormaps only.
    """
    width, height = parameters["width"], parameters["height"]
    # A recorded colour table (a matplotlib or resampled colormap) has no flag.
    if parameters["colormap"] not in _core.colormap_names() or "colormap_table" in parameters:
        return None
    if "view" in parameters:
        # A centred view of exact decimals (schema 2): the command's --center/--width/--size.
        view = parameters["view"]
        words = [
            f"--center={view['center'][0]},{view['center'][1]}",
            f"--width={view['width']}",
            f"--size={width}x{height}",
        ]
    else:
        region = parameters["region"]
        bounds = (region["xleft"], region["xright"], region["ybot"], region["ytop"])
        try:
            if _core.grid_shape(*bounds, width) != (width, height):
                return None
        except ValueError:
            return None
        words = [f"-R={width}"]
        words += [
            f"{flag}={shortest(value)}" for flag, value in zip(("-x", "-X", "-y", "-Y"), bounds)
        ]
    if parameters["family"] == "mandelbrot":
        words.append("--mandelbrot")
    else:
        # Decimal strings keep every digit (they matter at depth), as the command writes them.
        words += [
            f"{flag}={part if isinstance(part, str) else shortest(part)}"
            for flag, part in zip(("-r", "-i"), parameters["c"])
        ]
    words += [
        f"-t={shortest(parameters['threshold'])}",
        f"-m={parameters['itermin']}",
        f"-M={parameters['itermax']}",
    ]
    # The newer flags only where they differ from their defaults, as the command does.
    if parameters["power"] != 2:
        words.append(f"--power={parameters['power']}")
    if parameters["coloring"] != "count":
        words.append(f"--coloring={parameters['coloring']}")
    if parameters["colormap"] != "gray":
        words.append(f"--colormap={parameters['colormap']}")
    if parameters["bits"] != 8:
        words.append(f"--bits={parameters['bits']}")
    if parameters["supersample"] != 1:
        words.append(f"--supersample={parameters['supersample']}")
    if parameters.get("precision", "double") != "double":
        words.append(f"--precision={parameters['precision']}")
    return "juliaset " + " ".join(words)


def text_chunks(parameters: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """The command's ``Software`` and ``Comment`` chunks for checked ``parameters``, in its order.

    ``Comment`` is left out when no command line reproduces the image (see ``command_line``);
    the ``juliaset`` record, written after these, always does.
    """
    chunks = [("Software", f"juliaset {_core.version}")]
    command = command_line(parameters)
    if command is not None:
        chunks.append(("Comment", command))
    return chunks


def _umask() -> int:
    """The process's umask, read without changing it where Linux tells it (threads may run)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temporary_prefix(directory: bytes, name: bytes) -> bytes:
    """``.NAME.`` for the temporary file, NAME shortened so that the file name fits the limit."""
    try:
        name_max = os.pathconf(directory or b".", "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    keep = max(name_max - 2 - _RANDOM_CHARACTERS, 1)
    return b"." + name[:keep] + b"."


def write_atomically(path: PathLike, write: Callable[[IO[bytes]], None]) -> None:
    """Calls ``write(file)`` on a new temporary file beside ``path``, then renames it to ``path``.

    On any failure, Ctrl-C included, the temporary file is removed and ``path`` is left as it
    was. The finished file gets mode ``0o666 & ~umask``, as the command's do. Raises OSError
    (IsADirectoryError when ``path`` is a directory) for what the file system refuses.
    """
    target = os.fsencode(path)
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fsdecode(target))
    directory, name = os.path.split(target)
    descriptor, temporary = tempfile.mkstemp(
        prefix=_temporary_prefix(directory, name), suffix=b"", dir=directory or b"."
    )
    try:
        with os.fdopen(descriptor, "wb") as file:
            # mkstemp makes the file 0600; a finished image gets the usual 0666 & ~umask.
            os.fchmod(file.fileno(), 0o666 & ~_umask())
            write(file)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
