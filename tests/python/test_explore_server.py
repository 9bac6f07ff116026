"""The explorer's server over HTTP: a real `juliaset-explore` process, real requests."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import juliaset
from explore_helpers import Server, juliaset_cli, start_server, view_params


@pytest.fixture(scope="module")
def server():
    running = start_server()
    yield running
    status, err = running.stop()
    assert status == 0, err


def decode_fields(headers, body):
    layout = json.loads(headers["x-juliaset-render"])
    arrays = {}
    for field in layout["fields"]:
        dtype = np.dtype(field["dtype"]).newbyteorder("<")
        arrays[field["name"]] = np.frombuffer(
            body, dtype=dtype, count=field["length"], offset=field["offset"]
        )
    return layout, arrays


# --- the command ---------------------------------------------------------------------------


def test_the_first_line_is_the_url_and_ctrl_c_stops_it_cleanly():
    running = start_server()
    assert running.url.startswith("http://127.0.0.1:") and running.url.endswith("/")
    assert running.port > 0
    status, _, body = running.get("/")
    assert status == 200 and b"<canvas" in body
    code, err = running.stop()
    assert code == 0
    assert "Traceback" not in err and "stopped" in err


def test_a_host_other_than_loopback_warns_that_the_network_reaches_it():
    running = start_server("--host", "0.0.0.0")
    try:
        status, _, _ = Server(running.process, f"http://127.0.0.1:{running.port}/").get("/")
        assert status == 200
    finally:
        code, err = running.stop()
    assert code == 0
    assert "warning" in err and "reachable from the network" in err and "--host 0.0.0.0" in err


def test_loopback_hosts_print_no_warning():
    running = start_server("--host", "127.0.0.1")
    code, err = running.stop()
    assert code == 0 and "warning" not in err


@pytest.mark.parametrize(
    "arguments, message",
    [(["--port", "70000"], "--port"), (["--port", "x"], "--port"),
     (["--render-workers", "0"], "--render-workers")],
)
def test_bad_flags_exit_2_naming_the_flag(arguments, message):
    from explore_helpers import command

    result = subprocess.run([*command(), *arguments], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr and result.stdout == ""


# --- renders -------------------------------------------------------------------------------


def test_render_sends_the_engines_counts_and_smooth_counts_exactly(server):
    status, headers, body = server.get(
        "/api/render",
        view_params(family="julia", c_re="-0.8", c_im="0.156", center_re="0.1",
                    center_im="-0.05", width="2.5", size="96x60", itermax="300",
                    fields="counts,smooth"),
    )
    assert status == 200 and headers["content-type"] == "application/octet-stream"
    layout, arrays = decode_fields(headers, body)
    expected = juliaset.julia(-0.8 + 0.156j, center=0.1 - 0.05j, width=2.5, size=(96, 60),
                              itermax=300, fields=("counts", "smooth"))
    assert np.array_equal(arrays["counts"].reshape(60, 96), expected["counts"])
    assert np.array_equal(arrays["smooth"].reshape(60, 96), expected["smooth"])
    assert layout["size"] == [96, 60]
    # The record is the image's, as juliaset.image_parameters makes it of the view's strings.
    assert layout["parameters"] == juliaset.image_parameters(
        "julia", c=("-0.8", "0.156"), center=("0.1", "-0.05"), width="2.5", size=(96, 60),
        itermax=300, colormap="gray",
    )
    assert layout["parameters"]["view"] == {"center": ["0.1", "-0.05"], "width": "2.5"}


def test_counts_above_65535_come_as_uint32(server):
    status, headers, body = server.get(
        "/api/render", view_params(itermax="70000", size="16x10", width="0.01")
    )
    assert status == 200
    layout, arrays = decode_fields(headers, body)
    assert layout["fields"][0]["dtype"] == "uint32"
    expected = juliaset.mandelbrot(center=-0.5, width=0.01, size=(16, 10), itermax=70000)
    assert np.array_equal(arrays["counts"].reshape(10, 16), expected)


def test_export_is_a_png_that_juliaset_from_reproduces(server, tmp_path):
    status, headers, body = server.get(
        "/api/export",
        view_params(family="julia", size="90x50", itermax="200", colormap="magma",
                    coloring="histogram", supersample="2", width="3.2", center_re="0"),
    )
    assert status == 200 and headers["content-type"] == "image/png"
    assert 'filename="juliaset-julia-90x50.png"' in headers["content-disposition"]
    exported = tmp_path / "export.png"
    exported.write_bytes(body)
    record = juliaset.read_parameters(exported)
    assert record["supersample"] == 2 and record["coloring"] == "histogram"
    copy = tmp_path / "copy.png"
    subprocess.run([juliaset_cli(), f"--from={exported}", "-o", str(copy)], check=True,
                   timeout=120)
    with Image.open(exported) as a, Image.open(copy) as b:
        assert a.size == (90, 50)
        assert np.array_equal(np.asarray(a), np.asarray(b))


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, parameter",
    [
        ({"family": "burningship"}, "family"),
        ({"power": "1"}, "power"),
        ({"power": "17"}, "power"),
        ({"power": "two"}, "power"),
        ({"itermax": "0"}, "itermax"),
        ({"itermax": "10000001"}, "itermax"),
        ({"itermax": "-5"}, "itermax"),
        ({"itermin": "100"}, "itermin"),
        ({"size": "64"}, "size"),
        ({"size": "0x10"}, "size"),
        ({"size": "4000x4000"}, "size"),
        ({"size": None}, "size"),
        ({"width": "0"}, "width"),
        ({"width": "-1"}, "width"),
        ({"width": "nan"}, "width"),
        ({"width": "1e-30000", "center_re": "-1.5"}, "width"),
        ({"center_im": "-1e-30000"}, "center_im"),
        ({"center_re": "1e400"}, "center_re"),
        ({"center_im": "0x10"}, "center_im"),
        ({"center_re": "1" * 1300}, "center_re"),
        ({"c_re": "0.3"}, "c_re"),
        ({"family": "julia", "c_im": "i"}, "c_im"),
        ({"fields": "distance"}, "fields"),
        ({"session": "../../etc"}, "session"),
        ({"channel": ""}, "channel"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_render_parameters_get_400_naming_them(server, changes, parameter):
    status, headers, body = server.get("/api/render", view_params(**changes))
    assert status == 400
    assert headers["content-type"] == "application/json"
    error = json.loads(body)
    assert error["parameter"] == parameter
    assert parameter in error["error"]


@pytest.mark.parametrize(
    "changes, parameter",
    [
        ({"colormap": "jet"}, "colormap"),
        ({"coloring": "rainbow"}, "coloring"),
        ({"supersample": "17"}, "supersample"),
        ({"size": "8000x8000"}, "size"),
        ({"size": "7000x4000", "supersample": "4"}, "supersample"),
        ({"fields": "counts"}, "fields"),
    ],
)
def test_bad_export_parameters_get_400_naming_them(server, changes, parameter):
    status, error = server.json("/api/export", view_params(**changes))
    assert status == 400 and error["parameter"] == parameter


def test_a_repeated_parameter_is_refused(server):
    status, _, body = server.get("/api/render?size=8x8&size=9x9")
    assert status == 400 and json.loads(body)["parameter"] == "size"


# --- static files and headers --------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/static/../server.py",
        "/static/%2e%2e/server.py",
        "/static/..%2fserver.py",
        "/static/%2e%2e%2f%2e%2e%2f_modern.py",
        "/static/....//server.py",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/../../../../../../etc/passwd",
        "/static/.%00./server.py",
        "/../../etc/passwd",
        "/static/index.html/../../views.py",
    ],
)
def test_no_path_leaves_the_static_folder(server, target):
    connection = server.connection()
    connection.putrequest("GET", target, skip_accept_encoding=True)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status in (400, 404)
    assert b"import" not in body and b"root:" not in body


def test_static_files_are_served_with_the_content_security_policy(server):
    for path in ("/", "/static/explorer.js", "/static/explorer.css", "/api/info",
                 "/api/render?size=bad", "/nothing-here"):
        status, headers, _ = server.get(path)
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp, path
        assert "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"


def test_the_page_loads_nothing_from_elsewhere(server):
    static = Path(juliaset.__file__).parent / "explore" / "static"
    for path in static.iterdir():
        text = path.read_text()
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, path
    _, _, page = server.get("/")
    assert b"<script type=\"module\" src=\"/static/explorer.js\">" in page


def test_a_foreign_host_header_is_refused(server):
    status, _, _ = server.get("/api/info", headers={"Host": "evil.example"})
    assert status == 400


def test_info_has_the_renderers_colour_tables(server):
    status, info = server.json("/api/info")
    assert status == 200
    assert info["colormaps"] == list(juliaset.BUILTIN_COLORMAPS)
    assert info["tables"]["gray"] is None
    # The table reproduces the renderer's colours for count colouring.
    table = np.array(info["tables"]["inferno_r"], dtype=np.uint8).reshape(256, 3)
    counts = juliaset.mandelbrot(size=(80, 50), itermax=255)
    image = juliaset.mandelbrot_image(size=(80, 50), itermax=255, colormap="inferno_r")
    assert np.array_equal(image, table[np.minimum(counts * 256 // 255, 255)])


# --- cancellation and caps -----------------------------------------------------------------

SLOW = view_params(center_re="-0.2", width="0.3", size="1200x1200", itermax="2000000")


def test_a_newer_request_on_the_same_channel_cancels_the_older_render(server):
    before = server.stats()
    outcome = {}

    def slow() -> None:
        outcome["status"], outcome["body"] = server.json(
            "/api/render", {**SLOW, "session": "t1", "channel": "main"}
        )

    worker = threading.Thread(target=slow)
    worker.start()
    deadline = time.monotonic() + 30
    while server.stats()["renders"] == before["renders"] and time.monotonic() < deadline:
        time.sleep(0.01)
    status, _, _ = server.get("/api/render", view_params(session="t1", channel="main"))
    assert status == 200
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert outcome["status"] == 409 and "cancelled" in outcome["body"]["error"]
    assert server.stats()["cancelled"] == before["cancelled"] + 1


def test_closing_the_connection_cancels_the_render(server):
    before = server.stats()
    with socket.create_connection((server.host, server.port)) as raw:
        query = "&".join(f"{k}={v}" for k, v in {**SLOW, "session": "t2"}.items())
        raw.sendall(f"GET /api/render?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        deadline = time.monotonic() + 30
        while server.stats()["renders"] == before["renders"] and time.monotonic() < deadline:
            time.sleep(0.01)
    deadline = time.monotonic() + 60
    while server.stats()["cancelled"] == before["cancelled"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.stats()["cancelled"] == before["cancelled"] + 1
    assert server.stats()["in_flight"] == 0


def test_renders_in_flight_per_client_are_capped(server):
    statuses = []

    def slow(i: int) -> None:
        statuses.append(server.get("/api/render", {**SLOW, "session": f"cap{i}"})[0])

    workers = [threading.Thread(target=slow, args=(i,)) for i in range(8)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 30
    while server.stats()["in_flight"] < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    status, error = server.json("/api/render", view_params(session="cap-extra"))
    assert status == 429 and "too many renders" in error["error"]
    # A request that replaces a live render on its channel is admitted at the cap: it cancels
    # that render. Replace all eight at once (each replacement is queued behind the others).
    replaced = []
    replacements = [
        threading.Thread(target=lambda i=i: replaced.append(
            server.get("/api/render", view_params(session=f"cap{i}", size="4x4"))[0]))
        for i in range(8)
    ]
    for worker in replacements:
        worker.start()
    for worker in workers + replacements:
        worker.join(timeout=60)
    assert statuses == [409] * 8
    assert replaced == [200] * 8


def test_open_starts_the_default_browser_on_the_url(tmp_path, monkeypatch):
    opened = tmp_path / "opened.txt"
    # webbrowser runs $BROWSER with %s replaced by the URL.
    monkeypatch.setenv("BROWSER", f"/bin/sh -c 'echo \"$0\" > {opened}' %s")
    running = start_server("--open")
    try:
        deadline = time.monotonic() + 30
        while not (opened.exists() and opened.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert opened.read_text().strip() == running.url
    finally:
        running.stop()
