"""The HTML run report: charts of a real run, drawn offline in headless Chromium."""

from __future__ import annotations

import re
import shutil
import struct
import zlib

import duckdb
import pytest

from wirehouse.flows.cli import main
from wirehouse.flows.settings import Settings
from tests.browser import rendered_dom, screenshot
from tests.conftest import SEED
from tests.test_views import ENTITIES, build_warehouse
from wirehouse.warehouse.report import find_scripts, latest_run_id, write_run_report

CHARTS = ("top-entities", "top-speakers", "speaker-subjects", "quotes-per-article", "articles-per-day",
          "articles-per-site", "validation", "rejected")
WEB_ASSETS = Settings().web_assets_dir


def chart_markup(dom: str, key: str) -> str:
    """The part of the rendered page that holds one chart."""
    start = dom.index(f'id="chart-{key}"')
    end = min(i for i in (dom.find("<details", start), dom.find("</section>", start)) if i != -1)
    return dom[start:end]


def png_colours(png: bytes) -> int:
    """How many distinct RGB colours a (non-interlaced, 8-bit RGB/RGBA) PNG screenshot uses."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data, width = 8, b"", 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        chunk = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, _, depth, colour_type = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour_type in (2, 6)
            channels = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            data += chunk
        pos += 12 + length
    raw = zlib.decompress(data)
    stride = width * channels + 1
    colours = set()
    for row in range(0, len(raw), stride * 7):  # every 7th row, unfiltered bytes are enough to count
        line = raw[row + 1:row + stride]
        colours.update(line[i:i + 3] for i in range(0, len(line), channels * 5))
    return len(colours)


@pytest.fixture
def ran(run_flow, tmp_path):
    """A real run over the seed, a short quoted article and an empty file (rejected)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds / SEED.name)
    (seeds / "mayor.txt").write_text('"We will not back down," Mayor John Doe told reporters in Chicago on Friday. '
                                     '"The city stands together," Doe said.', encoding="utf-8")
    (seeds / "empty.txt").write_bytes(b"")
    warehouse = tmp_path / "wh" / "wirehouse.duckdb"
    summary = run_flow(seeds, warehouse)
    assert summary["documents_loaded"] == 2 and summary["rejected_by_reason"] == {"empty": 1}
    return warehouse, summary


def test_run_report_draws_every_chart_offline_in_chromium(ran, tmp_path):
    warehouse, summary = ran
    assert set(find_scripts(WEB_ASSETS)) == {"vega", "vega-lite"}, (
        f"the Vega scripts are not installed under {WEB_ASSETS}: `make` installs them")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        page = write_run_report(con, summary["run_id"], tmp_path / "reports", web_assets_dir=WEB_ASSETS)
    finally:
        con.close()
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html), "the page must not load scripts from elsewhere"
    assert summary["run_id"] in html and "completed_with_rejections" in html

    dom = rendered_dom(page, wait_ms=5000)
    for key in CHARTS:
        markup = chart_markup(dom, key)
        assert "data-error" not in markup, markup[:500]
        assert 'data-rendered="true"' in markup, f"chart {key} was not drawn"
        assert "<svg" in markup, f"chart {key} has no SVG"
        marks = re.findall(r'role="graphics-symbol"[^>]*aria-roledescription="bar"', markup)
        assert marks, f"chart {key} has no bars"
    entities = chart_markup(dom, "top-entities")
    assert "Naftali Bennett" in entities and "Yair Lapid" in entities
    assert "Naftali Bennett" in chart_markup(dom, "top-speakers")
    subjects = chart_markup(dom, "speaker-subjects")
    assert "Naftali Bennett" in subjects and "Ukraine" in subjects   # what Bennett's words name most
    assert "empty" in chart_markup(dom, "rejected")
    assert "passed" in chart_markup(dom, "validation")

    png = screenshot(page, tmp_path / "report.png", size="1280,2600", wait_ms=5000)
    assert png.stat().st_size > 50_000
    assert png_colours(png.read_bytes()) > 20  # bars in several colours, not a blank page


def test_report_of_a_run_that_loaded_nothing_says_so(run_flow, ran, tmp_path):
    warehouse, _ = ran
    second = run_flow(tmp_path / "seeds", warehouse)  # everything unchanged: skipped
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert latest_run_id(con) == second["run_id"]
        page = write_run_report(con, out_dir=tmp_path / "reports", web_assets_dir=WEB_ASSETS)
    finally:
        con.close()
    html = page.read_text(encoding="utf-8")
    assert 'id="chart-validation" data-empty="true"' in html and "audited no batch" in html
    assert '"chart-top-entities"' in html  # the warehouse's entities are still charted
    assert (tmp_path / "reports" / "latest.html").read_text(encoding="utf-8").count(page.name) == 2


def report_without_scripts(warehouse, tmp_path) -> str:
    """The HTML of run-1's report, written where no chart scripts are installed."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        page = write_run_report(con, "run-1", tmp_path / "reports", web_assets_dir=tmp_path / "no-assets")
    finally:
        con.close()
    return page.read_text(encoding="utf-8")


def test_without_installed_scripts_the_page_loads_them_and_says_so(tmp_path):
    html = report_without_scripts(build_warehouse(tmp_path / "wirehouse.duckdb"), tmp_path)
    assert '<script src="https://cdn.jsdelivr.net/npm/vega@6"></script>' in html
    assert "not installed here" in html


def test_names_from_the_data_cannot_break_out_of_the_page(tmp_path):
    hostile = "</script><script>alert(1)</script><!--"
    entities = [(entity_id, hostile if entity_id == "e_ann" else name, label) for entity_id, name, label in ENTITIES]
    html = report_without_scripts(build_warehouse(tmp_path / "wirehouse.duckdb", entities=entities), tmp_path)
    assert "<script>alert(1)" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html  # the data table shows it as text


def test_cli_report_writes_beside_the_warehouse(tmp_path, capsys):
    warehouse = build_warehouse(tmp_path / "wh" / "wirehouse.duckdb")
    assert main(["report", "--warehouse", str(warehouse)]) == 0
    page = tmp_path / "wh" / "reports" / "run-run-1.html"
    assert capsys.readouterr().out.strip() == str(page)
    assert page.is_file() and (page.parent / "latest.html").is_file()
    assert main(["report", "--warehouse", str(warehouse), "--run", "no-such-run"]) == 1
    assert "no run 'no-such-run'" in capsys.readouterr().err
