"""The explorer's server under abuse: thousands of malformed requests, 200 at once.

Each test runs its own `juliaset-explore` process and afterwards checks that it still answers
and that its resident memory stayed bounded. Only the loopback address is used.
"""

from __future__ import annotations

import json
import random
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from explore_helpers import start_server, view_params

KNOWN = ["family", "power", "c_re", "c_im", "center_re", "center_im", "width", "size",
         "itermin", "itermax", "fields", "session", "channel", "colormap", "coloring",
         "supersample"]
JUNK = ["", "-", "+", ".", "e5", "1e999", "-1e999", "nan", "NaN", "inf", "-inf", "0x10", "1_0",
        "１２", "é", "\u202e", "\x00", "%", "%zz", "1" * 2000, "9" * 30, "-0", "0", "1", "2",
        "17", "64x40", "0x0", "99999x99999", "64x40x3", "64×40", " 64x40", "1e-320", "1e-30",
        "-2.5", "3", "mandelbrot", "julia", "counts", "counts,smooth", "smooth", "viridis",
        "histogram", "../../etc/passwd", "<script>", "'", '"', "{}", "[]", "true", "None",
        "1.5.5", "--1", "1e", "e", ".e1", "4x", "x4", "1x1", "16x9"]
PATHS = ["/api/render", "/api/export", "/api/render", "/api/info", "/api/stats", "/static/",
         "/static/explorer.js", "/api/", "/api/render/", "/API/render", "/%00", "/static/%2e%2e/"]


def junk_value(rng: random.Random) -> str:
    value = rng.choice(JUNK)
    if rng.random() < 0.2:
        value = "".join(chr(rng.randrange(0, 0x3000)) for _ in range(rng.randrange(1, 12)))
    return value


def malformed_target(rng: random.Random) -> str:
    path = rng.choice(PATHS)
    names = rng.sample(KNOWN, rng.randrange(0, len(KNOWN)))
    if rng.random() < 0.3:
        names.append(rng.choice(["x", "colour", "size[]", "__proto__", "", "a" * 300]))
    if rng.random() < 0.1:
        names.append(rng.choice(names) if names else "size")  # a repeat
    # Keep renders that happen to be valid small: a valid size is at most 16 x 9.
    pairs = [(name, junk_value(rng)) for name in names]
    query = "&".join(f"{quote(n, safe='')}={quote(v, safe='')}" for n, v in pairs)
    if rng.random() < 0.05:
        query += "&" + "%" + rng.choice(["", "2", "g0", "ZZ"])  # broken percent-encoding
    return f"{path}?{query}" if query or rng.random() < 0.5 else path


@pytest.fixture()
def server():
    running = start_server()
    yield running
    code, err = running.stop()
    assert code == 0, err


def assert_healthy(server) -> None:
    status, info = server.json("/api/info")
    assert status == 200 and "colormaps" in info
    status, _, body = server.get("/api/render", view_params())
    assert status == 200 and len(body) == 64 * 40 * 2


def test_thousands_of_malformed_requests_get_clean_errors(server):
    rng = random.Random(11)
    assert_healthy(server)
    rss_before = server.rss_kib()
    connection = server.connection()
    statuses: dict[int, int] = {}
    for i in range(2500):
        target = malformed_target(rng)
        try:
            connection.request("GET", target)
            response = connection.getresponse()
            body = response.read()
        except (ConnectionError, OSError):  # the server closed a connection it could not parse
            connection.close()
            connection = server.connection()
            continue
        statuses[response.status] = statuses.get(response.status, 0) + 1
        assert response.status in (200, 400, 404, 405, 409, 429), (target, response.status, body)
        assert response.getheader("content-security-policy"), target
        if response.status == 400 and target.startswith("/api/"):
            error = json.loads(body)
            assert set(error) == {"error", "parameter"}, target
            assert isinstance(error["error"], str) and error["error"], target
            named = error["parameter"]
            if named is not None:
                # The named parameter is one the request sent (or a required one).
                sent = [n for n, _ in parse_qsl(urlsplit(target).query, keep_blank_values=True)]
                assert any(
                    n == named or (named.endswith("...") and n.startswith(named[:-3]))
                    for n in sent
                ) or named in ("size", "view"), (target, error)
        if response.status == 200 and target.startswith("/api/render"):
            assert response.getheader("x-juliaset-render")
    connection.close()
    assert statuses.get(400, 0) > 500, statuses  # many were refused as malformed, with a 400
    assert_healthy(server)
    assert server.rss_kib() - rss_before < 100 * 1024
    assert server.stats()["in_flight"] == 0


RAW_REQUESTS = [
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n",
    b"GET /api/render?" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + b"y" * 100_000 + b"\r\n\r\n",
    b"POST /api/render HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello",
    b"GET /api/render HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"\x00\x01\x02\x03" * 100,
    b"GET /static/../../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
]


def test_malformed_http_is_refused_without_harm(server):
    for raw in RAW_REQUESTS:
        with socket.create_connection((server.host, server.port), timeout=30) as sock:
            try:
                sock.sendall(raw)
                sock.shutdown(socket.SHUT_WR)
                reply = b""
                while chunk := sock.recv(65536):
                    reply += chunk
            except (ConnectionResetError, BrokenPipeError):
                reply = b""
        assert b"root:" not in reply
        if reply:
            status = int(reply.split(b" ", 2)[1])
            assert status in (400, 404, 405, 413, 414, 431, 505), raw[:40]
    assert_healthy(server)


def test_200_concurrent_requests_then_the_server_answers_with_bounded_memory(server):
    assert_healthy(server)
    rss_before = server.rss_kib()
    start = threading.Barrier(200, timeout=60)

    def one(i: int) -> int:
        kind = i % 4
        if kind == 0:
            path, params = "/api/info", None
        elif kind == 1:
            path, params = "/static/explorer.js", None
        else:
            path = "/api/render"
            params = view_params(size="400x250", itermax="2000", center_re="-0.745",
                                 center_im="0.11", width="0.02", fields="counts,smooth",
                                 session=f"load{i}")
        start.wait()
        status, _, body = server.get(path, params)
        if status == 200 and path == "/api/render":
            assert len(body) == 400 * 250 * (8 + 2)
        return status

    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(one, range(200)))
    renders = [s for i, s in enumerate(statuses) if i % 4 >= 2]
    others = [s for i, s in enumerate(statuses) if i % 4 < 2]
    assert set(others) == {200}
    # Renders beyond the cap in flight per client are refused with 429, the rest done.
    assert set(renders) <= {200, 429} and renders.count(200) >= 8
    assert_healthy(server)
    assert server.stats()["in_flight"] == 0
    assert server.rss_kib() - rss_before < 200 * 1024
