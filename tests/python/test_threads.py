"""Concurrency: the GIL is released during native work, and Ctrl-C interrupts a render."""

from __future__ import annotations

import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from juliaset import ComplexRegion, JuliaDiv

SEED_C = -0.835 - 0.2321j
ZOOM = ComplexRegion(-0.1, 0.1, 0.1, -0.1)


def test_concurrent_calls_from_python_threads_give_correct_results():
    jobs = {
        "zoom": (JuliaDiv(SEED_C, 2.0, (20, 100), 300, threads=1), ZOOM),
        "overview": (JuliaDiv(SEED_C, 2.0, (0, 80), 300, threads=1), ComplexRegion(-1.6, 1.6, 1, -1)),
    }
    expected = {name: div.over(region) for name, (div, region) in jobs.items()}
    results: dict[str, list[np.ndarray]] = {name: [] for name in jobs}
    barrier = threading.Barrier(len(jobs) * 2)

    def work(name: str) -> None:
        div, region = jobs[name]
        barrier.wait()
        for _ in range(3):
            results[name].append(div.over(region))

    threads = [threading.Thread(target=work, args=(name,)) for name in jobs for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive()
    for name in jobs:
        assert len(results[name]) == 6
        assert all(np.array_equal(result, expected[name]) for result in results[name])


def test_native_work_runs_without_the_gil():
    # A slow render (every point of the unit disk iterates itermax times) on one native thread.
    div = JuliaDiv(0, 2.0, (0, 20000), 500, threads=1)
    region = ComplexRegion(-0.5, 0.5, 0.5, -0.5)
    window: dict[str, float] = {}

    def render() -> None:
        window["start"] = time.perf_counter()
        div.over(region)
        window["end"] = time.perf_counter()

    ticks: list[float] = []
    worker = threading.Thread(target=render)
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())  # pure Python: runs only while this thread has the GIL
        time.sleep(0)
    worker.join()
    duration = window["end"] - window["start"]
    assert duration > 0.2, "the render was too quick to tell anything"
    # Ticks well inside the native call: with the GIL held there would be none at all.
    margin = 0.25 * duration
    inside = [t for t in ticks if window["start"] + margin < t < window["end"] - margin]
    assert len(inside) > 100


CHILD = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from juliaset import ComplexRegion, JuliaDiv

    # Every point of the unit disk iterates itermax times: minutes of work on any machine,
    # in tasks of a fraction of a second each.
    slow = JuliaDiv(0, 2.0, (0, 3000), 4000)
    print("ready", flush=True)
    try:
        slow.over(ComplexRegion(-0.5, 0.5, 0.5, -0.5))
    except KeyboardInterrupt:
        print("interrupted", time.perf_counter(), flush=True)
    else:
        print("finished", flush=True)
        sys.exit(3)
    # The process is still healthy: a later render works and is right.
    again = JuliaDiv(0, 2.0, (0, 10), 8).over(ComplexRegion(-0.5, 0.5, 0.5, -0.5))
    print("after", int(np.all(again == 1.0)), flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery to a child is POSIX")
def test_ctrl_c_interrupts_a_long_render_promptly(interrupt_child):
    latency, lines = interrupt_child(CHILD)
    assert latency < 2.0
    assert "after 1" in lines
