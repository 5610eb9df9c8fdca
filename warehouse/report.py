"""The run report: one HTML page per run, with charts of what the warehouse holds.

`write_run_report(con, run_id, out_dir)` writes `run-<run id>.html` (and `latest.html`,
which opens the newest report) under `out_dir`, by default `warehouse/reports/`. The
charts are Altair (Vega-Lite) specifications rendered in the browser by Vega. The Vega
and Vega-Lite scripts are read from the installed web assets (`make` fetches them with
the Data Docs ones) and written into the page, so it renders with no network; where they
are not installed, the page loads them from a CDN and says so. Every chart also has its
numbers as a table under it.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

import duckdb

from wirehouse.transforms.tables import COUNTED_TABLES
from wirehouse.warehouse import sql
from wirehouse.warehouse.connection import READ_WAIT_SECONDS, connect, utc_now
from wirehouse.warehouse.migrations import schema_version

REPORTS_FOLDER = "reports"
# Named entity labels the report ranks, in this order (those the warehouse holds).
ENTITY_LABELS = ("PERSON", "ORG", "GPE", "NORP", "LOC", "EVENT")
TOP_ENTITIES = 10
TOP_SPEAKERS = 15
SUBJECT_SPEAKERS = 8   # speakers, and subjects of each, in the chart of what they talk about
SUBJECTS_PER_SPEAKER = 5
TOP_SITES = 15
REJECTIONS_LISTED = 200
# The scripts the page needs, as installed under the web assets folder: package@version/path.
SCRIPTS = (("vega", "vega@6*", "build/vega.min.js"), ("vega-lite", "vega-lite@6*", "build/vega-lite.min.js"))
CDN = {"vega": "https://cdn.jsdelivr.net/npm/vega@6", "vega-lite": "https://cdn.jsdelivr.net/npm/vega-lite@6"}
OUTCOME_COLOURS = {"passed": "#4c9a2a", "failed (warning)": "#e8a33d", "failed (critical)": "#c8372d"}


def _count_axis() -> Any:
    import altair as alt

    return alt.Axis(format="d", tickMinStep=1)


def find_scripts(assets_dir: Path | None) -> dict[str, Path]:
    """The installed Vega scripts (name -> file), newest version first; {} when absent."""
    found: dict[str, Path] = {}
    if assets_dir is None or not Path(assets_dir).is_dir():
        return found
    for name, pattern, inner in SCRIPTS:
        candidates = sorted((p / inner for p in Path(assets_dir).glob(pattern) if (p / inner).is_file()),
                            key=lambda p: _version_key(p.parents[1].name), reverse=True)
        if candidates:
            found[name] = candidates[0]
    return found


def _version_key(folder: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder.rpartition("@")[2]))


@dataclass
class Chart:
    """One section of the report: a title, what it shows, a chart (or why there is none), its data."""

    key: str
    title: str
    caption: str
    spec: dict[str, Any] | None
    columns: Sequence[str]
    rows: list[tuple]
    empty_note: str = ""
    more_rows: int = 0  # rows the table leaves out

    @property
    def element_id(self) -> str:
        return f"chart-{self.key}"


@dataclass
class RunReport:
    run: dict[str, Any]
    charts: list[Chart] = field(default_factory=list)
    table_rows: dict[str, int] = field(default_factory=dict)
    schema_version: int = 0


# ---------------------------------------------------------------- data

def _fetch(con: duckdb.DuckDBPyConnection, query: str, parameters: list[Any] | None = None
           ) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(query, parameters or [])
    return [d[0] for d in cursor.description], cursor.fetchall()


def _records(columns: Sequence[str], rows: list[tuple]) -> list[dict[str, Any]]:
    return [{c: _plain(v) for c, v in zip(columns, row)} for row in rows]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def latest_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(sql.query("latest_run")).fetchone()
    return row[0] if row else None


def collect(con: duckdb.DuckDBPyConnection, run_id: str) -> RunReport:
    """Everything the page shows, read in one snapshot of the warehouse."""
    columns, rows = _fetch(con, sql.query("run_by_id"), [run_id])
    if not rows:
        raise LookupError(f"no run {run_id!r} in the warehouse")
    run = dict(zip(columns, rows[0]))
    report = RunReport(run=run, schema_version=schema_version(con))
    for table in (*COUNTED_TABLES, "validation_result", "quarantine"):
        report.table_rows[table] = con.execute(sql.count_rows(table)).fetchone()[0]
    report.charts = [top_entities(con), top_speakers(con), speaker_subjects(con), quotes_per_article(con),
                     articles_per_day(con), articles_per_site(con), validation_outcome(con, run_id),
                     rejected_documents(con, run_id, run.get("counts"))]
    return report


def top_entities(con: duckdb.DuckDBPyConnection) -> Chart:
    import altair as alt

    columns, rows = _fetch(con, sql.query("report_top_entities"), [list(ENTITY_LABELS), TOP_ENTITIES])
    labels = [label for label in ENTITY_LABELS if any(row[0] == label for row in rows)]
    chart = Chart("top-entities", "Top entities by type",
                  f"The {TOP_ENTITIES} most-mentioned entities of each type, across the whole warehouse "
                  "(bar: mentions; tooltip: articles).", None, columns, rows,
                  empty_note="The warehouse holds no named entities yet.")
    if rows:
        base = alt.Chart(alt.Data(values=_records(columns, rows))).mark_bar().encode(
            x=alt.X("mention_count:Q", title="mentions", axis=_count_axis()),
            y=alt.Y("canonical_name:N", sort="-x", title=None),
            color=alt.Color("label:N", legend=None, sort=labels),
            tooltip=["canonical_name:N", "label:N", "mention_count:Q", "article_count:Q"],
        ).properties(width=260, height=alt.Step(16))
        chart.spec = base.facet(facet=alt.Facet("label:N", sort=labels, title=None), columns=2).resolve_scale(
            x="independent", y="independent").to_dict()
    return chart


def top_speakers(con: duckdb.DuckDBPyConnection) -> Chart:
    import altair as alt

    columns, rows = _fetch(con, sql.query("report_top_speakers"), [TOP_SPEAKERS])
    chart = Chart("top-speakers", "Who is quoted and reported most",
                  f"The {TOP_SPEAKERS} speakers with the most attributions, among those linked to an entity "
                  "(view quoted_speakers has all of them): quoted directly, partly quoted (mixed) and "
                  "reported speech (indirect).", None, columns, rows,
                  empty_note="No attribution has a speaker linked to an entity yet.")
    if rows:
        order = [row[0] for row in rows]
        kinds = ["direct", "mixed", "indirect"]
        chart.spec = alt.Chart(alt.Data(values=_records(columns, rows))).transform_fold(
            [f"{kind}_attributions" for kind in kinds], as_=["kind", "attributions"]
        ).transform_calculate(
            kind="replace(datum.kind, '_attributions', '')"
        ).mark_bar().encode(
            x=alt.X("attributions:Q", title="attributions", stack="zero", axis=_count_axis()),
            y=alt.Y("speaker_name:N", sort=order, title=None),
            color=alt.Color("kind:N", title="speech", scale=alt.Scale(domain=kinds,
                                                                       range=["#3b6ea5", "#7fa7cf", "#c6dbef"])),
            tooltip=["speaker_name:N", "kind:N", "attributions:Q", "attribution_count:Q", "quote_count:Q",
                     "article_count:Q"],
        ).properties(width=520, height=alt.Step(18)).to_dict()
    return chart


def speaker_subjects(con: duckdb.DuckDBPyConnection) -> Chart:
    import altair as alt

    columns, rows = _fetch(con, sql.query("report_speaker_subjects"), [SUBJECT_SPEAKERS, SUBJECTS_PER_SPEAKER])
    chart = Chart("speaker-subjects", "What they talk about",
                  f"For the {SUBJECT_SPEAKERS} speakers with the most attributions, the {SUBJECTS_PER_SPEAKER} "
                  "named entities their words name most often (view speaker_subjects: people, organisations "
                  "and places inside the content of an attribution, never the speaker).", None, columns, rows,
                  empty_note="No attribution of a speaker linked to an entity names another entity yet.")
    if rows:
        speakers = list(dict.fromkeys(row[0] for row in rows))
        base = alt.Chart(alt.Data(values=_records(columns, rows))).mark_bar().encode(
            x=alt.X("attribution_count:Q", title="attributions naming it", axis=_count_axis()),
            y=alt.Y("subject_name:N", sort="-x", title=None),
            color=alt.Color("subject_label:N", title="type"),
            tooltip=["speaker_name:N", "subject_name:N", "subject_label:N", "attribution_count:Q",
                     "article_count:Q"],
        ).properties(width=220, height=alt.Step(16))
        chart.spec = base.facet(facet=alt.Facet("speaker_name:N", sort=speakers, title=None), columns=2).resolve_scale(
            x="independent", y="independent").to_dict()
    return chart


def quotes_per_article(con: duckdb.DuckDBPyConnection) -> Chart:
    import altair as alt

    columns, rows = _fetch(con, sql.query("report_quotes_per_article"))
    chart = Chart("quotes-per-article", "Quotes per article",
                  "How many articles hold no quote, one quote, two quotes, and so on (view article_overview).",
                  None, columns, rows, empty_note="The warehouse holds no articles yet.")
    if rows:
        chart.spec = alt.Chart(alt.Data(values=_records(columns, rows))).mark_bar().encode(
            x=alt.X("quotes:O", title="quotes in the article"),
            y=alt.Y("articles:Q", title="articles", axis=_count_axis()),
            tooltip=["quotes:O", "articles:Q"],
        ).properties(width=alt.Step(22), height=220).to_dict()
    return chart


def articles_per_day(con: duckdb.DuckDBPyConnection) -> Chart:
    import altair as alt

    columns, rows = _fetch(con, sql.query("report_articles_per_day"))
    chart = Chart("articles-per-day", "Articles per day",
                  "Stored articles by the day the views use (view article_date): the publication date where "
                  "the page or the feed gives one, a WARC's crawl date otherwise, else the day of loading.",
                  None, columns, rows, empty_note="The warehouse holds no articles yet.")
    if rows:
        chart.spec = alt.Chart(alt.Data(values=_records(columns, rows))).mark_bar().encode(
            x=alt.X("day:T", title="day"),
            y=alt.Y("articles:Q", title="articles", stack="zero", axis=_count_axis()),
            color=alt.Color("date_basis:N", title="date from"),
            tooltip=["day:T", "date_basis:N", "articles:Q"],
        ).properties(width=520, height=200).to_dict()
    return chart


def articles_per_site(con: duckdb.DuckDBPyConnection) -> Chart:
    import altair as alt

    columns, rows = _fetch(con, sql.query("report_articles_per_site"), [TOP_SITES])
    chart = Chart("articles-per-site", "Articles per site",
                  f"The {TOP_SITES} sites with the most stored articles (the site a page names, else the "
                  "feed's source).", None, columns, rows, empty_note="The warehouse holds no articles yet.")
    if rows:
        chart.spec = alt.Chart(alt.Data(values=_records(columns, rows))).mark_bar().encode(
            x=alt.X("articles:Q", title="articles", axis=_count_axis()),
            y=alt.Y("site:N", sort="-x", title=None),
            tooltip=["site:N", "articles:Q"],
        ).properties(width=520, height=alt.Step(18)).to_dict()
    return chart


def validation_outcome(con: duckdb.DuckDBPyConnection, run_id: str) -> Chart:
    import altair as alt

    columns, rows = _fetch(con, sql.query("report_validation"), [run_id])
    chart = Chart("validation", "Validation outcome",
                  "Great Expectations checks of this run's batches per suite (table validation_result): "
                  "passed, failed as a warning (reported), failed critically (batch quarantined).",
                  None, columns, rows,
                  empty_note="This run audited no batch: every document was unchanged or rejected.")
    if rows:
        chart.spec = alt.Chart(alt.Data(values=_records(columns, rows))).mark_bar().encode(
            x=alt.X("checks:Q", title="checks (expectations x batches)", stack="zero", axis=_count_axis()),
            y=alt.Y("suite:N", title=None),
            color=alt.Color("outcome:N", title="outcome", scale=alt.Scale(
                domain=list(OUTCOME_COLOURS), range=list(OUTCOME_COLOURS.values()))),
            tooltip=["suite:N", "outcome:N", "checks:Q", "batches:Q"],
        ).properties(width=520, height=alt.Step(22)).to_dict()
    return chart


def rejected_documents(con: duckdb.DuckDBPyConnection, run_id: str, counts: Any = None) -> Chart:
    """By reason from the run's own counts (pipeline_run.counts); the listing from rejected_document,
    which keeps each document under the latest run that rejected it."""
    import altair as alt

    columns, rows = _fetch(con, sql.query("report_rejections"), [run_id])
    by_reason: dict[str, int] = {}
    for row in rows:
        by_reason[row[1]] = by_reason.get(row[1], 0) + 1
    recorded = _json_object(counts).get("rejected_by_reason")
    if isinstance(recorded, dict) and recorded:
        by_reason = {str(reason): int(count) for reason, count in recorded.items()}
    total = sum(by_reason.values())
    listed = "" if len(rows) == total else f"; {len(rows)} of them are listed, the others were rejected again later"
    chart = Chart("rejected", "Rejected documents",
                  f"Documents this run rejected, by reason ({total} in all{listed}; table rejected_document). "
                  "Rejected documents are tried again on the next run.", None, columns, rows[:REJECTIONS_LISTED],
                  empty_note="This run rejected no document.", more_rows=max(0, len(rows) - REJECTIONS_LISTED))
    if by_reason:
        values = [{"reason": reason, "documents": count} for reason, count in sorted(by_reason.items())]
        chart.spec = alt.Chart(alt.Data(values=values)).mark_bar(color="#c8372d").encode(
            x=alt.X("documents:Q", title="documents", axis=_count_axis()),
            y=alt.Y("reason:N", sort="-x", title=None),
            tooltip=["reason:N", "documents:Q"],
        ).properties(width=520, height=alt.Step(22)).to_dict()
    return chart


def _json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------- page

def report_file_name(run_id: str) -> str:
    return "run-" + re.sub(r"[^A-Za-z0-9_.-]", "_", run_id) + ".html"


def write_run_report(con: duckdb.DuckDBPyConnection, run_id: str | None = None, out_dir: str | Path | None = None,
                     web_assets_dir: str | Path | None = None, warehouse_path: str | Path | None = None) -> Path:
    """Write the report of `run_id` (default: the latest run) under `out_dir` and return its path.

    `out_dir` defaults to `reports/` beside the warehouse file; without `web_assets_dir`
    (the installed copies of the scripts) the page loads Vega from a CDN. `latest.html` in
    the same folder is pointed at this report."""
    if warehouse_path is None:
        warehouse_path = _database_path(con)
    if out_dir is None:
        if warehouse_path is None:
            raise ValueError("out_dir is needed for an in-memory warehouse")
        out_dir = Path(warehouse_path).absolute().parent / REPORTS_FOLDER
    run_id = run_id or latest_run_id(con)
    if run_id is None:
        raise LookupError("the warehouse has no runs yet")
    report = collect(con, run_id)
    page = render(report, find_scripts(Path(web_assets_dir) if web_assets_dir is not None else None),
                  warehouse_path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / report_file_name(run_id)
    _write_atomic(target, page)
    _write_atomic(out / "latest.html", _redirect_page(target.name, run_id))
    return target


def write_report_of(warehouse_path: str | Path, run_id: str | None = None, out_dir: str | Path | None = None,
                    web_assets_dir: str | Path | None = None, wait_seconds: float = READ_WAIT_SECONDS) -> Path:
    """`write_run_report` over a read-only connection of its own (waiting for a publish)."""
    con = connect(warehouse_path, read_only=True, wait_seconds=wait_seconds)
    try:
        return write_run_report(con, run_id, out_dir, web_assets_dir, warehouse_path)
    except OSError as error:  # the folder to write, not the warehouse (opened above)
        raise ReportNotWritten(f"cannot write the report to {str(out_dir or REPORTS_FOLDER + '/ beside the warehouse')!r}: "
                               f"{error}") from error
    finally:
        con.close()


class ReportNotWritten(Exception):
    """The report's folder or file could not be written (not an OSError, so that callers
    do not take it for the warehouse's)."""


def _database_path(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(sql.query("database_path")).fetchone()
    return row[0] if row and row[0] else None


def _write_atomic(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _redirect_page(target: str, run_id: str) -> str:
    href = html.escape(target, quote=True)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="0; url={href}"><title>Latest Wirehouse run report</title></head>'
            f'<body><p>The latest run report: <a href="{href}">{html.escape(run_id)}</a></p></body></html>\n')


def _script_tag(name: str, scripts: dict[str, Path]) -> str:
    path = scripts.get(name)
    if path is None:
        return f'<script src="{CDN[name]}"></script>'
    code = path.read_text(encoding="utf-8").replace("</script", "<\\/script")
    return f"<script>/* {html.escape(path.parents[1].name)} */\n{code}\n</script>"


def _json_for_script(data: Any) -> str:
    # no "<" at all inside the script element: JSON.parse reads \u003c back as "<"
    return json.dumps(data, default=str).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _table(columns: Sequence[str], rows: list[tuple]) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(_plain(v)))}</td>" for v in row)
                   + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _duration(run: dict[str, Any]) -> str:
    started, finished = run.get("started_at"), run.get("finished_at")
    if not started or not finished:
        return "not finished"
    return f"{(finished - started).total_seconds():.1f}s"


def render(report: RunReport, scripts: dict[str, Path], warehouse_path: str | Path | None = None) -> str:
    run = report.run
    esc = html.escape
    offline = all(name in scripts for name, _, _ in SCRIPTS)
    documents = [("seen", run.get("documents_seen")), ("loaded", run.get("documents_loaded")),
                 ("skipped (unchanged)", run.get("documents_skipped")),
                 ("rejected", run.get("documents_rejected"))]
    cards = "".join(f'<div class="card"><div class="n">{esc(str(v if v is not None else "-"))}</div>'
                    f'<div class="k">{esc(k)}</div></div>' for k, v in documents)
    accounting = run.get("accounting_ok")
    facts = [
        ("status", run.get("status")), ("started", _plain(run.get("started_at"))), ("took", _duration(run)),
        ("model", run.get("model_version")), ("seeds", run.get("seeds_dir")),
        ("accounting (seen = loaded + skipped + rejected)",
         "holds" if accounting else ("BROKEN" if accounting is not None else "-")),
        ("warehouse", str(warehouse_path) if warehouse_path else "-"), ("schema version", report.schema_version),
    ]
    if run.get("message"):
        facts.append(("message", run["message"]))
    fact_rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(str(v if v is not None else '-'))}</td></tr>"
                        for k, v in facts)
    rows_table = _table(["table", "rows"], list(report.table_rows.items()))
    sections = []
    specs = {}
    for chart in report.charts:
        if chart.spec is not None:
            specs[chart.element_id] = chart.spec
            figure = f'<div class="chart" id="{chart.element_id}" data-chart="{esc(chart.key)}"></div>'
        else:
            figure = f'<p class="empty" id="{chart.element_id}" data-empty="true">{esc(chart.empty_note)}</p>'
        more = f"<p>… and {chart.more_rows} more rows.</p>" if chart.more_rows else ""
        data = (f"<details><summary>Data ({len(chart.rows)} rows)</summary>{_table(chart.columns, chart.rows)}"
                f"{more}</details>") if chart.rows else ""
        sections.append(f'<section id="{esc(chart.key)}"><h2>{esc(chart.title)}</h2>'
                        f'<p class="caption">{esc(chart.caption)}</p>{figure}{data}</section>')
    notice = "" if offline else (
        '<p class="notice">The chart scripts (Vega, Vega-Lite) are not installed here, so this page loads them '
        "from the internet; `make` installs them and reports then work offline.</p>")
    return PAGE.format(
        title=esc(f"Wirehouse run {run['run_id']}"),
        run_id=esc(str(run["run_id"])),
        status_class="ok" if run.get("status") in ("completed", "completed_with_rejections") else "bad",
        status=esc(str(run.get("status"))),
        generated=esc(utc_now().isoformat(sep=" ", timespec="seconds") + " UTC"),
        cards=cards, facts=fact_rows, rows_table=rows_table, notice=notice, sections="\n".join(sections),
        vega=_script_tag("vega", scripts), vega_lite=_script_tag("vega-lite", scripts),
        specs=_json_for_script(specs),
    )


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2733;
         background: #f5f7fa; }}
  header {{ background: #1d2733; color: #fff; padding: 18px 32px; }}
  header h1 {{ margin: 0; font-size: 22px; font-weight: 600; }}
  header .sub {{ color: #b7c3d0; font-size: 13px; margin-top: 4px; }}
  .status {{ display: inline-block; padding: 2px 10px; border-radius: 10px; font-size: 13px; margin-left: 10px;
             vertical-align: middle; }}
  .status.ok {{ background: #4c9a2a; }} .status.bad {{ background: #c8372d; }}
  main {{ padding: 16px 32px 40px; max-width: 1200px; }}
  .cards {{ display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0 16px; }}
  .card {{ background: #fff; border-radius: 8px; padding: 12px 18px; min-width: 120px;
           box-shadow: 0 1px 2px rgba(0,0,0,.08); }}
  .card .n {{ font-size: 26px; font-weight: 600; }} .card .k {{ color: #5b6b7b; font-size: 13px; }}
  .overview {{ display: flex; gap: 24px; flex-wrap: wrap; align-items: flex-start; }}
  section {{ background: #fff; border-radius: 8px; padding: 14px 20px; margin: 16px 0;
             box-shadow: 0 1px 2px rgba(0,0,0,.08); }}
  h2 {{ font-size: 18px; margin: 0 0 4px; }}
  .caption {{ color: #5b6b7b; font-size: 13px; margin: 0 0 10px; }}
  .empty {{ color: #5b6b7b; font-style: italic; }}
  .notice {{ background: #fff4d6; border: 1px solid #e8a33d; padding: 8px 12px; border-radius: 6px; }}
  table {{ border-collapse: collapse; font-size: 13px; }}
  th, td {{ text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid #e3e8ee; vertical-align: top; }}
  td {{ max-width: 560px; overflow-wrap: anywhere; }}
  details {{ margin-top: 8px; }} summary {{ cursor: pointer; color: #3b6ea5; font-size: 13px; }}
  footer {{ color: #5b6b7b; font-size: 12px; padding: 0 32px 24px; }}
</style>
</head>
<body>
<header>
  <h1>Wirehouse run <code>{run_id}</code><span class="status {status_class}">{status}</span></h1>
  <div class="sub">Run report generated {generated}</div>
</header>
<main>
{notice}
<div class="cards">{cards}</div>
<div class="overview">
  <table class="facts">{facts}</table>
  <div><strong>Rows per table after the run</strong>{rows_table}</div>
</div>
{sections}
</main>
<footer>Entity and quote charts show the whole warehouse after this run; validation and rejections show this
run. The same numbers are in the warehouse's views and tables (`wirehouse sql`).</footer>
{vega}
{vega_lite}
<script type="application/json" id="wirehouse-chart-specs">{specs}</script>
<script>
(function () {{
  var specs = JSON.parse(document.getElementById("wirehouse-chart-specs").textContent);
  Object.keys(specs).forEach(function (id) {{
    var element = document.getElementById(id);
    try {{
      var view = new vega.View(vega.parse(vegaLite.compile(specs[id]).spec),
                               {{renderer: "svg", container: element, hover: true}});
      view.runAsync().then(function () {{ element.setAttribute("data-rendered", "true"); }},
                           function (error) {{ element.setAttribute("data-error", String(error)); }});
    }} catch (error) {{
      element.setAttribute("data-error", String(error));
      element.textContent = "This chart could not be drawn: " + error;
    }}
  }});
}})();
</script>
</body>
</html>
"""
