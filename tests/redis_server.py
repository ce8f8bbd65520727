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


class RedisServer:
    """A redis-server of one test that can be stopped and started again on the same port, with its data.

    Its data survives a restart as a production frontier's must: the append-only file, fsynced on
    every write (``appendfsync always``), in the test's own directory.
    """

    def __init__(self, workdir):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            pytest.fail("redis-server is not installed (.ci/run installs it: apt-get install redis-server)")
        self.port = _free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        self.started_once = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        for _ in range(5):
            if self._start_once():
                return self
            if self.started_once:  # a restart keeps its port: clients reconnect to the same URL
                break
            self.port = _free_port()  # another xdist worker took the port first
        pytest.fail("redis-server did not start")

    def _start_once(self) -> bool:
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.workdir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):  # not -LOADING: the data is back
                        self.started_once = True
                        return True
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: redis-server finishes its append-only file and exits
            self.proc.wait(10)
        self.proc = None


@pytest.fixture
def redis_server(tmp_path):
    """A restartable redis-server of its own (``RedisServer``), started; stopped after the test."""
    server = RedisServer(tmp_path / "redis-data")
    server.workdir.mkdir()
    server.start()
    yield server
    server.stop()
