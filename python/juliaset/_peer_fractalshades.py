"""The peer's side of ``make bench-deep``: one view rendered by fractalshades, timed.

Run as a script by the peer's own interpreter (fractalshades pins ``numpy<2.4``, so it usually
lives in a virtual environment of its own); it imports nothing from juliaset. The view is
rendered as fractalshades' deep example does (``Perturbation_mandelbrot``, bilinear
approximation, interior detection, a continuous-iteration colour layer written to a PNG),
``--repeat`` times in the same process: the first render includes numba's compilation, the
later ones are warm. Prints one JSON object: the seconds of each render, the median stop
iteration and the count of each stop reason (0 max_iter, 1 divergence, 2 stationary, i.e.
marked interior early).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from typing import Any, Dict, List

import numpy as np


def render(x: str, y: str, dx: str, nx: int, max_iter: int, threshold: float,
           digits: int) -> Dict[str, Any]:
    import fractalshades as fs  # type: ignore[import-not-found,import-untyped,unused-ignore]
    import fractalshades.models as fsm  # type: ignore[import-not-found,import-untyped,unused-ignore]
    from fractalshades.colors.layers import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
        Bool_layer,
        Color_layer,
    )
    from fractalshades.postproc import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
        Continuous_iter_pp,
        Postproc_batch,
        Raw_pp,
    )

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        fractal = fsm.Perturbation_mandelbrot(folder)
        fractal.zoom(precision=digits, x=x, y=y, dx=dx, nx=nx, xy_ratio=1.0, theta_deg=0.0)
        fractal.calc_std_div(calc_name="bench", subset=None, max_iter=max_iter,
                             M_divergence=threshold, epsilon_stationnary=0.001, BLA_eps=1e-6,
                             interior_detect=True)
        batch = Postproc_batch(fractal, "bench")
        batch.add_postproc("iterations", Continuous_iter_pp())
        batch.add_postproc("interior", Raw_pp("stop_reason", func=lambda r: r != 1))
        plotter = fs.Fractal_plotter(batch)
        plotter.add_layer(Bool_layer("interior", output=False))
        colormap = fs.colors.Fractal_colormap(
            colors=[[1.0, 1.0, 1.0], [0.4, 0.4, 0.4]], kinds=["Lch", "Lch"],
            grad_npts=[32, 32], grad_funcs=["x", "x"], extent="mirror")
        plotter.add_layer(Color_layer("iterations", func=np.log, colormap=colormap,
                                      probes_z=[0.0, 1.0], output=True))
        plotter["iterations"].set_mask(plotter["interior"], mask_color=(0.0, 0.0, 0.0))
        plotter.plot()
        seconds = time.perf_counter() - start
        iterations: List[Any] = []
        reasons: List[Any] = []
        for chunk in fractal.chunk_slices():
            _subset, _c, _z, _u, stop_reason, stop_iter = fractal.reload_data(chunk, "bench")
            iterations.append(np.asarray(stop_iter).ravel())
            reasons.append(np.asarray(stop_reason).ravel())
        stops = np.concatenate(iterations)
        return {
            "seconds": seconds,
            "median_iterations": float(np.median(stops)),
            "stop_reasons": np.bincount(np.concatenate(reasons), minlength=3).tolist(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--x", required=True)
    parser.add_argument("--y", required=True)
    parser.add_argument("--dx", required=True)
    parser.add_argument("--nx", type=int, default=800)
    parser.add_argument("--max-iter", type=int, required=True)
    parser.add_argument("--threshold", type=float, default=100.0)
    parser.add_argument("--repeat", type=int, default=2)
    options = parser.parse_args()
    digits = max(len(options.x), len(options.y)) + 10
    runs = [render(options.x, options.y, options.dx, options.nx, options.max_iter,
                   options.threshold, digits) for _ in range(options.repeat)]
    print(json.dumps({"runs": runs}))


if __name__ == "__main__":
    main()
