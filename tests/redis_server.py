"""A real Redis server on loopback for the test session (Debian's redis-server), one per xdist worker."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(workdir, attempts: int = 5) -> tuple[subprocess.Popen, int]:
    """redis-server on a free loopback port; (process, port).

    Under pytest-xdist every worker starts its own. A free port can be taken by another
    worker between our probe and redis-server's bind: then redis-server exits, and we try
    another port.
    """
    binary = shutil.which("redis-server")
    if not binary:
        pytest.fail("redis-server is not installed (.ci/run installs it: apt-get install redis-server)")
    for _ in range(attempts):
        port = _free_port()
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                 "no", "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    answered = sock.recv(16).startswith(b"+PONG")
            except OSError:
                answered = False
            if answered:
                time.sleep(0.1)
                if proc.poll() is None:  # ours answered, not another worker's server on the port
                    return proc, port
                break
            time.sleep(0.05)
        proc.kill()
        proc.wait()
    pytest.fail("redis-server did not start")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    proc, port = start_redis(tmp_path_factory.mktemp("redis"))
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)
