"""The digitization flow: ingest, clean, read, validate, store, count.

One flow run takes every file waiting under `INBOX/<ward>/`. Tasks are coarse (a file,
a page) and retry only on I/O errors, never on bugs. Page tasks run in parallel, as many
as `DIGITIZE_OCR_WORKERS` (by default twice the cores), each page cleaned and read
in a worker process (flows/page_workers.py) by one single-threaded Tesseract.
"""

from __future__ import annotations

import errno
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from queue import Queue
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from flows import progress
from flows.artifacts import publish_run_artifacts
from flows.inbox import (
    MSG_NO_ACCESS,
    MSG_NOT_REGULAR,
    MSG_SYMLINK,
    MSG_VANISHED,
    InboxFile,
    discover,
    dropped_at,
    open_inbox_file,
)
from flows.page_workers import (
    WorkerDied,
    WorkerTimedOut,
    msg_page_timeout,
    read_page_file,
    run_in_worker,
)
from flows.report import rename_run, run_name
from flows.settings import PipelineSettings
from ocr.pages import UnreadableInput, count_pages
from ocr.text import PageText
from schemas.reading import RecordReading, read_records
from schemas.wards import WardRegistry
from storage.archive import (
    MSG_ALREADY_DIGITIZED,
    Archive,
    Received,
    SourceDrop,
    duplicate_record_id,
    receive,
    record_id_for,
    rejected_record_id,
    sha256_hex,
    utc_now,
)
from storage.objects import ObjectStore, StoreSettings, open_store
from storage.scratch import use_process_scratch

SOFTWARE_VERSION = "0.1.0"
SCHEMA_VERSION = "1"
IO_ERRORS = (OSError, ConnectionError, TimeoutError)
# Errors that waiting will not cure: report them at once instead of retrying for minutes.
FINAL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES}
# The whole page (loading, cleaning, every reading) may take this many Tesseract timeouts
# before its worker is killed: Tesseract runs several times on a page (first reading,
# confirmations, votes, rereads), each call under the timeout; a normal page takes seconds.
PAGE_LIMIT_READINGS = 6
MSG_STORE_FULL = (
    "Kho lưu trữ đã đầy; các tệp vẫn nằm trong hộp thư đến / "
    "The store's disk is full (no space left); the files stay in the inbox"
)


def _retry_on_io(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a task only when it failed on I/O (store unreachable, disk), never on a bug."""
    try:
        state.result()
    except IO_ERRORS as exc:
        return getattr(exc, "errno", None) not in FINAL_ERRNOS
    except Exception as exc:  # noqa: BLE001 - classify the failure, re-raised by Prefect
        return type(exc).__module__.startswith(("minio", "urllib3"))
    return False


IO_RETRY = dict(
    retries=4,
    retry_delay_seconds=exponential_backoff(backoff_factor=2),
    retry_jitter_factor=0.5,
    retry_condition_fn=_retry_on_io,
    cache_policy=NO_CACHE,
)


@dataclass
class Runtime:
    """What tasks share within one process: the archive, the registry, the settings."""

    archive: Archive
    registry: WardRegistry
    settings: PipelineSettings


@cache
def runtime() -> Runtime:
    settings = PipelineSettings()
    store: ObjectStore = open_store(StoreSettings())
    rt = Runtime(
        archive=Archive(store, settings.cache_dir),
        registry=WardRegistry.load(settings.wards_file),
        settings=settings,
    )
    use_process_scratch()
    return rt


@dataclass
class Secured:
    """A file whose original is safely in the store, and what is known of it so far."""

    drop: SourceDrop
    pages: int = 0
    already_done: bool = False
    unreadable: str | None = None  # reason a clerk reads
    duplicate_of: str | None = None  # source name of the first drop of the same bytes


@dataclass
class PageResult:
    number: int
    text: PageText | None
    error: str | None = None
    review: bool = False  # the page may well hold a record: a person looks at it


@dataclass
class FileOutcome:
    source_name: str
    ward: str
    statuses: list[str]
    claims: list[tuple[str, str]] = field(default_factory=list)  # (doc_type, key_hash)


# --- tasks -------------------------------------------------------------------------------


@task(name="secure-original", task_run_name="secure-{item.ward}", **IO_RETRY)
def secure_original(item: InboxFile, received_at: str) -> Secured:
    """Put the clerk's file in the store before anything else is done with it."""
    archive = runtime().archive
    problem = item.problem
    received: Received | None = None
    if not problem:
        try:
            # copied and hashed in one pass, a piece at a time: a scan of hundreds of MB
            # never sits whole in memory
            with open_inbox_file(item.path) as f:
                received = receive(f)
        except FileNotFoundError:
            problem = MSG_VANISHED  # deleted or moved between discovery and now
        except PermissionError:
            problem = MSG_NO_ACCESS
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                problem = MSG_SYMLINK  # replaced by a link since discovery: not followed
            elif isinstance(exc, IsADirectoryError | NotADirectoryError):
                problem = MSG_NOT_REGULAR
            else:
                raise  # a real I/O error: retried
    try:
        sha = received.sha256 if received else sha256_hex(b"")
        drop = SourceDrop(sha, item.source_name, item.ward, received.size if received else 0,
                          received_at)
        marker = archive.drop_marker(sha, drop.source_id)
        if marker and marker.get("state") == "done":
            return Secured(drop, already_done=True)
        if marker:  # a run that crashed after securing: keep its time, so ownership is stable
            drop = SourceDrop(sha, item.source_name, item.ward, drop.size, marker["received_at"])
        archive.secure_original(received.path if received else b"", drop)
        if received:
            archive.keep_cached(received)
    finally:
        if received:
            received.path.unlink(missing_ok=True)
    return Secured(drop, unreadable=problem)


@task(name="inspect-original", task_run_name="inspect-{secured.drop.ward}", **IO_RETRY)
def inspect_original(secured: Secured) -> Secured:
    """Count the pages of a stored original, or say why it cannot be read.

    Reads the original from the store, never from the inbox: a worker on another
    machine runs this as well as the intake does.
    """
    if secured.unreadable:
        return secured
    drop = secured.drop
    if drop.size == 0:
        secured.unreadable = "Tệp rỗng (0 byte) / The file is empty"
        return secured
    original = runtime().archive.original_file(drop.sha256)
    try:
        secured.pages = count_pages(original, drop.source_name)
    except UnreadableInput as exc:
        secured.unreadable = str(exc)
    return secured


@task(name="read-page", task_run_name="page-{number}", tags=["ocr"], **IO_RETRY)
def read_page_task(sha: str, source_name: str, number: int) -> PageResult:
    """Clean one page and read it (in a worker process); store the cleaned image and its
    OCR text."""
    rt = runtime()
    original = rt.archive.original_file(sha)
    s = rt.settings
    args = (str(original), source_name, number, s.page_dpi, s.ocr_lang, s.page_timeout_s,
            s.searchable_pdf)
    if s.task_runner != "threads":
        read = read_page_file(*args)  # a Dask worker is a process of its own already
    else:
        try:
            read = run_in_worker(s.ocr_workers, read_page_file, *args,
                                 limit_s=PAGE_LIMIT_READINGS * s.page_timeout_s)
        except WorkerDied as exc:
            return PageResult(number, None, review=True, error=f"Trang {number}: {exc}")
        except WorkerTimedOut:
            return PageResult(number, None, review=True, error=msg_page_timeout(number))
    if read.png is not None and read.stored is not None:
        rt.archive.put_page(sha, number, read.png, read.stored, pdf=read.pdf)
    return PageResult(number, read.text, error=read.error, review=read.review)


@task(name="record-outcomes", task_run_name="record-{secured.drop.ward}", **IO_RETRY)
def record_outcomes(secured: Secured, pages: list[PageResult], today: date) -> FileOutcome:
    """Read the records in a file's pages, deduplicate, store them and count them."""
    rt = runtime()
    drop = secured.drop
    base = {
        "source_sha256": drop.sha256,
        "source_name": drop.source_name,
        "ward_folder": drop.ward,
        "day": today.isoformat(),
        "provenance": {
            "flow_run_id": str(flow_run.get_id() or ""),
            "software_version": SOFTWARE_VERSION,
            "schema_version": SCHEMA_VERSION,
            "processed_at": utc_now(),
            "received_at": drop.received_at,
        },
        "history": [],
    }
    records: list[dict[str, Any]] = []
    claims: list[tuple[str, str]] = []
    if secured.unreadable:
        rt.archive.quarantine(drop, secured.unreadable)
        records.append(_record(base, rejected_record_id(drop.sha256, drop.source_name),
                               status="rejected",
                               reasons=[secured.unreadable]))
    elif secured.duplicate_of:
        first = secured.duplicate_of
        records.append(_record(
            base, duplicate_record_id(drop.sha256, drop.source_name), status="duplicate",
            reasons=["Tệp này đã được nộp trước đó / This file was already submitted"],
            duplicate_of={"source_sha256": drop.sha256, "source_name": first},
        ))
    else:
        readings = _read(pages, drop.ward, rt, today)
        for index, reading in enumerate(readings):
            rid = record_id_for(drop.sha256, index)
            record = _record(
                base, rid, status=str(reading.status), reasons=list(reading.reasons),
                doc_type=str(reading.doc_type) if reading.doc_type else None,
                pages=reading.page_numbers, fields=reading.fields,
                confidence=reading.confidence, document_ward=reading.ward,
            )
            record["provenance"]["ocr_mean_conf"] = _mean_conf(pages, reading.page_numbers)
            if reading.status in ("digitized", "needs_review") and reading.business_key:
                key_hash = Archive.key_hash(record["doc_type"], reading.business_key)
                claims.append((record["doc_type"], key_hash))
                # What the record is when it owns its key: settle_key may restore it.
                record["claim"] = {"doc_type": record["doc_type"], "key_hash": key_hash,
                                   "status": record["status"], "reasons": record["reasons"]}
                claimed_at = drop.received_at + rid
                if reading.status == "digitized":
                    owner = rt.archive.claim_key(
                        record["doc_type"], reading.business_key, rid, claimed_at)
                    if owner != rid:
                        first = rt.archive.get_record(owner) or {}
                        record["status"] = "duplicate"
                        record["reasons"] = [MSG_ALREADY_DIGITIZED]
                        record["duplicate_of"] = {
                            "record_id": owner, "source_name": first.get("source_name"),
                        }
                else:
                    # a second scan of a record already read (digitized, or waiting for a
                    # clerk) is a duplicate of it, not one more item in the review queue:
                    # the run's settling decides (Archive.settle_key)
                    rt.archive.claim_key_in_review(
                        record["doc_type"], reading.business_key, rid, claimed_at)
            records.append(record)
    for record in records:
        if record.get("doc_type") and record.get("pages"):
            record["searchable_pdf"] = rt.archive.put_searchable_pdf(
                record["record_id"], drop.sha256, record["pages"])
        rt.archive.put_record(record)
    statuses = [r["status"] for r in records]
    rt.archive.finish_drop(drop, {
        "record_ids": [r["record_id"] for r in records], "statuses": statuses,
    })
    return FileOutcome(drop.source_name, drop.ward, statuses, claims=claims)


def _read(pages: list[PageResult], ward: str, rt: Runtime, today: date) -> list[RecordReading]:
    unread = [p for p in pages if p.text is None]
    texts = [p.text or PageText() for p in pages]
    readings = read_records(texts, ward, rt.registry, today,
                            min_confidence=rt.settings.min_confidence)
    for reading in readings:
        # A page that could not be read is never silently dropped: its reading says why;
        # one that timed out (it may hold a record) goes to a person.
        hit = [p for p in unread if p.number in reading.page_numbers]
        if not hit:
            continue
        reasons = [p.error or f"Trang {p.number} không đọc được" for p in hit]
        if any(p.review for p in hit) and reading.status in ("digitized", "rejected"):
            reading.status = "needs_review"
        elif reading.status == "digitized":
            reading.status = "needs_review"
        if len(hit) == len(reading.page_numbers):
            reading.reasons = reasons  # the blank-page guess would mislead the clerk
        else:
            reading.reasons = [*reading.reasons, *reasons]
    return readings


def _mean_conf(pages: list[PageResult], numbers: list[int]) -> float | None:
    confs = [p.text.mean_conf for p in pages if p.text and p.number in numbers]
    return round(sum(confs) / len(confs), 2) if confs else None


def _record(base: dict[str, Any], rid: str, *, status: str, reasons: list[str],
            doc_type: str | None = None, pages: list[int] | None = None,
            fields: dict[str, Any] | None = None, confidence: dict[str, float] | None = None,
            document_ward: str | None = None,
            duplicate_of: dict[str, Any] | None = None) -> dict[str, Any]:
    record = {
        **base,
        "provenance": dict(base["provenance"]),
        "record_id": rid,
        "status": status,
        "reasons": reasons,
        "doc_type": doc_type,
        "pages": pages or [],
        "fields": fields or {},
        "confidence": confidence or {},
        "document_ward": document_ward,
        "duplicate_of": duplicate_of,
    }
    return record


# --- the flow ----------------------------------------------------------------------------


@dataclass
class RunSummary:
    files: int = 0
    already_done: int = 0
    failed: list[str] = field(default_factory=list)  # source names whose outcome is pending
    counts: dict[str, Counter[str]] = field(default_factory=dict)  # ward -> status -> records
    seen: set[tuple[str, str]] = field(default_factory=set)  # (ward, sha256) of every drop

    def add(self, outcome: FileOutcome) -> None:
        self.counts.setdefault(outcome.ward, Counter()).update(outcome.statuses)


def _task_runner() -> ThreadPoolTaskRunner:
    # Threads are enough for the tasks: a page task's heavy work runs in a worker process
    # (flows/page_workers.py). One thread per page in flight bounds memory too.
    return ThreadPoolTaskRunner(max_workers=PipelineSettings().ocr_workers)


def _workers_task_runner() -> Any:
    """The workers' flow may spread its pages over a Dask cluster (DIGITIZE_TASK_RUNNER).

    Only process-drops can: its tasks need the store alone, while the intake's tasks read
    the inbox, which a Dask worker on another machine cannot see.
    """
    choice = PipelineSettings().task_runner
    if choice == "threads":
        return _task_runner()
    from prefect_dask import DaskTaskRunner

    if choice == "dask":
        workers = PipelineSettings().ocr_workers
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1})
    return DaskTaskRunner(address=choice)


@flow(name="digitize-inbox", task_runner=_task_runner(), log_prints=False)
def digitize_inbox(inbox: str) -> RunSummary:
    """Digitize every file waiting in the inbox, once: secure, then process."""
    logger = get_run_logger()
    rt = runtime()
    items = discover(Path(inbox), set(rt.registry.codes()))
    progress.emit("files", len(items))
    logger.info("%d files in %d ward folders", len(items), len({i.ward for i in items}))
    secured, summary = secure_all(items)
    return process_secured(secured, summary)


@flow(name="process-drops", task_runner=_workers_task_runner(), log_prints=False)
def process_drops(drops: list[dict[str, Any]]) -> RunSummary:
    """Process originals already secured in the store (by `digitize serve`'s intake).

    `drops` are plain values (sha256, source_name, ward, size, received_at), so any
    worker of the work pool can run this from the store alone.
    """
    progress.emit("files", len(drops))
    secured = [Secured(SourceDrop(**d)) for d in drops]
    return process_secured(secured, RunSummary(files=len(drops)))


def secure_all(items: list[InboxFile]) -> tuple[list[Secured], RunSummary]:
    """Secure every inbox file's original; skip (and count) those already recorded."""
    summary = RunSummary(files=len(items))
    received_at = utc_now()
    futures = [secure_original.submit(item, dropped_at(item.path) or received_at)
               for item in items]
    secured: list[Secured] = []
    for item, future in zip(items, futures, strict=True):
        result = _result(future)
        if result is None:
            summary.failed.append(item.source_name)
            progress.emit("file_done")
        elif result.already_done:
            summary.already_done += 1
            summary.seen.add((result.drop.ward, result.drop.sha256))
            progress.emit("file_done")
        else:
            secured.append(result)
    return secured, summary


def process_secured(secured: list[Secured], summary: RunSummary) -> RunSummary:
    """Pages, records, outcomes and counters for secured originals (inside a flow run)."""
    logger = get_run_logger()
    rt = runtime()
    inspected: list[Secured] = []
    for s, future in [(s, inspect_original.submit(s)) for s in secured]:
        result = _result(future)
        if result is None:
            summary.failed.append(s.drop.source_name)
            progress.emit("file_done")
        else:
            inspected.append(result)

    # Decided once every original of the batch is stored, so that two copies of one file
    # dropped together agree on which one is the first.
    for s in inspected:
        if not s.unreadable:
            first = rt.archive.first_drop(s.drop.sha256)
            if first and first["source_name"] != s.drop.source_name:
                s.duplicate_of = first["source_name"]

    recorded = _read_and_record(inspected, summary, rt.settings.ocr_workers)
    settled_shas: set[str] = set()
    claims: set[tuple[str, str]] = set()
    for s, future in recorded:
        outcome = _result(future)
        if outcome is None:
            summary.failed.append(s.drop.source_name)
        else:
            summary.add(outcome)
            claims.update(outcome.claims)
            if not s.unreadable:
                settled_shas.add(s.drop.sha256)
        rt.archive.forget_cached(s.drop.sha256)
        progress.emit("file_done")

    # A run killed after recording its outcomes but before this point left drops done and
    # counters stale: settle and recount what was already done as well (cheap listings).
    settled_shas |= {sha for _, sha in summary.seen}
    wards = set(summary.counts) | {w for w, _ in summary.seen}
    wards |= settle(rt.archive, settled_shas, claims)
    if wards:
        rt.archive.refresh_counters(wards)
    rename_run(flow_run.get_id(), run_name(summary.counts, len(summary.failed)))
    publish_run_artifacts(summary, rt.registry, rt.archive)
    if summary.failed:
        logger.warning(
            "%d files could not be finished; they stay in the inbox for the next run",
            len(summary.failed),
        )
    return summary


def _read_and_record(
    files: list[Secured], summary: RunSummary, workers: int
) -> list[tuple[Secured, PrefectFuture[FileOutcome]]]:
    """Read the files' pages and record each file's outcomes as soon as its pages are read.

    Pages are submitted a few at a time (twice the workers), not all at once: a file's
    record task then queues behind a handful of pages instead of behind the whole batch,
    so extraction and storage overlap with the Tesseract of later pages, and a 300-page PDF
    never has all its pages queued.
    """
    todo: deque[tuple[int, int]] = deque()  # (file index, page number), in inbox order
    results: list[dict[int, PageResult | None]] = [{} for _ in files]
    recorded: list[tuple[Secured, PrefectFuture[FileOutcome]]] = []
    for i, s in enumerate(files):
        to_read = 0 if (s.unreadable or s.duplicate_of) else s.pages
        progress.emit("pages", to_read)
        todo.extend((i, n) for n in range(1, to_read + 1))
        if not to_read:
            recorded.append((s, record_outcomes.submit(s, [], date.today())))

    finished: Queue[PrefectFuture[PageResult]] = Queue()
    in_flight: dict[PrefectFuture[PageResult], tuple[int, int]] = {}
    while todo or in_flight:
        while todo and len(in_flight) < 2 * workers:
            i, n = todo.popleft()
            future = read_page_task.submit(files[i].drop.sha256, files[i].drop.source_name, n)
            in_flight[future] = (i, n)
            future.add_done_callback(finished.put)
        done = finished.get()
        i, n = in_flight.pop(done)
        results[i][n] = _result(done)
        progress.emit("page_done")
        s = files[i]
        if len(results[i]) < s.pages:
            continue
        pages = [results[i][k] for k in range(1, s.pages + 1)]
        if any(r is None for r in pages):
            summary.failed.append(s.drop.source_name)
            progress.emit("file_done")
        else:
            recorded.append((s, record_outcomes.submit(s, pages, date.today())))
    return recorded


def settle(archive: Archive, shas: set[str], claims: set[tuple[str, str]]) -> set[str]:
    """Settle what this run touched against what other processes stored meanwhile (see the
    archive's docstring); returns the wards whose counters must be recounted."""
    wards: set[str] = set()
    for sha in sorted(shas):
        wards |= archive.settle_content(sha)
    # Content records whose owner changed may have changed ward; their keys settle after.
    for doc_type, key_hash in sorted(claims):
        wards |= archive.settle_key(doc_type, key_hash)
    return wards


def _result(future: PrefectFuture[Any]) -> Any:
    """The task's result, or None when it failed (already logged by Prefect as a failed task)."""
    future.wait()
    state = future.state
    if state.is_completed():
        return state.result()
    try:
        state.result()
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            get_run_logger().error(MSG_STORE_FULL)
    except Exception:  # noqa: BLE001, S110 - already logged by Prefect as a failed task
        pass
    return None


