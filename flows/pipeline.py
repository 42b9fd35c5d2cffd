"""The digitization flow: ingest, clean, read, validate, store, count.

One flow run takes every file waiting under `INBOX/<ward>/`. Tasks are coarse (a file,
a page) and retry only on I/O errors, never on bugs. Page tasks run in parallel, one
single-threaded Tesseract each, as many as `DIGITIZE_OCR_WORKERS` (all cores by default).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import cv2
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from flows import progress
from flows.inbox import InboxFile, discover
from flows.report import rename_run, run_name
from flows.settings import PipelineSettings
from ocr.pages import UnreadableInput, count_pages, load_page
from ocr.process import process_page
from ocr.read import OcrTimeout
from ocr.text import PageText, page_to_dict
from schemas.reading import RecordReading, read_records
from schemas.wards import WardRegistry
from storage.archive import (
    Archive,
    SourceDrop,
    duplicate_record_id,
    record_id_for,
    sha256_hex,
    utc_now,
)
from storage.objects import ObjectStore, StoreSettings, open_store

SOFTWARE_VERSION = "0.1.0"
SCHEMA_VERSION = "1"
IO_ERRORS = (OSError, ConnectionError, TimeoutError)


def _retry_on_io(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a task only when it failed on I/O (store unreachable, disk), never on a bug."""
    try:
        state.result()
    except IO_ERRORS:
        return True
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
    return Runtime(
        archive=Archive(store, settings.cache_dir),
        registry=WardRegistry.load(settings.wards_file),
        settings=settings,
    )


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
    rotation: int = 0
    skew_degrees: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class FileOutcome:
    source_name: str
    ward: str
    statuses: list[str]
    failed: str | None = None


# --- tasks -------------------------------------------------------------------------------


@task(name="secure-original", task_run_name="secure-{item.ward}", **IO_RETRY)
def secure_original(item: InboxFile, received_at: str) -> Secured:
    """Put the clerk's file in the store before anything else is done with it."""
    archive = runtime().archive
    data = b"" if item.problem else item.path.read_bytes()
    sha = sha256_hex(data)
    drop = SourceDrop(sha, item.source_name, item.ward, len(data), received_at)
    marker = archive.drop_marker(sha, drop.source_id)
    if marker and marker.get("state") == "done":
        return Secured(drop, already_done=True)
    if marker:  # a run that crashed after securing: keep its time, so ownership is stable
        drop = SourceDrop(sha, item.source_name, item.ward, len(data), marker["received_at"])
    archive.secure_original(data, drop)
    return Secured(drop, unreadable=item.problem)


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
    data = runtime().archive.original(drop.sha256)
    try:
        secured.pages = count_pages(data, drop.source_name)
    except UnreadableInput as exc:
        secured.unreadable = str(exc)
    return secured


@task(name="read-page", task_run_name="page-{number}", **IO_RETRY)
def read_page_task(sha: str, source_name: str, number: int) -> PageResult:
    """Clean one page and read it; store the cleaned image and its OCR text."""
    rt = runtime()
    data = rt.archive.original(sha)
    try:
        page = load_page(data, source_name, number, dpi=rt.settings.page_dpi)
        reading = process_page(page.image, page.dpi, lang=rt.settings.ocr_lang,
                               timeout=rt.settings.page_timeout_s)
        cleaned, text = reading.cleaned, reading.text
    except UnreadableInput as exc:
        return PageResult(number, None, error=str(exc))
    except OcrTimeout:
        return PageResult(
            number, None,
            error=f"Trang {number}: quá thời gian nhận dạng / page {number}: OCR timed out",
        )
    ok, png = cv2.imencode(".png", cleaned.image)
    if not ok:
        raise ValueError(f"page {number}: could not encode the cleaned image")
    rt.archive.put_page(sha, number, png.tobytes(), page_to_dict(text))
    return PageResult(number, text, rotation=cleaned.rotation,
                      skew_degrees=cleaned.skew_degrees, timings=cleaned.timings)


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
    if secured.unreadable:
        rt.archive.quarantine(drop, secured.unreadable)
        records.append(_record(base, record_id_for(drop.sha256, 0), status="rejected",
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
            if reading.status == "digitized" and reading.business_key:
                owner = rt.archive.claim_key(
                    record["doc_type"], reading.business_key, rid, drop.received_at + rid
                )
                if owner != rid:
                    first = rt.archive.get_record(owner) or {}
                    record["status"] = "duplicate"
                    record["reasons"] = [
                        "Hồ sơ này đã được số hóa từ tệp khác / "
                        "This record was already digitized from another file"
                    ]
                    record["duplicate_of"] = {
                        "record_id": owner, "source_name": first.get("source_name"),
                    }
            records.append(record)
    for record in records:
        rt.archive.put_record(record)
    statuses = [r["status"] for r in records]
    rt.archive.finish_drop(drop, {
        "record_ids": [r["record_id"] for r in records], "statuses": statuses,
    })
    return FileOutcome(drop.source_name, drop.ward, statuses)


def _read(pages: list[PageResult], ward: str, rt: Runtime, today: date) -> list[RecordReading]:
    unread = [p for p in pages if p.text is None]
    texts = [p.text or PageText() for p in pages]
    readings = read_records(texts, ward, rt.registry, today,
                            min_confidence=rt.settings.min_confidence)
    if unread:
        # A page that could not be read is never silently dropped: its record goes to review.
        reasons = [p.error or f"Trang {p.number} không đọc được" for p in unread]
        for reading in readings:
            if set(reading.page_numbers) & {p.number for p in unread}:
                reading.status = "needs_review" if reading.status == "digitized" else \
                    reading.status
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

    def add(self, outcome: FileOutcome) -> None:
        self.counts.setdefault(outcome.ward, Counter()).update(outcome.statuses)


def _task_runner() -> ThreadPoolTaskRunner:
    # Threads are enough: the heavy work runs in Tesseract subprocesses and in OpenCV,
    # which releases the GIL. One thread per page in flight bounds memory too.
    return ThreadPoolTaskRunner(max_workers=PipelineSettings().ocr_workers)


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


@flow(name="process-drops", task_runner=_task_runner(), log_prints=False)
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
    futures = [secure_original.submit(item, received_at) for item in items]
    secured: list[Secured] = []
    for item, future in zip(items, futures, strict=True):
        result = _result(future)
        if result is None:
            summary.failed.append(item.source_name)
            progress.emit("file_done")
        elif result.already_done:
            summary.already_done += 1
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

    page_futures: list[tuple[Secured, list[PrefectFuture[PageResult]]]] = []
    for s in inspected:
        to_read = [] if (s.unreadable or s.duplicate_of) else range(1, s.pages + 1)
        progress.emit("pages", len(to_read))
        page_futures.append(
            (s, [read_page_task.submit(s.drop.sha256, s.drop.source_name, n) for n in to_read])
        )

    recorded = []
    for s, futures in page_futures:
        results = []
        for future in futures:
            results.append(_result(future))
            progress.emit("page_done")
        if any(r is None for r in results):
            summary.failed.append(s.drop.source_name)
            progress.emit("file_done")
            continue
        recorded.append((s, record_outcomes.submit(s, results, date.today())))
    for s, future in recorded:
        outcome = _result(future)
        if outcome is None:
            summary.failed.append(s.drop.source_name)
        else:
            summary.add(outcome)
        rt.archive.forget_cached(s.drop.sha256)
        progress.emit("file_done")

    if summary.counts:
        rt.archive.refresh_counters(summary.counts)
    rename_run(flow_run.get_id(), run_name(summary.counts, len(summary.failed)))
    if summary.failed:
        logger.warning(
            "%d files could not be finished; they stay in the inbox for the next run",
            len(summary.failed),
        )
    return summary


def _result(future: PrefectFuture[Any]) -> Any:
    """The task's result, or None when it failed (already logged by Prefect as a failed task)."""
    future.wait()
    state = future.state
    if state.is_completed():
        return state.result()
    return None


