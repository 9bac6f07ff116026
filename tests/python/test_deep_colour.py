"""Deep images (``_core.deep_image``, rendered and coloured in bands of rows) against the
colouring's definition applied to the deep engine's own fields: the value of each sample,
its colormap entry, the mean over supersamples, quantised to 8 or 16 bits."""

from __future__ import annotations

import numpy as np
import pytest

from juliaset import _core

VIEWS = [
    # family, centre, width, c, itermax: each with counts that vary over the view
    ("mandelbrot", ("-0.7436438870371587", "0.1318259042053119"), "1e-9", ("0", "0"), 4000),
    ("mandelbrot", ("-3.08859145519348867314096249409190648E-12",
                    "0.999999999993822817089613022653718075"), "1.95e-11", ("0", "0"), 1300),
    ("mandelbrot", ("0", "1"), "1e-40", ("0", "0"), 300),
    ("julia", ("0", "1"), "1e-30", ("0", "1"), 300),
]


def expected_image(view, size, coloring, colormap, bits, supersample, itermin):
    family, (re, im), width, (c_re, c_im), itermax = view
    n = supersample
    engine = _core.DeepRender(re, im, width, size[0] * n, size[1] * n, family=family, power=2,
                              c_re=c_re, c_im=c_im, threshold=2.0, itermax=itermax)
    fields = engine.fields(["counts", "smooth"])
    span = float(itermax - itermin)
    if coloring == "smooth":
        value = np.clip((fields["smooth"] - itermin) / span, 0.0, 1.0)
    else:
        value = (np.maximum(fields["counts"], itermin) - itermin) / span
    if colormap == "gray":
        colours = value[..., None]
    else:
        table = np.asarray(_core.colormap_table(colormap), dtype=np.float64)
        index = np.minimum((np.clip(value, 0.0, 1.0) * 256).astype(np.int64), 255)
        colours = table[index]
    # The mean of each pixel's n x n sample colours, summed row by row as the engine does.
    height, width = size[1], size[0]
    blocks = colours.reshape(height, n, width, n, colours.shape[-1])
    total = np.zeros((height, width, colours.shape[-1]))
    for b in range(n):
        for a in range(n):
            total = total + blocks[:, b, :, a, :]
    top = 65535.0 if bits == 16 else 255.0
    levels = np.clip(total / float(n * n) * top, 0.0, top).astype(np.uint32)
    image = levels.astype(np.uint16 if bits == 16 else np.uint8)
    return image[..., 0] if colormap == "gray" else image


@pytest.mark.parametrize("view", VIEWS, ids=["seahorse", "zoom-into-i", "i-1e-40", "julia-i"])
@pytest.mark.parametrize("coloring, colormap, bits, supersample", [
    ("count", "magma", 8, 1), ("smooth", "magma", 8, 1), ("smooth", "viridis", 8, 2),
    ("count", "gray", 16, 1), ("smooth", "gray", 8, 3),
])
def test_deep_image_follows_the_colouring_of_its_fields(view, coloring, colormap, bits,
                                                          supersample):
    family, (re, im), width, (c_re, c_im), itermax = view
    size = (37, 29)  # bands of rows that do not divide the height
    itermin = 20
    image = _core.deep_image(re, im, width, *size, family=family, c_re=c_re, c_im=c_im,
                             threshold=2.0, itermin=itermin, itermax=itermax, coloring=coloring,
                             colormap=colormap, bits=bits, supersample=supersample, threads=2)
    expected = expected_image(view, size, coloring, colormap, bits, supersample, itermin)
    assert image.dtype == expected.dtype and image.shape == expected.shape
    assert len(np.unique(expected)) > 2  # the view has structure
    np.testing.assert_array_equal(image, expected)
