"""The one declaration of a run's settings; the CLI, the flow and the environment derive from it.

Each field is declared once, with its type, default and help text. From that one
declaration come: the `WIREHOUSE_<FIELD>` environment variables (pydantic-settings),
the options of `wirehouse run` (`add_run_options`), and the parameters of the Prefect
flow with their descriptions (`flow_parameters`). No other module reads the
environment; everything below the CLI and the flow gets its values passed in.
"""

from __future__ import annotations

import functools
import inspect
import sys
from pathlib import Path
from typing import Any, Callable, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from wirehouse.transforms.ingest import DEFAULT_MAX_ARTICLE_CHARS, DEFAULT_MAX_FILE_BYTES, Limits
from wirehouse.transforms.nlp import DEFAULT_MODEL
from wirehouse.warehouse.run_lock import lock_path_for

ENV_PREFIX = "WIREHOUSE_"
# What DuckDB 1.5 writes beside a database file: its write-ahead log, the log's checkpoint and
# recovery copies, and the folder it spills to.
DUCKDB_FILES = (".wal", ".wal.checkpoint", ".wal.recovery", ".tmp")
Runner = Literal["thread", "process", "dask"]
Progress = Literal["auto", "bar", "log", "off"]
RUNNERS: tuple[str, ...] = Runner.__args__


def _option(flag: str, metavar: str | None = None, negative: str | None = None) -> dict[str, Any]:
    """How a field appears on the command line (kept in the field's schema extras)."""
    return {"cli": flag, "metavar": metavar, "negative": negative}


class Settings(BaseSettings):
    """Defaults < WIREHOUSE_<FIELD> variables < explicit values (CLI options, flow parameters)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="forbid")

    seeds_dir: str = Field("seeds", description="folder of input documents, read recursively",
                           json_schema_extra=_option("--seeds", "DIR"))
    warehouse_path: str = Field("warehouse/wirehouse.duckdb", description="DuckDB file to write",
                                json_schema_extra=_option("--warehouse", "PATH"))
    model: str = Field(DEFAULT_MODEL, description="installed spaCy pipeline (en_core_web_sm works too)",
                       json_schema_extra=_option("--model", "NAME"))
    batch_size: int = Field(500, ge=1, description="articles per audit and publish unit (enriched in chunks "
                                                   "across the workers)",
                            json_schema_extra=_option("--batch-size", "N"))
    runner: Runner = Field("thread", description="where enrichment runs: thread (this process), process (a local "
                                                 "pool of --workers processes), dask (prefect-dask)",
                           json_schema_extra=_option("--runner"))
    workers: int = Field(2, ge=1, description="processes for --runner process and a local Dask cluster",
                         json_schema_extra=_option("--workers", "N"))
    dask_address: str | None = Field(None, description="scheduler of an existing Dask cluster, tcp://host:8786",
                                     json_schema_extra=_option("--dask-address", "URL"))
    max_file_bytes: int = Field(DEFAULT_MAX_FILE_BYTES, ge=1, description="reject files larger than this",
                                json_schema_extra=_option("--max-file-bytes", "N"))
    max_article_chars: int = Field(DEFAULT_MAX_ARTICLE_CHARS, ge=1, le=DEFAULT_MAX_ARTICLE_CHARS,
                                   description="reject articles longer than this (at most 1,000,000, spaCy's own "
                                               "limit: its parser needs about 1 GB per 100,000 characters)",
                                   json_schema_extra=_option("--max-article-chars", "N"))
    wait_seconds: float = Field(0.0, ge=0, description="wait this long for another run holding the warehouse",
                                json_schema_extra=_option("--wait", "SECONDS"))
    prune: bool = Field(False, description="delete stored articles whose source file no longer exists",
                        json_schema_extra=_option("--prune"))
    data_docs: bool = Field(True, description="build Great Expectations Data Docs beside the warehouse",
                            json_schema_extra=_option("--data-docs", negative="--no-data-docs"))
    progress: Progress = Field("auto", description="progress display: auto (a bar on a terminal, log lines "
                                                   "otherwise), bar, log or off",
                               json_schema_extra=_option("--progress"))
    entity_overrides: str | None = Field(None, description="JSON file of analyst decisions about entities (labels, "
                                                           "pinned people, never-merged names); default: the one "
                                                           "shipped, transforms/entity_overrides.json",
                                         json_schema_extra=_option("--entity-overrides", "FILE"))
    # Local copies of the scripts GX Data Docs and the run report load from CDNs (fetched
    # by `make`), so both render offline; absent, the pages keep their CDN links.
    web_assets_dir: str = Field(str(Path(sys.prefix) / "share" / "wirehouse" / "web-assets"),
                                description="folder of the offline copies of the Data Docs and report scripts",
                                json_schema_extra=_option("--web-assets", "DIR"))

    def run_problems(self, web_assets: bool = True) -> list[tuple[str, str]]:
        """(setting, problem) for each setting a run would ignore or fail on late, after the
        Prefect server has started: an overrides file or web-assets folder given but absent,
        a Dask address without the Dask runner (the run went local without a word). Only a
        run asks: `sql` or `doctor` read the same WIREHOUSE_* variables and use none of these.
        Empty values mean unset, as where they are used. `web_assets` checks the folder only
        when it was set (absent by default, the pages link the CDNs)."""
        problems = []
        if self.entity_overrides and not _is(Path.is_file, self.entity_overrides):
            problems.append(("entity_overrides", "no such file"))
        if web_assets and "web_assets_dir" in self.model_fields_set and not _is(Path.is_dir, self.web_assets_dir):
            problems.append(("web_assets_dir", "no such folder"))
        if self.dask_address and self.runner != "dask":
            problems.append(("dask_address", f"needs --runner dask (WIREHOUSE_RUNNER=dask), not {self.runner}"))
        return problems

    @property
    def limits(self) -> Limits:
        return Limits(self.max_file_bytes, self.max_article_chars)

    @property
    def warehouse_dir(self) -> Path:
        return Path(self.warehouse_path).absolute().parent

    @property
    def reports_dir(self) -> Path:
        from wirehouse.warehouse.report import REPORTS_FOLDER  # imports DuckDB: not at every command's start

        return self.warehouse_dir / REPORTS_FOLDER

    @property
    def data_docs_dir(self) -> Path:
        return self.warehouse_dir / "data_docs"

    @property
    def warehouse_outputs(self) -> tuple[Path, ...]:
        """What a run writes beside the warehouse file: never input, should the seeds folder
        hold the warehouse."""
        database = Path(self.warehouse_path).absolute()
        beside = (database.with_name(database.name + suffix) for suffix in DUCKDB_FILES)
        return (database, *beside, lock_path_for(database), self.reports_dir, self.data_docs_dir)


class SettingsError(ValueError):
    """A setting has a value it cannot take; the message names where it came from."""


def _is(check: Callable[[Path], bool], path: str) -> bool:
    try:
        return check(Path(path))
    except OSError:  # a folder on the way that cannot be entered: not there for this user
        return False


def load_settings(**explicit: Any) -> Settings:
    """Settings from defaults, the environment and explicit values (None means unset)."""
    values = {name: value for name, value in explicit.items() if value is not None}
    try:
        return Settings(**values)
    except ValidationError as error:
        raise SettingsError("; ".join(_describe(problem, values) for problem in error.errors())) from None


def check_for_run(settings: Settings, explicit: dict[str, Any]) -> None:
    """Raise SettingsError naming, as `load_settings` does, each setting a run cannot use."""
    problems = settings.run_problems()
    if problems:
        values = {name: value for name, value in explicit.items() if value is not None}
        raise SettingsError("; ".join(_describe({"loc": (name,), "input": getattr(settings, name), "msg": problem},
                                                values) for name, problem in problems))


def _describe(problem: dict[str, Any], explicit: dict[str, Any]) -> str:
    name = str(problem["loc"][0]) if problem.get("loc") else "?"
    field = Settings.model_fields.get(name)
    if name in explicit or field is None:
        flag = (field.json_schema_extra or {}).get("cli") if field else None
        value = explicit.get(name, problem.get("input"))
        where = f"{flag} {value!r}" if flag else f"{name}={value!r}"
    else:
        where = f"{ENV_PREFIX}{name.upper()}={problem.get('input')!r}"
    return f"{where}: {problem['msg']}"


def cli_options() -> list[tuple[str, Any]]:
    """(field name, field info) of every setting, in declaration order."""
    return list(Settings.model_fields.items())


def add_run_options(parser: Any) -> None:
    """One argparse option per setting, with the setting's help text, type and choices.

    Options default to None, so only what the user typed overrides the environment."""
    for name, field in cli_options():
        extra = field.json_schema_extra or {}
        flag = extra["cli"]
        help_text = f"{field.description} (default: {_shown_default(field.default)})"
        if field.annotation is bool:
            if extra.get("negative"):
                parser.add_argument(extra["negative"], dest=name, action="store_false", default=None,
                                    help=f"do not {field.description}")
            else:
                parser.add_argument(flag, dest=name, action="store_true", default=None, help=field.description)
            continue
        choices = getattr(field.annotation, "__args__", None) if _is_literal(field.annotation) else None
        parser.add_argument(flag, dest=name, metavar=extra.get("metavar"), choices=choices,
                            type=_argument_type(field.annotation), default=None, help=help_text)


def _is_literal(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is Literal


def _argument_type(annotation: Any) -> Callable[[str], Any]:
    return annotation if annotation in (int, float) else str


def _shown_default(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) and value >= 10_000 else str(value)


def flow_parameters(function: Callable[[Settings], Any]) -> Callable[..., Any]:
    """Expose `function(settings)` as `function(**settings)`: one keyword per setting, with
    its default, type and description, so Prefect shows, validates and documents each as a
    flow parameter (deployments set them in prefect.yaml, `--param name=value` overrides)."""

    @functools.wraps(function)
    def with_parameters(**values: Any) -> Any:
        return function(Settings(**values))

    with_parameters.__signature__ = inspect.Signature(
        [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=field.default, annotation=field.annotation)
         for name, field in cli_options()],
        return_annotation=inspect.signature(function).return_annotation,
    )
    arguments = "\n".join(f"    {name}: {field.description}" for name, field in cli_options())
    with_parameters.__doc__ = f"{inspect.getdoc(function)}\n\nArgs:\n{arguments}\n"
    return with_parameters
