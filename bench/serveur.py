"""The web app under gunicorn on a free loopback port, for the benchmarks over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(*, workers: int, threads: int = 1, settings: str = "bench.settings", repo: Path = REPO,
             env: dict[str, str] | None = None) -> Iterator[int]:
    """Start the web app (`workers` sync workers, or gthread workers of `threads` threads), wait
    until it accepts connections, yield its port; stop it at once (its whole process group) after
    the block. `repo`: the checkout whose web app is served (another worktree, for a before/after
    in the same run: its code, this environment's packages); `env`: more environment variables."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "geoapp.config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--backlog", "2048", "--timeout", "120",
         *(["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []),
         "--env", f"DJANGO_SETTINGS_MODULE={settings}"],
        cwd=repo, env={**os.environ, **(env or {}), "DJANGO_SETTINGS_MODULE": settings},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(150):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGQUIT)
        server.wait(timeout=60)
