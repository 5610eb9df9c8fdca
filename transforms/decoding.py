"""Bytes to text: byte-order marks, declared charsets, gzip, and what is not text at all.

Text files: UTF-8 first, then the encoding a byte-order mark names (UTF-16 and UTF-32, as
Windows tools write them), then Windows-1252 and Latin-1. Web pages follow the order a
browser uses (WHATWG encoding sniffing): BOM, the HTTP header's charset, the page's own
`<meta charset>` / `<?xml encoding>`, valid UTF-8, then detection. trafilatura accepts
bytes too, but guesses without reading the declarations: on a German ISO-8859-1 page of
the extraction benchmark it decoded en-dashes as C1 control characters, where the
WHATWG rule (the label iso-8859-1 means windows-1252) is right.
"""

from __future__ import annotations

import codecs
import re
import zlib

# Byte-order marks, UTF-32 before UTF-16: FF FE 00 00 also starts with FF FE.
BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"), (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"),
)
# Files that are not text whatever their name says.
BINARY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
    (b"%PDF-", "pdf"), (b"PK\x03\x04", "zip"), (b"\x00\x00\x01\x00", "ico"), (b"wOFF", "woff"),
    (b"wOF2", "woff2"), (b"\x7fELF", "elf"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"),
    (b"(\xb5/\xfd", "zstd"), (b"OggS", "ogg"), (b"ID3", "mp3"), (b"\x1aE\xdf\xa3", "webm"),
)
GZIP_MAGIC = b"\x1f\x8b"
# A page larger than this (also after gunzip) is not an article page (trafilatura's own cap).
MAX_PAGE_BYTES = 20_000_000

# WHATWG Encoding Standard labels that matter in practice, to Python codec names.
_LABELS = {
    "latin1": "cp1252", "latin-1": "cp1252", "iso-8859-1": "cp1252", "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252", "windows-1252": "cp1252",
    "iso-8859-9": "cp1254", "tis-620": "cp874", "iso-8859-11": "cp874",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "shift_jis": "cp932", "x-sjis": "cp932",
    "sjis": "cp932", "big5": "big5hkscs", "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8",
}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]{2,40})""", re.I)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]{0,200}encoding\s*=\s*["']([a-zA-Z0-9_:.+-]{2,40})""", re.I)
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?([a-zA-Z0-9_:.+-]{2,40})""", re.I)


_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def _cp1252_bytes(error: UnicodeDecodeError) -> tuple[str, int]:
    """The bytes UTF-8 could not decode, read as Windows-1252 (Latin-1 where it defines none)."""
    bad = error.object[error.start:error.end]
    return "".join(chr(b) if b in _CP1252_UNDEFINED else bytes([b]).decode("cp1252") for b in bad), error.end


# "utf-8" with this error handler: text that is UTF-8 but for some bytes (a row another tool
# appended) keeps its UTF-8 and reads those bytes as Windows-1252
CP1252_BYTES = "wirehouse-cp1252-bytes"
codecs.register_error(CP1252_BYTES, _cp1252_bytes)


class NotText(ValueError):
    """The bytes are not text (or not decodable as the page they claim to be); the
    message is the short reason ("binary: png", "corrupt gzip")."""


def bom_encoding(data: bytes) -> str | None:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding
    return None


def wide_encoding(data: bytes) -> str | None:
    """"utf-16" or "utf-32" when the data opens with that family's BOM (the codec reads the
    BOM's byte order and drops it), else None."""
    encoding = bom_encoding(data)
    return encoding[:6] if encoding and encoding != "utf-8" else None


def decode_text_file(data: bytes) -> tuple[str, str]:
    """(text, encoding note) of a text file: UTF-8 (with or without BOM), then the UTF-16 or
    UTF-32 its BOM names, then Windows-1252, then Latin-1.

    News archives are full of cp1252 files (curly quotes as 0x93/0x94); decoding them as
    such keeps the text right and records that it was re-decoded."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    family = wide_encoding(data)
    if family:
        try:
            return data.decode(family), family
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("cp1252"), "cp1252 (re-decoded, not valid UTF-8)"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1 (re-decoded, not valid UTF-8)"


def gunzip(data: bytes) -> bytes:
    """All gzip members, capped at MAX_PAGE_BYTES; NotText when corrupt, cut short or too large."""
    out, rest, total = [], data, 0
    try:
        while rest[:2] == GZIP_MAGIC:
            stream = zlib.decompressobj(31)
            chunk = stream.decompress(rest, MAX_PAGE_BYTES - total + 1)
            total += len(chunk)
            out.append(chunk)
            if total > MAX_PAGE_BYTES:
                raise NotText(f"over {MAX_PAGE_BYTES:,} bytes once uncompressed")
            if not stream.eof:
                raise NotText("the gzip data is cut short")
            rest = stream.unused_data.lstrip(b"\0")
    except zlib.error as error:
        raise NotText(f"corrupt gzip data ({error})") from None
    return b"".join(out)


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        return codecs.lookup(_LABELS.get(label, label)).name
    except LookupError:
        return None


def _bomless_utf16_or_32(head: bytes) -> str | None:
    """Markup is mostly ASCII, so UTF-16/32 without a BOM has NUL bytes at a fixed phase."""
    head = head[: len(head) // 4 * 4][:2048]
    if len(head) < 16:
        return None
    phase = [sum(1 for i in range(j, len(head), 4) if head[i] == 0) / (len(head) / 4) for j in range(4)]
    if min(phase[1], phase[2], phase[3]) > 0.9 and phase[0] < 0.1:
        return "utf-32-le"
    if min(phase[0], phase[1], phase[2]) > 0.9 and phase[3] < 0.1:
        return "utf-32-be"
    even, odd = (phase[0] + phase[2]) / 2, (phase[1] + phase[3]) / 2
    if odd > 0.7 and even < 0.1:
        return "utf-16-le"
    if even > 0.7 and odd < 0.1:
        return "utf-16-be"
    return None


def decode_page(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, how it was decoded) of a web page, gzip-compressed or not; NotText otherwise.

    One deliberate deviation from WHATWG: a page that is valid non-ASCII UTF-8 but declares
    a legacy single-byte charset is read as UTF-8 (a common mislabel; the reverse cannot
    decode)."""
    if not data:
        raise NotText("empty")
    if data[:3] == GZIP_MAGIC + b"\x08":
        text, how = decode_page(gunzip(data), content_type)
        return text, "gzip+" + how
    encoding = bom_encoding(data)
    if encoding:
        return data[len(next(b for b, e in BOMS if e == encoding)):].decode(encoding, errors="replace"), \
            f"bom:{encoding}"
    head = data[:4096]
    for magic, kind in BINARY_MAGIC:
        if head.startswith(magic):
            raise NotText(f"binary: {kind}")
    if b"\x00" in head:
        encoding = _bomless_utf16_or_32(head)
        if encoding is None:
            raise NotText("binary: NUL bytes")
        try:
            return data.decode(encoding), f"nul-pattern:{encoding}"
        except UnicodeDecodeError:
            raise NotText("binary: NUL bytes") from None
    if len(data) > MAX_PAGE_BYTES:
        raise NotText(f"over {MAX_PAGE_BYTES:,} bytes")

    declared, source = None, None
    if content_type and (match := _HTTP_CHARSET.search(content_type)):
        declared, source = _codec(match.group(1)), "http"
    if not declared and (match := _XML_DECLARATION.search(head) or _META_CHARSET.search(head)):
        declared, source = _codec(match.group(1).decode("ascii", "ignore")), "meta"
    if declared and declared.startswith(("utf-16", "utf-32")):
        declared = "utf-8"  # WHATWG: an ASCII-compatible document cannot really be UTF-16
    try:
        as_utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = None
    if declared:
        if as_utf8 is not None and (declared == "utf-8" or not data.isascii()):
            return as_utf8, f"{source}:{declared}" if declared == "utf-8" else f"utf-8 (declared {declared})"
        try:
            return data.decode(declared), f"{source}:{declared}"
        except UnicodeDecodeError:
            return data.decode(declared, errors="replace"), f"{source}:{declared} (with replacements)"
    if as_utf8 is not None:
        return as_utf8, "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    if best is not None:
        return data.decode(best.encoding, errors="replace"), f"detected:{best.encoding}"
    return data.decode("cp1252", errors="replace"), "cp1252 (fallback)"
