"""Deep Zoom (DZI) PNG tiles from an image store's pyramid, for OpenSeadragon and friends.

``export_dzi(store, "out")`` writes ``out/image.dzi`` and ``out/image_files/L/C_R.png``: the
Deep Zoom layout (tile size 256, no overlap, PNG) that OpenSeadragon opens with
``tileSources: "out/image.dzi"``. Deep Zoom level L is the image scaled by
``2**(L - max_level)`` with ``max_level = ceil(log2(max(width, height)))``, sides rounded up;
those are exactly the store's pyramid levels (level k of the store is Deep Zoom level
``max_level - k``), and the levels below the store's smallest are averaged from it in process
with the same rule. Tiles of the stored levels are written by Dask tasks, one per block of
tiles, on the current scheduler (on a cluster, ``out`` must be a filesystem every worker sees).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict, List, Tuple

import numpy as np
import zarr
from dask.delayed import Delayed
from dask.highlevelgraph import HighLevelGraph
from dask.base import tokenize
from numpy.typing import NDArray
from PIL import Image

from .zarr_store import IMAGE_GROUP, aggregate, read_attributes

__all__ = ["DZI_NAMESPACE", "dzi_levels", "export_dzi"]

DZI_NAMESPACE = "http://schemas.microsoft.com/deepzoom/2008"


def dzi_levels(width: int, height: int) -> List[Tuple[int, int]]:
    """(width, height) of every Deep Zoom level, level 0 (1 x 1) first."""
    top = math.ceil(math.log2(max(width, height))) if max(width, height) > 1 else 0
    return [
        (math.ceil(width / 2 ** (top - level)), math.ceil(height / 2 ** (top - level)))
        for level in range(top + 1)
    ]


def _as_image(pixels: NDArray[Any]) -> Image.Image:
    if pixels.ndim == 3:  # stored channel first
        return Image.fromarray(np.ascontiguousarray(np.moveaxis(pixels, 0, 2)), "RGB")
    if pixels.dtype == np.uint16:
        return Image.fromarray(np.ascontiguousarray(pixels).astype("<u2"), "I;16")
    return Image.fromarray(np.ascontiguousarray(pixels), "L")


def _write_tiles(
    pixels: NDArray[Any], folder: Path, first_column: int, first_row: int, tile: int
) -> int:
    """Writes the tiles of ``pixels`` (whose top-left is tile (first_column, first_row))."""
    folder.mkdir(parents=True, exist_ok=True)
    height, width = pixels.shape[-2:]
    written = 0
    for row in range(math.ceil(height / tile)):
        for column in range(math.ceil(width / tile)):
            part = pixels[..., row * tile:(row + 1) * tile, column * tile:(column + 1) * tile]
            name = f"{first_column + column}_{first_row + row}.png"
            _as_image(part).save(folder / name, compress_level=6)
            written += 1
    return written


def _tile_block(
    store: Any, path: str, folder: str, column0: int, row0: int, columns: int, rows: int,
    tile: int,
) -> int:
    array = zarr.open_array(store, path=path, mode="r")
    region: Tuple[slice, ...] = (
        slice(row0 * tile, (row0 + rows) * tile), slice(column0 * tile, (column0 + columns) * tile)
    )
    if array.ndim == 3:
        region = (slice(None),) + region
    return _write_tiles(np.asarray(array[region]), Path(folder), column0, row0, tile)


def _count(*written: int) -> int:
    return sum(written)


def export_dzi(
    store: Any, out: Any, *, name: str = "image", tile_size: int = 256, compute: bool = True
) -> Any:
    """Writes the Deep Zoom pyramid of an image store (``zarr_store.render_image``) to the
    folder ``out``: ``out/<name>.dzi`` and ``out/<name>_files/``. Returns the path of the
    ``.dzi`` file (or, with ``compute=False``, a delayed count of the tiles written by tasks;
    the small levels and the ``.dzi`` are written first, in process)."""
    attributes = read_attributes(store)
    if attributes.get("kind") != "image":
        raise ValueError(
            f"{store} holds fields, not an image: render it with an image (a colormap) to "
            "export tiles"
        )
    if not isinstance(tile_size, int) or tile_size < 1:
        raise ValueError(f"tile_size must be a positive integer, got {tile_size!r}")
    width, height = attributes["pixels"]
    stored = attributes["levels"]
    chunk_rows, chunk_columns = attributes["chunks"]
    out_dir = Path(out)
    files = out_dir / f"{name}_files"
    levels = dzi_levels(width, height)
    top = len(levels) - 1

    # Levels below the store's smallest: averaged from it here (it fits one chunk).
    pixels: NDArray[Any] = np.asarray(
        zarr.open_array(store, path=f"{IMAGE_GROUP}/{stored - 1}", mode="r")[...]
    )
    for level in range(top - stored, -1, -1):
        pixels = aggregate(pixels, "mean")
        assert pixels.shape[-2:] == (levels[level][1], levels[level][0])
        _write_tiles(pixels, files / str(level), 0, 0, tile_size)

    # The stored levels: one task per block of tiles about a chunk in size.
    block_columns = max(1, chunk_columns // tile_size)
    block_rows = max(1, chunk_rows // tile_size)
    token = tokenize(store, str(out_dir), name, tile_size, attributes)
    layer_name = f"juliaset-dzi-{token}"
    layer: Dict[Any, Any] = {}
    for k in range(stored):
        level = top - k
        level_width, level_height = levels[level]
        tiles_x = math.ceil(level_width / tile_size)
        tiles_y = math.ceil(level_height / tile_size)
        for row0 in range(0, tiles_y, block_rows):
            for column0 in range(0, tiles_x, block_columns):
                layer[(layer_name, k, row0, column0)] = (
                    _tile_block, store, f"{IMAGE_GROUP}/{k}", str(files / str(level)),
                    column0, row0, min(block_columns, tiles_x - column0),
                    min(block_rows, tiles_y - row0), tile_size,
                )
    final = f"juliaset-dzi-count-{token}"
    graph = HighLevelGraph(
        {layer_name: layer, final: {final: (_count, *layer)}},
        {layer_name: set(), final: {layer_name}},
    )
    dzi = out_dir / f"{name}.dzi"
    out_dir.mkdir(parents=True, exist_ok=True)
    dzi.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Image xmlns="{DZI_NAMESPACE}" Format="png" Overlap="0" TileSize="{tile_size}">\n'
        f'  <Size Width="{width}" Height="{height}"/>\n'
        "</Image>\n"
    )
    result = Delayed(final, graph)
    if not compute:
        return result
    result.compute()
    return dzi
