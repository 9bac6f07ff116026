"""A stored pyramid (``juliaset.zarr_store``) served to the explorer's store page as PNG tiles.

``juliaset-explore --store PATH`` opens the store once at start (``open_store``: a clear
one-line error when PATH is not a juliaset store) and the server answers:

- ``/api/store``: the store's description (levels and their shapes, the chunk size, the
  view's attributes);
- ``/api/store/tile/{level}/{row}/{col}.png``: chunk (row, col) of pyramid level ``level``
  as a PNG, read from Zarr and encoded by Pillow. A tile is exactly one chunk of the level
  (edge chunks as large as the pixels that exist).

Image stores are served as their pixels: RGB as RGB, 8-bit gray as gray, 16-bit gray as its
high byte (the browser's canvas holds 8 bits per channel). Fields stores are served as their
``counts`` coloured by count colouring (``t = count / itermax``, the renderer's rule and the
explorer's colour tables) with the colormap the tile request names (``?colormap=``, default
``DEFAULT_FIELDS_COLORMAP``); stores of other fields only are refused at start.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import numpy as np
from numpy.typing import NDArray

from .._colormaps import BUILTIN_COLORMAPS
from .views import BadParameter, single_values

DEFAULT_FIELDS_COLORMAP = "twilight_r"
TILE_ROUTE = "/api/store/tile/{level}/{row}/{col}.png"
_INDEX = re.compile(r"[0-9]{1,9}")


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass
class StoredPyramid:
    """An opened, checked store: its attributes and the Zarr arrays of its pyramid."""

    location: str
    attributes: Dict[str, Any]
    kind: str  # "image" or "fields"
    group: str  # "image" or "counts"
    shapes: List[Tuple[int, int]]  # (height, width) of every level, level 0 first
    chunks: Tuple[int, int]  # (rows, columns)
    arrays: List[Any]
    token: str  # identifies this store's content description (ETags)
    tables: Dict[str, Optional[NDArray[np.uint8]]] = field(default_factory=dict)

    @property
    def levels(self) -> int:
        return len(self.shapes)

    def grid(self, level: int) -> Tuple[int, int]:
        """(rows, columns) of tiles at ``level``."""
        height, width = self.shapes[level]
        return -(-height // self.chunks[0]), -(-width // self.chunks[1])

    def describe(self) -> Dict[str, Any]:
        """The JSON of ``/api/store``."""
        attributes = self.attributes
        image = attributes.get("image") if self.kind == "image" else None
        colormap = image.get("colormap") if isinstance(image, dict) else None
        return {
            "name": Path(self.location.rstrip("/")).name or self.location,
            "kind": self.kind,
            "group": self.group,
            "pixels": list(attributes["pixels"]),
            "chunks": list(self.chunks),
            "levels": [
                {"level": k, "shape": list(shape), "tiles": list(self.grid(k))}
                for k, shape in enumerate(self.shapes)
            ],
            "tile": TILE_ROUTE,
            "dtype": str(self.arrays[0].dtype),
            # The colouring the live explorer should use to continue this picture.
            "colormap": colormap if isinstance(colormap, str) else None,
            "coloring": image.get("coloring") if isinstance(image, dict) else "count",
            "colormaps": list(BUILTIN_COLORMAPS) if self.kind == "fields" else None,
            "default_colormap": DEFAULT_FIELDS_COLORMAP if self.kind == "fields" else None,
            "attributes": attributes,
        }

    def parse_tile(
        self, level: str, row: str, col: str, query: Iterable[Tuple[str, str]]
    ) -> Tuple[int, int, int, Optional[str]]:
        """Checked (level, row, col, colormap) of a tile request; ``BadParameter`` names the
        first bad one."""
        items = list(query)
        if self.kind == "image" and items:
            name = items[0][0] if len(items[0][0]) <= 40 else items[0][0][:40] + "..."
            raise BadParameter(name, f"tiles of an image store take no parameters, got {name!r} "
                               "(colormap is for fields stores)")
        values = single_values(items, ("colormap",))
        number = self._index("level", level, self.levels)
        rows, columns = self.grid(number)
        r = self._index("row", row, rows)
        c = self._index("col", col, columns)
        colormap: Optional[str] = None
        if self.kind == "fields":
            colormap = values.get("colormap", DEFAULT_FIELDS_COLORMAP)
            if colormap not in BUILTIN_COLORMAPS:
                shown = colormap if len(colormap) <= 40 else colormap[:40] + "..."
                raise BadParameter(
                    "colormap", f"colormap must be one of {', '.join(BUILTIN_COLORMAPS)}, "
                    f"got {shown!r}"
                )
        return number, r, c, colormap

    @staticmethod
    def _index(name: str, text: str, count: int) -> int:
        if not _INDEX.fullmatch(text):
            shown = text if len(text) <= 40 else text[:40] + "..."
            raise BadParameter(name, f"{name} must be a whole number, got {shown!r}")
        value = int(text)
        if value >= count:
            raise BadParameter(name, f"{name} must be between 0 and {count - 1}, got {value}")
        return value

    def etag(self, level: int, row: int, col: int, colormap: Optional[str]) -> str:
        return f'"{self.token}-{level}-{row}-{col}-{colormap or ""}"'

    def chunk(self, level: int, row: int, col: int) -> NDArray[Any]:
        """The stored pixels of tile (level, row, col): (h, w) or (3, h, w)."""
        rows, columns = self.chunks
        region = (slice(row * rows, (row + 1) * rows), slice(col * columns, (col + 1) * columns))
        array = self.arrays[level]
        if array.ndim == 3:
            return np.asarray(array[(slice(None),) + region])
        return np.asarray(array[region])

    def tile_pixels(self, level: int, row: int, col: int,
                    colormap: Optional[str]) -> NDArray[np.uint8]:
        """The tile's 8-bit pixels, (h, w) gray or (h, w, 3) RGB, as the PNG holds them."""
        data = self.chunk(level, row, col)
        if self.kind == "image":
            if data.ndim == 3:
                return np.ascontiguousarray(np.moveaxis(data, 0, 2))
            if data.dtype == np.uint16:
                return (data >> 8).astype(np.uint8)
            return np.ascontiguousarray(data, dtype=np.uint8)
        return self.colour_counts(data, colormap or DEFAULT_FIELDS_COLORMAP)

    def colour_counts(self, counts: NDArray[Any], colormap: str) -> NDArray[np.uint8]:
        """Count colouring of ``counts`` (itermin 0), bit for bit the renderer's and colour.js's:
        ``t = count / itermax``, colour index ``min(floor(t * 256), 255)`` into the colormap's
        8-bit table, or for gray the level ``floor(clamp(t * 255, 0, 255))``."""
        itermax = int(self.attributes["itermax"])
        t = counts.astype(np.float64) / float(itermax)
        table = self._table(colormap)
        if table is None:
            return np.floor(np.clip(t * 255.0, 0.0, 255.0)).astype(np.uint8)
        index = np.minimum(np.floor(np.clip(t, 0.0, 1.0) * 256.0), 255).astype(np.intp)
        return table[index]

    def _table(self, colormap: str) -> Optional[NDArray[np.uint8]]:
        if colormap not in self.tables:
            from .server import colormap_tables  # the page's tables: one rule for both

            for name, flat in colormap_tables().items():
                self.tables[name] = None if flat is None else np.asarray(
                    flat, dtype=np.uint8).reshape(256, 3)
        return self.tables[colormap]

    def tile_png(self, level: int, row: int, col: int, colormap: Optional[str]) -> bytes:
        from PIL import Image

        pixels = self.tile_pixels(level, row, col, colormap)
        mode = "RGB" if pixels.ndim == 3 else "L"
        buffer = io.BytesIO()
        Image.fromarray(pixels, mode).save(buffer, "PNG", compress_level=1)
        return buffer.getvalue()


def open_store(location: str) -> StoredPyramid:
    """Opens and checks a store written by ``juliaset.zarr_store`` (or ``juliaset-dask``);
    ``ValueError`` with one line saying what is wrong."""
    try:
        import zarr
        from PIL import Image  # noqa: F401  (tiles are encoded by Pillow)

        from ..zarr_store import FORMAT, IMAGE_GROUP, level_shapes
    except ImportError as error:
        raise ValueError(
            f"opening a store needs zarr 3 and Pillow ({error}); pip install 'juliaset[dask]'"
        ) from None
    local = "://" not in location
    if local and not Path(location).exists():
        raise ValueError("no such file or directory")
    try:
        root = zarr.open_group(location, mode="r")
        attributes = dict(root.attrs).get("juliaset")
    except Exception as error:  # zarr's errors for a folder that is not a Zarr group vary
        raise ValueError(f"not a Zarr store ({type(error).__name__}: {error})".splitlines()[0]) \
            from None
    if not isinstance(attributes, dict):
        raise ValueError("not a juliaset store (its root has no 'juliaset' attributes)")
    _check(attributes.get("format") == FORMAT,
           f"not a juliaset store of format {FORMAT} (format {attributes.get('format')!r})")
    kind = attributes.get("kind")
    if kind == "image":
        group = IMAGE_GROUP
    elif kind == "fields":
        _check("counts" in attributes.get("fields", ()),
               "a fields store without counts: the explorer colours counts; render the store "
               "with counts or as an image")
        group = "counts"
    else:
        raise ValueError(f"unknown kind of store {kind!r}")
    try:
        width, height = (int(v) for v in attributes["pixels"])
        chunks = (int(attributes["chunks"][0]), int(attributes["chunks"][1]))
        levels = int(attributes["levels"])
        int(attributes["itermax"])
        for key in ("family", "center", "width", "power"):
            attributes[key]
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise ValueError(f"damaged juliaset attributes ({type(error).__name__}: {error})") \
            from None
    shapes = level_shapes(height, width, chunks)[:levels]
    _check(len(shapes) == levels and levels >= 1,
           f"the attributes record {levels} levels for {width} x {height} pixels in chunks "
           f"of {chunks[0]} x {chunks[1]}")
    arrays = []
    for level, shape in enumerate(shapes):
        try:
            array = zarr.open_array(location, path=f"{group}/{level}", mode="r")
        except Exception:
            raise ValueError(f"level {level} ({group}/{level}) is missing") from None
        expected = shape if array.ndim == 2 else (3,) + shape
        _check(tuple(array.shape) == expected and tuple(array.chunks[-2:]) == chunks,
               f"{group}/{level} has shape {tuple(array.shape)} and chunks "
               f"{tuple(array.chunks)}; the attributes say {expected} in chunks of {chunks}")
        _check(array.dtype in (np.uint8, np.uint16, np.uint32),
               f"{group}/{level} holds {array.dtype}, not unsigned integers")
        arrays.append(array)
    text = json.dumps([location, attributes], sort_keys=True, default=str)
    token = hashlib.sha256(text.encode()).hexdigest()[:16]
    return StoredPyramid(location, attributes, kind, group, shapes, chunks, arrays, token)
