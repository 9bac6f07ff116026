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
    modules = ["juliaset", "juliaset._modern", "juliaset._metadata", "juliaset._colormaps"]
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
