"""The explorer in a real browser: Debian's chromium, headless, driven by Selenium.

Every check waits on ``window.juliaset.idle()`` (the exact render of the current view is on
screen) rather than sleeping, and compares the canvas's pixels with the engine's own image of
the same view (``render_parameters`` of the page's record, or the ``juliaset`` command).
"""

from __future__ import annotations

import base64
import json
import math
import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from PIL import Image

import juliaset
from explore_helpers import juliaset_cli, start_server

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

CHROMEDRIVER = Path("/usr/bin/chromedriver")
if not CHROMEDRIVER.exists() or shutil.which("chromium") is None:
    pytest.skip(
        "the browser tests need Debian's chromium and chromium-driver "
        "(tools/install-system-deps.sh installs them)", allow_module_level=True,
    )

WIDTH, HEIGHT = 960, 600  # the viewport: the canvas's size in pixels (device scale 1)
WAIT = 60


def start_chrome(downloads: Path) -> Any:
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", f"--window-size={WIDTH},{HEIGHT + 200}",
                     "--disable-background-networking", "--no-first-run"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {
        "behavior": "allow", "downloadPath": str(downloads), "eventsEnabled": True})
    driver.set_script_timeout(WAIT)
    return driver


@pytest.fixture(scope="module")
def server():
    running = start_server()
    yield running
    code, err = running.stop()
    assert code == 0, err


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads):
    driver = start_chrome(downloads)
    yield driver
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    driver.quit()
    # 409 (a render cancelled by a newer one) is the one error response the page expects.
    assert all("409" in entry["message"] for entry in errors), errors


IDLE = """
const done = arguments[arguments.length - 1];
(async () => {
  while (!window.juliaset) await new Promise((resolve) => setTimeout(resolve, 10));
  done(await window.juliaset.idle());
})().catch((error) => done({error: String(error)}));
"""

CANVAS_PIXELS = """
const canvas = document.getElementById('view');
const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
let text = '';
for (let i = 0; i < data.length; i += 0x8000) {
  text += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
}
return [canvas.width, canvas.height, btoa(text)];
"""


def idle(driver) -> Dict[str, Any]:
    settled = driver.execute_async_script(IDLE)
    assert settled.get("exact"), settled
    return settled


def view(driver) -> Dict[str, Any]:
    return driver.execute_script("return window.juliaset.view()")


def load(driver, server, query: str = "") -> Dict[str, Any]:
    driver.get(server.url + query)
    return idle(driver)


def canvas_rgb(driver) -> np.ndarray:
    width, height, data = driver.execute_script(CANVAS_PIXELS)
    rgba = np.frombuffer(base64.b64decode(data), dtype=np.uint8).reshape(height, width, 4)
    assert (rgba[..., 3] == 255).all()
    return rgba[..., :3]


def engine_rgb(record: Dict[str, Any]) -> np.ndarray:
    image = juliaset.render_parameters(record)
    return np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else image


def record(driver) -> Dict[str, Any]:
    parameters = driver.execute_script("return window.juliaset.parameters()")
    assert parameters is not None
    return parameters


def assert_canvas_is_the_engines(driver) -> Dict[str, Any]:
    parameters = record(driver)
    assert (parameters["width"], parameters["height"]) == (WIDTH, HEIGHT)
    canvas = canvas_rgb(driver)
    expected = engine_rgb(parameters)
    mismatched = int((canvas != expected).any(axis=2).sum())
    assert mismatched == 0, f"{mismatched} pixels differ for {json.dumps(parameters)}"
    return parameters


def main_renders(server) -> int:
    stats = server.stats()
    return stats.get("renders_main", 0) + stats.get("renders_coarse", 0)


def plane(v: Dict[str, Any], x: float, y: float):
    """The plane's point at canvas pixel (x, y) of view v, exactly (the renderer's rule)."""
    width = Decimal(v["width"])
    re = Decimal(v["center"][0]) + Decimal(repr((x - WIDTH / 2) / WIDTH)) * width
    im = Decimal(v["center"][1]) + Decimal(repr((HEIGHT / 2 - y) / WIDTH)) * width
    return re, im


def canvas_element(driver):
    return driver.find_element(By.ID, "view")


def offset(x: float, y: float):
    """Selenium offsets from the canvas's centre for canvas pixel (x, y)."""
    return int(x - WIDTH / 2), int(y - HEIGHT / 2)


# --- tests ---------------------------------------------------------------------------------


def test_load_shows_exactly_the_engines_picture(browser, server):
    settled = load(browser, server, "?family=mandelbrot&center_re=-0.75&center_im=0.1"
                   "&width=0.5&itermax=250&auto=0&colormap=viridis&coloring=count")
    v = settled["view"]
    assert v["center"] == ["-0.75", "0.1"] and v["width"] == "0.5" and v["itermax"] == 250
    assert v["size"] == [WIDTH, HEIGHT]
    parameters = assert_canvas_is_the_engines(browser)
    assert parameters["colormap"] == "viridis" and parameters["coloring"] == "count"
    # The coarse picture came before the exact one.
    timing = browser.execute_script("return window.juliaset.timings()")[-1]
    assert 0 < timing["coarse_ms"] <= timing["exact_ms"]


def test_the_canvas_equals_the_juliaset_commands_png(browser, server, tmp_path):
    load(browser, server, "?family=julia&c_re=-0.8&c_im=0.156&center_re=0.2&center_im=-0.1"
         "&width=2.4&itermax=300&auto=0&colormap=inferno&coloring=smooth")
    p = record(browser)
    view_ = p["view"]
    out = tmp_path / "command.png"
    subprocess.run(
        [juliaset_cli(), f"--center={view_['center'][0]},{view_['center'][1]}",
         f"--width={view_['width']}", f"--size={p['width']}x{p['height']}",
         f"-r={p['c'][0]}", f"-i={p['c'][1]}", "-m=0", f"-M={p['itermax']}",
         "--colormap=inferno", "--smooth", "-o", str(out)],
        check=True, timeout=120,
    )
    with Image.open(out) as image:
        command = np.asarray(image.convert("RGB"))
    assert command.shape == (HEIGHT, WIDTH, 3)
    assert np.array_equal(canvas_rgb(browser), command)


@pytest.mark.parametrize(
    "colormap, coloring",
    [("magma", "histogram"), ("gray", "count"), ("gray", "histogram"), ("twilight_r", "count")],
)
def test_colormap_and_colouring_changes_recolour_without_a_new_render(
    browser, server, colormap, coloring
):
    load(browser, server, "?family=mandelbrot&center_re=-0.7453&center_im=0.1127"
         "&width=0.01&itermax=600&auto=0&colormap=viridis&coloring=count")
    before = main_renders(server)
    Select(browser.find_element(By.ID, "colormap")).select_by_value(colormap)
    Select(browser.find_element(By.ID, "coloring")).select_by_value(coloring)
    v = idle(browser)["view"]
    assert (v["colormap"], v["coloring"]) == (colormap, coloring)
    assert main_renders(server) == before  # recoloured on the client: no render request
    parameters = assert_canvas_is_the_engines(browser)
    assert (parameters["colormap"], parameters["coloring"]) == (colormap, coloring)
    query = parse_qs(urlsplit(browser.current_url).query)
    assert query["colormap"] == [colormap] and query["coloring"] == [coloring]


def test_smooth_colouring_renders_the_smooth_field_once_then_recolours(browser, server):
    load(browser, server, "?family=mandelbrot&width=3&itermax=80&auto=0&coloring=count")
    before = main_renders(server)
    Select(browser.find_element(By.ID, "coloring")).select_by_value("smooth")
    idle(browser)
    assert main_renders(server) > before  # counts alone do not give the smooth field
    assert_canvas_is_the_engines(browser)
    after = main_renders(server)
    Select(browser.find_element(By.ID, "coloring")).select_by_value("histogram")
    idle(browser)
    assert main_renders(server) == after
    assert_canvas_is_the_engines(browser)


def test_drag_pans_by_exactly_the_pointers_movement(browser, server):
    start = load(browser, server, "?family=mandelbrot&center_re=-0.5&center_im=0&width=3"
                 "&itermax=100&auto=0&colormap=plasma&coloring=count")["view"]
    x0, y0 = 500, 200
    ActionChains(browser).move_to_element_with_offset(canvas_element(browser), *offset(x0, y0)) \
        .click_and_hold().move_by_offset(120, 70).release().perform()
    v = idle(browser)["view"]
    # The point that was under the pointer is under it again.
    before = plane(start, x0, y0)
    after = plane(v, x0 + 120, y0 + 70)
    pixel = Decimal(v["width"]) / WIDTH
    assert abs(before[0] - after[0]) < pixel / 100 and abs(before[1] - after[1]) < pixel / 100
    assert v["width"] == "3"
    assert_canvas_is_the_engines(browser)
    query = parse_qs(urlsplit(browser.current_url).query)
    assert query["center_re"] == [v["center"][0]] and query["center_im"] == [v["center"][1]]


def test_wheel_zooms_at_the_pointer(browser, server):
    start = load(browser, server, "?family=mandelbrot&center_re=-0.5&center_im=0&width=3"
                 "&itermax=200&auto=0&colormap=viridis&coloring=count")["view"]
    x, y = 620, 180
    ActionChains(browser).scroll_from_origin(
        ScrollOrigin.from_element(canvas_element(browser), *offset(x, y)), 0, -300).perform()
    v = idle(browser)["view"]
    ratio = Decimal(v["width"]) / Decimal(start["width"])
    assert float(ratio) == pytest.approx(math.exp(-0.6), rel=1e-9)
    before, after = plane(start, x, y), plane(v, x, y)
    pixel = Decimal(v["width"]) / WIDTH
    assert abs(before[0] - after[0]) < pixel / 100 and abs(before[1] - after[1]) < pixel / 100
    assert_canvas_is_the_engines(browser)


def test_keyboard_zooms_and_pans(browser, server):
    load(browser, server, "?family=mandelbrot&center_re=-0.5&center_im=0&width=3&itermax=100"
         "&auto=0&coloring=count")
    ActionChains(browser).send_keys("+").perform()
    assert idle(browser)["view"]["width"] == "1.5"
    ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()
    v = idle(browser)["view"]
    assert Decimal(v["center"][0]) == Decimal("-0.5") + Decimal("1.5") * 96 / WIDTH
    ActionChains(browser).send_keys("-").perform()
    assert idle(browser)["view"]["width"] == "3"


def test_double_click_zooms_in_at_the_pointer(browser, server):
    load(browser, server, "?family=mandelbrot&center_re=-0.5&center_im=0&width=3&itermax=100"
         "&auto=0&coloring=count")
    ActionChains(browser).move_to_element_with_offset(canvas_element(browser), *offset(480, 300)) \
        .double_click().perform()
    v = idle(browser)["view"]
    assert v["family"] == "mandelbrot" and v["width"] == "1.5"


def test_a_click_opens_the_julia_set_of_the_point(browser, server):
    start = load(browser, server, "?family=mandelbrot&center_re=-0.5&center_im=0&width=3"
                 "&itermax=150&auto=0&colormap=magma&coloring=count")["view"]
    x, y = 400, 250
    ActionChains(browser).move_to_element_with_offset(canvas_element(browser), *offset(x, y)) \
        .click().perform()
    WebDriverWait(browser, WAIT).until(lambda d: view(d)["family"] == "julia")
    v = idle(browser)["view"]
    re, im = plane(start, x, y)
    pixel = Decimal(start["width"]) / WIDTH
    assert abs(Decimal(v["c"][0]) - re) < pixel and abs(Decimal(v["c"][1]) - im) < pixel
    assert v["center"] == ["0", "0"] and v["width"] == "3.2"
    parameters = assert_canvas_is_the_engines(browser)
    assert parameters["family"] == "julia"
    # The side panel now shows the Mandelbrot set; back returns to it as the main view.
    browser.back()
    assert idle(browser)["view"]["family"] == "mandelbrot"


def test_reload_restores_the_view_exactly(browser, server):
    load(browser, server, "?family=julia&c_re=0.285&c_im=0.01&center_re=0.123456789012345"
         "&center_im=-0.0987654321&width=0.0123456789&itermax=400&auto=0&colormap=plasma"
         "&coloring=histogram&supersample=3")
    before = view(browser)
    pixels = canvas_rgb(browser)
    browser.refresh()
    after = idle(browser)["view"]
    assert after == before
    assert np.array_equal(canvas_rgb(browser), pixels)


def test_back_and_forward_walk_the_views(browser, server):
    load(browser, server, "?family=mandelbrot&center_re=-0.5&center_im=0&width=3&itermax=100"
         "&auto=0&coloring=count")
    views = [view(browser)]
    for key in ("+", Keys.ARROW_UP, "+"):
        ActionChains(browser).send_keys(key).perform()
        views.append(idle(browser)["view"])
    for expected in reversed(views[:-1]):
        browser.back()
        assert idle(browser)["view"] == expected
    browser.forward()
    assert idle(browser)["view"] == views[1]
    assert_canvas_is_the_engines(browser)


def test_export_writes_a_png_that_juliaset_from_reproduces(browser, server, downloads, tmp_path):
    load(browser, server, "?family=mandelbrot&center_re=-0.7453&center_im=0.1127&width=0.01"
         "&itermax=500&auto=0&colormap=twilight&coloring=smooth&supersample=2")
    for name, value in (("export-width", "320"), ("export-height", "200")):
        field = browser.find_element(By.ID, name)
        field.clear()
        field.send_keys(value)
    for old in downloads.glob("*"):
        old.unlink()
    browser.find_element(By.ID, "export").click()
    target = downloads / "juliaset-mandelbrot-320x200.png"
    WebDriverWait(browser, WAIT).until(lambda d: target.exists() and target.stat().st_size > 0)
    WebDriverWait(browser, WAIT).until(lambda d: not list(downloads.glob("*.crdownload")))
    recorded = juliaset.read_parameters(target)
    assert recorded["supersample"] == 2 and recorded["coloring"] == "smooth"
    assert recorded["colormap"] == "twilight" and (recorded["width"], recorded["height"]) == (320, 200)
    copy = tmp_path / "copy.png"
    subprocess.run([juliaset_cli(), f"--from={target}", "-o", str(copy)], check=True, timeout=120)
    with Image.open(target) as exported, Image.open(copy) as again:
        assert np.array_equal(np.asarray(exported), np.asarray(again))


def test_stale_renders_are_cancelled_on_the_server(browser, server):
    load(browser, server, "?family=mandelbrot&center_re=-0.5&center_im=0&width=3&itermax=100"
         "&auto=0&coloring=count")
    before = server.stats()["cancelled"]
    # A view that takes seconds, replaced at once by a quick one.
    browser.execute_script("window.juliaset.setView({center: ['-0.2', '0'], width: '0.2',"
                           " itermax: 5000000})")
    WebDriverWait(browser, WAIT).until(lambda d: server.stats()["in_flight"] > 0)
    browser.execute_script("window.juliaset.setView({center: ['-0.5', '0'], width: '3',"
                           " itermax: 100})")
    idle(browser)
    # Both stale renders (its coarse and its exact picture, seconds of work each) stop.
    WebDriverWait(browser, WAIT).until(lambda d: server.stats()["in_flight"] == 0)
    assert server.stats()["cancelled"] >= before + 2


def test_decimal_arithmetic_of_the_page(browser, server):
    load(browser, server, "?family=mandelbrot&width=3&itermax=50&auto=0&coloring=count")
    results = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        import('/static/decimal.js').then((d) => done([
          d.toString(d.add(d.parse('0.1'), d.parse('0.2'))),
          d.toString(d.mul(d.parse('-1.5e-300'), d.parse('2e-300'))),
          d.toString(d.roundSignificant(d.parse('2.718281828459045'), 4)),
          d.toString(d.roundTo(d.parse('-0.125'), -2)),
          d.toString(d.parse('1E+3')),
          d.toString(d.parse('.5')),
          d.ratio(d.parse('3e-400'), d.parse('1.5e-400')),
          d.toString(d.sub(d.parse('-1.99999999999999999999999999999'), d.parse('1e-29'))),
        ]));
    """)
    assert results == ["0.3", "-3e-600", "2.718", "-0.13", "1000", "0.5", 2,
                       "-2"]


def test_on_a_julia_set_a_click_on_the_panel_picks_c(browser, server):
    load(browser, server, "?family=julia&c_re=-0.835&c_im=-0.2321&center_re=0&center_im=0"
         "&width=3.2&itermax=120&auto=0&colormap=viridis&coloring=count")
    panel = browser.find_element(By.ID, "panel")
    WebDriverWait(browser, WAIT).until(
        lambda d: "Mandelbrot set" in d.find_element(By.ID, "panel-label").text)
    # The panel shows the Mandelbrot set 3 wide around -0.5: its centre is c = -0.5.
    ActionChains(browser).move_to_element(panel).click().perform()
    WebDriverWait(browser, WAIT).until(lambda d: view(d)["c"] != ["-0.835", "-0.2321"])
    v = idle(browser)["view"]
    assert v["family"] == "julia"
    assert abs(float(v["c"][0]) + 0.5) < 0.05 and abs(float(v["c"][1])) < 0.05
    assert_canvas_is_the_engines(browser)


def test_a_two_finger_pinch_zooms_at_its_middle(browser, server):
    start = load(browser, server, "?family=mandelbrot&center_re=-0.5&center_im=0&width=3"
                 "&itermax=100&auto=0&coloring=count")["view"]
    # Two touch pointers 100 px apart spread to 200 px around (480, 300): a 2x zoom there.
    browser.execute_script("""
        const canvas = document.getElementById('view');
        const fire = (type, id, x, y) => canvas.dispatchEvent(new PointerEvent(type, {
          pointerId: id, pointerType: 'touch', clientX: x, clientY: y, isPrimary: id === 1,
          bubbles: true, button: 0}));
        fire('pointerdown', 1, 430, 300);
        fire('pointerdown', 2, 530, 300);
        fire('pointermove', 1, 380, 300);
        fire('pointermove', 2, 580, 300);
        fire('pointerup', 1, 380, 300);
        fire('pointerup', 2, 580, 300);
    """)
    v = idle(browser)["view"]
    assert Decimal(v["width"]) == Decimal("1.5")
    before, after = plane(start, 480, 300), plane(v, 480, 300)
    pixel = Decimal(v["width"]) / WIDTH
    assert abs(before[0] - after[0]) < pixel / 100 and abs(before[1] - after[1]) < pixel / 100
    assert_canvas_is_the_engines(browser)


def test_automatic_itermax_rises_with_depth(browser, server):
    v = load(browser, server, "?family=mandelbrot&center_re=-0.7453&center_im=0.1127&width=3"
             "&auto=1&coloring=count")["view"]
    assert v["auto_itermax"] and v["itermax"] == 100
    limits = [v["itermax"]]
    for _ in range(3):
        browser.execute_script("window.juliaset.setView({width: arguments[0]})",
                               str(Decimal(v["width"]) / 100))
        v = idle(browser)["view"]
        limits.append(v["itermax"])
    assert limits == sorted(limits) and limits[-1] > 1000
    assert parse_qs(urlsplit(browser.current_url).query)["itermax"] == [str(limits[-1])]
    assert_canvas_is_the_engines(browser)


# A Mandelbrot location with structure at 1e-30 (as tests/python/test_deep_cli.py).
PEER_RE = "-1.99996619445037030418434688506350579675531241540724851511761922944801584"
PEER_IM = "3.00138243679093832407249730397759e-34"
DEEP_QUERY = (f"?family=mandelbrot&center_re={PEER_RE}&center_im={PEER_IM}&width=1e-30"
              "&itermax=1500&auto=0&colormap=inferno&coloring=count")


def test_a_deep_view_at_1e_30_is_the_engines_picture(browser, server):
    v = load(browser, server, DEEP_QUERY)["view"]
    assert v["center"] == [PEER_RE, PEER_IM] and v["width"] == "1e-30"
    parameters = assert_canvas_is_the_engines(browser)
    assert parameters["view"] == {"center": [PEER_RE, PEER_IM], "width": "1e-30"}
    expected = juliaset.mandelbrot_image(center=(PEER_RE, PEER_IM), width="1e-30",
                                         size=(WIDTH, HEIGHT), itermax=1500, colormap="inferno")
    canvas = canvas_rgb(browser)
    assert np.array_equal(canvas, expected)
    assert len(np.unique(canvas.reshape(-1, 3), axis=0)) > 10  # structure, not one colour


def test_zooming_goes_on_past_doubles_with_exact_centres(browser, server):
    start = load(browser, server, "?family=mandelbrot&center_re=-1.9999661944503703041843"
                 "&center_im=0&width=1e-9&itermax=1000&auto=0&coloring=count")["view"]
    x, y = 600, 200
    for _ in range(6):
        ActionChains(browser).move_to_element_with_offset(canvas_element(browser),
                                                          *offset(x, y)).double_click().perform()
        settled = idle(browser)
    v = settled["view"]
    # 1.5625e-11 wide: pixels of 1.6e-14 at |re| ~ 2, finer than doubles resolve (2**-44 * 2).
    assert Decimal(v["width"]) == Decimal("1e-9") / 64
    assert Decimal(v["width"]) / WIDTH < 2 * Decimal(2.0**-44)
    before, after = plane(start, x, y), plane(v, x, y)
    pixel = Decimal(v["width"]) / WIDTH  # pixel / 100 is below a double's spacing at 2
    assert abs(before[0] - after[0]) < pixel / 100 and abs(before[1] - after[1]) < pixel / 100
    assert "deep-zoom engine" not in browser.find_element(By.ID, "message").text
    assert_canvas_is_the_engines(browser)


def test_export_of_a_deep_view_is_reproduced_by_juliaset_from(browser, server, downloads,
                                                              tmp_path):
    load(browser, server, DEEP_QUERY + "&supersample=2")
    for name, value in (("export-width", "240"), ("export-height", "150")):
        field = browser.find_element(By.ID, name)
        field.clear()
        field.send_keys(value)
    for old in downloads.glob("*"):
        old.unlink()
    browser.find_element(By.ID, "export").click()
    target = downloads / "juliaset-mandelbrot-240x150.png"
    WebDriverWait(browser, WAIT).until(lambda d: target.exists() and target.stat().st_size > 0)
    WebDriverWait(browser, WAIT).until(lambda d: not list(downloads.glob("*.crdownload")))
    recorded = juliaset.read_parameters(target)
    assert recorded["view"] == {"center": [PEER_RE, PEER_IM], "width": "1e-30"}
    assert recorded["supersample"] == 2
    copy = tmp_path / "copy.png"
    subprocess.run([juliaset_cli(), f"--from={target}", "-o", str(copy)], check=True, timeout=120)
    expected = juliaset.mandelbrot_image(center=(PEER_RE, PEER_IM), width="1e-30",
                                         size=(240, 150), itermax=1500, colormap="inferno",
                                         supersample=2)
    with Image.open(target) as exported, Image.open(copy) as again:
        assert np.array_equal(np.asarray(exported), np.asarray(again))
        assert np.array_equal(np.asarray(exported.convert("RGB")), expected)
