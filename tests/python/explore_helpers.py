"""Shared by the explorer's tests: a real `juliaset-explore` process and HTTP helpers."""

from __future__ import annotations

import http.client
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlencode, urlsplit

COMMAND = Path(sys.executable).parent / "juliaset-explore"
CLI = Path(sys.executable).parent / "juliaset"


def command() -> List[str]:
    if COMMAND.exists():
        return [str(COMMAND)]
    found = shutil.which("juliaset-explore")
    return [found] if found else [sys.executable, "-m", "juliaset.explore"]


def juliaset_cli() -> str:
    return str(CLI) if CLI.exists() else (shutil.which("juliaset") or "juliaset")


@dataclass
class Server:
    process: "subprocess.Popen[str]"
    url: str

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 80

    def connection(self, timeout: float = 60) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def get(self, path: str, params: Optional[Dict[str, Any]] = None,
            headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str], bytes]:
        """GET ``path`` (with ``params`` url-encoded): (status, lower-case headers, body)."""
        target = path + ("?" + urlencode(params) if params else "")
        connection = self.connection()
        try:
            connection.request("GET", target, headers=headers or {})
            response = connection.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()

    def json(self, path: str, params: Optional[Dict[str, Any]] = None) -> Tuple[int, Any]:
        status, _, body = self.get(path, params)
        return status, json.loads(body)

    def stats(self) -> Dict[str, int]:
        status, body = self.json("/api/stats")
        assert status == 200
        return dict(body)

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS line")

    def stop(self) -> Tuple[int, str]:
        """Ctrl-C (SIGINT), as a user would: (exit status, standard error)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
            raise AssertionError("juliaset-explore did not stop within 30 s of SIGINT")
        return self.process.returncode, err


def start_server(*arguments: str, timeout: float = 60) -> Server:
    """Starts ``juliaset-explore --port 0 ARGUMENTS`` and reads the URL it prints first."""
    process = subprocess.Popen(
        [*command(), "--port", "0", *arguments],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline().strip()
            if not line.startswith("http://"):
                process.kill()
                raise AssertionError(f"first line is not a URL: {line!r}")
            return Server(process, line)
        if process.poll() is not None:
            raise AssertionError(f"juliaset-explore exited: {process.stderr.read() if process.stderr else ''}")
    process.kill()
    raise AssertionError("juliaset-explore printed no URL")


def view_params(**changes: Any) -> Dict[str, str]:
    """Render parameters of a small Mandelbrot view, with ``changes``."""
    params: Dict[str, Any] = {
        "family": "mandelbrot", "center_re": "-0.5", "center_im": "0", "width": "3",
        "size": "64x40", "itermax": "100",
    }
    params.update(changes)
    return {k: str(v) for k, v in params.items() if v is not None}
