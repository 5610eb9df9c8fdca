"""Where enrichment runs: the task runner a run's settings choose, and how a batch is cut for it.

Enrichment is the only stage that may leave the flow's process: one worker thread beside
the flow (overlapping audit and load), a local process pool, or Dask. Audit and publish
stay in the flow's process, so only one process ever writes the DuckDB file. Pool and
local Dask workers carry the guards of process_guards.py: they die with the run.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
from typing import Any, Iterator

from wirehouse.flows.process_guards import guard_worker_process
from wirehouse.flows.settings import Settings
from wirehouse.transforms import nlp
from wirehouse.transforms.records import Article

# Every enrichment task costs Prefect's machinery CPU in the flow, the worker and the API
# server (the task run, its states, the context sent along: 0.13 s for a trivial task,
# measured with 42 against 2). So a batch goes as one chunk per worker while the documents
# after it can keep busy the workers that finish their chunk first, and as CHUNKS_PER_WORKER
# chunks per worker near the end, so the workers finish together (BBC on 2 workers: 22
# tasks instead of 40, the last ones of about 22 articles).
CHUNKS_PER_WORKER = 4


def enrichment_runner(settings: Settings) -> Any:
    """The task runner for enrichment tasks."""
    if settings.runner == "process":
        from prefect.task_runners import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(max_workers=settings.workers, initializer=guard_worker_process,
                                     initargs=(os.getpid(), nlp.load_pipeline, settings.model))
    if settings.runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": settings.workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None,
                                              "preload": ["wirehouse.flows.process_guards"]})
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=1)


def enrichment_chunks(articles: list[Article], settings: Settings, documents_after: int = 0) -> list[list[Article]]:
    """A batch cut into even chunks, one enrichment task each (one chunk in a thread):
    coarse while enough documents come after it, fine near the end of the run."""
    workers = settings.workers
    if settings.runner == "thread":
        parts = 1
    elif documents_after * workers >= len(articles) * (workers - 1):
        parts = workers
    else:
        parts = workers * CHUNKS_PER_WORKER
    size = max(1, -(-len(articles) // parts))
    return [articles[i : i + size] for i in range(0, len(articles), size)]


@contextlib.contextmanager
def api_url_for_workers() -> Iterator[None]:
    """Worker processes report task states to the API this flow uses. Without
    PREFECT_API_URL that is the temporary server of this run: export its address, or
    every spawned worker would start a temporary server of its own."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        yield
        return
    os.environ["PREFECT_API_URL"] = str(get_client().api_url)
    try:
        yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)


@functools.cache
def _malloc_trim() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to trim
        return None


def return_freed_memory() -> None:
    """Hand the heap pages a settled batch freed back to the OS. glibc keeps freed memory
    in its arenas, so without this the flow process's RSS creeps up batch after batch of
    a long run (the same remedy as Dask's worker memory trimming)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
