"""The benchmark harness: its table, JSON and chart, and that it catches a wrong result.

Nothing here asserts a timing (machines are noisy); the runs use tiny images.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest

from juliaset import _core, bench, reference

PIL = pytest.importorskip("PIL.Image")

# A subset that crosses every kind of row: sampled reference, whole reference, API, CLI, core.
SUBSET = ["vectorize", "numpy", "api", "cli-fast", "scalar", "threads"]


def table_rows(markdown: str) -> List[List[str]]:
    """The cells of every line of the Markdown table, header included."""
    rows = []
    for line in markdown.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def table_dicts(markdown: str) -> List[Dict[str, str]]:
    """The table's body rows as {column header: cell}."""
    header, *body = table_rows(markdown)
    return [dict(zip(header, row)) for row in body]


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory, cli: str) -> Dict[str, Any]:
    """One real run of `python -m juliaset.bench` on a 64 x 64 image, as a user starts it."""
    tmp = tmp_path_factory.mktemp("bench")
    env = dict(os.environ, JULIASET_CLI=cli)
    done = subprocess.run(
        [sys.executable, "-m", "juliaset.bench", "--size", "64", "--repeat", "1",
         "--rows", ",".join(SUBSET), "--sample-pixels", "512",
         "--json", str(tmp / "out.json"), "--chart", str(tmp / "out.png")],
        cwd=tmp, env=env, capture_output=True, text=True, timeout=120,
    )
    return {"done": done, "json": tmp / "out.json", "chart": tmp / "out.png"}


def test_run_succeeds_and_reports_progress(bench_run: Dict[str, Any]) -> None:
    done = bench_run["done"]
    assert done.returncode == 0, done.stderr
    # Progress goes to stderr, one line per run at least, so stdout stays a clean table.
    assert "bench: [1/6] naive Python (np.vectorize)" in done.stderr
    assert "bench:" not in done.stdout


def test_markdown_table_has_the_seed_columns_and_rows(bench_run: Dict[str, Any]) -> None:
    out = bench_run["done"].stdout
    assert "- machine: " in out and "- SIMD target: " + _core.simd_target() in out
    assert "- image: 64 x 64 pixels" in out
    rows = table_rows(out)
    header, body = rows[0], rows[1:]
    assert header == ["implementation", "runtime (s)", "min (s)", "Mpixel/s",
                      "vs naive Python", "vs previous", "seed (s)", "seed scaled (s)", "equal",
                      "notes"]
    labels = [row[0] for row in body]
    assert labels == [
        "naive Python (np.vectorize)",
        "numpy looping",
        "Python API (JuliaDiv.over, all threads)",
        "CLI --fast (minimal compression)",
        "scalar oracle, 1 thread",
        f"SIMD ({_core.simd_target()}), all {os.cpu_count()} threads",
    ]
    by_label = {row[0]: dict(zip(header, row)) for row in body}
    for cells in by_label.values():
        assert cells["equal"] == "✓"
        assert float(cells["runtime (s)"]) > 0
        assert cells["vs naive Python"].startswith("×")
    naive = by_label["naive Python (np.vectorize)"]
    assert naive["vs naive Python"] == "×1.00" and naive["vs previous"] == "—"
    assert naive["seed (s)"] == "139"
    # 8 strips of one 64-pixel row out of 64 rows.
    assert "sampled (12.5% of pixels), extrapolated" in naive["notes"]
    # 64 x 64 is 4096 / 16e6 of the seed's image: 139 s scale to 0.0356 s.
    assert naive["seed scaled (s)"] == "0.036"
    assert by_label["CLI --fast (minimal compression)"]["seed (s)"] == "2.1"
    assert by_label["scalar oracle, 1 thread"]["seed (s)"] == ""


def test_json_holds_every_row_with_a_time_and_a_passing_check(
        bench_run: Dict[str, Any]) -> None:
    data = json.loads(bench_run["json"].read_text(encoding="utf-8"))
    assert data["exit_status"] == 0
    meta = data["metadata"]
    assert meta["simd_target"] == _core.simd_target()
    assert meta["numpy"] == np.__version__
    assert meta["workload"]["width"] == meta["workload"]["height"] == 64
    assert [row["key"] for row in data["rows"]] == SUBSET
    for row in data["rows"]:
        assert row["status"] == "ok", row
        assert row["runtime_s"] > 0 and row["min_s"] > 0
        assert len(row["measured_times_s"]) == row["runs"] >= 1
        assert row["check"]["exact"] is True and row["check"]["equal"] is True
        assert row["check"]["mismatch_fraction"] == 0
    vectorize = data["rows"][0]
    assert vectorize["sampled"] is True and vectorize["pixel_fraction"] == pytest.approx(0.125)
    assert [s["rows"] for s in vectorize["strips"]] == [1] * 8
    # The extrapolation divides the measured strip time by the pixel fraction.
    assert vectorize["runtime_s"] == pytest.approx(vectorize["measured_times_s"][0] / 0.125)


def test_chart_is_a_png(bench_run: Dict[str, Any]) -> None:
    pytest.importorskip("matplotlib")
    with PIL.open(bench_run["chart"]) as image:
        assert image.format == "PNG"
        assert image.width > 100 and image.height > 100


def test_compare_arrays_reports_any_difference() -> None:
    expected = np.arange(12, dtype=np.float64).reshape(3, 4)
    same = bench.compare_arrays(expected.copy(), expected, compared="values")
    assert same.equal and same.symbol() == "✓" and not same.failed()

    off_by_one_ulp = expected.copy()
    off_by_one_ulp[2, 3] = np.nextafter(off_by_one_ulp[2, 3], np.inf)
    broken = bench.compare_arrays(off_by_one_ulp, expected, compared="values")
    assert not broken.equal and broken.symbol() == "✗" and broken.failed()
    assert broken.mismatch_fraction == pytest.approx(1 / 12)

    # [x, y] against (height, width): the transposition mistake the harness must not hide.
    transposed = bench.compare_arrays(expected.T, expected, compared="values")
    assert not transposed.equal and transposed.mismatch_fraction == 1.0

    inexact = bench.compare_arrays(off_by_one_ulp, expected, compared="counts", exact=False)
    assert not inexact.failed() and inexact.symbol().startswith("≈")


def test_a_wrong_row_is_marked_and_fails_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class OnePixelOff(reference.NumpyJuliaDiv):
        def over(self, plane: Any) -> Any:
            result = super().over(plane)
            result[3, 5] += 1e-12
            return result

    monkeypatch.setitem(reference.IMPLEMENTATIONS, "numpy", OnePixelOff)
    status = bench.main(["--size", "32", "--repeat", "1", "--rows", "numpy,threads",
                         "--json", str(tmp_path / "b.json"), "--no-chart"])
    assert status == 1
    body = {row["implementation"]: row for row in table_dicts(capsys.readouterr().out)}
    assert body["numpy looping"]["equal"] == "✗"
    assert body[f"SIMD ({_core.simd_target()}), all {os.cpu_count()} threads"]["equal"] == "✓"
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert data["exit_status"] == 1
    assert data["rows"][0]["check"]["equal"] is False
    assert data["rows"][0]["check"]["mismatch_fraction"] == pytest.approx(1 / 32**2)


def test_a_cli_writing_wrong_pixels_is_caught(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A stand-in for the command: right size and format, every pixel black.
    fake = tmp_path / "fake-juliaset"
    fake.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import sys
        from PIL import Image
        size = int(next(a for a in sys.argv if a.startswith("-R="))[3:])
        Image.new("L", (size, size)).save(sys.argv[sys.argv.index("-o") + 1])
        """))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("JULIASET_CLI", str(fake))
    status = bench.main(["--size", "32", "--repeat", "1", "--rows", "cli",
                         "--json", str(tmp_path / "b.json"), "--no-chart"])
    assert status == 1
    (row,) = table_dicts(capsys.readouterr().out)
    assert row["implementation"] == "CLI (default compression)" and row["equal"] == "✗"


def test_a_failing_cli_is_an_error_not_a_skip(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "broken-juliaset"
    fake.write_text(f"#!{sys.executable}\nimport sys\nsys.exit('no such flag')\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("JULIASET_CLI", str(fake))
    status = bench.main(["--size", "32", "--rows", "cli-fast",
                         "--json", str(tmp_path / "b.json"), "--no-chart"])
    assert status == 1
    notes = table_dicts(capsys.readouterr().out)[0]["notes"]
    assert notes.startswith("error: RuntimeError") and "no such flag" in notes


def test_missing_numba_skips_the_row_without_failing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class NoNumba(reference.NumbaJuliaDiv):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise ImportError("the numba reference implementations need numba")

    monkeypatch.setitem(reference.IMPLEMENTATIONS, "numba", NoNumba)
    status = bench.main(["--size", "32", "--rows", "numba",
                         "--json", str(tmp_path / "b.json"), "--no-chart"])
    assert status == 0
    (row,) = table_dicts(capsys.readouterr().out)
    assert row["implementation"] == "numba" and row["runtime (s)"] == "—"
    assert row["notes"] == "skipped: numba not installed" and row["equal"] == "—"


def test_strips_are_spread_evenly_and_each_is_its_own_grid_of_the_right_rows() -> None:
    strips = bench.sample_strips(4000, 4000, bench.DEFAULT_SAMPLE_PIXELS)
    assert strips is not None and len(strips) == bench.N_STRIPS
    firsts = [s.first for s in strips]
    assert firsts == sorted(firsts) and firsts[0] < 500 and firsts[-1] > 3500
    for strip, following in zip(strips, strips[1:]):
        assert strip.first + strip.rows < following.first  # disjoint, with gaps
    for strip in strips:
        assert strip.rows == 5
        b = strip.bounds
        # The strip's own grid has exactly `rows` rows, starting at the full grid's row value.
        assert _core.grid_shape(b.xleft, b.xright, b.ybot, b.ytop, 4000) == (4000, strip.rows)
        assert b.ytop == bench.row_y(strip.first, 4000)
    # Strips that would cover the image are not worth sampling.
    assert bench.sample_strips(64, 64, 64 * 64) is None


def test_format_factor_reads_like_the_brief() -> None:
    assert bench.format_factor(46.23) == "×46.2"
    assert bench.format_factor(1.0) == "×1.00"
    assert bench.format_factor(1234.0) == "×1,234"
    assert bench.format_factor(None) == "—"


def test_help_lists_every_row() -> None:
    done = subprocess.run([sys.executable, "-m", "juliaset.bench", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for key in bench.ROW_KEYS:
        assert f"  {key} " in done.stdout
    for flag in ("--quick", "--size", "--rows", "--repeat", "--json", "--chart", "--sample"):
        assert flag in done.stdout


def test_unknown_row_is_a_usage_error() -> None:
    done = subprocess.run([sys.executable, "-m", "juliaset.bench", "--rows", "numpy,rust"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unknown row(s) rust" in done.stderr
