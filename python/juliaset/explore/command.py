"""``juliaset-explore``: start the explorer's server and print its URL as the first line."""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys
import webbrowser
from typing import List, Optional, Sequence

LOOPBACK_NAMES = ("localhost",)


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="juliaset-explore",
        description=(
            "Explore the Mandelbrot set and Julia sets in the browser: starts a local web "
            "server and prints its URL as the first line (Ctrl-C stops it)."
        ),
        epilog=(
            "examples: juliaset-explore --port 8000 --open; "
            "juliaset-explore --store m.zarr --open (a store written by juliaset-dask or "
            "juliaset.zarr_store: its pyramid at /store, with a link that continues live)"
        ),
    )
    parser.add_argument(
        "--port", type=int, default=0,
        help="TCP port to listen on; 0 (the default) picks a free one",
    )
    parser.add_argument(
        "--host", default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; any other address "
        "makes the explorer reachable from the network)",
    )
    parser.add_argument("--open", action="store_true", help="open the page in the default browser")
    parser.add_argument(
        "--render-workers", type=int, default=2, metavar="N",
        help="renders run at once (each uses every core; default 2)",
    )
    parser.add_argument(
        "--store", metavar="PATH",
        help="a Zarr store written by juliaset-dask or juliaset.zarr_store (a folder, or a URL "
        "zarr opens): serve its tile pyramid at /store, whose URL is then the first line "
        "(needs the dask extra: pip install 'juliaset[dask]')",
    )
    return parser


def _allowed_hosts(host: str, port: int) -> List[str]:
    if host in ("0.0.0.0", "::", ""):
        return ["*"]  # every interface: any name may reach it
    names = {host, f"[{host}]", "127.0.0.1", "localhost", "[::1]"}
    return sorted(names)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP,
    # and without it every keep-alive response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be between 0 and 65535, got {args.port}")
    if not 1 <= args.render_workers <= 64:
        parser.error(f"--render-workers must be between 1 and 64, got {args.render_workers}")
    try:
        import uvicorn

        from .server import Limits, create_app
    except ImportError as error:  # pragma: no cover - only in a broken install
        print(f"juliaset-explore: {error}; reinstall juliaset (pip install juliaset)",
              file=sys.stderr)
        return 1
    store = None
    if args.store is not None:
        from .store import open_store

        try:
            store = open_store(args.store)
        except ValueError as error:
            print(f"juliaset-explore: --store {args.store}: {error}", file=sys.stderr)
            return 2
    try:
        sock = _bind(args.host, args.port)
    except (OSError, OverflowError) as error:
        print(f"juliaset-explore: cannot listen on --host {args.host} --port {args.port}: "
              f"{error}", file=sys.stderr)
        return 2
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    url = f"http://{shown}:{bound_port}/" + ("store" if store is not None else "")
    try:  # from here on Ctrl-C, whenever it comes, stops cleanly
        print(url, flush=True)
        if not _is_loopback(args.host):
            print(
                f"juliaset-explore: warning: --host {args.host} makes the explorer reachable from "
                "the network; anyone who can reach this address can use this machine's cores",
                file=sys.stderr, flush=True,
            )
        app = create_app(Limits(render_workers=args.render_workers),
                         allowed_hosts=_allowed_hosts(args.host, bound_port), store=store)
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, limit_concurrency=256,
            timeout_graceful_shutdown=2, lifespan="on",
        )
        server = uvicorn.Server(config)
        if args.open:
            webbrowser.open(url)
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl-C before uvicorn took over the signal, or a second one
        pass
    finally:
        sock.close()
    print("juliaset-explore: stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
