"""Failures name their cause: a full disk, a read-only file, a file deleted under the run end
in one line naming the cause, the warehouse and the batch, with nothing lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT, shared_path
from wirehouse.flows.failures import BatchNotWritten, cause_of, one_line
from wirehouse.warehouse.doctor import content_checksums


def test_the_cause_is_read_from_the_error_chain():
    disk_full = duckdb.TransactionException('Failed to commit: Could not write file "w.duckdb.wal": '
                                            'No space left on device')
    assert cause_of(disk_full) == ("no space left on device", "free space and run again")
    wrapped = BatchNotWritten(2, 200, "/data/w.duckdb", disk_full)
    assert str(wrapped) == ("no space left on device while publishing batch 3 to /data/w.duckdb: 200 article(s) "
                            "not published, nothing lost; free space and run again")
    try:
        raise RuntimeError("flow run failed") from wrapped
    except RuntimeError as outer:
        assert one_line(outer, "/data/w.duckdb") == str(wrapped)
    assert cause_of(OSError(30, "Read-only file system"))[0] == "the warehouse file or its folder is read-only"
    # an immutable file or folder (chattr +i), or a mount that refuses: EPERM, not EACCES
    assert cause_of(OSError(1, "Operation not permitted"))[0] == "permission denied on the warehouse file or its folder"
    assert cause_of(duckdb.IOException('Cannot open file "w.duckdb.wal": Operation not permitted'))[1] == \
        "fix the permissions and run again"
    assert one_line(ValueError("odd"), "/w").startswith("run on /w failed: ValueError: odd;")


def test_a_missing_overrides_file_is_not_blamed_on_the_warehouse(tmp_path):
    from wirehouse.transforms.overrides import OverridesError, load_overrides

    with pytest.raises(OverridesError) as raised:
        load_overrides(tmp_path / "gone.json")
    assert one_line(raised.value, "/w") == (f"run on /w failed: cannot read entity overrides {tmp_path / 'gone.json'}: "
                                            f"[Errno 2] No such file or directory: '{tmp_path / 'gone.json'}'; fix the "
                                            "file or give another with --entity-overrides")


def wirehouse(*args: str, cwd: Path = PROJECT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wirehouse", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900, env=env)


@pytest.fixture
def small_disk(tmp_path):
    """A 24 MB tmpfs of the test's own, or a skip saying why there is none."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root and mount(8); the injected-error test covers the logic")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", f"wirehouse-{uuid.uuid4().hex[:8]}",
                           str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


@pytest.mark.slow
@pytest.mark.corpus
def test_a_full_disk_ends_in_one_line_and_a_rerun_after_freeing_space_loads_everything(small_disk, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in sorted(shared_path("corpora", "bbc", "politics").glob("*.txt"))[:80]:
        shutil.copy(path, seeds / path.name)
    options = ("--seeds", str(seeds), "--batch-size", "20", "--no-data-docs", "--progress", "off")
    reference = tmp_path / "reference.duckdb"
    assert wirehouse("run", "--warehouse", str(reference), *options).returncode == 0

    filler = small_disk / "filler"
    free = reference.stat().st_size // 2  # room for the first batches only
    filler.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - free))
    warehouse = small_disk / "w.duckdb"
    failed = wirehouse("run", "--warehouse", str(warehouse), *options)
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    (last,) = [line for line in failed.stderr.splitlines() if line.startswith("wirehouse: ")]
    assert last.startswith("wirehouse: no space left on device while publishing batch "), failed.stderr[-2000:]
    assert f"to {warehouse}:" in last and "article(s) not published, nothing lost; free space and run again" in last

    filler.unlink()
    again = wirehouse("run", "--warehouse", str(warehouse), *options)
    assert again.returncode == 0, again.stderr[-2000:]
    assert wirehouse("doctor", "--warehouse", str(warehouse)).returncode == 0
    con, ref = duckdb.connect(str(warehouse), read_only=True), duckdb.connect(str(reference), read_only=True)
    try:
        assert content_checksums(con) == content_checksums(ref)
    finally:
        con.close()
        ref.close()


def test_an_error_while_writing_a_batch_names_it_and_loses_nothing(run_flow, tmp_path, monkeypatch):
    """Injected at the warehouse: the second batch's write fails as a full disk does."""
    from wirehouse.warehouse.store import Warehouse

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for n in range(3):
        (seeds / f"{n}.txt").write_text(f"Mayor Ann Smith said on day {n} that the bridge will open in May.")
    real_write = Warehouse.write_batch

    def failing_write(self, outcome, *args, **kwargs):
        if outcome.batch_index == 1:  # every attempt at the second batch (the task retries twice)
            raise duckdb.IOException('Could not write file "w.duckdb.wal": No space left on device')
        return real_write(self, outcome, *args, **kwargs)

    monkeypatch.setattr(Warehouse, "write_batch", failing_write)
    warehouse = tmp_path / "w.duckdb"
    with pytest.raises(BatchNotWritten, match=r"no space left on device while publishing batch 2 to .*w\.duckdb: "
                                              r"1 article\(s\) not published, nothing lost"):
        run_flow(seeds, warehouse, batch_size=1)
    monkeypatch.setattr(Warehouse, "write_batch", real_write)
    summary = run_flow(seeds, warehouse, batch_size=1)
    assert (summary["documents_loaded"], summary["documents_skipped"]) == (2, 1) and summary["accounting_ok"]


def test_a_warehouse_file_deleted_under_the_run_is_named_not_recreated(tmp_path):
    from wirehouse.warehouse.store import Warehouse

    path = tmp_path / "w.duckdb"
    warehouse = Warehouse.open(path)
    try:
        path.unlink()
        with pytest.raises(FileNotFoundError, match="deleted or replaced while the run was writing"):
            warehouse.record_rejections([], "run1", ["/s/a.txt"])
        assert not path.exists()
        assert cause_of(FileNotFoundError(2, "deleted"))[0] == \
            "the warehouse file or its folder went away while the run was writing"
    finally:
        warehouse.close()


def test_a_damaged_warehouse_file_is_named_so_and_not_taken_for_a_busy_one():
    """DuckDB's checksum error names a "block": not a lock another process holds."""
    from wirehouse.warehouse.connection import _is_lock_conflict

    damaged = ("IO Error: Corrupt database file: computed checksum 123 does not match stored checksum 456 "
               "in block at location 274432")
    held = ('IO Error: Could not set lock on file "/w/w.duckdb": Conflicting lock is held in /usr/bin/python3 '
            "(PID 31062). See also https://duckdb.org/docs/stable/connect/concurrency")
    assert not _is_lock_conflict(damaged) and _is_lock_conflict(held)
    assert cause_of(IOError(damaged)) == ("the warehouse file is damaged",
                                          "restore it from a copy, or give another --warehouse path")
