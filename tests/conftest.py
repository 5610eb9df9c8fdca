"""Shared fixtures: a Prefect test server in a temporary PREFECT_HOME, paths to data."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
SEED = PROJECT / "seeds" / "000_d52ae41cd31c4038.txt"

# Before Prefect or GX are imported by any test module.
_PREFECT_HOME = tempfile.mkdtemp(prefix="wirehouse-prefect-home-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
atexit.register(shutil.rmtree, _PREFECT_HOME, True)
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the shared data folder beside the project), which is absent")
    return path


def polnear_subset(polnear_dir: Path, names, folder: Path) -> Path:
    """A PolNeAR-shaped folder (text/, attributions/) holding only the named articles."""
    for sub in ("text", "attributions"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(polnear_dir / "text" / f"{name}.txt", folder / "text")
        for ann in (polnear_dir / "attributions").glob(f"{name}_*.ann"):
            shutil.copy(ann, folder / "attributions")
    return folder


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect API for the whole session (seconds to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)


@pytest.fixture
def run_flow(prefect_server, tmp_path):
    """Run the real pipeline flow; returns its summary dict."""
    from wirehouse.flows.pipeline import wirehouse_pipeline

    def _run(seeds_dir: Path, warehouse: Path | None = None, **options):
        options.setdefault("progress", "off")
        options.setdefault("data_docs", False)
        return wirehouse_pipeline(seeds_dir=str(seeds_dir),
                                  warehouse_path=str(warehouse or tmp_path / "wh" / "wirehouse.duckdb"),
                                  **options)

    return _run


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    """A private seeds folder holding the seed document."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder
