"""Where a page is cleaned and read: in worker processes, not in the flow's threads.

The flow's page tasks run in threads (Prefect's ThreadPoolTaskRunner). Tesseract runs in
processes of its own, but the work around it (decoding the page, OpenCV's cleaning, the
votes and the words' Python work) holds the GIL much of the time, so threads stopped
scaling: on a lent 16-core machine, 48 pages, 8 threads read 1.07 pages/s where 4 read
0.98, while Tesseract alone went from 2.83 to 4.08. So a page task hands its page to a
process of this pool (one per page in flight) and waits; storing the result stays with the
task, in the flow's process.

Workers are started fresh (spawn: the flow's process has threads, which fork does not
copy safely), write their temporary files in the run's own scratch folder, which the run
removes when it ends, and each ends when the run that started it is gone (`kill -9` of a
run leaves no orphan behind). A worker that dies on a page (the OOM
killer, a crash in a library) breaks the pool: the page is tried once more in a new pool,
then reported as unreadable, for a person to check. The other pages in flight see the same
broken pool and are tried again too; one that a second death catches in flight is reported
the same way (rare: two deaths in one batch), never lost. A page on which the cleaning or
reading code itself fails (an exception, not the machine's OSError or MemoryError) goes to
review too: that failure would repeat on every run.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import cv2

from ocr.clean import is_blank_page
from ocr.pages import UnreadableInput, load_page, png_bytes
from ocr.process import process_page
from ocr.read import OcrTimeout
from ocr.text import PageText, page_to_dict
from storage.scratch import use_process_scratch

T = TypeVar("T")
log = logging.getLogger(__name__)

MSG_WORKER_DIED = ("tiến trình đọc trang bị dừng đột ngột (có thể thiếu bộ nhớ), cần người "
                   "kiểm tra / the process reading the page died (out of memory?), a person "
                   "must check it")


def msg_page_fault(number: int, error: BaseException) -> str:
    return (f"Trang {number}: lỗi phần mềm khi làm sạch / đọc trang ({type(error).__name__}), "
            f"cần người kiểm tra / page {number}: this software failed on the page's image "
            f"({type(error).__name__}), a person must check it")


def msg_page_timeout(number: int) -> str:
    return (f"Trang {number}: quá thời gian nhận dạng chữ, cần người kiểm tra / "
            f"page {number}: OCR took too long, a person must check it")


class WorkerDied(RuntimeError):
    """The page's worker process died twice in a row."""


class WorkerTimedOut(RuntimeError):
    """The page took longer than its whole-page limit; its worker was killed."""


@dataclass
class PageRead:
    """One page, cleaned and read: what the page task stores and passes on."""

    text: PageText | None
    png: bytes | None = None  # the cleaned page as stored (what Tesseract read)
    stored: dict[str, Any] | None = None  # its words and stage timings, as stored
    pdf: bytes | None = None  # the page as a searchable PDF, when asked
    error: str | None = None  # why there is no text, for the clerk
    review: bool = False  # the page may well hold a record: a person looks at it


def read_page_file(original: str, source_name: str, number: int, dpi: int, lang: str,
                   timeout: float, searchable_pdf: bool) -> PageRead:
    """Load page `number` of the original file, clean it and read it."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        page = load_page(Path(original), source_name, number, dpi=dpi)
    except UnreadableInput as exc:
        return PageRead(None, error=f"Trang {number}: {exc}")
    timings["load_page"] = time.perf_counter() - t0
    if is_blank_page(page.image):
        # Nothing printed or written: cleaning and Tesseract would find nothing either.
        return PageRead(PageText())
    try:
        reading = process_page(page.image, page.dpi, lang=lang, timeout=timeout,
                               searchable_pdf=searchable_pdf)
    except OcrTimeout:
        return PageRead(None, review=True, error=msg_page_timeout(number))
    except (OSError, MemoryError):
        raise  # the machine's trouble, not the page's: the file waits for the next run
    except Exception as exc:
        # A fault of the cleaning or reading on this image fails the same way on every run:
        # left unfinished, the file would stay in the inbox for ever (heldout seed 21: a
        # zero-length edge in the sheet finder). The page goes to a person instead, and the
        # traceback (code, never the page's text) to the log for whoever fixes it.
        log.exception("page %d of a file could not be cleaned or read", number)
        return PageRead(None, review=True, error=msg_page_fault(number, exc))
    del page
    stored = page_to_dict(reading.text)
    stored["timings"] = {k: round(v, 4) for k, v in {**timings, **reading.timings}.items()}
    return PageRead(reading.text, png=png_bytes(reading.cleaned.image),
                    stored=stored, pdf=reading.pdf)


# --- the pool ----------------------------------------------------------------------------

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_key: tuple[Any, ...] | None = None


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _start_worker(scratch: str) -> None:
    tempfile.tempdir = scratch
    # Pages are the parallelism: OpenCV's own threads in every worker would only compete.
    cv2.setNumThreads(1)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


# What a worker takes from the environment when it starts (how Tesseract is found and
# what it reads); its work itself comes as arguments, its scratch folder as the run's.
_WORKER_ENV = ("PATH", "TESSDATA_PREFIX", "OMP_THREAD_LIMIT")


def _current_pool(workers: int) -> ProcessPoolExecutor:
    """The pool for this many workers, scratch folder and environment: a change in them
    (tests change them between runs in one process) means new workers."""
    global _pool, _pool_key
    scratch = str(use_process_scratch())
    key = (workers, scratch, *(os.environ.get(name, "") for name in _WORKER_ENV))
    with _lock:
        if _pool is None or _pool_key != key:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=False)
            _pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(scratch,))
            _pool_key = key
        return _pool


def _discard(pool: ProcessPoolExecutor, *, kill: bool = False) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    if kill:
        # The executor cannot stop one task; its processes are the only handle. (`_processes`
        # is private, but the only way: shutdown() waits for a hung page for ever.)
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def run_in_worker(workers: int, fn: Callable[..., T], *args: Any,
                  limit_s: float | None = None) -> T:
    """`fn(*args)` in a worker process of the pool of `workers`; waits for it, at most
    `limit_s` (then the pool's processes are killed and WorkerTimedOut raised: a page stuck
    in Python or OpenCV, which no Tesseract timeout reaches, must not hold a worker for
    ever). A worker that dies takes the pool with it (every page in flight then sees it):
    each page is tried once more in a fresh pool, then WorkerDied."""
    for _attempt in range(2):
        pool = _current_pool(workers)
        future = pool.submit(fn, *args)
        try:
            return future.result(timeout=limit_s)
        except BrokenProcessPool:
            _discard(pool)
        except FutureTimeout:
            _discard(pool, kill=True)
            raise WorkerTimedOut(f"no result after {limit_s:g} s") from None
    raise WorkerDied(MSG_WORKER_DIED)
