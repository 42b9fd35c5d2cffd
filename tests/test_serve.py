"""`digitize serve` end to end: a real Prefect server, the intake as a subprocess, files
written into the inbox slowly (as a scanner does), and real Tesseract.

Assertions go through the Prefect API (flow runs completed, artifacts exist, run names)
and through `digitize export` / `digitize audit` (records stored, counts right).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from flows.inbox import InboxFile
from flows.serve import (
    After,
    ServeSettings,
    StabilityWatch,
    _batches,
    archive_file,
    quarantine_file,
)
from samples.generate import generate_inbox, truth_path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STATUSES = ("digitized", "needs_review", "rejected", "duplicate")
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


# --------------------------------------------------------------------------- unit parts


def test_stability_waits_for_size_and_mtime(tmp_path: Path) -> None:
    path = tmp_path / "phu-tan" / "a.png"
    path.parent.mkdir()
    path.write_bytes(b"x")
    item = InboxFile(path, "phu-tan/a.png", "phu-tan")
    watch = StabilityWatch(stable_seconds=2)
    assert watch.ready([item], now=0) == []
    assert watch.ready([item], now=1) == []
    with path.open("ab") as f:  # still being written: the clock starts again
        f.write(b"y")
    assert watch.ready([item], now=2.5) == []
    assert watch.ready([item], now=4) == []
    assert watch.ready([item], now=4.6) == [item]


def test_archive_and_quarantine_never_overwrite(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "phu-tan").mkdir(parents=True)
    day = date(2025, 3, 1)
    for content in (b"1", b"2"):
        p = inbox / "phu-tan" / "scan.png"
        p.write_bytes(content)
        archive_file(InboxFile(p, "phu-tan/scan.png", "phu-tan"), tmp_path / "archive", day)
    got = sorted((tmp_path / "archive" / "phu-tan" / "2025-03-01").iterdir())
    assert [p.name for p in got] == ["scan-1.png", "scan.png"]
    bad = inbox / "x" / "page.png"
    bad.parent.mkdir()
    bad.write_bytes(b"z")
    dest = quarantine_file(InboxFile(bad, "x/page.png", "x"), tmp_path / "failed", "why")
    assert dest == tmp_path / "failed" / "x" / "page.png"
    assert (dest.parent / "page.png.reason.txt").read_text() == "why\n"


def test_archive_dir_inside_inbox_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        ServeSettings(inbox=tmp_path, archive_dir=tmp_path / "archive", after=After.move)


def test_batches_keep_copies_together() -> None:
    drops = [{"sha256": s, "n": i} for i, s in enumerate("aabcdd")]
    batches = _batches(drops, 2)
    assert [[d["n"] for d in b] for b in batches] == [[0, 1], [2, 3], [4, 5]]


# --------------------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real `prefect server start` on a free port, its database in a temporary home."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_API_URL": "",
    }
    env.pop("PREFECT_API_URL")
    log = (home / "server.log").open("wb")
    server = subprocess.Popen(
        [PYTHON, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port",
         str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=home,
    )
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            _stop(server)
            pytest.fail("prefect server did not start:\n"
                        + (home / "server.log").read_text(errors="replace")[-3000:])
        time.sleep(0.5)
    try:
        yield {"PREFECT_API_URL": url, "PREFECT_HOME": str(home)}
    finally:
        _stop(server)
        log.close()


def _env(api: dict[str, str], store: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DIGITIZE_"))}
    env.update(api)
    env.update({
        "DIGITIZE_STORE": str(store),
        "DIGITIZE_OCR_WORKERS": "2",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
        **extra,
    })
    return env


def _digitize(env: dict[str, str], *args: str, timeout: float = 60) -> str:
    done = subprocess.run([PYTHON, "-m", "flows.cli_serve", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _copy_slowly(src: Path, dest: Path, chunks: int = 4, pause: float = 0.4) -> None:
    """Write a file the way a scanner or an SMB copy does: created first, filled later."""
    data = src.read_bytes()
    dest.parent.mkdir(parents=True, exist_ok=True)
    step = max(1, -(-len(data) // chunks))
    with dest.open("wb") as f:
        for i in range(0, len(data), step):
            f.write(data[i:i + step])
            f.flush()
            time.sleep(pause)


def _flow_runs(api_url: str, flow_name: str) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api_url}), get_client(sync_client=True) as c:
        return c.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])))


def _artifacts(api_url: str, run_ids: list[UUID]) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api_url}), get_client(sync_client=True) as c:
        return c.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=run_ids))
        )


def _wait(condition, timeout: float, what: str, proc: subprocess.Popen | None = None,
          log: Path | None = None) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"{what}: the process exited\n"
                        + (log.read_text(errors="replace")[-4000:] if log else ""))
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting: {what}\n"
                        + (log.read_text(errors="replace")[-4000:] if log else ""))
        time.sleep(0.5)


def _truth(staging: Path) -> list[dict]:
    return [json.loads(line) for line in truth_path(staging).read_text().splitlines()]


@pytest.fixture(scope="module")
def staging(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("staging") / "inbox"
    generate_inbox(out, records=3, seed=7, wards=["phu-tan", "an-phu"], formats=("png",),
                   profiles=("clean",), captures=("scan",), edge_cases=False)
    return out


def _staged_files(staging: Path) -> list[Path]:
    return sorted(p for p in staging.rglob("*") if p.is_file())


def _export(env: dict[str, str]) -> list[dict]:
    out = _digitize(env, "export", "--format", "jsonl")
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _exported_digitized(exported: list[dict]) -> Counter[str]:
    """Digitized per ward as the records say. OCR may send a record the truth calls valid
    to review (a misread digit): the counters must agree with the records, exactly."""
    return +Counter(r["ward"] for r in exported if r["status"] == "digitized")


def _digitized_per_ward(env: dict[str, str]) -> Counter[str]:
    wards = json.loads(_digitize(env, "audit", "--format", "json"))["wards"]
    return +Counter({w: sum(r["digitized"] for r in t.values()) for w, t in wards.items()})


# --------------------------------------------------------------------------- end to end


def test_serve_end_to_end(prefect_api: dict[str, str], staging: Path, tmp_path: Path) -> None:
    api_url = prefect_api["PREFECT_API_URL"]
    inbox, archive, failed = tmp_path / "inbox", tmp_path / "archive", tmp_path / "failed"
    for ward in ("phu-tan", "an-phu"):
        (inbox / ward).mkdir(parents=True)
    env = _env(prefect_api, tmp_path / "store")
    log = tmp_path / "serve.log"
    args = ["serve", str(inbox), "--interval", "0.5", "--stable-seconds", "1.5",
            "--archive-dir", str(archive), "--failed-dir", str(failed)]
    with log.open("wb") as out:
        proc = subprocess.Popen([PYTHON, "-m", "flows.cli_serve", *args], env=env, cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        files = _staged_files(staging)
        # Junk and a partial download: never taken, left where they are.
        (inbox / "phu-tan" / ".DS_Store").write_bytes(b"junk")
        (inbox / "an-phu" / "scan-9.png.part").write_bytes(b"half a file")
        for src in files:
            _copy_slowly(src, inbox / src.relative_to(staging))
        stray = inbox / "not-a-ward" / "page.png"
        _copy_slowly(files[0], stray)

        def inbox_drained() -> bool:
            left = {p.name for p in inbox.rglob("*") if p.is_file()}
            return left == {".DS_Store", "scan-9.png.part"}

        _wait(inbox_drained, 60, "inbox drained", proc, log)

        def processed() -> bool:
            runs = _flow_runs(api_url, "process-drops")
            return bool(runs) and all(r.state_type.value in FINAL for r in runs) and \
                sum(len(r.parameters["drops"]) for r in runs) >= len(files)

        _wait(processed, 90, "process-drops runs finished", proc, log)
    finally:
        _stop(proc)

    # Flow runs completed, named with wards and counts, never a file name.
    process_runs = _flow_runs(api_url, "process-drops")
    intake_runs = _flow_runs(api_url, "intake-inbox")
    assert intake_runs and process_runs
    for run in [*process_runs, *intake_runs]:
        assert run.state_type.value == "COMPLETED", (run.name, run.state)
        for src in files:
            assert src.stem not in run.name
    assert any(re.search(r"\d+ digitized", r.name) for r in process_runs), \
        [r.name for r in process_runs]
    assert all(r.name.startswith("intake ") for r in intake_runs)

    # Artifacts for supervisors.
    keys = {a.key for a in _artifacts(api_url, [r.id for r in process_runs])}
    assert {"ward-outcomes", "review-queue", "ward-targets"} <= keys, keys

    # Records stored, counts right, each file once.
    truth = _truth(staging)
    exported = _export(env)
    assert sorted((r["source_name"], r["status"] != "") for r in exported) == \
        sorted((t["source_name"], True) for t in truth)
    assert all(r["status"] in STATUSES for r in exported)
    expected = _exported_digitized(exported)
    assert expected, "nothing digitized"
    assert _digitized_per_ward(env) == expected

    # Files archived under <ward>/<date>/, whole (never taken half-written).
    today = date.today().isoformat()
    for src in files:
        rel = src.relative_to(staging)
        moved = archive / rel.parts[0] / today / Path(*rel.parts[1:])
        assert moved.read_bytes() == src.read_bytes()
    assert (failed / "not-a-ward" / "page.png").read_bytes() == files[0].read_bytes()
    reason = (failed / "not-a-ward" / "page.png.reason.txt").read_text()
    assert "registered ward" in reason

    # A restart resumes and processes nothing twice: same file dropped again is recognized.
    shutil.copy(archive / files[0].relative_to(staging).parts[0] / today /
                files[0].name, inbox / files[0].relative_to(staging))
    _digitize(env, "serve", str(inbox), "--interval", "0.3", "--stable-seconds", "0.5",
              "--archive-dir", str(archive), "--failed-dir", str(failed), "--once",
              timeout=90)
    assert len(_flow_runs(api_url, "process-drops")) == len(process_runs)
    assert len(_export(env)) == len(exported)
    assert _digitized_per_ward(env) == expected


# --------------------------------------------------------------------------- two workers


def _worker_runs(log: Path) -> set[str]:
    """Flow runs this worker ran. Both workers may try to submit one run; the server lets
    one of them have it and tells the other to abort ("Aborted submission"), which is
    Prefect's guarantee that a run is executed once: an aborted try is not a run taken."""
    text = log.read_text(errors="replace")
    tried = set(re.findall(r"submitting flow run '([0-9a-f-]{36})'", text))
    aborted = set(re.findall(r"Aborted submission of flow run '([0-9a-f-]{36})'", text))
    return tried - aborted


def test_two_workers_share_one_batch(prefect_api: dict[str, str], staging: Path,
                                     tmp_path: Path) -> None:
    api_url = prefect_api["PREFECT_API_URL"]
    pool = "test-pool"
    inbox = tmp_path / "inbox"
    store = tmp_path / "store"
    env = _env(prefect_api, store)
    _digitize(env, "deploy", "--pool", pool, "--name", "two-workers")

    workers = []
    logs = []
    try:
        for n in (1, 2):
            log = tmp_path / f"worker-{n}.log"
            logs.append(log)
            with log.open("wb") as out:
                workers.append(subprocess.Popen(
                    [PYTHON, "-m", "prefect", "worker", "start", "--pool", pool, "--type",
                     "process", "--name", f"worker-{n}", "--limit", "1"],
                    env={**env, "PREFECT_WORKER_QUERY_SECONDS": "1",
                         "PREFECT_WORKER_PREFETCH_SECONDS": "1"},
                    cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
                ))
        files = _staged_files(staging)
        for src in files:
            dest = inbox / src.relative_to(staging)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dest)
        _digitize(env, "serve", str(inbox), "--interval", "0.3", "--stable-seconds", "0.3",
                  "--work-pool", pool, "--deployment", "two-workers", "--batch-size", "1",
                  "--once", timeout=90)

        def finished() -> bool:
            runs = [r for r in _flow_runs(api_url, "process-drops")
                    if r.parameters["drops"][0]["source_name"].startswith(("phu-tan", "an-phu"))
                    and str(r.deployment_id) and r.work_pool_name == pool]
            return len(runs) == len(files) and all(r.state_type.value in FINAL for r in runs)

        _wait(finished, 100, "workers finished", workers[0], logs[0])
    finally:
        for w in workers:
            _stop(w)

    runs = [r for r in _flow_runs(api_url, "process-drops") if r.work_pool_name == pool]
    assert all(r.state_type.value == "COMPLETED" for r in runs), [r.state for r in runs]
    ids = {str(r.id) for r in runs}
    taken = [_worker_runs(log) & ids for log in logs]
    assert all(taken), f"each worker must take work: {taken}"
    assert not (taken[0] & taken[1]), "a flow run was taken by both workers"

    truth = _truth(staging)
    exported = _export(env)
    assert len(exported) == len(truth)
    assert len({r["record_id"] for r in exported}) == len(truth)
    assert sorted(r["source_name"] for r in exported) == sorted(t["source_name"] for t in truth)
    assert _digitized_per_ward(env) == _exported_digitized(exported)
