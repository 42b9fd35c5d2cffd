"""`digitize serve`: watch the inbox by polling, secure what is ready, hand it to processing.

One long-running process (the intake) polls `INBOX/<ward>/` every `interval` seconds.
Polling, not file events: events are lost on network shares (CIFS, NFS, SFTP drops).

A file is taken once it is a regular file inside the inbox whose size and mtime have not
changed for `stable_seconds` (a scanner or an SMB copy creates the file before it has
written it). OS and sync-tool junk and partial downloads are ignored (flows/inbox.py). A
file that cannot be taken (not in a registered ward folder, a symbolic link...) is moved to
`failed/<ward>/` with a `.reason.txt` beside it.

Each poll with ready files:

1. `intake-inbox` flow run: secure every original in the object store (pipeline.secure_all);
2. the file leaves the inbox: moved to `archive/<ward>/<YYYY-MM-DD>/` (or kept, or deleted);
3. processing: in this process (`process-drops` flow run), or, with a work pool, as flow
   runs of the `process-drops/<deployment>` deployment that any worker of the pool takes.
   Workers read the originals from the store, never from the inbox.

Restarting resumes: drops secured but not finished (a crash between steps 1 and 3) are
found in the store at start and processed; a drop already finished is never redone
(its marker says `done`, and `secure_original` reports it as already recorded).

Logs name wards and counts only: a clerk's file name may carry a citizen's name.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.runtime import flow_run

from flows.inbox import InboxFile, discover
from flows.report import intake_name, rename_run
from flows.settings import DEFAULT_DEPLOYMENT, After

log = logging.getLogger("digitize.serve")

PROCESS_FLOW = "process-drops"
SECURE_ATTEMPTS = 3  # polls a file may fail to be secured before it goes to failed/


@dataclass
class ServeSettings:
    inbox: Path
    interval: float = 10.0
    stable_seconds: float = 5.0
    after: After = After.move
    archive_dir: Path | None = None  # default: <inbox>/../archive
    failed_dir: Path | None = None  # default: <inbox>/../failed
    work_pool: str | None = None
    deployment: str = DEFAULT_DEPLOYMENT
    batch_size: int = 5  # files per flow run sent to the work pool

    def __post_init__(self) -> None:
        self.inbox = Path(self.inbox).resolve()
        self.archive_dir = Path(self.archive_dir or self.inbox.parent / "archive").resolve()
        self.failed_dir = Path(self.failed_dir or self.inbox.parent / "failed").resolve()
        for name, folder in (("archive", self.archive_dir), ("failed", self.failed_dir)):
            if folder == self.inbox or folder.is_relative_to(self.inbox):
                raise ValueError(f"the {name} folder must be outside the inbox")


# --- readiness -----------------------------------------------------------------------------


@dataclass
class StabilityWatch:
    """Remembers each file's (size, mtime) and since when it has not changed."""

    stable_seconds: float
    _seen: dict[str, tuple[tuple[int, int, int], float]] = field(default_factory=dict)

    def ready(self, items: Iterable[InboxFile], now: float | None = None) -> list[InboxFile]:
        now = time.monotonic() if now is None else now
        ready: list[InboxFile] = []
        present: set[str] = set()
        for item in items:
            try:
                st = item.path.lstat()
            except FileNotFoundError:
                continue
            present.add(item.source_name)
            sig = (st.st_size, st.st_mtime_ns, stat.S_IFMT(st.st_mode))
            previous = self._seen.get(item.source_name)
            if previous is None or previous[0] != sig:
                self._seen[item.source_name] = (sig, now)
                continue
            if now - previous[1] >= self.stable_seconds:
                ready.append(item)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return ready

    def forget(self, source_name: str) -> None:
        self._seen.pop(source_name, None)


# --- moving files out of the inbox ---------------------------------------------------------


def _free_path(dest: Path) -> Path:
    """`dest`, or `name-1.ext`, `name-2.ext`... when a file of that name is already there."""
    if not dest.exists() and not dest.is_symlink():
        return dest
    for n in range(1, 10_000):
        candidate = dest.with_name(f"{dest.stem}-{n}{dest.suffix}")
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    raise FileExistsError(f"no free name for {dest.name} in {dest.parent}")


def _within_ward(source_name: str) -> Path:
    parts = Path(source_name).parts
    return Path(*parts[1:]) if len(parts) > 1 else Path(parts[0])


def archive_file(item: InboxFile, archive_dir: Path, day: date | None = None) -> Path:
    """Move a secured file to `archive/<ward>/<YYYY-MM-DD>/...`; returns where it went."""
    day = day or date.today()
    dest = _free_path(archive_dir / item.ward / day.isoformat() / _within_ward(item.source_name))
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(item.path, dest)
    return dest


def quarantine_file(item: InboxFile, failed_dir: Path, reason: str) -> Path:
    """Move a file that cannot be taken to `failed/<ward>/...` with `<name>.reason.txt`."""
    dest = _free_path(failed_dir / item.ward / _within_ward(item.source_name))
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(item.path, dest)  # a symbolic link is moved as a link, never followed
    dest.with_name(dest.name + ".reason.txt").write_text(reason.rstrip() + "\n",
                                                         encoding="utf-8")
    return dest


# --- the intake flow -----------------------------------------------------------------------


@flow(name="intake-inbox", log_prints=False)
def intake_inbox(inbox: str, source_names: list[str]) -> dict[str, Any]:
    """Secure the originals of ready inbox files in the store (nothing else).

    Returns `drops` (plain values for `process-drops`), `already_done` and `failed`
    (source names), so the caller knows which files may leave the inbox.
    """
    from flows.pipeline import runtime, secure_all

    root = Path(inbox)
    codes = set(runtime().registry.codes())
    items = [
        InboxFile(root / name, name, name.split("/", 1)[0]) for name in source_names
        if name.split("/", 1)[0] in codes and (root / name).is_file()
    ]
    secured, summary = secure_all(items)
    drops = [asdict(s.drop) for s in secured]
    new = {d["source_name"] for d in drops}
    failed = set(summary.failed)
    already = [i.source_name for i in items if i.source_name not in new | failed]
    rename_run(
        flow_run.get_id(),
        intake_name(Counter(d["ward"] for d in drops), len(already), len(failed)),
    )
    return {"drops": drops, "already_done": already, "failed": sorted(failed)}


# --- processing ----------------------------------------------------------------------------


def _batches(drops: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    """Batches of at most `size` drops; copies of one content stay in one batch."""
    by_sha: dict[str, list[dict[str, Any]]] = {}
    for d in drops:
        by_sha.setdefault(d["sha256"], []).append(d)
    batches: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    for group in by_sha.values():
        if current and len(current) + len(group) > size:
            batches.append(current)
            current = []
        current.extend(group)
    if current:
        batches.append(current)
    return batches


def submit_processing(drops: list[dict[str, Any]], settings: ServeSettings) -> list[str]:
    """Process drops here, or create flow runs on the work pool; returns flow run ids."""
    if not drops:
        return []
    if not settings.work_pool:
        from flows.pipeline import process_drops

        state = process_drops(drops, return_state=True)
        return [str(state.state_details.flow_run_id)]
    from prefect.deployments import run_deployment

    ids = []
    for batch in _batches(drops, max(1, settings.batch_size)):
        run = run_deployment(
            name=f"{PROCESS_FLOW}/{settings.deployment}",
            parameters={"drops": batch},
            timeout=0,
            tags=["digitize", *sorted({d["ward"] for d in batch})],
        )
        ids.append(str(run.id))
    return ids


def _drops_in_flight(settings: ServeSettings) -> set[tuple[str, str]]:
    """(sha256, source_name) of drops in not-yet-finished runs of the deployment."""
    if not settings.work_pool:
        return set()
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    pending = [StateType.SCHEDULED, StateType.PENDING, StateType.RUNNING, StateType.PAUSED]
    found: set[tuple[str, str]] = set()
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=pending))
            ),
            deployment_filter=DeploymentFilter(
                name=DeploymentFilterName(any_=[settings.deployment])
            ),
        )
    for run in runs:
        for d in (run.parameters or {}).get("drops", []):
            found.add((d.get("sha256", ""), d.get("source_name", "")))
    return found


def unfinished_drops(settings: ServeSettings) -> list[dict[str, Any]]:
    """Drops secured in the store whose processing never finished and that no run is doing,
    except those still in the inbox (the next poll takes them the normal way)."""
    from flows.pipeline import runtime

    archive = runtime().archive
    in_flight = _drops_in_flight(settings)
    keys = ("sha256", "source_name", "ward", "size", "received_at")
    pending = []
    for marker in archive.iter_drops():
        if marker.get("state") == "done":
            continue
        if (marker["sha256"], marker["source_name"]) in in_flight:
            continue
        if (settings.inbox / marker["source_name"]).exists():
            continue
        pending.append({k: marker[k] for k in keys})
    return pending


# --- the loop ------------------------------------------------------------------------------


@dataclass
class PollResult:
    quarantined: Counter[str] = field(default_factory=Counter)  # ward -> files
    taken: Counter[str] = field(default_factory=Counter)  # ward -> files secured or recorded
    not_taken: int = 0  # left in the inbox for the next poll
    flow_runs: list[str] = field(default_factory=list)


class Intake:
    def __init__(self, settings: ServeSettings) -> None:
        self.settings = settings
        self.watch = StabilityWatch(settings.stable_seconds)
        self.kept: set[tuple[str, int, int]] = set()  # keep mode: files already taken
        self.attempts: Counter[str] = Counter()

    def _codes(self) -> set[str]:
        from flows.pipeline import runtime

        return set(runtime().registry.codes())

    def recover(self) -> list[str]:
        """At start: process what a previous run secured but did not finish."""
        pending = unfinished_drops(self.settings)
        if pending:
            log.info("resuming %d secured files whose processing had not finished",
                     len(pending))
        return submit_processing(pending, self.settings)

    def poll(self) -> PollResult:
        result = PollResult()
        s = self.settings
        items = discover(s.inbox, self._codes())
        if s.after == After.keep:
            items = [i for i in items if self._signature(i) not in self.kept]
        ready = self.watch.ready(items)
        good: list[InboxFile] = []
        for item in ready:
            if item.problem:
                assert s.failed_dir is not None
                try:
                    quarantine_file(item, s.failed_dir, item.problem)
                    result.quarantined[item.ward] += 1
                except OSError as exc:
                    log.warning("ward %s: a file could not be quarantined (%s)", item.ward,
                                type(exc).__name__)
                self.watch.forget(item.source_name)
            else:
                good.append(item)
        if not good:
            return result

        outcome = intake_inbox(str(s.inbox), [i.source_name for i in good])
        failed = set(outcome["failed"])
        for item in good:
            if item.source_name in failed:
                self.attempts[item.source_name] += 1
                if self.attempts[item.source_name] >= SECURE_ATTEMPTS:
                    self._give_up(item)
                else:
                    result.not_taken += 1
                continue
            self.attempts.pop(item.source_name, None)
            result.taken[item.ward] += 1
            self._after(item)
        result.flow_runs = submit_processing(outcome["drops"], s)
        return result

    def _signature(self, item: InboxFile) -> tuple[str, int, int]:
        try:
            st = item.path.lstat()
        except OSError:
            return (item.source_name, -1, -1)
        return (item.source_name, st.st_size, st.st_mtime_ns)

    def _after(self, item: InboxFile) -> None:
        s = self.settings
        try:
            if s.after == After.keep:
                self.kept.add(self._signature(item))
            elif s.after == After.delete:
                item.path.unlink()
            else:
                assert s.archive_dir is not None
                archive_file(item, s.archive_dir)
        except OSError as exc:
            # The original is safe in the store; the next poll finds it already recorded.
            log.warning("ward %s: a secured file could not leave the inbox (%s)", item.ward,
                        type(exc).__name__)
        self.watch.forget(item.source_name)

    def _give_up(self, item: InboxFile) -> None:
        assert self.settings.failed_dir is not None
        reason = (
            "Không lưu được bản gốc sau nhiều lần thử / The original could not be stored "
            f"after {SECURE_ATTEMPTS} attempts; see the intake-inbox flow runs in Prefect"
        )
        try:
            quarantine_file(item, self.settings.failed_dir, reason)
        except OSError as exc:
            log.warning("ward %s: a file could not be quarantined (%s)", item.ward,
                        type(exc).__name__)
        self.attempts.pop(item.source_name, None)
        self.watch.forget(item.source_name)


def serve(settings: ServeSettings, once: bool = False,
          max_polls: int | None = None) -> None:
    """Poll until stopped (Ctrl-C / SIGTERM). `once`: poll until nothing is left that could
    become ready (stable-seconds are still waited for), then return."""
    intake = Intake(settings)
    intake.recover()
    polls = 0
    while True:
        started = time.monotonic()
        try:
            result = intake.poll()
        except Exception:  # noqa: BLE001 - a poll that fails must not stop the service
            log.exception("poll failed; retrying at the next interval")
            result = PollResult()
        polls += 1
        if result.taken or result.quarantined:
            log.info(
                "taken: %s; quarantined: %s",
                ", ".join(f"{w} {n}" for w, n in sorted(result.taken.items())) or "none",
                ", ".join(f"{w} {n}" for w, n in sorted(result.quarantined.items()))
                or "none",
            )
        if max_polls is not None and polls >= max_polls:
            return
        if once and not intake.watch._seen and not result.not_taken:
            return
        time.sleep(max(0.0, settings.interval - (time.monotonic() - started)))


# --- the deployment for workers ------------------------------------------------------------


def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def ensure_process_pool(pool: str) -> None:
    """Create the work pool (type `process`) when it does not exist yet."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
        except ObjectNotFound:
            try:
                client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
            except ObjectAlreadyExists:
                pass


def deploy_process_drops(pool: str, name: str = DEFAULT_DEPLOYMENT,
                         source: Path | None = None, concurrency: int | None = None) -> str:
    """Register `process-drops/<name>` on a process work pool; returns its id.

    The code is loaded from `source` (this checkout by default), a local folder every
    worker must have at the same path (the Docker image does): nothing is pulled from
    the network, so it works offline with a local Prefect server.
    """
    from flows.pipeline import process_drops

    ensure_process_pool(pool)
    root = Path(source or project_root()).resolve()
    loaded = process_drops.from_source(
        source=str(root), entrypoint="flows/pipeline.py:process_drops"
    )
    deployment_id = loaded.deploy(
        name=name,
        work_pool_name=pool,
        concurrency_limit=concurrency,
        tags=["digitize"],
        description="Process originals already secured in the store by `digitize serve`.",
        print_next_steps=False,
        ignore_warnings=True,
    )
    return str(deployment_id)


def configure_logging() -> None:
    level = os.environ.get("DIGITIZE_LOG_LEVEL", "INFO").upper()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False
