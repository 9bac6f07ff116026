"""The explorer's web server: Starlette routes over the native engine, served by uvicorn.

Routes:

- ``/`` the page, ``/static/...`` its script and style (only files of the package's ``static``
  folder; Starlette's ``StaticFiles`` refuses paths that leave it);
- ``/api/info`` colormap tables, limits and defaults;
- ``/api/render`` the fields of a view (escape counts, and smooth counts for smooth colouring)
  as little-endian binary arrays, which the page colours itself, so a colormap or colouring
  change needs no new render. The ``X-Juliaset-Render`` header describes the arrays and carries
  the view's parameter record;
- ``/api/export`` a PNG of a view at any size and supersampling, with the record that
  ``juliaset --from`` reproduces;
- ``/api/stats`` counters (renders started, cancelled, rejected), for tests and curiosity;
- with ``--store``: ``/store`` the store page (``static/store.html``), ``/api/store`` the
  store's description and ``/api/store/tile/{level}/{row}/{col}.png`` its tiles (``store.py``).

Renders run in a small thread pool (the engine releases the GIL and uses every core itself).
A render request names a ``session`` and a ``channel`` (the page's main view, its Julia panel);
a newer request on the same channel cancels the older one, and so does a client that closes
its connection. Caps: pixels and iterations per request (``views``), renders in flight per client
address and in total, connections (uvicorn's ``limit_concurrency``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Tuple, TypeVar, cast

import numpy as np
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import _core
from .._colormaps import BUILTIN_COLORMAPS
from .._modern import image_parameters, julia, mandelbrot, render_parameters
from .._metadata import save_png
from .._types import Coloring, Family
from . import views
from .store import TILE_ROUTE, StoredPyramid
from .views import BadParameter, ExportRequest, RenderRequest, View

STATIC = Path(str(resources.files("juliaset.explore") / "static"))

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

T = TypeVar("T")


class Cancelled(Exception):
    """A render that a newer request (or a closed connection) made stale."""


class SecurityHeaders:
    """ASGI middleware adding the Content-Security-Policy and friends to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass
class Limits:
    """Concurrency caps of one server."""

    render_workers: int = 2  # native renders at once (each already uses every core)
    per_client: int = 8  # render and export requests in flight per client address
    total: int = 64  # in flight over all clients


@dataclass
class Scheduler:
    """Runs renders in a thread pool, one live render per (session, channel)."""

    limits: Limits
    executor: concurrent.futures.ThreadPoolExecutor = field(init=False)
    lock: threading.Lock = field(default_factory=threading.Lock)
    channels: Dict[Tuple[str, str], Any] = field(default_factory=dict)
    per_client: Dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    counters: Dict[str, int] = field(
        default_factory=lambda: {
            "renders": 0, "exports": 0, "cancelled": 0, "rejected": 0, "bad_requests": 0,
        }
    )

    def __post_init__(self) -> None:
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.limits.render_workers, thread_name_prefix="juliaset-render"
        )

    def count(self, name: str) -> None:
        with self.lock:
            if name in self.counters or len(self.counters) < 1000:  # bounded: names come from clients
                self.counters[name] = self.counters.get(name, 0) + 1

    @contextlib.contextmanager
    def admitted(self, client: str, key: Tuple[str, str]) -> Iterator[None]:
        """A slot for one request of ``client``, or a 429 error when it has too many.

        A request that replaces a live render on its channel (``key``) is admitted anyway:
        it cancels that render, so it frees as much as it takes.
        """
        with self.lock:
            held = self.per_client.get(client, 0)
            replaces = key in self.channels
            if not replaces and (
                held >= self.limits.per_client or self.in_flight >= self.limits.total
            ):
                self.counters["rejected"] += 1
                raise TooBusy(
                    f"too many renders in flight ({held} from this client, at most "
                    f"{self.limits.per_client}; {self.in_flight} in all, at most "
                    f"{self.limits.total})"
                )
            self.per_client[client] = held + 1
            self.in_flight += 1
        try:
            yield
        finally:
            with self.lock:
                self.in_flight -= 1
                if self.per_client[client] <= 1:
                    del self.per_client[client]
                else:
                    self.per_client[client] -= 1

    def supersede(self, key: Tuple[str, str], token: Any) -> None:
        """Make ``token`` the live render of ``key``, cancelling the one it replaces."""
        with self.lock:
            previous = self.channels.get(key)
            self.channels[key] = token
        if previous is not None:
            previous.cancel()

    def release(self, key: Tuple[str, str], token: Any) -> None:
        with self.lock:
            if self.channels.get(key) is token:
                del self.channels[key]

    def cancel_all(self) -> None:
        with self.lock:
            tokens = list(self.channels.values())
            self.channels.clear()
        for token in tokens:
            token.cancel()

    async def run(self, request: Request, token: Any, job: Callable[[], T]) -> T:
        """``job()`` in the pool under ``token``; cancels it if the client disconnects."""

        def guarded() -> T:
            if token.cancelled:
                raise Cancelled()
            try:
                with token:
                    return job()
            except RuntimeError as error:
                if token.cancelled:
                    raise Cancelled() from error
                raise

        future = asyncio.get_running_loop().run_in_executor(self.executor, guarded)
        while True:
            done, _ = await asyncio.wait({future}, timeout=0.05)
            if done:
                break
            if await request.is_disconnected():
                token.cancel()
        try:
            return future.result()
        except Cancelled:
            self.count("cancelled")
            raise


class TooBusy(Exception):
    pass


def _fields_job(view: View, fields: Tuple[str, ...]) -> Tuple[bytes, Dict[str, Any]]:
    """Render ``fields`` of ``view``; the arrays as one little-endian buffer and its layout."""
    common: Dict[str, Any] = dict(
        center=view.center,
        width=view.width,
        size=view.size,
        itermax=view.itermax,
        power=view.power,
        fields=fields,
    )
    if view.family == "julia":
        arrays = julia(view.c, **common)
    else:
        arrays = mandelbrot(**common)
    assert isinstance(arrays, dict)
    parts: List[bytes] = []
    layout: List[Dict[str, Any]] = []
    offset = 0
    # float64 first, so that every array starts at a multiple of its item size.
    for name in sorted(fields, key=lambda n: n != "smooth"):
        array = arrays[name]
        if name == "counts":
            array = array.astype("<u2" if view.itermax <= 0xFFFF else "<u4", copy=False)
        else:
            array = array.astype("<f8", copy=False)
        data = array.tobytes()
        layout.append({"name": name, "dtype": array.dtype.name, "offset": offset,
                       "length": int(array.size)})
        parts.append(data)
        offset += len(data)
    return b"".join(parts), {"fields": layout}


def _record(view: View, colormap: str = "gray", coloring: str = "count",
            supersample: int = 1) -> Dict[str, Any]:
    # The names were checked against the same lists (views.parse_view / parse_export).
    return image_parameters(
        cast(Family, view.family),
        c=view.c if view.family == "julia" else None,
        center=view.center,
        width=view.width,
        size=view.size,
        itermin=view.itermin,
        itermax=view.itermax,
        power=view.power,
        colormap=cast(Any, colormap),
        coloring=cast(Coloring, coloring),
        supersample=supersample,
    )


def _export_job(request: ExportRequest, record: Dict[str, Any]) -> bytes:
    image = render_parameters(record)
    with tempfile.TemporaryDirectory(prefix="juliaset-explore-") as folder:
        path = os.path.join(folder, "export.png")
        save_png(path, image, record)
        return Path(path).read_bytes()


def colormap_tables() -> Dict[str, Optional[List[int]]]:
    """Each built-in colormap's 256 colours as the renderer quantises them (8-bit RGB, flat).

    A colour channel c in [0, 1] becomes the byte ``floor(c * 255)`` (the renderer's rule for
    one sample per pixel); the gray colormap has no table (a value t becomes ``floor(t * 255)``).
    """
    tables: Dict[str, Optional[List[int]]] = {}
    for name in BUILTIN_COLORMAPS:
        if name == "gray":
            tables[name] = None
            continue
        colours = np.asarray(_core.colormap_table(name), dtype=np.float64)
        quantised = np.clip(colours * 255.0, 0.0, 255.0).astype(np.uint8)
        tables[name] = [int(v) for v in quantised.reshape(-1)]
    return tables


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _error(status: int, message: str, parameter: Optional[str] = None) -> JSONResponse:
    return JSONResponse(
        {"error": message, "parameter": parameter}, status_code=status,
        headers={"cache-control": "no-store"},
    )


def _query_items(request: Request) -> List[Tuple[str, str]]:
    if len(request.url.query) > views.MAX_QUERY_LENGTH:
        raise BadParameter(None, f"the query is longer than {views.MAX_QUERY_LENGTH} characters")
    return list(request.query_params.multi_items())


def create_app(limits: Optional[Limits] = None, allowed_hosts: Optional[List[str]] = None,
               store: Optional[StoredPyramid] = None) -> Starlette:
    """The explorer's ASGI application (``allowed_hosts``: Host headers it answers; ``store``:
    the opened store that ``/store`` shows, if any)."""
    scheduler = Scheduler(limits or Limits())
    tables = colormap_tables()

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"cache-control": "no-cache"})

    info_body = json.dumps(
        {
            "version": _core.version,
            "colormaps": list(BUILTIN_COLORMAPS),
            "tables": tables,
            "caps": views.caps(),
            "deep_zoom": views.DEEP_ZOOM,
            "store": store is not None,
        },
        separators=(",", ":"),
    ).encode()

    async def info(request: Request) -> Response:
        return Response(info_body, media_type="application/json")

    async def stats(request: Request) -> Response:
        with scheduler.lock:
            counters = dict(scheduler.counters)
            counters["in_flight"] = scheduler.in_flight
        return JSONResponse(counters, headers={"cache-control": "no-store"})

    async def guarded(request: Request, handler: Callable[[], Awaitable[Response]]) -> Response:
        try:
            return await handler()
        except BadParameter as error:
            scheduler.count("bad_requests")
            return _error(400, error.message, error.parameter)
        except TooBusy as error:
            return _error(429, str(error))
        except Cancelled:
            return _error(409, "cancelled: a newer request replaced this one")
        except ValueError as error:  # the library's own validation, one line naming its input
            scheduler.count("bad_requests")
            return _error(400, str(error), "view")
        except MemoryError as error:
            return _error(503, f"not enough memory for this render: {error}")

    async def render(request: Request) -> Response:
        async def handler() -> Response:
            parsed: RenderRequest = views.parse_render(_query_items(request))
            key = (parsed.session, parsed.channel)
            with scheduler.admitted(_client(request), key):
                token = _core.CancelToken()
                scheduler.supersede(key, token)
                scheduler.count("renders")
                scheduler.count(f"renders_{parsed.channel}")
                started = time.perf_counter()
                try:
                    body, layout = await scheduler.run(
                        request, token, lambda: _fields_job(parsed.view, parsed.fields)
                    )
                finally:
                    scheduler.release(key, token)
            layout["seconds"] = time.perf_counter() - started
            layout["size"] = list(parsed.view.size)
            layout["parameters"] = _record(parsed.view)
            return Response(
                body,
                media_type="application/octet-stream",
                headers={
                    "x-juliaset-render": json.dumps(layout, separators=(",", ":")),
                    "cache-control": "no-store",
                },
            )

        return await guarded(request, handler)

    async def export(request: Request) -> Response:
        async def handler() -> Response:
            parsed = views.parse_export(_query_items(request))
            record = _record(parsed.view, parsed.colormap, parsed.coloring, parsed.supersample)
            key = (parsed.session, "export")
            with scheduler.admitted(_client(request), key):
                token = _core.CancelToken()
                scheduler.supersede(key, token)
                scheduler.count("exports")
                try:
                    png = await scheduler.run(
                        request, token, lambda: _export_job(parsed, record)
                    )
                finally:
                    scheduler.release(key, token)
            view = parsed.view
            name = f"juliaset-{view.family}-{view.size[0]}x{view.size[1]}.png"
            return Response(
                png,
                media_type="image/png",
                headers={
                    "content-disposition": f'attachment; filename="{name}"',
                    "cache-control": "no-store",
                },
            )

        return await guarded(request, handler)

    no_store = "this explorer was started without --store: juliaset-explore --store PATH"
    store_body = json.dumps(store.describe(), separators=(",", ":")).encode() if store else b""

    async def store_page(request: Request) -> Response:
        if store is None:
            return _error(404, no_store)
        return FileResponse(STATIC / "store.html", headers={"cache-control": "no-cache"})

    async def store_info(request: Request) -> Response:
        if store is None:
            return _error(404, no_store)
        return Response(store_body, media_type="application/json",
                        headers={"cache-control": "no-cache"})

    async def store_tile(request: Request) -> Response:
        async def handler() -> Response:
            if store is None:
                return _error(404, no_store)
            params = request.path_params
            level, row, col, colormap = store.parse_tile(
                params["level"], params["row"], params["col"], _query_items(request)
            )
            # Tiles are revalidated (no-cache) against an ETag naming the store's content, so a
            # browser never shows the tiles of another store served on the same port before.
            etag = store.etag(level, row, col, colormap)
            headers = {"etag": etag, "cache-control": "no-cache"}
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers=headers)
            scheduler.count("tiles")
            png = await run_in_threadpool(store.tile_png, level, row, col, colormap)
            return Response(png, media_type="image/png", headers=headers)

        return await guarded(request, handler)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
        return _error(status, str(detail))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        yield
        scheduler.cancel_all()
        scheduler.executor.shutdown(wait=True, cancel_futures=True)

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/api/info", info),
            Route("/api/render", render),
            Route("/api/export", export),
            Route("/api/stats", stats),
            Route("/store", store_page),
            Route("/api/store", store_info),
            Route(TILE_ROUTE, store_tile),
            Mount("/static", StaticFiles(directory=STATIC, follow_symlink=False), name="static"),
        ],
        exception_handlers={HTTPException: not_found},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False  # one spelling per route: /api/render/ is a 404
    app.state.scheduler = scheduler
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or ["*"])
    app.add_middleware(SecurityHeaders)
    return app
