"""Renders as labelled ``xarray`` objects: coordinates on the axes, parameters as attributes.

``juliaset.xarray.julia(...)`` and ``juliaset.xarray.mandelbrot(...)`` take the arguments of
``juliaset.julia`` / ``juliaset.mandelbrot`` and return an ``xarray.DataArray`` for one field (a
``Dataset`` of them for several); ``julia_image`` / ``mandelbrot_image`` return the image as a
``DataArray``. Dimensions are ``("y", "x")`` (``("y", "x", "channel")`` for RGB), top row first;
the coordinates are the exact points the engine samples (``juliaset.grid``), so
``da.sel(x=..., y=..., method="nearest")`` finds the pixel of a point and ``da.plot()`` draws
it at its place. ``attrs`` hold the parameters in the PNG record's vocabulary
(``docs/png-metadata.md``), flattened: ``family``, ``power``, ``c_re``, ``c_im``, ``xleft``,
``xright``, ``ybot``, ``ytop``, ``threshold``, ``itermax`` (and for images ``itermin``,
``coloring``, ``colormap``, ``bits``, ``supersample``, ``precision``) and ``engine``: numbers
and strings only, so that ``to_netcdf`` can store them. Needs xarray (``pip install xarray``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Union, cast

from . import _modern
from ._grid import grid
from ._modern import SEED_C, Bounds, Fields, Size, image_parameters
from ._progress import ProgressArg
from ._types import Coloring, ColormapArg, Family

if TYPE_CHECKING:
    import xarray

__all__ = ["julia", "julia_image", "mandelbrot", "mandelbrot_image"]

# Keys of the flattened record that describe the fields of a grid (the rest concern colouring).
_FIELD_KEYS = ("engine", "family", "power", "c_re", "c_im", "xleft", "xright", "ybot", "ytop",
               "threshold", "itermax")


def _xarray() -> Any:
    try:
        import xarray
    except ImportError:
        raise ImportError(
            "juliaset.xarray needs xarray: pip install xarray (or pip install 'juliaset[xarray]')"
        ) from None
    return xarray


def _attributes(
    parameters: Mapping[str, Any], keys: Optional[tuple[str, ...]] = None
) -> Dict[str, Any]:
    flat: Dict[str, Any] = {}
    for key, value in parameters.items():
        if key == "c":
            if parameters["family"] == "julia":
                flat["c_re"], flat["c_im"] = value
        elif key == "region":
            flat.update(value)
        elif key not in ("width", "height"):
            flat[key] = value
    if keys is not None:
        flat = {key: flat[key] for key in keys if key in flat}
    return flat


def _coordinates(family: Family, view: Dict[str, Any]) -> Dict[str, Any]:
    points = grid(family, **view)
    return {
        "y": ("y", points.y, {"long_name": "imaginary part", "sampled": "top edge of each row"}),
        "x": ("x", points.x, {"long_name": "real part", "sampled": "left edge of each column"}),
    }


def _fields(family: Family, c: Any, view: Dict[str, Any], iteration: Dict[str, Any],
            fields: Any, result: Any) -> Union["xarray.DataArray", "xarray.Dataset"]:
    xr = _xarray()
    parameters = image_parameters(
        family, c=c, **view, colormap="gray", itermax=iteration["itermax"],
        threshold=iteration["threshold"], power=iteration["power"],
    )
    attrs = _attributes(parameters, _FIELD_KEYS)
    names = (fields,) if isinstance(fields, str) else tuple(fields)
    if "distance" in names:
        attrs["distance_unit"] = iteration["distance_unit"]  # "plane" or "pixel"
    coords = _coordinates(family, view)
    labelled: Union["xarray.DataArray", "xarray.Dataset"]
    if isinstance(fields, str):
        labelled = xr.DataArray(result, dims=("y", "x"), coords=coords, name=fields, attrs=attrs)
    else:
        variables = {name: (("y", "x"), array) for name, array in result.items()}
        labelled = xr.Dataset(variables, coords=coords, attrs=attrs)
    return labelled


def _image(family: Family, c: Any, view: Dict[str, Any], image_arguments: Dict[str, Any],
           threads: Any, progress: Any) -> "xarray.DataArray":
    xr = _xarray()
    render = _modern.julia_image if family == "julia" else _modern.mandelbrot_image
    extra = {"c": c} if family == "julia" else {}
    pixels = render(**extra, **view, **image_arguments, threads=threads, progress=progress)
    parameters = image_parameters(family, c=c, **view, **image_arguments)
    coords = _coordinates(family, view)
    dims: tuple[str, ...] = ("y", "x")
    if pixels.ndim == 3:
        dims += ("channel",)
        coords["channel"] = ("channel", ["r", "g", "b"])
    labelled: "xarray.DataArray" = xr.DataArray(
        pixels, dims=dims, coords=coords, name="image", attrs=_attributes(parameters)
    )
    return labelled


def julia(
    c: complex = SEED_C,
    *,
    center: complex = 0j,
    width: float = 3.2,
    bounds: Optional[Bounds] = None,
    size: Optional[Size] = None,
    resolution: Optional[int] = None,
    itermax: int = 100,
    threshold: float = 2.0,
    power: int = 2,
    fields: Fields = "counts",
    threads: Optional[int] = None,
    progress: ProgressArg = None,
    distance_unit: str = "plane",
) -> Union["xarray.DataArray", "xarray.Dataset"]:
    """``juliaset.julia`` as a DataArray (one field) or Dataset (several), with coordinates.

    >>> import juliaset.xarray
    >>> da = juliaset.xarray.julia(size=(8, 5), itermax=20)
    >>> da.dims, float(da.x[0]), da.attrs["itermax"]
    (('y', 'x'), -1.6, 20)
    """
    _xarray()
    view: Dict[str, Any] = {"center": center, "width": width, "bounds": bounds, "size": size,
                            "resolution": resolution}
    result = _modern.julia(c, **view, itermax=itermax, threshold=threshold, power=power,
                           fields=cast(Any, fields), threads=threads, progress=progress,
                           distance_unit=distance_unit)
    iteration = {"itermax": itermax, "threshold": threshold, "power": power,
                 "distance_unit": distance_unit}
    return _fields("julia", c, view, iteration, fields, result)


def mandelbrot(
    *,
    center: Optional[complex] = None,
    width: Optional[float] = None,
    bounds: Optional[Bounds] = None,
    size: Optional[Size] = None,
    resolution: Optional[int] = None,
    itermax: int = 100,
    threshold: float = 2.0,
    power: int = 2,
    fields: Fields = "counts",
    threads: Optional[int] = None,
    progress: ProgressArg = None,
    distance_unit: str = "plane",
) -> Union["xarray.DataArray", "xarray.Dataset"]:
    """``juliaset.mandelbrot`` as a DataArray (one field) or Dataset (several)."""
    _xarray()
    view: Dict[str, Any] = {"center": center, "width": width, "bounds": bounds, "size": size,
                            "resolution": resolution}
    result = _modern.mandelbrot(**view, itermax=itermax, threshold=threshold, power=power,
                                fields=cast(Any, fields), threads=threads, progress=progress,
                                distance_unit=distance_unit)
    iteration = {"itermax": itermax, "threshold": threshold, "power": power,
                 "distance_unit": distance_unit}
    return _fields("mandelbrot", None, view, iteration, fields, result)


def julia_image(
    c: complex = SEED_C,
    *,
    center: complex = 0j,
    width: float = 3.2,
    bounds: Optional[Bounds] = None,
    size: Optional[Size] = None,
    resolution: Optional[int] = None,
    itermin: int = 0,
    itermax: int = 100,
    threshold: float = 2.0,
    power: int = 2,
    colormap: ColormapArg = "viridis",
    coloring: Coloring = "count",
    bits: int = 8,
    supersample: int = 1,
    threads: Optional[int] = None,
    progress: ProgressArg = None,
) -> "xarray.DataArray":
    """``juliaset.julia_image`` as a DataArray with coordinates and the image's parameters."""
    _xarray()
    view: Dict[str, Any] = {"center": center, "width": width, "bounds": bounds, "size": size,
                            "resolution": resolution}
    arguments: Dict[str, Any] = {
        "itermin": itermin, "itermax": itermax, "threshold": threshold, "power": power,
        "colormap": colormap, "coloring": coloring, "bits": bits, "supersample": supersample,
    }
    return _image("julia", c, view, arguments, threads, progress)


def mandelbrot_image(
    *,
    center: Optional[complex] = None,
    width: Optional[float] = None,
    bounds: Optional[Bounds] = None,
    size: Optional[Size] = None,
    resolution: Optional[int] = None,
    itermin: int = 0,
    itermax: int = 100,
    threshold: float = 2.0,
    power: int = 2,
    colormap: ColormapArg = "viridis",
    coloring: Coloring = "count",
    bits: int = 8,
    supersample: int = 1,
    threads: Optional[int] = None,
    progress: ProgressArg = None,
) -> "xarray.DataArray":
    """``juliaset.mandelbrot_image`` as a DataArray with coordinates and parameters."""
    _xarray()
    view: Dict[str, Any] = {"center": center, "width": width, "bounds": bounds, "size": size,
                            "resolution": resolution}
    arguments: Dict[str, Any] = {
        "itermin": itermin, "itermax": itermax, "threshold": threshold, "power": power,
        "colormap": colormap, "coloring": coloring, "bits": bits, "supersample": supersample,
    }
    return _image("mandelbrot", None, view, arguments, threads, progress)
