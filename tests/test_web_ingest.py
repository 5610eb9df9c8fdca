"""News as it is published: saved web pages, WARC archives, CSV and Parquet exports, and
text in the encodings Windows tools write. Readers and extraction on their own, then the
real flow over a folder of all of them."""

from __future__ import annotations

import gzip
import json
import struct
import uuid
import zlib
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import shared_path
from wirehouse.transforms.ingest import Limits, SourceFile, discover, read_source
from wirehouse.transforms.pages import extract_article
from wirehouse.transforms.records import Article, Page, Rejection, Skipped, content_hash_of

PARAGRAPHS = [
    "The city council voted on Tuesday to rebuild the old harbour bridge, which has been closed to traffic "
    "since a storm damaged its supports in the spring.",
    "Mayor Ann Smith said the work would begin in March and take two years, and that ferries would run "
    "more often while the bridge was closed.",
    "Local shop owners welcomed the decision but asked the council to keep the streets around the harbour "
    "open during the building work.",
]


def article_page(title: str = "Council votes to rebuild harbour bridge", charset: str | None = "utf-8",
                 paragraphs: list[str] = PARAGRAPHS, published: str | None = "2024-03-05T09:30:00+01:00") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    date = f'<meta property="article:published_time" content="{published}">' if published else ""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (f"<!DOCTYPE html><html lang='en'><head>{meta}<title>{title} | The Harbour Times</title>{date}"
            f"<meta property='og:site_name' content='The Harbour Times'></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>Contact the newsroom</footer></body></html>")


def read_all(folder: Path) -> list:
    items = []
    for source in discover(folder):
        items.extend([source] if isinstance(source, Rejection) else read_source(source, Limits()))
    return items


def page_of(data: bytes, url: str | None = None, content_type: str | None = None) -> Page:
    return Page("/s/page.html", None, data, content_hash_of(data), url=url, content_type=content_type)


# ---------------------------------------------------------------- web pages

def test_a_saved_page_gives_its_article_and_what_it_says_about_itself():
    article = extract_article(page_of(article_page().encode("utf-8"), url="https://harbour.example/news/bridge"))
    assert isinstance(article, Article)
    assert article.body.split("\n") == PARAGRAPHS  # no headline, menu or footer
    assert article.title == "Council votes to rebuild harbour bridge"
    assert article.published_at == datetime(2024, 3, 5, 8, 30) and article.date_basis == "published"
    assert article.site_name == "The Harbour Times" and article.language == "en"
    assert article.url == "https://harbour.example/news/bridge"
    assert article.content_hash == content_hash_of(article_page().encode("utf-8"))


def test_the_declared_charset_is_honoured():
    paragraphs = [p.replace("Mayor", "Bürgermeisterin") + " – so heißt es." for p in PARAGRAPHS]
    data = article_page(charset="iso-8859-1", paragraphs=paragraphs).encode("cp1252")
    article = extract_article(page_of(data))
    assert "Bürgermeisterin Ann Smith" in article.body and "– so heißt es." in article.body
    # the HTTP header of a WARC record names the charset when the page does not
    bare = article_page(charset=None, paragraphs=paragraphs).encode("cp1252")
    assert "heißt" in extract_article(page_of(bare, content_type="text/html; charset=windows-1252")).body


def test_a_page_with_no_main_text_is_rejected_with_its_reason():
    index = "<html><body>" + "".join(f"<p><a href='/{n}'>Story number {n}</a></p>" for n in range(30)) + \
        "</body></html>"
    for html in (index, "<html><body><p>Page not found.</p></body></html>"):
        rejection = extract_article(page_of(html.encode("utf-8")))
        assert isinstance(rejection, Rejection) and rejection.reason == "no_main_text", rejection


def test_binary_bytes_behind_an_html_name_are_rejected():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    rejection = extract_article(page_of(png))
    assert rejection.reason == "binary" and "png" in rejection.detail


def test_gzipped_pages_read_and_a_truncated_one_is_rejected(tmp_path):
    data = gzip.compress(article_page().encode("utf-8"))
    (tmp_path / "whole.html.gz").write_bytes(data)
    (tmp_path / "cut.html.gz").write_bytes(data[: len(data) // 2])
    pages = {Path(item.source_path).name: item for item in read_all(tmp_path)}
    assert isinstance(extract_article(pages["whole.html.gz"]), Article)
    rejection = extract_article(pages["cut.html.gz"])
    assert rejection.reason == "undecodable" and "cut short" in rejection.detail


def test_real_pages_of_the_shared_benchmark_have_a_body_a_title_and_a_date():
    benchmark = shared_path("corpora", "article-html")
    truth = json.loads((benchmark / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth)[:5]:
        data = (benchmark / "html" / f"{key}.html").read_bytes()
        article = extract_article(page_of(data, url=truth[key]["url"]))
        assert isinstance(article, Article), article
        gold_words = set(truth[key]["articleBody"].split())
        assert len(gold_words & set(article.body.split())) >= 0.8 * len(gold_words), key
        assert article.title and article.published_at is not None, key


def test_extraction_is_scored_with_the_benchmark_metric():
    from wirehouse.evaluation.extraction import evaluate, page_counts, render

    assert page_counts("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    assert page_counts("one two three four five", None) == (0.0, 0.0, 1.0)
    report = evaluate(shared_path("corpora", "article-html"), limit=6)
    assert report["pages"] == 6 and report["body_f1"] > 0.9
    headline = json.loads(render(report).splitlines()[-1])
    assert {"body_f1", "body_precision", "body_recall", "pages"} <= set(headline)


# ---------------------------------------------------------------- text encodings

@pytest.mark.parametrize("codec, note", [("utf-16", "utf-16"), ("utf-32", "utf-32")])
def test_text_with_a_byte_order_mark_is_text(tmp_path, codec, note):
    (tmp_path / "windows.txt").write_bytes("Mayor Ann Smith said the bridge will reopen – in May.".encode(codec))
    (article,) = read_all(tmp_path)
    assert isinstance(article, Article) and article.body.endswith("reopen – in May.")
    assert article.encoding == note


# ---------------------------------------------------------------- WARC archives

def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def _http(body: bytes, content_type: str) -> bytes:
    return (f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode("ascii") + body


def write_warc(path: Path, bodies: list[tuple[str, str | None, bytes, str]]) -> list[int]:
    """Records (type, URI, block, content type), one gzip member each, as crawlers write them;
    returns each member's offset."""
    from fastwarc.stream_io import GzipWriter
    from fastwarc.warc import WarcRecord, WarcRecordType

    offsets = []
    with GzipWriter(str(path)) as out:
        for kind, uri, block, content_type in bodies:
            offsets.append(path.stat().st_size if path.exists() else 0)
            record = WarcRecord()
            record.init_headers(getattr(WarcRecordType, kind), f"<urn:uuid:{uuid.uuid4()}>".encode())
            if uri:
                record.headers["WARC-Target-URI"] = uri
            record.headers["Content-Type"] = content_type
            record.set_bytes_content(block)
            record.write(out, checksum_data=True)
            out.finish()  # one gzip member per record
    return offsets


HTTP_RESPONSE = "application/http; msgtype=response"


def crawl(path: Path) -> list[int]:
    page = article_page(charset=None, published=None).encode("cp1252")
    return write_warc(path, [
        ("request", "https://harbour.example/bridge", b"GET /bridge HTTP/1.1\r\nHost: harbour.example\r\n\r\n",
         "application/http; msgtype=request"),
        ("response", "https://harbour.example/bridge", _http(page, "text/html; charset=windows-1252"), HTTP_RESPONSE),
        ("response", "https://harbour.example/logo.png", _http(_png(), "image/png"), HTTP_RESPONSE),
        ("response", "https://harbour.example/robots.txt", _http(b"User-agent: *\n", "text/plain"), HTTP_RESPONSE),
        ("response", "https://harbour.example/other", _http(article_page("Ferries", paragraphs=PARAGRAPHS[::-1]).encode(),
                                                             "text/html"), HTTP_RESPONSE),
    ])


def test_a_warc_gives_its_html_responses_as_pages_and_skips_the_rest(tmp_path):
    crawl(tmp_path / "crawl.warc.gz")
    items = read_all(tmp_path)
    assert [type(item).__name__ for item in items] == ["Skipped", "Page", "Skipped", "Skipped", "Page"]
    assert [item.reason for item in items if isinstance(item, Skipped)] == ["warc_request", "not_html", "not_html"]
    page = items[1]
    assert page.source_key.endswith("crawl.warc.gz#2") and page.url == "https://harbour.example/bridge"
    assert page.crawled_at is not None
    article = extract_article(page)  # no date on the page: the crawl date, marked as such
    assert article.date_basis == "crawled" and article.published_at is not None
    assert article.body.split("\n") == PARAGRAPHS
    assert read_all(tmp_path)[1].content_hash == page.content_hash  # the same record again: same key and hash


def test_a_damaged_or_cut_archive_loads_the_records_before_the_damage(tmp_path):
    offsets = crawl(tmp_path / "whole.warc.gz")
    data = (tmp_path / "whole.warc.gz").read_bytes()
    damaged = bytearray(data)
    middle = offsets[4] + (len(data) - offsets[4]) // 2
    damaged[middle : middle + 64] = b"\x00" * 64
    for name, blob in (("cut.warc.gz", data[: offsets[4] + (len(data) - offsets[4]) // 2]),
                       ("bitrot.warc.gz", bytes(damaged))):
        folder = tmp_path / name
        folder.mkdir()
        (folder / name).write_bytes(blob)
        items = read_all(folder)
        assert [type(item).__name__ for item in items[:4]] == ["Skipped", "Page", "Skipped", "Skipped"], name
        (rejection,) = items[4:]
        assert rejection.reason in ("damaged_record", "truncated_record") and rejection.source_line == 5, name
        assert "the records before it were read" in rejection.detail


def test_a_damaged_gzip_member_loses_only_its_record_and_the_records_after_it_load(tmp_path):
    crawl(tmp_path / "crawl.warc.gz")
    data = bytearray((tmp_path / "crawl.warc.gz").read_bytes())
    members = [k for k in range(len(data)) if data.startswith(b"\x1f\x8b\x08", k)]
    assert len(members) == 5  # one per record
    middle = (members[2] + members[3]) // 2
    data[middle:middle + 64] = b"\x00" * 64  # inside the third record's member
    (tmp_path / "crawl.warc.gz").write_bytes(bytes(data))
    items = read_all(tmp_path)
    assert [type(item).__name__ for item in items] == ["Skipped", "Page", "Rejection", "Skipped", "Page"]
    assert (items[2].reason, items[2].source_line) == ("damaged_record", 3)
    assert "the records after it were read from the next gzip member on" in items[2].detail
    assert [item.source_line for item in items[3:]] == [4, 5] and items[4].url == "https://harbour.example/other"


def test_a_warc_record_without_a_content_length_stops_the_read_and_says_why(tmp_path):
    crawl(tmp_path / "crawl.warc.gz")
    plain = bytearray(gzip.decompress((tmp_path / "crawl.warc.gz").read_bytes()))
    third = [k for k in range(len(plain)) if plain.startswith(b"WARC/1.", k)][2]
    at = plain.index(b"Content-Length:", third)
    plain[at:at + 15] = b"Content-Lenght:"  # misspelt: where the record ends is unknown
    (tmp_path / "crawl.warc.gz").unlink()
    (tmp_path / "crawl.warc").write_bytes(bytes(plain))
    items = read_all(tmp_path)
    assert [type(item).__name__ for item in items] == ["Skipped", "Page", "Rejection"]
    assert (items[2].reason, items[2].source_line) == ("truncated_record", 3)
    assert items[2].detail.startswith("record 3 has no Content-Length header; the records before it were read")


def test_a_warc_without_html_is_rejected_as_such(tmp_path):
    write_warc(tmp_path / "images.warc.gz", [("response", "https://x.example/a.png", _http(_png(), "image/png"),
                                              HTTP_RESPONSE)])
    skipped, rejection = read_all(tmp_path)
    assert skipped.reason == "not_html" and rejection.reason == "no_html_records" and rejection.source_line is None


# ---------------------------------------------------------------- CSV and Parquet

def test_csv_and_parquet_rows_are_articles_and_bad_rows_say_which_row(tmp_path):
    rows = {"id": ["a1", "a2", "a3", "a4"],
            "Title": ["Bridge", "Ferries", "No text", "Bad date"],
            "date": ["2024-03-05T09:30:00Z", None, "2024-03-06", "the day after"],
            "text": [PARAGRAPHS[0], PARAGRAPHS[1], None, PARAGRAPHS[2]],
            "language": ["en", "en", "en", "en"]}
    pq.write_table(pa.table(rows), tmp_path / "export.parquet")
    (tmp_path / "export.csv").write_text(
        "id,body,date\n" + f'b1,"{PARAGRAPHS[0]}\n\nSecond paragraph, with a comma.",2024-03-05\nb2,,2024-03-06\n',
        encoding="utf-8")
    items = {item.source_key.rsplit("/", 1)[-1]: item for item in read_all(tmp_path)}
    assert items["export.parquet#1"].title == "Bridge"
    assert items["export.parquet#1"].published_at == datetime(2024, 3, 5, 9, 30)
    assert items["export.parquet#1"].external_id == "a1" and items["export.parquet#1"].language == "en"
    assert items["export.parquet#3"].reason == "missing_text"
    assert items["export.parquet#3"].detail == "row 3 has no text in its 'text' column"
    assert items["export.parquet#4"].reason == "bad_date" and "row 4" in items["export.parquet#4"].detail
    assert items["export.csv#1"].body.endswith("Second paragraph, with a comma.")  # a quoted value over lines
    assert items["export.csv#2"].reason == "missing_text"
    assert items["export.csv#2"].detail == "row 2 has no text in its 'body' column"


def test_a_table_without_text_and_a_parquet_file_that_will_not_open_are_rejected(tmp_path):
    (tmp_path / "no-text.csv").write_text("id,title\n1,Bridge\n", encoding="utf-8")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1" + b"\x00" * 40)
    reasons = {Path(item.source_path).name: item for item in read_all(tmp_path)}
    assert reasons["no-text.csv"].reason == "missing_text_column" and "id, title" in reasons["no-text.csv"].detail
    assert reasons["broken.parquet"].reason == "unreadable_table" and "Parquet" in reasons["broken.parquet"].detail


def test_a_csv_value_of_another_kind_far_down_and_a_ragged_row_lose_only_themselves(tmp_path):
    """Every value is text (a numeric id column meeting "abc" after 5,000 rows had ended the
    file), and a row with an unquoted comma is rejected alone (it had lost the whole file)."""
    lines = ["id,text"] + [f"{n},Story number {n} about the harbour bridge." for n in range(1, 5001)]
    lines += ["abc,A story whose id is a word.", "5002,A story, with an unquoted comma.", "5003,The last story."]
    (tmp_path / "wire.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read_all(tmp_path)
    assert len(items) == 5003 and sum(isinstance(item, Article) for item in items) == 5002
    assert items[5000].external_id == "abc" and items[5002].body == "The last story."
    ragged = items[5001]
    assert ragged.reason == "malformed_row" and ragged.source_line == 5002 and "3 values" in ragged.detail


def test_a_csv_quotation_mark_left_open_stops_the_read_there_and_says_where(tmp_path):
    """The open value had swallowed the lines after it, and the rows after those were read
    with shifted columns and loaded as articles ("Announced last February ..." as an id)."""
    (tmp_path / "wire.csv").write_text(
        'id,text\n1,"Prices rose.\nThe bank said so."\n2,"He said hello, and left\n'
        '3,"Prices froze, and ""shortages"" followed.\nOfficials agreed."\n4,The last story.\n', encoding="utf-8")
    items = read_all(tmp_path)
    assert [type(item).__name__ for item in items] == ["Article", "Rejection"]
    assert items[0].body == "Prices rose.\nThe bank said so."
    stopped = items[1]
    assert (stopped.reason, stopped.source_line) == ("unreadable_table", 2)
    assert "rows from 2 on" in stopped.detail and "at line 5 of the file" in stopped.detail


def test_a_csv_with_blank_lines_before_its_header_reads_its_rows(tmp_path):
    (tmp_path / "wire.csv").write_text("\n\nid,text\n1,Prices rose.\n", encoding="utf-8")
    (article,) = read_all(tmp_path)
    assert (article.external_id, article.body, article.source_line) == ("1", "Prices rose.", 1)


@pytest.mark.parametrize("codec, note", [("cp1252", "utf-8 (with bytes that are not UTF-8 read as cp1252)"),
                                         ("utf-16", "utf-16")])
def test_a_csv_file_saved_by_excel_on_windows_is_read_in_its_encoding(tmp_path, codec, note):
    (tmp_path / "export.csv").write_bytes("id,title,text\n1,Café news,“Café owners” said the rent rose.\n"
                                          .encode(codec))
    (article,) = read_all(tmp_path)
    assert (article.title, article.body, article.encoding) == ("Café news", "“Café owners” said the rent rose.", note)


def test_a_jsonl_line_re_decoded_says_so(tmp_path):
    (tmp_path / "feed.jsonl").write_bytes('{"text": "Café owners said “5m” was too much."}\n'.encode("cp1252"))
    (article,) = read_all(tmp_path)
    assert article.body == "Café owners said “5m” was too much." and article.encoding.startswith("cp1252")


# ---------------------------------------------------------------- the real flow

def test_the_flow_loads_pages_archives_and_tables_and_skips_them_unchanged(run_flow, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "bridge.html").write_text(article_page(), encoding="utf-8")
    (seeds / "same-article.htm").write_text(article_page().replace("<nav>", "<nav><b>ad</b>"), encoding="utf-8")
    crawl(seeds / "crawl.warc.gz")
    pq.write_table(pa.table({"text": ["Ministers met in Paris on Tuesday to discuss the budget.", None]}),
                   seeds / "feed.parquet")
    warehouse = tmp_path / "w.duckdb"

    first = run_flow(seeds, warehouse)
    assert first["accounting_ok"]
    # bridge.html and the crawl's first page hold the same article; one is stored, one is a duplicate
    assert (first["documents_seen"], first["documents_loaded"]) == (9, 3)
    assert first["skipped_by_reason"] == {"warc_request": 1, "not_html": 2}
    assert first["rejected_by_reason"] == {"duplicate": 2, "missing_text": 1}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        stored = con.execute("SELECT source_path, source_line, site_name, date_basis, content_hash IS NOT NULL "
                             "FROM article ORDER BY source_path, source_line").fetchall()
        per_site = con.execute("SELECT site_name, count(*) FROM article GROUP BY ALL ORDER BY 1").fetchall()
    finally:
        con.close()
    assert [(Path(path).name, line) for path, line, *_ in stored] == [
        ("bridge.html", None), ("crawl.warc.gz", 5), ("feed.parquet", 1)]
    assert stored[0][2:] == ("The Harbour Times", "published", True)
    assert per_site == [("The Harbour Times", 2), (None, 1)]

    second = run_flow(seeds, warehouse)
    assert second["documents_loaded"] == 0 and second["skipped_by_reason"]["unchanged"] == 3
    assert second["accounting_ok"]


def _chunked(body: bytes, size: int = 300) -> bytes:
    parts = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


def test_a_payload_stored_chunked_is_de_chunked_and_one_stored_de_chunked_is_read_as_is(tmp_path):
    """wget, Heritrix and warcprox store the payload as sent; Common Crawl de-chunks it and
    may keep the header: both are the page."""
    page = article_page().encode()
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
    write_warc(tmp_path / "chunks.warc.gz", [("response", "https://harbour.example/a", head + _chunked(page), HTTP_RESPONSE),
                                             ("response", "https://harbour.example/b", head + page, HTTP_RESPONSE)])
    first, second = read_all(tmp_path)
    assert first.data == page and second.data == page


def test_a_record_too_large_or_not_matching_its_digest_is_rejected_alone(tmp_path, monkeypatch):
    from wirehouse.transforms import warc

    pages = [article_page(title, paragraphs=PARAGRAPHS[i:] + PARAGRAPHS[:i]).encode()
             for i, title in enumerate(("One", "Two", "Three"))]
    write_warc(tmp_path / "three.warc", [("response", f"https://harbour.example/{n}", _http(page, "text/html"),
                                          HTTP_RESPONSE) for n, page in enumerate(pages, 1)])
    monkeypatch.setattr(warc, "MAX_RECORD_BYTES", len(_http(pages[0], "text/html")) + 10)
    longer = pages[1] + b" " * 100
    write_warc(tmp_path / "big.warc", [("response", "https://harbour.example/1", _http(pages[0], "text/html"), HTTP_RESPONSE),
                                       ("response", "https://harbour.example/2", _http(longer, "text/html"), HTTP_RESPONSE),
                                       ("response", "https://harbour.example/3", _http(pages[2], "text/html"), HTTP_RESPONSE)])
    items = list(warc.read_warc(tmp_path / "big.warc"))
    assert [type(item).__name__ for item in items] == ["Page", "Rejection", "Page"]
    assert items[1].reason == "too_large" and items[1].source_line == 2 and items[2].url.endswith("/3")
    data = gzip.decompress((tmp_path / "three.warc").read_bytes())  # written one gzip member per record
    at = data.index(b"Two")
    (tmp_path / "three.warc").write_bytes(data[:at] + b"Tw0" + data[at + 3:])  # the length intact, the digest not
    items = list(warc.read_warc(tmp_path / "three.warc"))
    assert [type(item).__name__ for item in items] == ["Page", "Rejection", "Page"]
    assert items[1].reason == "damaged_record" and "WARC-Block-Digest" in items[1].detail


def test_the_article_limit_holds_for_web_pages_once_extracted(run_flow, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "bridge.html").write_text(article_page(), encoding="utf-8")
    summary = run_flow(seeds, tmp_path / "w.duckdb", max_article_chars=100)
    assert summary["rejected_by_reason"] == {"too_large": 1} and summary["documents_loaded"] == 0


def test_the_article_limit_cannot_exceed_spacys():
    from pydantic import ValidationError

    from wirehouse.flows.settings import Settings

    with pytest.raises(ValidationError, match="1000000"):
        Settings(seeds_dir="seeds", max_article_chars=2_000_000)


def test_a_web_page_saved_as_txt_is_read_as_a_page_not_loaded_as_markup(tmp_path):
    (tmp_path / "saved.txt").write_text("\n<!DOCTYPE html>\n" + article_page(), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("<html> is the tag a page starts with, the editor said.", encoding="utf-8")
    items = {Path(item.source_path).name: item for item in read_all(tmp_path)}
    assert isinstance(items["saved.txt"], Page)
    assert extract_article(items["saved.txt"]).body.split("\n") == PARAGRAPHS
    assert isinstance(items["notes.txt"], Article)  # text that only mentions a tag


def test_a_csv_row_appended_in_cp1252_leaves_the_utf8_rows_as_they_are(tmp_path):
    (tmp_path / "mixed.csv").write_bytes("id,text\n1,Café owners said the rent rose.\n".encode("utf-8")
                                         + "2,The mayor’s reply came on Friday.\n".encode("cp1252"))
    first, second = read_all(tmp_path)
    assert first.body == "Café owners said the rent rose." and second.body == "The mayor’s reply came on Friday."


def test_text_opening_with_many_comments_is_read_at_once(tmp_path):
    """The HTML check reads each comment to its own end: joining comments in every way took
    6.6 s for 26 of them, doubling with each more."""
    import time

    (tmp_path / "comments.txt").write_bytes(b"<!---->" * 60 + b"<x> is not a page, the note said.")
    started = time.monotonic()
    (item,) = read_all(tmp_path)
    assert isinstance(item, Article) and time.monotonic() - started < 2
