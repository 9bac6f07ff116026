"""The animation benchmark (``make bench-animate``) runs end to end on two frames a row and
writes its JSON: every animation, colouring and step, with positive rates. (Its figures are
measured by running it, not here.)"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("av")

from juliaset.animate import bench  # noqa: E402


def test_benchmark_writes_every_row(tmp_path):
    results = bench.run(2, tmp_path, cores=2)
    written = json.loads((tmp_path / "animate.json").read_text())
    assert written["frames"] == 2 and written["cores"] == 2
    for animation in ("morph", "zoom"):
        for coloring in bench.COLORINGS:
            rows = written[f"{animation}/{coloring}"]
            assert set(rows) == {"render", "encode", "pipeline", "pipeline, ultrafast"}
            for step, row in rows.items():
                assert row["fps"] > 0 and row["cpu_s_per_frame"] > 0, (animation, step)
                # The estimate: frames per second of 2 cores' worth of the measured CPU time.
                assert row["fps_on_dedicated_cores"] == pytest.approx(
                    2 / row["cpu_s_per_frame"])
    assert results["zoom/count"]["render"]["fps"] == written["zoom/count"]["render"]["fps"]
