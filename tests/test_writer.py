"""The rotating WARC writer alone: names, .open, warcinfo, rotation, pointers."""

import random
import re
import subprocess
import sys
from pathlib import Path

from newscrawl.archive.reader import iter_records
from newscrawl.archive.records import Exchange
from newscrawl.archive.writer import RotatingWarcWriter

NAME = re.compile(r"^test-\d{17}-(\d{5})-[^-]+-\d+\.warc\.gz$")


def _exchange(i: int, size: int = 3000) -> Exchange:
    return Exchange(url=f"http://site.test/a/{i}?q=1", method="GET", request_headers=[("User-Agent", "t")],
                    request_body=b"", status=200,
                    response_headers=[("Content-Type", "text/html"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
                    payload=random.Random(i).randbytes(size), reason="Fine", ip_address="127.0.0.1")


def test_rotation_names_and_pairs(tmp_path):
    closed = []
    writer = RotatingWarcWriter(tmp_path, "test", 5000, {"software": "t"}, lambda n: f"mem://{n}", closed.append)
    pointers = [writer.write(_exchange(i)) for i in range(6)]
    assert writer.current_path.name.endswith(".warc.gz.open")
    writer.close()
    assert len(closed) >= 3 and not list(tmp_path.glob("*.open"))
    serials = [int(NAME.match(c.path.name).group(1)) for c in closed]
    assert serials == list(range(len(closed)))
    for c in closed:
        types = [r.rec_type for _o, r in iter_records(c.path)]
        assert types[0] == "warcinfo" and types[1:] == ["response", "request"] * ((len(types) - 1) // 2)
        assert subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(c.path)]).returncode == 0
    # pointers name the final file and the response record's offset
    for p in pointers:
        path = tmp_path / p.uri.removeprefix("mem://")
        offsets = {o: r for o, r in iter_records(path)}
        rec = offsets[p.offset]
        assert rec.rec_type == "response" and rec.rec_headers.get_header("WARC-Record-ID") == p.record_id


def test_response_record_keeps_every_header_and_status_line(tmp_path):
    writer = RotatingWarcWriter(tmp_path, "test", 10**9, {}, str, lambda c: None)
    writer.write(_exchange(1))
    writer.close()
    [path] = tmp_path.glob("*.warc.gz")
    rec = next(r for _o, r in iter_records(path) if r.rec_type == "response")
    assert rec.http_headers.get_statuscode() == "200"
    assert rec.http_headers.statusline == "200 Fine"
    assert [v for k, v in rec.http_headers.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert rec.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    req = next(r for _o, r in iter_records(path) if r.rec_type == "request")
    assert req.http_headers.protocol == "GET" and req.http_headers.statusline == "/a/1?q=1 HTTP/1.1"
    assert req.http_headers.get_header("Host") == "site.test"
