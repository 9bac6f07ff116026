"""The keyword API type-checks under mypy --strict, and its overloads give callers precise types."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("mypy")


def mypy(*arguments: str, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cwd / "cache"), *arguments],
        capture_output=True, text=True, timeout=600, cwd=cwd,
    )


def test_the_new_modules_pass_mypy_strict(tmp_path):
    modules = ["juliaset", "juliaset._modern", "juliaset._metadata", "juliaset._colormaps",
               "juliaset._grid", "juliaset._image", "juliaset._progress", "juliaset._pngfile",
               "juliaset._types"]
    try:
        import xarray  # noqa: F401
    except ImportError:
        pass
    else:
        modules.append("juliaset.xarray")
    result = mypy(*(f"-m{module}" for module in modules), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_field_is_an_array_and_several_a_dict_for_the_type_checker(tmp_path):
    (tmp_path / "caller.py").write_text(
        textwrap.dedent(
            """
            import juliaset

            one = juliaset.julia(fields="smooth")
            several = juliaset.mandelbrot(fields=["counts", "interior"])
            points = juliaset.evaluate([0j], fields=("counts",))
            reveal_type(one)
            reveal_type(several)
            reveal_type(points)
            """
        )
    )
    result = mypy("caller.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    revealed = [line for line in result.stdout.splitlines() if "Revealed type" in line]
    assert len(revealed) == 3
    # The array's shape parameter is spelled differently across numpy versions.
    assert 'is "numpy.ndarray[' in revealed[0]
    assert all('is "dict[str, numpy.ndarray[' in line for line in revealed[1:])


def test_misspelt_names_are_type_errors(tmp_path):
    (tmp_path / "caller.py").write_text(
        textwrap.dedent(
            """
            import juliaset

            juliaset.julia(fields="smoth")
            juliaset.mandelbrot(fields=["counts", "interiour"])
            juliaset.evaluate([0j], family="mandelbrott")
            juliaset.julia_image(colormap="virdis")
            juliaset.mandelbrot_image(coloring="histogramm")
            juliaset.image_parameters("julai")
            juliaset.grid("mandel")
            juliaset.julia(progress="yes")
            """
        )
    )
    result = mypy("caller.py", cwd=tmp_path)
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    # One error per line of calls, each naming the line of its typo.
    assert sorted({int(line.split(":")[1]) for line in errors}) == list(range(4, 12)), result.stdout


def test_correct_names_and_the_new_conveniences_type_check(tmp_path):
    (tmp_path / "caller.py").write_text(
        textwrap.dedent(
            """
            from typing import Tuple
            import numpy as np
            import juliaset
            from juliaset import Image, ViewGrid

            juliaset.julia(fields="final_norm")
            juliaset.mandelbrot(fields=("counts", "interior", "distance"), progress=True)
            juliaset.evaluate([0j], family="mandelbrot", fields=["smooth"])
            juliaset.julia_image(colormap="twilight_r", coloring="smooth",
                                 progress=lambda done, total: print(done, total))
            juliaset.mandelbrot_image(colormap="gray", coloring="histogram")
            grid: ViewGrid = juliaset.grid("mandelbrot", size=(8, 5))
            extent: Tuple[float, float, float, float] = grid.extent
            picture: Image = Image.from_parameters(juliaset.image_parameters("julia"))
            pixels: np.ndarray = np.asarray(picture)
            """
        )
    )
    result = mypy("caller.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
