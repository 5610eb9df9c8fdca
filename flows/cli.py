"""The `wirehouse` command: run the flow, evaluate the enrichment, query the warehouse."""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import decimal
import errno
import json
import math
import os
import sys
import traceback
from pathlib import Path
from typing import Any, Iterator, Sequence

from wirehouse.flows.settings import SettingsError, add_run_options, check_for_run, load_settings

# Why a file cannot be created where the user pointed: their choice of folder, not the disk.
UNWRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR}

EPILOG = """\
Every option of `run` but --debug can also be set with a WIREHOUSE_<NAME> environment
variable (e.g. WIREHOUSE_MODEL=en_core_web_sm); command-line options win.

examples:
  wirehouse run                                   # seeds/ -> warehouse/wirehouse.duckdb
  wirehouse run --seeds ../shared/corpora/bbc --runner process
  wirehouse sql "SELECT label, count(*) FROM entity GROUP BY label"
  wirehouse doctor                                # check the warehouse, say what is wrong
  wirehouse export --format parquet exports/      # every table and view as Parquet, with manifest.json
  wirehouse report                                # HTML charts of the latest run -> warehouse/reports/
  wirehouse evaluate quotes --polnear ../shared/corpora/polnear/data/dev
  wirehouse evaluate attributions --polnear ../shared/corpora/polnear/data/dev
  wirehouse evaluate entities --ieer ../shared/corpora/ieer/ner_gold_ieer.jsonl
  wirehouse evaluate extraction --benchmark ../shared/corpora/article-html
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wirehouse",
        description="Wirehouse: load news documents into a DuckDB warehouse of articles, entities and quotes.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    run = commands.add_parser(
        "run", help="run the pipeline flow over a seeds folder",
        description="Ingest every document under the seeds folder (recursively: .txt, .jsonl, .csv, .parquet, "
                    ".html, .htm, .html.gz, .warc, .warc.gz), enrich it with spaCy, audit it with Great "
                    "Expectations and publish it to DuckDB. Unchanged documents are skipped; bad ones are "
                    "recorded in rejected_document with a reason.",
    )
    add_run_options(run)
    run.add_argument("--debug", action="store_true",
                     help="on a failure, show the traceback too (by default: one line naming the cause)")

    evaluate = commands.add_parser("evaluate", help="score quotes, attributions, entities or extraction against "
                                                  "annotated corpora")
    targets = evaluate.add_subparsers(dest="target", metavar="TARGET")
    targets.required = True
    quotes = targets.add_parser("quotes", help="direct quotes and speakers against PolNeAR attributions")
    quotes.add_argument("--polnear", required=True, type=Path, metavar="DIR",
                        help="folder with text/*.txt and attributions/*.ann")
    quotes.add_argument("--model", default=None, metavar="NAME",
                        help="spaCy pipeline to score (default: the one `run` uses)")
    quotes.add_argument("--limit", type=int, metavar="N", help="score only the first N articles")
    attributions = targets.add_parser("attributions",
                                      help="attributions (source, cue, content) against PolNeAR annotations")
    attributions.add_argument("--polnear", required=True, type=Path, metavar="DIR",
                              help="folder with text/*.txt and attributions/*.ann")
    attributions.add_argument("--model", default=None, metavar="NAME",
                              help="spaCy pipeline to score (default: the one `run` uses)")
    attributions.add_argument("--limit", type=int, metavar="N", help="score only the first N articles")
    agreement = targets.add_parser(
        "agreement", help="PolNeAR's annotators against each other, scored as attributions are",
        description="On every article of the folder that several annotators annotated, score each annotation "
                    "against every other with the attribution scorer: what people agree on, beside what the "
                    "pipeline reaches. No model is run.")
    agreement.add_argument("--polnear", required=True, type=Path, metavar="DIR",
                           help="folder with text/*.txt and attributions/*.ann")
    entities = targets.add_parser("entities", help="named entities against IE-ER gold spans")
    entities.add_argument("--ieer", required=True, type=Path, metavar="FILE", help="ner_gold_ieer.jsonl")
    entities.add_argument("--model", default=None, metavar="NAME",
                          help="spaCy pipeline to score (default: the one `run` uses)")
    entities.add_argument("--limit", type=int, metavar="N", help="score only the first N articles")
    extraction = targets.add_parser("extraction", help="article bodies of web pages against an extraction benchmark")
    extraction.add_argument("--benchmark", required=True, type=Path, metavar="DIR",
                            help="folder with html/<key>.html and ground-truth.json")
    extraction.add_argument("--limit", type=int, metavar="N", help="score only the first N pages")

    sql = commands.add_parser("sql", help="run one read-only SQL query against the warehouse")
    sql.add_argument("query", help="the SQL text")
    sql.add_argument("--warehouse", dest="warehouse_path", metavar="PATH")
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sql.add_argument("--wait", dest="wait_seconds", type=float, default=30.0, metavar="SECONDS",
                     help="wait this long for a publishing run to let go of the file (default: 30)")

    doctor = commands.add_parser(
        "doctor", help="check the warehouse and print what is wrong",
        description="Open the warehouse read-only and check its schema version, the run lock, runs that did "
                    "not finish, the accounting identity of every run, orphan and duplicate rows, offsets, entity "
                    "counts and validation failures. Exit 0 when healthy (warnings and history included), 1 when "
                    "an error was found, 2 when the file is missing, 75 when it stays busy.",
    )
    doctor.add_argument("--warehouse", dest="warehouse_path", metavar="PATH")
    doctor.add_argument("--wait", dest="wait_seconds", type=float, default=30.0, metavar="SECONDS",
                        help="wait this long for a publishing run to let go of the file (default: 30)")
    doctor.add_argument("--format", choices=("text", "json"), default="text")
    export = commands.add_parser(
        "export", help="write every table and view as Parquet (or CSV) files with a manifest",
        description="Open the warehouse read-only and write <name>.parquet (or <name>.csv) for every table and "
                    "view, read in one "
                    "snapshot, and manifest.json listing each file's rows and columns, the warehouse path, its schema "
                    "version and the time of the export. For BI tools that read files.",
    )
    export.add_argument("out_dir", type=Path, metavar="DIR", help="folder to write (created if missing)")
    export.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    export.add_argument("--warehouse", dest="warehouse_path", metavar="PATH")
    export.add_argument("--wait", dest="wait_seconds", type=float, default=30.0, metavar="SECONDS",
                        help="wait this long for a publishing run to let go of the file (default: 30)")

    report = commands.add_parser(
        "report", help="write the HTML run report (charts) of a run",
        description="Write the HTML report of a run (default: the latest) with charts of top entities, most-quoted "
                    "speakers, quotes per article, validation outcome and rejected documents; prints its path.",
    )
    report.add_argument("--run", dest="run_id", metavar="RUN_ID", help="the run to report (default: the latest)")
    report.add_argument("--out", dest="out_dir", type=Path, metavar="DIR",
                        help="folder to write (default: reports/ beside the warehouse file)")
    report.add_argument("--warehouse", dest="warehouse_path", metavar="PATH")
    report.add_argument("--wait", dest="wait_seconds", type=float, default=30.0, metavar="SECONDS",
                        help="wait this long for a publishing run to let go of the file (default: 30)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # No usage reporting from the libraries: the warehouse runs on closed networks too.
    for variable in ("GX_ANALYTICS_ENABLED", "PREFECT_SERVER_ANALYTICS_ENABLED"):
        os.environ.setdefault(variable, "false")
    commands = {"run": command_run, "evaluate": command_evaluate, "sql": command_sql, "doctor": command_doctor,
                "export": command_export, "report": command_report}
    try:
        return commands[args.command](args)
    except CommandFailed as failure:
        print(f"wirehouse: {failure}", file=sys.stderr)
        return failure.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


class CommandFailed(Exception):
    """A command stops with a one-line reason and an exit code (2 set-up, 75 busy)."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


@contextlib.contextmanager
def warehouse_errors() -> Iterator[None]:
    """A missing or unusable warehouse is a set-up error (2); one another run is writing is
    busy (75, EX_TEMPFAIL: try again later)."""
    from wirehouse.warehouse.connection import WarehouseUnusable
    from wirehouse.warehouse.run_lock import WarehouseBusy

    try:
        yield
    except (FileNotFoundError, WarehouseUnusable) as error:
        raise CommandFailed(str(error), 2) from None
    except WarehouseBusy as error:
        raise CommandFailed(str(error), 75) from None


def settings_for(args: argparse.Namespace, *names: str):
    """The run settings with the given options of this command applied (one source of
    defaults and WIREHOUSE_* variables for every command)."""
    try:
        return load_settings(**{name: getattr(args, name, None) for name in names})
    except SettingsError as error:
        raise CommandFailed(str(error), 2) from None


def warehouse_path(args: argparse.Namespace) -> str:
    return settings_for(args, "warehouse_path").warehouse_path


def command_run(args: argparse.Namespace) -> int:
    from wirehouse.flows.collection import skip_the_final_collection
    from wirehouse.flows.stopping import reset_graceful_stop
    from wirehouse.transforms.nlp import ModelNotInstalled, model_meta
    from wirehouse.warehouse.connection import path_problem, write_problem
    from wirehouse.warehouse.run_lock import LockWaitStopped, RunLock, WarehouseBusy, lock_path_for

    names = [name for name in vars(args) if name not in ("command", "debug")]
    settings = settings_for(args, *names)
    try:
        check_for_run(settings, {name: getattr(args, name) for name in names})
    except SettingsError as error:
        print(f"wirehouse: {error}", file=sys.stderr)
        return 2
    seeds = Path(settings.seeds_dir)
    if not seeds.is_dir():
        what = "is a file, not a folder" if seeds.exists() else "does not exist"
        where = "" if seeds.is_absolute() else f" (relative to {os.getcwd()})"
        print(f"wirehouse: seeds folder {settings.seeds_dir!r} {what}{where}; give the folder of documents "
              "with --seeds DIR or WIREHOUSE_SEEDS_DIR", file=sys.stderr)
        return 2
    if problem := path_problem(settings.warehouse_path) or write_problem(settings.warehouse_path):
        print(f"wirehouse: {problem}", file=sys.stderr)
        return 2
    try:
        model_meta(settings.model)  # fail before Prefect starts if the model is missing
    except ModelNotInstalled as error:
        print(f"wirehouse: {error}", file=sys.stderr)
        return 2
    if (api_url := configured_api_url()) and not api_reachable(api_url):
        print(f"wirehouse: the Prefect API at {api_url} (PREFECT_API_URL) does not answer; start that server, or "
              "unset PREFECT_API_URL for a temporary one", file=sys.stderr)
        return 2

    stop = reset_graceful_stop()
    with stop.installed():  # from here a signal asks the run to stop; a second one exits at once
        try:  # before Prefect starts: a second run waits (--wait) or stops here, without a traceback
            lock = RunLock.acquire(settings.warehouse_path, settings.wait_seconds, stopping=lambda: stop.requested,
                                   waiting=lambda line: print(f"wirehouse: {line}", file=sys.stderr, flush=True))
        except WarehouseBusy as error:
            print(f"wirehouse: {error}", file=sys.stderr)
            return 75  # EX_TEMPFAIL: try again later
        except LockWaitStopped:
            print(f"wirehouse: {stop.reason} while waiting for the warehouse; nothing published", file=sys.stderr)
            return stop.exit_code
        except OSError as error:  # the folder cannot be created or written
            advice = "; give a --warehouse in a folder you can write" if error.errno in UNWRITABLE else ""
            print(f"wirehouse: cannot create {str(lock_path_for(settings.warehouse_path))!r} beside the warehouse: "
                  f"{error.strerror}{advice}", file=sys.stderr)
            return 2
        if problem := path_problem(settings.warehouse_path, settled=True):  # a file cut short before any header
            lock.release()
            print(f"wirehouse: {problem}", file=sys.stderr)
            return 2
        server, leave_at_once = None, False
        try:
            server = start_api_server()
            from wirehouse.flows.failures import quiet_tracebacks
            from wirehouse.flows.pipeline import wirehouse_pipeline

            if not args.debug:
                quiet_tracebacks()
            with server.as_api() if server else contextlib.nullcontext():
                if stop.requested:
                    code, output = stop.exit_code, f"wirehouse: {stop.reason} before the run started; nothing published"
                else:
                    try:
                        state = wirehouse_pipeline(**settings.model_dump(), return_state=True)
                    except Exception as error:  # the engine itself failed (e.g. the API went away)
                        state = error
                    api_url = server.api_url if server else configured_api_url()
                    if not api_reachable(api_url):
                        code, output = outcome_without_api(api_url, settings)
                        leave_at_once = True
                    else:
                        code, output = outcome_of(state, settings, args.debug)
        except CommandFailed as failure:
            code, output = failure.exit_code, f"wirehouse: {failure}"
        finally:
            lock.release()
            if server is not None:
                server.stop()  # last: the run's final state is recorded by now
    skip_the_final_collection()
    print(output, file=sys.stderr if code else sys.stdout)
    if leave_at_once:
        # Prefect's log and event workers would retry the lost API for minutes at exit
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def start_api_server():
    """The run's own temporary Prefect API server, unless PREFECT_API_URL names one."""
    from prefect.settings import PREFECT_API_URL, PREFECT_HOME

    from wirehouse.flows.api_server import OwnedPrefectServer, ServerNotStarted, migrated_template

    if PREFECT_API_URL.value():
        return None
    try:
        template = migrated_template(Path(PREFECT_HOME.value()).expanduser() / "wirehouse")
        return OwnedPrefectServer(template=template).start()
    except (ServerNotStarted, OSError) as error:
        raise CommandFailed(f"{error} (set PREFECT_API_URL to use a running Prefect server)", 1) from None


def configured_api_url() -> str | None:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def api_reachable(api_url: str | None) -> bool:
    from wirehouse.flows.api_server import api_reachable as reachable

    return reachable(api_url)


def outcome_without_api(api_url: str | None, settings) -> tuple[int, str]:
    """The Prefect API stopped answering during the run: the warehouse's own record says how
    the run ended (the run holds the lock, so the latest run is this one)."""
    from wirehouse.warehouse import sql
    from wirehouse.warehouse.connection import connect

    gone = f"the Prefect API at {api_url} stopped answering; the flow run's state is not recorded there"
    try:
        con = connect(settings.warehouse_path, read_only=True)
        try:
            row = con.execute(sql.query("latest_run_outcome")).fetchone()
        finally:
            con.close()
    except Exception as error:
        return 1, f"wirehouse: {gone}, and the warehouse could not be read: {error}"
    if row is None:
        return 1, f"wirehouse: {gone}; the run recorded nothing in the warehouse"
    run_id, status, seen, loaded, skipped, rejected = row
    code = 0 if status in ("completed", "completed_with_rejections") else 1
    return code, (f"wirehouse: {gone}. The warehouse records run {run_id} as {status}: {seen} read, {loaded} loaded, "
                  f"{skipped} skipped, {rejected} rejected")


def outcome_of(state, settings, debug: bool) -> tuple[int, str]:
    """The exit code and the lines to print for the flow run's final state (or the error
    the flow call raised)."""
    from wirehouse.flows.failures import one_line
    from wirehouse.warehouse.run_lock import WarehouseBusy

    if isinstance(state, BaseException):
        if debug:
            traceback.print_exception(state)
        return 1, f"wirehouse: {one_line(state, str(Path(settings.warehouse_path).absolute()))}"
    if state.is_cancelled():
        return graceful_exit_code(), f"wirehouse: {state.message}"
    try:
        summary = state.result()
    except WarehouseBusy as error:
        return 75, f"wirehouse: {error}"  # EX_TEMPFAIL: try again later
    except Exception as error:
        if debug:
            traceback.print_exception(error)
        return 1, f"wirehouse: {one_line(error, str(Path(settings.warehouse_path).absolute()))}"
    code = 0 if summary["status"] in ("completed", "completed_with_rejections") else 1
    return code, render_summary(summary)


def graceful_exit_code() -> int:
    """128 + the signal that stopped the run (143 SIGTERM, 130 SIGINT; a cancel from the API counts as SIGTERM)."""
    from wirehouse.flows.stopping import graceful_stop

    return graceful_stop().exit_code if graceful_stop().signum else 143


def skipped_reasons(summary: dict) -> str:
    reasons = summary.get("skipped_by_reason") or {}
    if set(reasons) <= {"unchanged"}:
        return "unchanged"
    return ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))


def render_summary(summary: dict) -> str:
    lines = [
        "",
        f"Wirehouse run {summary['run_id']}: {summary['status']} in {summary['seconds']:.1f}s",
        f"  warehouse  {summary['warehouse_path']}",
        f"  model      {summary['model_version']}",
        f"  documents  {summary['documents_seen']} read: {summary['documents_loaded']} loaded, "
        f"{summary['documents_skipped']} skipped ({skipped_reasons(summary)}), {summary['documents_rejected']} rejected",
    ]
    for reason, count in sorted(summary["rejected_by_reason"].items()):
        lines.append(f"             - {count} {reason}")
    if not summary["documents_seen"]:
        from wirehouse.transforms.ingest import KINDS

        lines.append(f"             no document in the seeds folder; documents are read from {', '.join(KINDS)} "
                     "files in it and its sub-folders")
    if summary["batches_quarantined"]:
        lines.append(f"  quarantined batches: {summary['batches_quarantined']} (see the quarantine table)")
    if summary["missing_sources"]:
        lines.append(f"  {len(summary['missing_sources'])} stored source(s) are gone from the seeds folder"
                     + ("; pruned" if summary["pruned_articles"] else "; `wirehouse run --prune` removes them"))
    lines.append("  rows       " + ", ".join(f"{table} {count}" for table, count in summary["table_counts"].items()))
    lines.append(f"  checks     validation warnings: {summary['validation_warnings']}; accounting "
                 f"{'holds' if summary['accounting_ok'] else 'BROKEN'}")
    if summary.get("data_docs_index"):
        lines.append(f"  data docs  {summary['data_docs_index']}")
    if summary.get("run_report"):
        lines.append(f"  report     {summary['run_report']}")
    return "\n".join(lines)


def command_evaluate(args: argparse.Namespace) -> int:
    from wirehouse.evaluation import BenchmarkUnreadable
    from wirehouse.transforms.nlp import ModelNotInstalled

    missing = missing_evaluation_input(args)
    if missing:
        print(f"wirehouse: {missing}", file=sys.stderr)
        return 2
    try:
        print(evaluation_report(args))
    except (ModelNotInstalled, BenchmarkUnreadable) as error:
        print(f"wirehouse: {error}", file=sys.stderr)
        return 2
    return 0


def missing_evaluation_input(args: argparse.Namespace) -> str | None:
    """The annotated data an evaluation target names, when it is not there (an argument
    error, told at the edge; what is inside the files is the scorers' to refuse)."""
    if args.target == "extraction" and not (args.benchmark / "ground-truth.json").is_file():
        return f"{args.benchmark} has no ground-truth.json"
    if args.target in ("quotes", "attributions", "agreement") and not args.polnear.is_dir():
        return f"{args.polnear} is not a folder"
    if args.target == "entities" and not args.ieer.is_file():
        return f"{args.ieer} is not a file"
    return None


def evaluation_report(args: argparse.Namespace) -> str:
    if args.target == "extraction":
        from wirehouse.evaluation import extraction

        return extraction.render(extraction.evaluate(args.benchmark, limit=args.limit))
    if args.target == "agreement":
        from wirehouse.evaluation import attributions

        return attributions.render_agreement(attributions.annotator_agreement(args.polnear))
    model = settings_for(args, "model").model
    if args.target == "entities":
        from wirehouse.evaluation import entities as scorer

        return scorer.render(scorer.evaluate(args.ieer, model_name=model, limit=args.limit))
    if args.target == "quotes":
        from wirehouse.evaluation import quotes as scorer
    else:
        from wirehouse.evaluation import attributions as scorer
    return scorer.render(scorer.evaluate(args.polnear, model_name=model, limit=args.limit))


def command_sql(args: argparse.Namespace) -> int:
    import duckdb

    from wirehouse.warehouse.connection import connect

    with warehouse_errors():
        con = connect(warehouse_path(args), read_only=True, wait_seconds=args.wait_seconds)
    try:
        relation = con.sql(args.query)
        if relation is None:
            return 0
        if args.format == "table":
            relation.show(max_width=160, max_rows=200)
        else:
            write_rows(relation, args.format, sys.stdout)
    except duckdb.Error as error:
        print(f"wirehouse: query failed: {error}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def write_rows(relation: Any, format: str, out: Any) -> None:
    """A query's rows as CSV or a JSON array, every row, values as DuckDB gives them to
    Python (not through pandas, which printed a sum (HUGEINT) as 60.0 and a DATE as a
    midnight timestamp)."""
    columns = relation.columns
    if format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        while rows := relation.fetchmany(10_000):
            writer.writerows([_csv_value(_plain(value)) for value in row] for row in rows)
        return
    records = [dict(zip(columns, map(_plain, row))) for row in relation.fetchall()]
    print(json.dumps(records, indent=1, ensure_ascii=False), file=out)


def _csv_value(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def _plain(value: Any) -> Any:
    """A value as JSON holds it: dates and times in ISO 8601, decimals as numbers, NaN and
    infinities as null, bytes in hex, a map's keys as text, anything else as its text."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key if isinstance(key, str) else str(_plain(key)): _plain(item) for key, item in value.items()}
    return str(value)  # a UUID, an interval


def command_doctor(args: argparse.Namespace) -> int:
    from wirehouse.warehouse import doctor

    with warehouse_errors():
        report = doctor.examine(warehouse_path(args), wait_seconds=args.wait_seconds)
    print(json.dumps(report.as_dict(), indent=1) if args.format == "json" else report.render())
    return 0 if report.healthy else 1


def command_export(args: argparse.Namespace) -> int:
    import duckdb

    from wirehouse.warehouse.export import export

    try:
        with warehouse_errors():
            manifest = export(warehouse_path(args), args.out_dir, args.format, wait_seconds=args.wait_seconds)
    except (duckdb.Error, OSError) as error:
        print(f"wirehouse: export failed: {error}", file=sys.stderr)
        return 1
    for relation in manifest.relations:
        print(f"  {relation.kind:5}  {relation.name:24} {relation.rows:>10} rows  {relation.file}")
    print(f"{len(manifest.relations)} files and manifest.json in {args.out_dir} "
          f"(schema version {manifest.schema_version})")
    return 0


def command_report(args: argparse.Namespace) -> int:
    from wirehouse.warehouse.report import ReportNotWritten, write_report_of

    settings = settings_for(args, "warehouse_path")
    try:
        with warehouse_errors():
            page = write_report_of(settings.warehouse_path, args.run_id, args.out_dir, settings.web_assets_dir,
                                   wait_seconds=args.wait_seconds)
    except (LookupError, ReportNotWritten) as error:
        print(f"wirehouse: {error.args[0]}", file=sys.stderr)
        return 1
    print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
