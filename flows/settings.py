"""The one settings object of a run: defaults, then WIREHOUSE_* variables, then CLI options.

No other module reads the environment; everything below the CLI and the flow gets
its values passed in.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping

from wirehouse.transforms.ingest import DEFAULT_MAX_ARTICLE_CHARS, DEFAULT_MAX_FILE_BYTES, Limits
from wirehouse.transforms.nlp import DEFAULT_MODEL

RUNNERS = ("thread", "process", "dask")


@dataclass(frozen=True)
class Settings:
    seeds_dir: str = "seeds"
    warehouse_path: str = "warehouse/wirehouse.duckdb"
    model: str = DEFAULT_MODEL
    batch_size: int = 500  # articles per audit/publish unit (enriched in chunks across the workers)
    runner: str = "thread"  # thread: in this process; process: local pool; dask: DaskTaskRunner
    workers: int = 2  # for runner=process and a local Dask cluster
    dask_address: str | None = None  # tcp://host:8786 of an existing Dask scheduler
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_article_chars: int = DEFAULT_MAX_ARTICLE_CHARS
    wait_seconds: float = 0.0  # how long to wait for another run's write lock
    prune: bool = False  # delete rows of articles whose source file is gone
    data_docs: bool = True  # build GX Data Docs under warehouse/data_docs/
    progress: str = "auto"  # auto: a bar on a terminal, log lines otherwise; bar; log; off
    # Local copies of the scripts GX Data Docs load from CDNs (fetched by `make`), so the
    # docs render offline; absent, the pages keep their CDN links.
    web_assets_dir: str = str(Path(sys.prefix) / "share" / "wirehouse" / "web-assets")

    def __post_init__(self) -> None:
        if self.runner not in RUNNERS:
            raise ValueError(f"runner must be one of {', '.join(RUNNERS)}, not {self.runner!r}")
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if self.progress not in ("auto", "bar", "log", "off"):
            raise ValueError("progress must be auto, bar, log or off")

    @property
    def limits(self) -> Limits:
        return Limits(self.max_file_bytes, self.max_article_chars)

    @property
    def warehouse_dir(self) -> Path:
        return Path(self.warehouse_path).absolute().parent

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Defaults < WIREHOUSE_<FIELD> variables < explicit overrides (None means unset)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = environ.get(f"WIREHOUSE_{field.name.upper()}")
            if raw is not None and raw != "":
                values[field.name] = _coerce(field.type, raw, field.name)
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> "Settings":
        return replace(self, **{key: value for key, value in overrides.items() if value is not None})


def _coerce(annotation: Any, raw: str, name: str) -> Any:
    kind = str(annotation)
    try:
        if "bool" in kind:
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if "int" in kind:
            return int(raw)
        if "float" in kind:
            return float(raw)
    except ValueError:
        raise ValueError(f"WIREHOUSE_{name.upper()}={raw!r} is not a valid {kind}") from None
    return raw
