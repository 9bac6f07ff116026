"""``juliaset.Image``: an image array that shows itself in Jupyter and knows its parameters.

The renderers keep returning plain numpy arrays (existing callers index, slice and save them);
wrapping one in ``Image`` adds what a notebook wants: ``_repr_png_``, so that the last
expression of a cell is drawn, and the parameters to save or re-render it with.
"""

from __future__ import annotations

import io
from typing import IO, Any, Dict, Mapping, Optional, Tuple

import numpy as np
from numpy.typing import DTypeLike, NDArray

from ._metadata import PathLike, check_parameters, image_layout, save_png
from ._modern import render_parameters
from ._pngfile import write_atomically
from ._progress import ProgressArg


def _check_pixels(array: NDArray[Any]) -> None:
    gray = array.ndim == 2 and array.dtype in (np.uint8, np.uint16)
    rgb = array.ndim == 3 and array.shape[2] == 3 and array.dtype == np.uint8
    if not (gray or rgb) or array.size == 0:
        raise ValueError(
            "Image needs a uint8 or uint16 (height, width) gray image or a uint8 "
            f"(height, width, 3) RGB image, as julia_image returns; got {array.dtype} "
            f"{array.shape}"
        )


class Image:
    """An image (``julia_image``, ``mandelbrot_image``, ``render_parameters``) for notebooks.

    ``Image(array)`` or ``Image(array, parameters)`` wraps the array without copying it;
    ``Image.from_parameters(parameters)`` renders one. In Jupyter (IPython) an ``Image`` is
    shown as a picture. ``np.asarray(image)`` and ``image.array`` give the array back,
    ``image.save(path)`` writes a PNG (with the parameters record when it has parameters, as
    ``save_png``). Raises ValueError for an array that is not an image, or that does not
    match ``parameters``.

    >>> import juliaset, numpy as np
    >>> picture = juliaset.Image.from_parameters(juliaset.image_parameters(size=(40, 25)))
    >>> picture
    Image(25 x 40 RGB, julia)
    >>> picture._repr_png_()[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    >>> np.asarray(picture).shape
    (25, 40, 3)
    """

    __slots__ = ("array", "parameters")

    array: NDArray[Any]
    parameters: Optional[Dict[str, Any]]

    def __init__(self, array: Any, parameters: Optional[Mapping[str, Any]] = None) -> None:
        pixels = np.asarray(array)
        _check_pixels(pixels)
        checked = None
        if parameters is not None:
            checked = check_parameters(parameters)
            shape, dtype = image_layout(checked)
            if pixels.shape != shape or pixels.dtype != dtype:
                raise ValueError(
                    f"image is {pixels.dtype} {pixels.shape}, but the parameters describe "
                    f"{np.dtype(dtype)} {shape}"
                )
        self.array = pixels
        self.parameters = checked

    @classmethod
    def from_parameters(
        cls,
        parameters: Mapping[str, Any],
        *,
        threads: Optional[int] = None,
        progress: ProgressArg = None,
    ) -> "Image":
        """The image ``parameters`` describe (``image_parameters``, ``read_parameters``)."""
        checked = check_parameters(parameters)
        return cls(render_parameters(checked, threads=threads, progress=progress), checked)

    @property
    def shape(self) -> Tuple[int, ...]:
        return tuple(self.array.shape)

    def __array__(
        self, dtype: Optional[DTypeLike] = None, copy: Optional[bool] = None
    ) -> NDArray[Any]:
        if copy:
            return np.array(self.array, dtype=dtype, copy=True)
        return np.asarray(self.array, dtype=dtype)

    def _png(self) -> bytes:
        from PIL import Image as PILImage

        buffer = io.BytesIO()
        PILImage.fromarray(np.ascontiguousarray(self.array)).save(buffer, format="PNG")
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        """The image as PNG bytes: how IPython and Jupyter draw it."""
        return self._png()

    def save(self, path: PathLike) -> None:
        """Writes the image to a PNG file, atomically (see ``save_png``).

        With parameters the file is what ``save_png(path, image.array, image.parameters)``
        writes, so ``juliaset --from`` and ``read_parameters`` read it back.
        """
        if self.parameters is not None:
            save_png(path, self.array, self.parameters)
            return
        data = self._png()

        def write(file: IO[bytes]) -> None:
            file.write(data)

        write_atomically(path, write)

    def __repr__(self) -> str:
        height, width = self.array.shape[:2]
        kind = "RGB" if self.array.ndim == 3 else f"{self.array.dtype.itemsize * 8}-bit gray"
        family = f", {self.parameters['family']}" if self.parameters is not None else ""
        return f"Image({height} x {width} {kind}{family})"
