"""The notebook conveniences: grid() and its imshow extent, progress reports, Image, xarray."""

from __future__ import annotations

import doctest
import inspect

import numpy as np
import pytest
from PIL import Image as PILImage

import juliaset
from juliaset import _grid, _image

VIEWS = [
    {},
    {"size": (37, 23)},
    {"center": 0.3 - 0.2j, "width": 0.7, "size": (41, 19)},
    {"bounds": (0.5, -1.25, 0.75, -0.3), "size": (13, 29)},  # reversed bounds mirror
    {"bounds": (-0.1, 0.1, -0.1, 0.1), "resolution": 33},
    {"resolution": 17},
]


# -- grid ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
def test_grid_gives_exactly_the_points_the_renderers_sample(view):
    g = juliaset.grid(**view)
    counts = juliaset.julia(0.285 + 0.01j, **view, itermax=60)
    assert counts.shape == (g.y.size, g.x.size)
    assert g.x.dtype == g.y.dtype == np.float64
    # Bit for bit: the same counts point by point, and the same values as the native grid.
    assert np.array_equal(juliaset.evaluate(g.points(), c=0.285 + 0.01j, itermax=60), counts)
    fields = juliaset.julia(0.285 + 0.01j, **view, itermax=60, fields=("final_norm",))
    again = juliaset.evaluate(g.points(), c=0.285 + 0.01j, itermax=60, fields=("final_norm",))
    assert np.array_equal(fields["final_norm"], again["final_norm"], equal_nan=True)


def test_grid_matches_the_seeds_grid_points_and_edges():
    region = juliaset.ComplexRegion(xleft=-0.1, xright=0.1, yleft=0.1, yright=-0.1)
    g = juliaset.grid(bounds=(-0.1, 0.1, -0.1, 0.1), resolution=50)
    points = region.build(50)  # the seed's [x, y] layout
    assert np.array_equal(points.real[:, 0], g.x) and np.array_equal(points.imag[0, :], g.y)
    assert g.x[0] == -0.1 and g.y[0] == 0.1  # the left and top edges are sampled
    assert g.x[-1] < 0.1 and g.y[-1] > -0.1  # the right and bottom edges are not


def test_grid_takes_the_familys_default_view():
    assert juliaset.grid("mandelbrot", size=(800, 500)).x[0] == -2.0
    assert juliaset.grid(size=(800, 500)).x[0] == -1.6
    with pytest.raises(ValueError, match="family"):
        juliaset.grid("julai")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="size or resolution"):
        juliaset.grid(size=(4, 4), resolution=4)


@pytest.mark.parametrize("view", VIEWS[1:4])
def test_imshow_with_the_extent_draws_each_pixel_where_its_point_was_sampled(view):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backend_bases import MouseEvent

    g = juliaset.grid(**view)
    height, width = g.y.size, g.x.size
    labels = np.arange(height * width, dtype=np.float64).reshape(height, width)
    figure, axes = plt.subplots(figsize=(6, 6), dpi=100)
    try:
        shown = axes.imshow(labels, extent=g.extent)
        figure.canvas.draw()
        step_x = g.x[1] - g.x[0]
        step_y = g.y[1] - g.y[0]

        def label_at(x: float, y: float) -> float:
            display = axes.transData.transform((x, y))
            event = MouseEvent("motion_notify_event", figure.canvas, *display)
            return float(shown.get_cursor_data(event))

        for j in range(0, height, max(1, height // 5)):
            for i in range(0, width, max(1, width // 5)):
                expected = labels[j, i]
                # The sample is the pixel's centre: a little less than half a pixel either way
                # stays in it.
                for dx, dy in ((0, 0), (0.4, 0.4), (-0.4, -0.4), (0.4, -0.4), (-0.4, 0.4)):
                    assert label_at(g.x[i] + dx * step_x, g.y[j] + dy * step_y) == expected
                if i + 1 < width:  # three fifths of a pixel on is the next column
                    assert label_at(g.x[i] + 0.6 * step_x, g.y[j]) == labels[j, i + 1]
                if j + 1 < height:
                    assert label_at(g.x[i], g.y[j] + 0.6 * step_y) == labels[j + 1, i]
    finally:
        plt.close(figure)


# -- progress -----------------------------------------------------------------------------------


def test_progress_reports_rows_and_never_changes_the_result():
    calls = []
    args = {"c": 0.0j, "size": (600, 400), "itermax": 1500, "threads": 1}
    fields = juliaset.julia(**args, fields=("counts", "distance"),
                            progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (400, 400)
    assert all(total == 400 for _, total in calls)
    assert [done for done, _ in calls] == sorted({done for done, _ in calls})
    # A render of about a second (scalar distance field, one thread, the unit disk at 1500
    # iterations a pixel) is reported as it goes, not only at the end.
    assert len(calls) > 1
    plain = juliaset.julia(**args, fields=("counts", "distance"))
    assert all(np.array_equal(fields[name], plain[name]) for name in plain)


@pytest.mark.parametrize("coloring, supersample, colormap, bits",
                         [("count", 1, "gray", 16), ("histogram", 2, "magma", 8),
                          ("smooth", 3, "twilight_r", 8)])
def test_progress_of_images_gives_the_same_pixels(coloring, supersample, colormap, bits):
    calls = []
    arguments = {"size": (97, 61), "coloring": coloring, "supersample": supersample,
                 "colormap": colormap, "bits": bits}
    image = juliaset.mandelbrot_image(**arguments, progress=lambda d, t: calls.append((d, t)))
    total = 61 * (2 if coloring == "histogram" else 1)
    assert calls[-1] == (total, total)
    assert np.array_equal(image, juliaset.mandelbrot_image(**arguments))
    parameters = juliaset.image_parameters("mandelbrot", **arguments)
    assert np.array_equal(juliaset.render_parameters(parameters, progress=lambda d, t: None),
                          image)


def test_an_exception_in_the_progress_callable_stops_the_render_and_propagates():
    class Stop(Exception):
        pass

    def stop(done: int, total: int) -> None:
        raise Stop(f"{done} of {total}")

    with pytest.raises(Stop):
        juliaset.julia(size=(300, 200), progress=stop)
    with pytest.raises(Stop):
        juliaset.julia_image(size=(300, 200), coloring="histogram", progress=stop)


def test_progress_true_draws_a_tqdm_bar(capsys):
    pytest.importorskip("tqdm")
    counts = juliaset.julia(size=(120, 80), progress=True)
    assert counts.shape == (80, 120)
    err = capsys.readouterr().err
    assert "julia" in err and "80/80" in err and "row" in err


@pytest.mark.parametrize("bad", ["yes", 1, 2.5, [print]])
def test_progress_must_be_none_a_bool_or_a_callable(bad):
    with pytest.raises(TypeError, match="progress"):
        juliaset.julia(size=(4, 4), progress=bad)


# -- Image --------------------------------------------------------------------------------------


def test_image_shows_in_jupyter_as_the_png_of_its_pixels(tmp_path):
    parameters = juliaset.image_parameters("julia", size=(40, 25), colormap="inferno")
    picture = juliaset.Image.from_parameters(parameters)
    png = picture._repr_png_()
    path = tmp_path / "shown.png"
    path.write_bytes(png)
    with PILImage.open(path) as decoded:
        assert np.array_equal(np.asarray(decoded), picture.array)
    assert np.asarray(picture) is picture.array
    assert np.asarray(picture, dtype=np.float64).dtype == np.float64
    assert picture.shape == (25, 40, 3) and "25 x 40 RGB, julia" in repr(picture)
    picture.save(tmp_path / "saved.png")
    assert juliaset.read_parameters(tmp_path / "saved.png")["colormap"] == "inferno"


def test_image_of_a_bare_array_and_of_16_bit_gray(tmp_path):
    gray16 = juliaset.julia_image(size=(20, 10), colormap="gray", bits=16)
    picture = juliaset.Image(gray16)
    assert picture.parameters is None and "16-bit gray" in repr(picture)
    picture.save(tmp_path / "bare.png")
    with PILImage.open(tmp_path / "bare.png") as decoded:
        assert np.array_equal(np.asarray(decoded), gray16)


@pytest.mark.parametrize("array", [np.zeros((3, 4), np.float64), np.zeros((3, 4, 4), np.uint8),
                                   np.zeros((0, 4), np.uint8), np.zeros(5, np.uint8)])
def test_image_refuses_what_is_not_an_image(array):
    with pytest.raises(ValueError, match="Image needs"):
        juliaset.Image(array)


def test_image_refuses_parameters_of_another_shape():
    parameters = juliaset.image_parameters("julia", size=(40, 25), colormap="gray")
    with pytest.raises(ValueError, match="parameters describe"):
        juliaset.Image(np.zeros((25, 41), np.uint8), parameters)


def test_image_is_what_ipython_displays():
    pytest.importorskip("IPython")
    from IPython.core.formatters import PNGFormatter

    picture = juliaset.Image(juliaset.julia_image(size=(16, 10)))
    assert PNGFormatter()(picture) == picture._repr_png_()


# -- xarray -------------------------------------------------------------------------------------


def test_xarray_field_has_the_grid_as_coordinates_and_the_parameters_as_attributes():
    pytest.importorskip("xarray")
    import juliaset.xarray as jx

    view = {"center": 0.1 + 0.2j, "width": 1.5, "size": (30, 20)}
    da = jx.julia(0.285 + 0.01j, **view, itermax=80, fields="smooth")
    g = juliaset.grid(**view)
    assert da.dims == ("y", "x") and da.name == "smooth"
    assert np.array_equal(da.x, g.x) and np.array_equal(da.y, g.y)
    assert np.array_equal(da.values, juliaset.julia(0.285 + 0.01j, **view, itermax=80,
                                                   fields="smooth"))
    assert da.attrs["c_re"] == 0.285 and da.attrs["c_im"] == 0.01
    assert da.attrs["itermax"] == 80 and da.attrs["family"] == "julia"
    assert da.attrs["xleft"] == g.x[0] and da.attrs["ytop"] == g.y[0]
    # The pixel nearest a point is the pixel that sampled it.
    assert float(da.sel(x=g.x[7], y=g.y[3], method="nearest")) == da.values[3, 7]


def test_xarray_several_fields_are_a_dataset_and_images_carry_the_image_parameters():
    pytest.importorskip("xarray")
    import juliaset.xarray as jx

    ds = jx.mandelbrot(size=(16, 9), fields=("counts", "interior"))
    assert set(ds.data_vars) == {"counts", "interior"} and "c_re" not in ds.attrs
    image = jx.mandelbrot_image(size=(16, 9), colormap="plasma", coloring="histogram")
    assert image.dims == ("y", "x", "channel") and list(image.channel.values) == ["r", "g", "b"]
    parameters = juliaset.image_parameters("mandelbrot", size=(16, 9), colormap="plasma",
                                           coloring="histogram")
    assert np.array_equal(image.values, juliaset.render_parameters(parameters))
    assert image.attrs["coloring"] == "histogram" and image.attrs["colormap"] == "plasma"
    gray = jx.julia_image(size=(8, 5), colormap="gray")
    assert gray.dims == ("y", "x")
    for attrs in (ds.attrs, image.attrs, gray.attrs):  # netCDF-storable attributes
        assert all(isinstance(v, (str, int, float)) for v in attrs.values())


def test_xarray_functions_take_the_arguments_of_the_functions_they_wrap():
    pytest.importorskip("xarray")
    import juliaset.xarray as jx

    for name in ("julia", "mandelbrot", "julia_image", "mandelbrot_image"):
        ours = inspect.signature(getattr(jx, name)).parameters
        theirs = inspect.signature(getattr(juliaset, name)).parameters
        assert [(p.name, p.kind, p.default) for p in ours.values()] == [
            (p.name, p.kind, p.default) for p in theirs.values()
        ], name


@pytest.mark.parametrize("module", [_grid, _image])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
