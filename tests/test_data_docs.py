"""GX Data Docs are built after a run and show the suites and their results in a browser."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser import rendered_dom, screenshot
from wirehouse.transforms.tables import TABLES


def test_data_docs_index_shows_every_suite_and_result(run_flow, seeds_copy, tmp_path):
    warehouse = tmp_path / "wh" / "wirehouse.duckdb"
    summary = run_flow(seeds_copy, warehouse, data_docs=True)
    index = Path(summary["data_docs_index"])
    assert index == warehouse.parent / "data_docs" / "index.html" and index.is_file()

    dom = rendered_dom(index)
    # bootstrap-table rendered one row per validation: the scripts ran (offline copies)
    validations = re.search(r'id="section-1-content-block-2-1-body-table".*?</table>', dom, flags=re.S).group(0)
    rows = re.findall(r"<tr[^>]*data-index=\"\d+\"[^>]*>(.*?)</tr>", validations, flags=re.S)
    expected = sorted(table.suite for table in TABLES if table.suite)
    assert len(rows) == len(expected), "the validation results table has not one rendered row per suite"
    suites = sorted(re.search(r">\s*([a-z_]+)\s*</a>", row).group(1) for row in rows)
    assert suites == expected
    assert all(summary["run_id"] in row for row in rows)  # run name = the pipeline run id
    assert all("ge-success-icon" in row for row in rows)  # every suite passed

    page = next((index.parent / "validations" / "quote").rglob("*.html"))
    for html in (index, page):  # no script or style sheet is fetched from the internet
        markup = html.read_text(encoding="utf-8")
        assert not re.findall(r'<script[^>]*src="https?://[^"]*"', markup), html
        assert not re.findall(r'<link[^>]*href="https?://[^"]*"', markup), html
    result_dom = rendered_dom(page)
    assert "Succeeded" in result_dom and "text_matches_body" in result_dom
    screenshot(index, tmp_path / "data_docs.png", size="1280,900")
