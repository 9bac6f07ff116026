"""The binding's pieces the explorer uses: CancelToken and colormap_table."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import juliaset
from juliaset import _core


def test_a_token_cancelled_from_another_thread_stops_the_render_on_this_one():
    token = _core.CancelToken()
    outcome: dict[str, object] = {}

    def render() -> None:
        try:
            with token:
                # Minutes of work uncancelled: itermax 10**6 over the whole interior.
                outcome["result"] = juliaset.mandelbrot(
                    center=-0.2, width=0.2, size=(1000, 1000), itermax=10**6
                )
        except RuntimeError as error:
            outcome["error"] = str(error)

    worker = threading.Thread(target=render)
    worker.start()
    token.cancel()
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert outcome == {"error": "render cancelled"}
    assert token.cancelled


def test_a_token_cancelled_before_the_render_stops_it_at_once_and_others_run_on():
    token = _core.CancelToken()
    token.cancel()
    with pytest.raises(RuntimeError, match="render cancelled"):
        with token:
            juliaset.julia(size=(64, 40))
    # Outside the token (and inside a fresh one) renders are unaffected.
    expected = juliaset.julia(size=(64, 40))
    with _core.CancelToken():
        assert np.array_equal(juliaset.julia(size=(64, 40)), expected)


def test_tokens_nest_and_must_exit_innermost_first():
    outer, inner = _core.CancelToken(), _core.CancelToken()
    with outer:
        with inner:
            pass
        outer.cancel()
        with pytest.raises(RuntimeError, match="render cancelled"):
            juliaset.julia(size=(8, 8))
    with pytest.raises(ValueError, match="innermost"):
        outer.__exit__(None, None, None)


@pytest.mark.parametrize("name", ["viridis", "magma_r", "twilight"])
def test_colormap_table_gives_the_colours_the_renderer_uses(name):
    table = _core.colormap_table(name)
    assert table.shape == (256, 3) and table.dtype == np.float64
    # Count colouring gives count k the colour floor(k / itermax * 256), and one sample per
    # pixel quantises a channel c to floor(c * 255).
    counts = juliaset.julia(c=0.3, size=(200, 120), itermax=255)
    image = juliaset.julia_image(c=0.3, size=(200, 120), itermax=255, colormap=name)
    index = np.minimum(np.floor(counts / 255 * 256), 255).astype(int)
    expected = np.clip(table[index] * 255.0, 0, 255).astype(np.uint8)
    assert len(np.unique(counts)) > 20
    assert np.array_equal(image, expected)
