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

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from wirehouse.transforms.ingest import DEFAULT_MAX_ARTICLE_CHARS, DEFAULT_MAX_FILE_BYTES, Limits
from wirehouse.transforms.nlp import DEFAULT_MODEL
from wirehouse.warehouse.run_lock import lock_path_for

ENV_PREFIX = "WIREHOUSE_"
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
    max_article_chars: int = Field(DEFAULT_MAX_ARTICLE_CHARS, ge=1,
                                   description="reject articles longer than this (spaCy's own limit)",
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

    @model_validator(mode="after")
    def _check_paths_and_runner(self) -> "Settings":
        """Settings a run would otherwise ignore or fail on late, after the Prefect server has
        started: an overrides file or web-assets folder given but absent, a Dask address
        without the Dask runner (the run went local without a word)."""
        if self.entity_overrides is not None and not Path(self.entity_overrides).is_file():
            raise _SettingProblem("entity_overrides", self.entity_overrides, "no such file")
        default_assets = type(self).model_fields["web_assets_dir"].default  # absent: the pages link the CDNs
        if self.web_assets_dir != default_assets and not Path(self.web_assets_dir).is_dir():
            raise _SettingProblem("web_assets_dir", self.web_assets_dir, "no such folder")
        if self.dask_address is not None and self.runner != "dask":
            raise _SettingProblem("dask_address", self.dask_address,
                                  f"needs --runner dask (WIREHOUSE_RUNNER=dask), not {self.runner}")
        return self

    @property
    def limits(self) -> Limits:
        return Limits(self.max_file_bytes, self.max_article_chars)

    @property
    def warehouse_dir(self) -> Path:
        return Path(self.warehouse_path).absolute().parent

    @property
    def reports_dir(self) -> Path:
        return self.warehouse_dir / "reports"

    @property
    def data_docs_dir(self) -> Path:
        return self.warehouse_dir / "data_docs"

    @property
    def warehouse_outputs(self) -> tuple[Path, ...]:
        """What a run writes beside the warehouse file: never input, should the seeds folder
        hold the warehouse."""
        database = Path(self.warehouse_path).absolute()
        return (database, database.with_name(database.name + ".wal"), database.with_name(database.name + ".tmp"),
                lock_path_for(database), self.reports_dir, self.data_docs_dir)


class SettingsError(ValueError):
    """A setting has a value it cannot take; the message names where it came from."""


class _SettingProblem(ValueError):
    """A check across settings that names the one setting at fault (pydantic reports a
    model check without a field)."""

    def __init__(self, name: str, value: Any, problem: str):
        super().__init__(problem)
        self.name, self.value = name, value


def load_settings(**explicit: Any) -> Settings:
    """Settings from defaults, the environment and explicit values (None means unset)."""
    values = {name: value for name, value in explicit.items() if value is not None}
    try:
        return Settings(**values)
    except ValidationError as error:
        raise SettingsError("; ".join(_describe(problem, values) for problem in error.errors())) from None


def _describe(problem: dict[str, Any], explicit: dict[str, Any]) -> str:
    cause = (problem.get("ctx") or {}).get("error")
    if isinstance(cause, _SettingProblem):
        problem = {"loc": (cause.name,), "input": cause.value, "msg": str(cause)}
    name = str(problem["loc"][0]) if problem.get("loc") else "?"
    field = Settings.model_fields.get(name)
    if name in explicit or field is None:
        flag = (field.json_schema_extra or {}).get("cli") if field else None
        where = f"{flag} {explicit.get(name)!r}" if flag else f"{name}={explicit.get(name)!r}"
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
