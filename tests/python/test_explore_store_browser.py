"""The store page (``juliaset-explore --store``) in a real browser: Debian's chromium, headless,
driven by Selenium. A small pyramid is written by ``zarr_store.render_image`` in the test; the
canvas is compared with the store's own arrays, and the live link with the explorer's view."""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np
import pytest

import juliaset
from explore_helpers import start_server

zarr = pytest.importorskip("zarr")
from juliaset import zarr_store  # noqa: E402
from test_explore_browser import (  # noqa: E402  (skips without chromium)
    HEIGHT, IDLE, WAIT, WIDTH, canvas_element, canvas_rgb, offset, start_chrome,
)
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

# 1600 x 1000 in 128-pixel chunks: levels 1600 x 1000, 800 x 500, 400 x 250, 200 x 125 and
# 100 x 63; the whole image fits the 960 x 600 canvas at level 1, drawn 1:1.
PIXELS = (1600, 1000)
CENTER = (-0.7453, 0.1127)
PLANE_WIDTH = 0.02


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "m.zarr"
    parameters = juliaset.image_parameters(
        "mandelbrot", center=complex(*CENTER), width=PLANE_WIDTH, size=PIXELS, itermax=300,
        colormap="viridis", coloring="count",
    )
    zarr_store.render_image(path, parameters, chunks=128)
    return path


@pytest.fixture(scope="module")
def server(store):
    running = start_server("--store", str(store))
    yield running
    code, err = running.stop()
    assert code == 0, err


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = start_chrome(tmp_path_factory.mktemp("downloads"))
    yield driver
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    driver.quit()
    # 409 (a live render cancelled by a newer one) is the one error response pages expect.
    assert all("409" in entry["message"] for entry in errors), errors


def idle(driver):
    settled = driver.execute_async_script(IDLE)
    assert "error" not in settled, settled
    assert settled["tiles"]["failed"] == 0, settled
    assert settled["tiles"]["drawn"] == settled["tiles"]["visible"] > 0, settled
    return settled


def level_pixels(store, level: int) -> np.ndarray:
    array = zarr.open_array(str(store), path=f"image/{level}", mode="r")
    return np.moveaxis(np.asarray(array[...]), 0, 2)


def test_levels_drawn_at_1_to_1_are_exactly_the_stored_pixels(browser, server, store):
    browser.get(server.url)
    settled = idle(browser)
    # The whole image at level 1, 1:1, on whole pixels, centred.
    assert settled["level"] == 1 and settled["scale"] == 2 and settled["levels"] == 5
    assert settled["size"] == [WIDTH, HEIGHT] and settled["tiles"]["visible"] == 4 * 7
    canvas = canvas_rgb(browser)
    level1 = level_pixels(store, 1)
    assert level1.shape == (500, 800, 3)
    assert np.array_equal(canvas[50:550, 80:880], level1)
    assert (canvas[:50] == 0).all() and (canvas[:, :80] == 0).all()
    # The top level (one tile, 100 x 63) at 1:1 around level-0 point (800, 496).
    browser.execute_script("window.juliaset.setViewport({level: 4, center: [800, 496]})")
    settled = idle(browser)
    assert settled["level"] == 4 and settled["tiles"]["visible"] == 1
    top = level_pixels(store, 4)
    assert top.shape == (63, 100, 3)
    canvas = canvas_rgb(browser)
    assert np.array_equal(canvas[269:332, 430:530], top)
    assert (canvas[:269] == 0).all() and (canvas[332:] == 0).all()


def test_the_wheel_zooms_at_the_pointer_into_finer_levels_and_a_drag_pans(browser, server):
    browser.get(server.url)
    start = idle(browser)
    x, y = 600, 200
    point = browser.execute_script(
        "const s = window.juliaset.store(); return [s.center[0] + (arguments[0] - 480) * s.scale,"
        " s.center[1] + (arguments[1] - 300) * s.scale]", x, y)
    for _ in range(3):
        ActionChains(browser).scroll_from_origin(
            ScrollOrigin.from_element(canvas_element(browser), *offset(x, y)), 0, -300).perform()
    settled = idle(browser)
    assert settled["scale"] < 1 and settled["level"] == 0 < start["level"]
    # The level-0 point under the pointer stayed under it.
    after = [settled["center"][0] + (x - WIDTH / 2) * settled["scale"],
             settled["center"][1] + (y - HEIGHT / 2) * settled["scale"]]
    assert abs(after[0] - point[0]) < 1e-6 and abs(after[1] - point[1]) < 1e-6
    assert "level 0" in browser.find_element(By.ID, "where").text
    # A drag moves the picture with the pointer: the viewport's centre by -(dx, dy) * scale.
    ActionChains(browser).move_to_element_with_offset(canvas_element(browser), *offset(400, 300)) \
        .click_and_hold().move_by_offset(120, 70).release().perform()
    dragged = idle(browser)
    assert dragged["scale"] == settled["scale"]
    assert abs(dragged["center"][0] - (settled["center"][0] - 120 * settled["scale"])) < 1e-9
    assert abs(dragged["center"][1] - (settled["center"][1] - 70 * settled["scale"])) < 1e-9


def test_explore_live_here_opens_the_explorer_at_the_viewport(browser, server, store):
    browser.get(server.url)
    idle(browser)
    # Level 0 at 1:1 on whole pixels: the live render samples the same grid points.
    browser.execute_script("window.juliaset.setViewport({scale: 1, center: [1000, 600]})")
    settled = idle(browser)
    assert settled["level"] == 0
    stored = canvas_rgb(browser)
    attributes = zarr_store.read_attributes(str(store))
    width = Decimal(attributes["width"])
    expected_re = Decimal(attributes["center"][0]) + (Decimal(1000) / PIXELS[0] - Decimal(
        "0.5")) * width
    expected_im = Decimal(attributes["center"][1]) + (Decimal("0.5") - Decimal(600) / PIXELS[
        1]) * width * PIXELS[1] / PIXELS[0]
    view = settled["view"]
    assert abs(Decimal(view["width"]) / (width * WIDTH / PIXELS[0]) - 1) < Decimal("1e-11")
    pixel = width / PIXELS[0]
    assert abs(Decimal(view["center"][0]) - expected_re) < pixel / 100
    assert abs(Decimal(view["center"][1]) - expected_im) < pixel / 100

    browser.find_element(By.ID, "live").click()
    WebDriverWait(browser, WAIT).until(
        lambda d: d.execute_script("return !!(window.juliaset && window.juliaset.view)"))
    live = browser.execute_async_script(IDLE)
    assert live.get("exact"), live
    v = live["view"]
    assert v["family"] == "mandelbrot" and v["center"] == view["center"]
    assert v["width"] == view["width"] and v["itermax"] == 300
    assert (v["colormap"], v["coloring"]) == ("viridis", "count")
    # The live picture is the stored one: the same grid points (to a thousandth of a pixel).
    same = (canvas_rgb(browser) == stored).all(axis=2).mean()
    assert same > 0.999, same
    assert browser.find_element(By.ID, "store-link").is_displayed()
    browser.back()
    assert idle(browser)["level"] == 0  # the store page comes back where it was (its URL hash)


# A Mandelbrot location with structure at 1e-30 (as test_explore_browser.py): a deep store.
PEER_RE = "-1.99996619445037030418434688506350579675531241540724851511761922944801584"
PEER_IM = "3.00138243679093832407249730397759e-34"


def test_a_deep_stores_coordinates_and_live_view_keep_every_digit(browser, tmp_path):
    path = tmp_path / "deep.zarr"
    parameters = juliaset.image_parameters(
        "mandelbrot", center=(PEER_RE, PEER_IM), width="1e-30", size=(256, 160), itermax=1500,
        colormap="inferno",
    )
    zarr_store.render_image(path, parameters, chunks=64)
    assert zarr_store.read_attributes(str(path))["region"] is None  # recorded as strings
    running = start_server("--store", str(path))
    try:
        browser.get(running.url)
        idle(browser)
        browser.execute_script("window.juliaset.setViewport({scale: 0.5, center: [100, 60]})")
        settled = idle(browser)
    finally:
        code, err = running.stop()
    assert code == 0, err
    assert settled["level"] == 0
    view = settled["view"]
    with localcontext() as context:
        context.prec = 200  # every digit of the centres
        width = Decimal("1e-30")
        pixel = width / 256
        assert abs(Decimal(view["width"]) - width * WIDTH / 2 / 256) < pixel / 10**6
        # Offsets of 1e-31 from -1.99996...: no double holds these centres.
        expected_re = Decimal(PEER_RE) + (Decimal(100) / 256 - Decimal("0.5")) * width
        expected_im = Decimal(PEER_IM) + (Decimal("0.5") - Decimal(60) / 160) * width * 160 / 256
        assert abs(Decimal(view["center"][0]) - expected_re) < pixel / 100
        assert abs(Decimal(view["center"][1]) - expected_im) < pixel / 100
    assert f"center_re={view['center'][0]}&center_im={view['center'][1]}" in settled["live"]
