"""Reading archives: sources (files, directories, globs, S3), records, revisits, payloads.

A *source* is one WARC or ARC file, local or in S3 (``sources.expand_sources`` turns
paths, directories, globs and ``s3://bucket/prefix`` into sources).
``records.read_archive`` walks one source record by record and yields plain
data: an ``ArchivedResponse`` for each ``response`` or ``revisit`` record and a
``BadRecord`` for anything it could not read, then carries on after it. Nothing
here holds a whole file in memory: files and objects are read as streams, one
record at a time. ``revisits`` finds a revisit's original; ``payloads`` turns an
archived body back into the body the live crawl's spider saw.

The names below are the reader's public API, importable from here.
"""

from __future__ import annotations

from .payloads import BodyTooLarge, DecodingError, dechunk, decode_content, decode_payload
from .records import (
    ArchivedResponse, BadRecord, ReadStats, iter_records, iter_responses, read_archive, read_archive_once,
    read_indexed, read_record_at, warc_datetime,
)
from .revisits import RevisitIndex, resolve_revisit, response_keys, revisit_keys
from .sources import (
    WARC_SUFFIXES, LocalSource, S3Source, Source, SourceError, expand_sources, is_warc_name,
    s3_client_from_settings,
)
