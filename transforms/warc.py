"""WARC archives (crawlers' and CommonCrawl News' output) read record by record, with FastWARC.

Each HTML `response` record is a web page: its URL is the WARC-Target-URI, its crawl date
the WARC-Date, its charset the HTTP header's. Other records (requests, warcinfo, images,
robots.txt) are skipped with their reason. A record is known by its number in the file
(`file.warc.gz#3`), which is the same on every read of an unchanged file.

FastWARC raises on corrupt gzip data and bad record headers (warcio prints to stderr and
returns damaged payloads), but neither notices a file cut inside a record: the record's
length is checked against its Content-Length, and its block digest when it has one. An
unreadable record is rejected with the reason; in an archive written one gzip member per
record, as crawlers write them, reading goes on at the next member that holds a record, and
elsewhere (an uncompressed archive, one compressed whole, a record cut short by the file's
end) it stops there, the records before it loaded. A record whose block does not match its digest, whose
payload cannot be decoded, or that is too large for a page is rejected on its own, and the
records after it are read: its length was right, so the next record starts where it says.
A payload stored still chunked as it was sent (wget, Heritrix and warcprox keep it so) is
de-chunked; one stored de-chunked under its original header (as Common Crawl stores it) is not.
"""

from __future__ import annotations

import mmap
import os
import re
from datetime import timezone
from pathlib import Path
from typing import Iterator

from fastwarc.warc import ArchiveIterator, WarcRecordType

from wirehouse.transforms.records import Page, Rejection, Skipped, content_hash_of

# A record larger than this is not a news page (the same cap as a page's, decoding.py).
MAX_RECORD_BYTES = 20_000_000
HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNKED = re.compile(rb"^transfer-encoding:[^\r\n]*\bchunked\b", re.IGNORECASE | re.MULTILINE)
_CHUNK_SIZE = re.compile(rb"[0-9a-fA-F]+[ \t]*(?:;[^\r\n]*)?\r\n")
_GZIP_MEMBER = b"\x1f\x8b\x08"  # magic number and deflate: how every gzip member opens
_MEMBER_TRIES = 100  # candidate member starts tried after damage before the rest is given up


def read_warc(path: Path) -> Iterator[Page | Skipped | Rejection]:
    """Every record of the archive as a Page, a Skipped record, or a Rejection; the file
    itself is rejected when it holds no HTML page at all."""
    shown = str(path)
    pages = number = 0
    with open(path, "rb") as stream:
        records = iter(ArchiveIterator(stream, parse_http=False))
        last_start = None  # where the last record read starts in the file
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except Exception as error:  # corrupt gzip data, a broken record header
                number += 1
                resume = _next_member(path, last_start)
                if resume is None:
                    yield _damaged(shown, number, f"record {number} cannot be read ({error})")
                    return
                yield Rejection(shown, number, "damaged_record", f"record {number} cannot be read ({error}); the "
                                "records after it were read from the next gzip member on")
                stream.seek(resume)
                records = iter(ArchiveIterator(stream, parse_http=False))
                last_start = resume - 1  # the next damaged member is searched for past it
                continue
            last_start = record.stream_pos
            number += 1
            item = _read_record(shown, number, record)
            if isinstance(item, Rejection) and item.reason == "truncated_record":
                yield item  # the file ends inside it, or where it ends is unknown
                return
            pages += isinstance(item, Page)
            yield item
    if not pages:
        yield Rejection(shown, None, "no_html_records",
                        f"the archive holds {number} record(s) and no HTML page; nothing to load")


def _next_member(path: Path, last_start: int | None) -> int | None:
    """Where the gzip member after the damaged one starts, when the archive is written one
    gzip member per record (as crawlers write it) and such a member follows: the records
    there can still be read. None for an uncompressed archive, one compressed as a whole, or
    damage in its last member. The damaged member is the first after the last record read;
    a member is taken only when a record can be read from it (the three bytes that open a
    member may occur inside compressed data)."""
    with open(path, "rb") as handle:
        if handle.read(3) != _GZIP_MEMBER or os.fstat(handle.fileno()).st_size < 4:
            return None
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            damaged = 0 if last_start is None else data.find(_GZIP_MEMBER, last_start + 1)
            candidate = data.find(_GZIP_MEMBER, damaged + 1) if damaged >= 0 else -1
            for _ in range(_MEMBER_TRIES):
                if candidate < 0:
                    return None
                handle.seek(candidate)
                try:
                    next(iter(ArchiveIterator(handle, parse_http=False)))
                    return candidate
                except Exception:  # StopIteration too: no record there
                    candidate = data.find(_GZIP_MEMBER, candidate + 1)
    return None


def _read_record(path: str, number: int, record) -> Page | Skipped | Rejection:
    length = (record.headers.get("Content-Length") or "").strip()
    if not re.fullmatch(r"[0-9]+", length):  # where the record ends, and the next one starts, is unknown
        return _damaged(path, number, f"record {number} has {'no' if not length else 'an unreadable'} "
                                      f"Content-Length header{f' ({length[:40]!r})' if length else ''}",
                        reason="truncated_record")
    declared = int(length)
    record_type = record.record_type
    if declared > MAX_RECORD_BYTES:  # never read into memory
        if record_type != WarcRecordType.response:
            return _not_a_page(path, number, record_type)
        return Rejection(path, number, "too_large", f"record {number} holds {declared:,} bytes, more than a page "
                                                    f"may ({MAX_RECORD_BYTES:,}); the other records are read")
    record.freeze()  # the block into memory, so it can be read twice
    block = record.reader.read()
    if len(block) != declared:
        return _damaged(path, number, f"record {number} is cut short ({len(block):,} of {declared:,} bytes): "
                                      "the file ends inside it", reason="truncated_record")
    record.reader.seek(0)
    if "WARC-Block-Digest" in record.headers and not record.verify_block_digest():
        return Rejection(path, number, "damaged_record", f"record {number} does not match its WARC-Block-Digest; "
                                                         "the other records are read")
    if record_type != WarcRecordType.response:
        return _not_a_page(path, number, record_type)
    record.reader.seek(0)
    try:
        # the HTTP headers; the content encoding (gzip, br) undone, and the chunking if still there
        record.parse_http(auto_decode=_http_decoding(block))
        payload = record.reader.read()
    except OSError as error:  # FastWARC: a bad chunk or compressed stream
        return Rejection(path, number, "damaged_record", f"record {number}'s HTTP payload cannot be decoded "
                                                         f"({error}); the other records are read")
    status = record.http_headers.status_code if record.http_headers is not None else None
    content_type = record.http_headers.get("Content-Type") if record.http_headers is not None else None
    uri = record.headers.get("WARC-Target-URI")
    if status is not None and not 200 <= status < 300:
        return Skipped(path, number, "http_status", f"HTTP {status} for {uri}")
    if not content_type or not content_type.split(";")[0].strip().lower() in HTML_TYPES:
        return Skipped(path, number, "not_html", f"{content_type or 'no content type'} at {uri}")
    crawled = record.record_date
    return Page(path, number, payload, content_hash_of(payload), url=uri, content_type=content_type,
                crawled_at=crawled.astimezone(timezone.utc) if crawled is not None else None)


def _http_decoding(block: bytes) -> str:
    """FastWARC's `auto_decode` for a response block: "all" (transfer encoding too) when the
    payload is still chunked, else "content" (de-chunking a payload that is not chunked fails)."""
    head, blank, body = block.partition(b"\r\n\r\n")
    return "all" if blank and _CHUNKED.search(head) and _CHUNK_SIZE.match(body) else "content"


def _not_a_page(path: str, number: int, record_type) -> Skipped:
    name = getattr(record_type, "name", str(record_type))
    return Skipped(path, number, f"warc_{name}", f"a WARC {name} record, not a page")


def _damaged(path: str, number: int, detail: str, reason: str = "damaged_record") -> Rejection:
    return Rejection(path, number, reason,
                     f"{detail}; the records before it were read, the rest of the file was not")
