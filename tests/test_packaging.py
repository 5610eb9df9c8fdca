"""The wheel as a user or a Dask worker gets it: one import package, every data file
inside it, and a run that works outside the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PROJECT, SEED

PACKAGE_FOLDERS = {"flows": "wirehouse/flows", "transforms": "wirehouse/transforms",
                   "warehouse": "wirehouse/warehouse", "expectations": "wirehouse/expectations",
                   "evaluation": "wirehouse/evaluation", "wirehouse": "wirehouse"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build-source")
    # build from a copy of the tracked files, as `pip wheel` of a clean clone would
    files = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        target = build / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (PROJECT / name).is_file():
            shutil.copy2(PROJECT / name, target)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "-w", str(out), str(build)], check=True, capture_output=True, timeout=300)
    (found,) = out.glob("wirehouse-*.whl")
    return found


def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_installs_one_import_package(wheel):
    top_level = {name.split("/", 1)[0] for name in wheel_names(wheel) if ".dist-info/" not in name}
    assert top_level == {"wirehouse"}


def test_every_tracked_data_file_of_the_package_folders_is_in_the_wheel(wheel):
    names = wheel_names(wheel)
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT, capture_output=True, text=True, check=True).stdout
    missing = []
    for name in tracked.splitlines():
        folder, _, rest = name.partition("/")
        if folder in PACKAGE_FOLDERS and rest and not name.endswith(".py"):
            if f"{PACKAGE_FOLDERS[folder]}/{rest}" not in names:
                missing.append(name)
    assert not missing, f"data files left out of the wheel: {missing}"


AUDIT_OPENS = """
import sys
opened = set()
def hook(event, args):
    if event == "open" and isinstance(args[0], str):
        opened.add(args[0])
sys.addaudithook(hook)
from wirehouse.flows.cli import main
code = main(sys.argv[1:])
print("OPENED", *sorted(opened), sep="\\n")
sys.exit(code)
"""


def test_every_data_file_a_run_opens_is_in_the_wheel(wheel, tmp_path):
    """Run the real command from the source tree and watch which of the package's files it opens."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds)
    result = subprocess.run([sys.executable, "-c", AUDIT_OPENS, "run", "--seeds", str(seeds), "--warehouse",
                             str(tmp_path / "w.duckdb"), "--progress", "off"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    opened = result.stdout.split("OPENED\n", 1)[1].splitlines()
    data_files = set()
    for path in opened:
        resolved = Path(path).resolve()
        try:
            relative = resolved.relative_to(PROJECT)
        except ValueError:
            continue
        if relative.parts[0] in PACKAGE_FOLDERS and resolved.suffix not in (".py", ".pyc") and resolved.is_file():
            data_files.add(f"{PACKAGE_FOLDERS[relative.parts[0]]}/{Path(*relative.parts[1:])}")
    assert any(name.endswith(".sql") for name in data_files)  # the watch saw the queries
    assert any(name.endswith(".json") for name in data_files)  # and the expectation suites
    assert data_files <= wheel_names(wheel), sorted(data_files - wheel_names(wheel))


@pytest.mark.slow
def test_the_installed_wheel_runs_outside_the_source_tree(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "seeds").mkdir(parents=True)
    shutil.copy(SEED, elsewhere / "seeds")
    # the installed copy comes first on the path; the project's dependencies come from this venv
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import wirehouse.warehouse.sql as s; print(s.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(target)

    result = subprocess.run([sys.executable, "-m", "wirehouse", "run", "--seeds", "seeds", "--warehouse",
                             "out/wirehouse.duckdb", "--progress", "off"],
                            cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "1 loaded" in result.stdout
    reports = list((elsewhere / "out" / "reports").glob("run-*.html"))
    assert len(reports) == 1 and "Top entities" in reports[0].read_text(encoding="utf-8")
    assert (elsewhere / "out" / "data_docs" / "index.html").is_file()
