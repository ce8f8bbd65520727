"""The reader on intact files whose records are larger than its read size: nothing reported, every byte read.

zlib's output limit can be reached in the same call that ends a gzip member; the bytes left
over must then be counted once (a double count read the next member from the wrong place and
reported intact real-page WARCs as damaged).
"""

from __future__ import annotations

import io
import random

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl.archive.reader import BadRecord, LocalSource, read_archive
from newscrawl.archive.reader.records import _READ_SIZE


def _payloads(kind: str) -> list[bytes]:
    rnd = random.Random(kind)
    words = [bytes(rnd.choices(b"abcdefghijklmnopqrstuvwxyz", k=rnd.randint(2, 9))) for _ in range(3000)]
    sizes = [_READ_SIZE - 1, _READ_SIZE, _READ_SIZE + 1, 3 * _READ_SIZE + 17, 5000, 200_000, 2 * _READ_SIZE]
    out = []
    for size in sizes:
        if kind == "text":  # compresses ~3x: a member's output outgrows the read size many times over
            body = b" ".join(rnd.choices(words, k=size // 5 + 1))[:size]
        else:  # does not compress: input and output sizes close
            body = rnd.randbytes(size)
        out.append(body)
    return out


@pytest.mark.parametrize("kind", ["text", "random"])
def test_large_records_read_whole(tmp_path, kind):
    payloads = _payloads(kind)
    path = tmp_path / f"{kind}.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.1")
        for i, payload in enumerate(payloads * 2):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"http://example.test/{kind}/{i}", "response",
                                                          payload=io.BytesIO(payload), length=len(payload),
                                                          http_headers=http))
    items = list(read_archive(LocalSource(path), max_payload=1 << 30))
    assert not [item for item in items if isinstance(item, BadRecord)]
    assert [item.payload for item in items] == payloads * 2
