"""Headless Chromium driven over the DevTools protocol, with nothing but the standard library.

For pages whose content lives in frames a service worker serves (ReplayWeb.page), which
``--dump-dom`` cannot see: ``Browser`` starts Chromium with a debugging port, ``CDP``
speaks the protocol over a small WebSocket client (RFC 6455 text frames, client-masked).
Also a static file server that answers Range requests, as ReplayWeb.page needs for WACZ.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import threading
import time
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

class WebSocket:
    def __init__(self, url: str, timeout: float = 30):
        assert url.startswith("ws://")
        hostport, path = url[5:].split("/", 1)
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("websocket handshake failed")
            head += chunk
        status, self.buf = head.split(b"\r\n\r\n", 1)
        assert b" 101 " in status.split(b"\r\n")[0], status

    def send(self, text: str) -> None:
        data = text.encode()
        header = bytes([0x81])
        n = len(data)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n: int) -> bytes:
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("websocket closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def recv(self) -> str:
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode in (0x1, 0x0, 0x2):
                message += payload
                if b0 & 0x80:
                    return message.decode("utf-8", "replace")
            elif opcode == 0x8:
                raise ConnectionError("websocket closed by peer")
            # ping/pong ignored

class CDP:
    def __init__(self, ws_url: str):
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, session: str | None = None, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)


class Browser:
    """Headless Chromium on a debugging port; ``page()`` is a CDP session on its first tab."""

    def __init__(self, chromium: str, profile: Path):
        shutil.rmtree(profile, ignore_errors=True)
        profile.mkdir(parents=True)
        self.proc = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                      "--disable-extensions", "--disable-background-networking",
                                      "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (active.exists() and active.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not open its debugging port")
            time.sleep(0.05)
        self.port = int(active.read_text().split()[0])

    def page(self) -> "CDP":
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=10))
        return CDP(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def frames(cdp: CDP) -> list[dict]:
    """Every frame of the page, nested ones included."""
    out = []

    def walk(node):
        out.append(node["frame"])
        for child in node.get("childFrames", []):
            walk(child)

    walk(cdp.call("Page.getFrameTree")["frameTree"])
    return out


def frame_contexts(cdp: CDP) -> dict[str, int]:
    """frame id → its main-world execution context (``Runtime.enable`` must have been called)."""
    return {e["params"]["context"]["auxData"].get("frameId"): e["params"]["context"]["id"]
            for e in cdp.events if e.get("method") == "Runtime.executionContextCreated"
            and e["params"]["context"].get("auxData", {}).get("isDefault")}


class _RangeHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        wanted = re.match(r"bytes=(\d+)-(\d*)$", self.headers.get("Range", ""))
        if not wanted or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        start, end = int(wanted[1]), min(int(wanted[2]) if wanted[2] else size - 1, size - 1)
        stream = open(path, "rb")  # noqa: SIM115 - the handler closes it
        stream.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return _Slice(stream, end - start + 1)


class _Slice:
    def __init__(self, stream, length: int):
        self.stream, self.left = stream, length

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        data = self.stream.read(self.left if size < 0 else min(size, self.left))
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.stream.close()


def serve_directory(directory: Path) -> ThreadingHTTPServer:
    """A static server on 127.0.0.1 (a random port) that answers Range requests; ``shutdown()`` it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_RangeHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
