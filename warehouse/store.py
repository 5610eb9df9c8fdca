"""The writer of one run: what a run records in the warehouse, each write atomic.

`Warehouse.open` takes the run lock (run_lock.py) and brings the schema up to date
(migrations.py). The DuckDB file itself is opened only for each group of writes and
closed in between, so analysts' read-only connections get in between batches. Every
write method opens the file if no `session()` holds it open, and runs in one
transaction: a batch's audit results, quarantined rows, published rows and rejections
land together or not at all, so a reader or a crash never sees half an article.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import duckdb
import pyarrow as pa
import pyarrow.compute  # noqa: F401 (pa.compute)

from wirehouse.transforms.identity import NON_NAME_LABELS
from wirehouse.transforms.names import join_target
from wirehouse.transforms.records import Rejection, SourceKey, entity_id_for
from wirehouse.transforms.tables import ARTICLE, ARTICLE_CHILDREN, COUNTED_TABLES, ENTITY, ENTITY_MENTION, \
    ENTITY_RESOLUTION, TABLES, EnrichedBatch, Table, rows_as_columns
from wirehouse.warehouse import sql
from wirehouse.warehouse.connection import WRITE_WAIT_SECONDS, connect, transaction, utc_now
from wirehouse.warehouse.migrations import migrate
from wirehouse.warehouse.run_lock import RunLock

if TYPE_CHECKING:
    from wirehouse.expectations.verdict import AuditReport, BatchOutcome
    from wirehouse.transforms.identity_batch import IdentityUpdate


def arrow_table(rows: list[Any], table: Table) -> pa.Table:
    if rows:
        return pa.table(rows_as_columns(rows, table))
    return pa.table({name: pa.array([], type=pa.null()) for name in table.columns})


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {table: con.execute(sql.count_rows(table)).fetchone()[0] for table in COUNTED_TABLES}


@dataclass
class Warehouse:
    """The run lock and the operations a run performs.

    The DuckDB connection is opened on first use and kept until the enclosing
    `session()` ends (or `disconnect()`), so a run holds the file only while it writes."""

    path: Path
    lock: RunLock | None = None
    write_wait_seconds: float = WRITE_WAIT_SECONDS
    _con: duckdb.DuckDBPyConnection | None = None
    _in_transaction: bool = False
    _file: tuple[int, int] | None = None  # (device, inode) of the file this run opened first
    connections_opened: int = 0

    @classmethod
    def open(cls, path: str | Path, wait_seconds: float = 0.0, run_id: str | None = None,
             write_wait_seconds: float = WRITE_WAIT_SECONDS, stopping: Callable[[], bool] | None = None,
             waiting: Callable[[str], None] | None = None) -> "Warehouse":
        """Take the run lock (waiting up to `wait_seconds` for another run; see
        RunLock.acquire), then bring the schema up to date."""
        lock = RunLock.acquire(path, wait_seconds, run_id, stopping=stopping, waiting=waiting)
        warehouse = cls(Path(path), lock, write_wait_seconds)
        try:
            with warehouse.session() as con:
                migrate(con)
        except BaseException:
            warehouse.close()
            raise
        return warehouse

    # ---------------------------------------------------------------- the file

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            if self._file is not None and _file_identity(self.path) != self._file:
                # DuckDB would quietly create an empty file in its place
                raise FileNotFoundError(errno.ENOENT, "the warehouse file was deleted or replaced while the run "
                                                      "was writing", str(self.path))
            self._con = connect(self.path, wait_seconds=self.write_wait_seconds)
            self._file = self._file or _file_identity(self.path)
            self.connections_opened += 1
        return self._con

    @contextlib.contextmanager
    def session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the file open for a group of writes; closed again at the end unless an
        outer session opened it."""
        outer = self._con is not None
        try:
            yield self.con
        finally:
            if not outer:
                self.disconnect()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write: the file open (unless a session holds it) and one transaction (or
        part of the enclosing write's)."""
        if self._in_transaction:
            yield self.con
            return
        try:
            with self.session() as con, transaction(con):
                self._in_transaction = True
                try:
                    yield con
                finally:
                    self._in_transaction = False
        except BaseException:
            # after a failed write (a full disk) DuckDB may have invalidated the database:
            # the next attempt opens the file afresh instead of meeting that secondary error
            with contextlib.suppress(Exception):
                self.disconnect()
            raise

    def disconnect(self) -> None:
        if self._con is not None:
            con, self._con = self._con, None
            con.close()

    def close(self) -> None:
        try:
            self.disconnect()
        finally:
            if self.lock is not None:
                self.lock.release()
                self.lock = None

    # ---------------------------------------------------------------- runs

    def begin_run(self, run_id: str, seeds_dir: str, model_name: str, model_version: str,
                  enrichment_version: str) -> tuple[int, list[tuple[str, str, str]], list[str]]:
        """Mark runs a kill ended as incomplete, record this one, and read the index of
        stored articles: (runs marked incomplete, index rows, every source key seen)."""
        with self._writing():
            interrupted = self.mark_interrupted_runs()
            self.start_run(run_id, seeds_dir, model_name, model_version, enrichment_version)
            return interrupted, self.index_rows(), self.seen_source_keys()

    def start_run(self, run_id: str, seeds_dir: str, model_name: str, model_version: str,
                  enrichment_version: str) -> None:
        if self.lock is not None:
            self.lock.name(run_id)
        with self._writing() as con:
            con.execute(sql.query("start_run"), [run_id, utc_now(), seeds_dir, model_name, model_version,
                                                 enrichment_version, os.getpid(), socket.gethostname()])

    def mark_interrupted_runs(self) -> int:
        """Runs still 'running' when a new run holds the run lock were killed: say so."""
        with self._writing() as con:
            return len(con.execute(sql.query("mark_interrupted_runs")).fetchall())

    def finish_run(self, run_id: str, status: str, seen: int, loaded: int, skipped: int, rejected: int,
                   counts: dict[str, Any], message: str | None = None) -> dict[str, int]:
        """Record how a run ended, with the rows per table it leaves (returned too)."""
        with self._writing() as con:
            tables = table_counts(con)
            con.execute(sql.query("finish_run"), [utc_now(), status, seen, loaded, skipped, rejected,
                                                  seen == loaded + skipped + rejected,
                                                  json.dumps({**counts, "tables": tables}, sort_keys=True),
                                                  message, run_id])
        return tables

    def index_rows(self) -> list[tuple[str, str, str]]:
        """(article_id, source_key, enrichment_version) of every stored article."""
        with self.session() as con:
            return con.execute(sql.query("article_index")).fetchall()

    def seen_source_keys(self) -> list[str]:
        with self.session() as con:
            return [row[0] for row in con.execute(sql.query("seen_source_keys")).fetchall()]

    def table_counts(self) -> dict[str, int]:
        with self.session() as con:
            return table_counts(con)

    # ---------------------------------------------------------------- batches

    def write_batch(self, outcome: BatchOutcome, run_id: str, seen_keys: Iterable[str] = (),
                    identity: IdentityUpdate | None = None) -> None:
        """Everything one batch leaves behind, in one transaction: every audit's results,
        the quarantined parts, the published rows (replacing older versions), what the
        identity step changed in stored rows and in its state, the rejections, the
        rejections its loaded inputs no longer deserve, and that its inputs were seen."""
        with self._writing():
            self._record_seen(seen_keys, run_id)
            for report in outcome.audits:
                self._record_validation(report, run_id)
            for part, report in outcome.quarantined:
                self._quarantine(part, run_id, report)
            if outcome.published is not None:
                self._publish(outcome.published, run_id, outcome.replaces)
            if identity is not None:
                self._apply_identity(identity, run_id)
            self._clear_rejections(outcome.loaded_keys, run_id)
            self._record_rejections(list(outcome.rejections), run_id)

    def identity_state_rows(self) -> list[tuple[str, str, str]]:
        """The identity step's state, as stored, but its short-mention records (read by key with
        `identity_state_entries`)."""
        with self.session() as con:
            return con.execute(sql.query("identity_state")).fetchall()

    def identity_state_entries(self, part: str, keys: list[str]) -> dict[str, str]:
        """Stored entries of one part of the identity state: key -> JSON value."""
        with self.session() as con:
            return dict(con.execute(sql.query("identity_state_entries"), [part, keys]).fetchall())

    def publish(self, batch: EnrichedBatch, run_id: str, replaces: Iterable[str] = ()) -> None:
        """Replace old versions and insert a batch's rows in one transaction."""
        with self._writing():
            self._publish(batch, run_id, replaces)

    def quarantine(self, batch: EnrichedBatch, run_id: str, report: AuditReport) -> None:
        with self._writing():
            self._quarantine(batch, run_id, report)

    def record_validation(self, report: AuditReport, run_id: str) -> None:
        with self._writing():
            self._record_validation(report, run_id)

    def record_rejections(self, rejections: list[Rejection], run_id: str, loaded_keys: Iterable[str] = ()) -> None:
        """Keep one row per rejected input (the latest reason); inputs that are stored
        (`loaded_keys`, e.g. skipped as unchanged) are no longer rejected. Both were seen."""
        loaded_keys = list(loaded_keys)
        with self._writing():
            self._record_seen([*(r.source_key for r in rejections), *loaded_keys], run_id)
            self._clear_rejections(loaded_keys, run_id)
            self._record_rejections(rejections, run_id)

    def forget_rejected_sources(self, source_keys: Iterable[str]) -> int:
        """Forget sources that hold only a rejection (never one holding an article): neither
        rejected nor seen any longer. Returns how many were forgotten."""
        keys = list(source_keys)
        if not keys:
            return 0
        with self._writing() as con:
            forgotten = [row[0] for row in con.execute(sql.query("forget_rejected_sources"), [keys]).fetchall()]
            if forgotten:
                con.execute(sql.query("forget_sources"), [forgotten])
        return len(forgotten)

    def clear_rejections(self, source_keys: Iterable[str], run_id: str) -> None:
        with self._writing():
            self._clear_rejections(source_keys, run_id)

    def delete_articles(self, article_ids: Iterable[str]) -> int:
        ids = sorted(set(article_ids))
        if not ids:
            return 0
        with self._writing():
            self._apply_entity_deltas(self._delete_articles(ids), None)
        return len(ids)

    def prune_sources(self, source_keys: Iterable[str]) -> int:
        """Delete the stored articles of sources that are gone, and forget those sources."""
        keys = list(source_keys)
        if not keys:
            return 0
        with self._writing() as con:
            ids = sorted({row[0] for row in con.execute(sql.query("articles_of_sources"), [keys]).fetchall()})
            self._apply_entity_deltas(self._delete_articles(ids), None)
            con.execute(sql.query("forget_sources"), [keys])
        return len(ids)

    def article_ids_for_sources(self, source_keys: Iterable[str]) -> list[str]:
        keys = list(source_keys)
        if not keys:
            return []
        with self.session() as con:
            return [row[0] for row in con.execute(sql.query("articles_of_sources"), [keys]).fetchall()]

    # ---------------------------------------------------------------- inside a transaction

    def _publish(self, batch: EnrichedBatch, run_id: str, replaces: Iterable[str]) -> None:
        """Entity counts are kept by applying the batch's deltas (mentions removed with the
        replaced articles, mentions added), so a publish costs the batch, not the table."""
        now = utc_now()
        doomed = sorted(set(replaces) | {row.article_id for row in batch.articles})
        replaced = self.con.execute(sql.query("replaced_articles"), [doomed]).fetchall()
        first_ingested = {article_id: ingested_at for article_id, _, ingested_at in replaced}
        old_sources = [source_key for _, source_key, _ in replaced]
        for row in batch.articles:
            row.ingested_at = first_ingested.get(row.article_id, now)
            row.run_id = run_id
        arrows = {table.name: arrow_table(batch.rows(table), table) for table in TABLES}
        removed = self._delete_articles(doomed)
        for table in TABLES:
            arrow = arrows[table.name]
            if arrow.num_rows == 0:
                continue
            if table is ENTITY:  # shared across articles: insert the new ones only
                self._unredirect(arrow)
                arrow = self._new_entities(arrow)
            self._insert_arrow(table.name, arrow)
        self._apply_entity_deltas(removed, arrows[ENTITY_MENTION.name])
        if old_sources:
            self.con.execute(sql.query("forget_moved_sources"), [old_sources, run_id])

    def _new_entities(self, arrow: pa.Table) -> pa.Table:
        with self._registered(staged_entities=arrow):
            return self.con.execute(sql.query("new_entities")).to_arrow_table()

    def _unredirect(self, entities: pa.Table) -> None:
        """The batch's entities have rows of their own, so no redirect leads away from them: a
        date an older version moved with a relabelled name, a name relabelled back."""
        with self._registered(staged_entities=entities.select(["entity_id"])):
            self.con.execute(sql.query("unredirect_entities"))

    def _delete_articles(self, article_ids: list[str]) -> pa.Table | None:
        """Delete articles with every row hanging off them; returns the entity counts they
        held (entity_id, mentions, articles), or None when none of them was stored."""
        if not article_ids:
            return None
        stored = [row[0] for row in self.con.execute(sql.query("stored_articles"), [article_ids]).fetchall()]
        if not stored:
            return None
        removed = self.con.execute(sql.query("mentions_of_articles"), [stored]).to_arrow_table()
        for table in (*ARTICLE_CHILDREN, ARTICLE):
            self.con.execute(sql.delete_article_rows(table.name), [stored])
        return removed

    def _apply_entity_deltas(self, removed: pa.Table | None, added_mentions: pa.Table | None) -> None:
        """Add the batch's mentions to the entity counts and take the removed ones off, in
        SQL (a batch of 50,000 mentions costs milliseconds); drop entities left unused."""
        if removed is None and (added_mentions is None or added_mentions.num_rows == 0):
            return
        staged = (added_mentions.select(["entity_id", "article_id"])
                  if added_mentions is not None and added_mentions.num_rows else _NO_STAGED_MENTIONS)
        with self._registered(removed_mentions=removed if removed is not None else _NO_REMOVED_MENTIONS,
                              staged_mentions=staged):
            delta = self.con.execute(sql.query("entity_deltas")).to_arrow_table()
            with self._registered(entity_deltas=delta):
                sql.run_script(self.con, "apply_entity_deltas")
                if removed is not None:  # only taking mentions away can leave an entity unused
                    sql.run_script(self.con, "drop_unused_entities")

    def _record_rejections(self, rejections: list[Rejection], run_id: str) -> None:
        if not rejections:
            return
        latest = {rejection.source_key: rejection for rejection in rejections}
        arrow = pa.table({
            "source_key": list(latest),
            "source_path": [r.source_path for r in latest.values()],
            "source_line": pa.array([r.source_line for r in latest.values()], type=pa.int32()),
            "reason": [r.reason for r in latest.values()],
            "detail": [r.detail for r in latest.values()],
            "first_bytes": [r.first_bytes for r in latest.values()],
        })
        with self._registered(staged_rejections=arrow):
            self.con.execute(sql.query("upsert_rejections"), [run_id, run_id, utc_now()])

    def _apply_identity(self, update: IdentityUpdate, run_id: str) -> None:
        """Stored rows follow the identity step's decisions; the counts of every entity that
        gained or lost mentions are recounted exactly; the step's state is saved."""
        changes = update.changes
        touched: set[str] = set()
        if changes.redecided:
            staged = arrow_table(changes.redecided, ENTITY_RESOLUTION)
            with self._registered(staged_spans=staged.select(["article_id", "start_char", "end_char"])):
                touched |= {row[0] for row in self.con.execute(sql.query("mention_entities_at")).fetchall()}
            with self._registered(staged_resolutions=staged):
                sql.run_script(self.con, "redecide_mentions", [run_id, utc_now()])
            touched |= {row.entity_id for row in changes.redecided}
        redirects = list(changes.redirects) + self._renamed(changes.relabelled, changes.grouped, update)
        if redirects:
            names = {row[0]: (row[1], row[2]) for row in self.con.execute(
                sql.query("entity_names"), [sorted({new for _, new, _ in redirects})]).fetchall()}
            arrow = pa.table({
                "old_id": [old for old, _, _ in redirects], "new_id": [new for _, new, _ in redirects],
                "reason": [why for _, _, why in redirects],
                "canonical_name": [changes.person_names.get(new) or changes.name_of.get(new)
                                   or names.get(new, (new, ""))[0] for _, new, _ in redirects],
                "label": [names.get(new, ("", changes.label_of.get(new, "PERSON")))[1] or
                          changes.label_of.get(new, "PERSON") for _, new, _ in redirects],
            })
            with self._registered(staged_redirects=arrow):
                sql.run_script(self.con, "apply_redirects", [run_id, utc_now()])
            touched |= {old for old, _, _ in redirects} | {new for _, new, _ in redirects}
        if changes.person_names:
            names = pa.table({"entity_id": list(changes.person_names), "canonical_name": list(changes.person_names.values())})
            with self._registered(staged_names=names.filter(pa.compute.not_equal(names["canonical_name"], ""))):
                sql.run_script(self.con, "rename_people")
        if touched:
            with self._registered(staged_entity_ids=pa.table({"entity_id": pa.array(sorted(touched), pa.string())})):
                sql.run_script(self.con, "recount_entities")
        if update.state_rows:
            state = pa.table({"part": [r[0] for r in update.state_rows], "key": [r[1] for r in update.state_rows],
                              "value": pa.array([r[2] for r in update.state_rows], pa.string())})
            with self._registered(staged_state=state):
                sql.run_script(self.con, "save_identity_state")

    def _renamed(self, relabelled: dict[str, str], grouped: set[str],
                 update: IdentityUpdate) -> list[tuple[str, str, str]]:
        """Stored entities whose name the warehouse now labels otherwise, or stores under another
        name ("Democrats" once "Democrat" is a NORP too, "Deutsche Boerse's" once "Deutsche
        Boerse" is an ORG too): each moves to the id of its name under the new label (a person's:
        its identity), a plural group to its singular's, a possessive form to its stem's."""
        if not relabelled and not grouped:
            return []
        moves = []
        for entity_id, name, label in self.con.execute(sql.query("entities_named"),
                                                       [sorted(set(relabelled) | grouped)]).fetchall():
            if label in NON_NAME_LABELS:
                continue  # "on Sunday", "in May": a date or number keeps its label whatever the name's
            new_label = relabelled.get(name.casefold(), label)
            new_name = join_target(name, new_label) if name.casefold() in grouped else name
            if new_label == label and new_name == name:
                continue
            new_id = update.changes.person_of_name.get(name.casefold()) if new_label == "PERSON" else None
            new_id = new_id or entity_id_for(new_name, new_label)
            if new_id != entity_id:
                update.changes.label_of[new_id] = new_label
                update.changes.name_of[new_id] = new_name
                why = "label" if new_name == name else "group" if new_label == "NORP" else "possessive"
                moves.append((entity_id, new_id, why))
        return moves

    def _record_seen(self, source_keys: Iterable[str], run_id: str) -> None:
        keys = sorted(set(source_keys))
        if not keys:
            return
        with self._registered(staged_sources=pa.table({"source_key": pa.array(keys, pa.string())})):
            self.con.execute(sql.query("upsert_source_seen"), [run_id, utc_now()])

    def _clear_rejections(self, source_keys: Iterable[str], run_id: str) -> None:
        keys = list(source_keys)
        if keys:
            files = sorted({key.path for key in map(SourceKey.parse, keys) if key.position is not None})
            cleared = {row[0] for row in self.con.execute(sql.query("clear_rejections"), [keys, files, run_id])
                       .fetchall()}
            # a file read as its rows now is no input of its own any more (it would be one
            # neither stored nor rejected)
            if wholes := sorted(cleared.intersection(files)):
                self.con.execute(sql.query("forget_sources"), [wholes])

    def _record_validation(self, report: AuditReport, run_id: str) -> None:
        """Store every expectation outcome of an audited batch."""
        outcomes = report.outcomes
        if not outcomes:
            return
        arrow = pa.table({
            "run_id": [run_id] * len(outcomes),
            "batch_index": pa.array([report.batch_index] * len(outcomes), type=pa.int32()),
            "suite": [o.suite for o in outcomes],
            "expectation": [o.expectation for o in outcomes],
            "column_name": pa.array([o.column for o in outcomes], type=pa.string()),
            "severity": [o.severity for o in outcomes],
            "success": [o.success for o in outcomes],
            "element_count": pa.array([o.element_count for o in outcomes], type=pa.int64()),
            "unexpected_count": pa.array([o.unexpected_count for o in outcomes], type=pa.int64()),
            "unexpected_sample": pa.array([o.unexpected_sample for o in outcomes], type=pa.string()),
            "validated_at": pa.array([utc_now()] * len(outcomes), type=pa.timestamp("us")),
        })
        self._insert_arrow("validation_result", arrow)

    def _quarantine(self, batch: EnrichedBatch, run_id: str, report: AuditReport) -> None:
        """Keep a failed batch's rows, as JSON, with the expectations its table failed."""
        now = utc_now()
        records: dict[str, list[Any]] = {"run_id": [], "batch_index": [], "table_name": [], "article_id": [],
                                         "failed_expectations": [], "row_json": [], "quarantined_at": []}
        for table in TABLES:
            failed = ", ".join(report.failed_names(table.name)) or "(batch failed in another table)"
            for row in batch.rows(table):
                values = {name: getattr(row, name) for name in table.columns}
                records["run_id"].append(run_id)
                records["batch_index"].append(report.batch_index)
                records["table_name"].append(table.name)
                records["article_id"].append(values.get("article_id"))
                records["failed_expectations"].append(failed)
                records["row_json"].append(json.dumps(values, default=str))
                records["quarantined_at"].append(now)
        self._insert_arrow("quarantine", pa.table(records))

    def _insert_arrow(self, table: str, arrow: pa.Table) -> None:
        with self._registered(staged_rows=arrow):
            self.con.execute(sql.insert_from(table, arrow.column_names, "staged_rows"))

    @contextlib.contextmanager
    def _registered(self, **arrows: pa.Table) -> Iterator[None]:
        """Arrow tables visible to SQL by name for the statements inside."""
        for name, arrow in arrows.items():
            self.con.register(name, arrow)
        try:
            yield
        finally:
            for name in arrows:
                with contextlib.suppress(duckdb.Error):
                    self.con.unregister(name)


_NO_REMOVED_MENTIONS = pa.table({"entity_id": pa.array([], pa.string()), "mentions": pa.array([], pa.int64()),
                                  "articles": pa.array([], pa.int64())})
_NO_STAGED_MENTIONS = pa.table({"entity_id": pa.array([], pa.string()), "article_id": pa.array([], pa.string())})
