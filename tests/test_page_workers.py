"""Pages are cleaned and read in worker processes (flows/page_workers.py): a worker that
dies costs one page, sent to a person with a reason, never the batch; a killed run leaves
no worker behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows import pipeline
from flows.cli import app
from flows.page_workers import WorkerDied, WorkerTimedOut, run_in_worker
from samples.generate import generate_inbox

ROOT = Path(__file__).resolve().parent.parent


def _ended(pid: int) -> bool:
    """Gone, or a zombie nobody reaps (a container's first process often does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_a_page_is_read_outside_the_flows_process() -> None:
    assert run_in_worker(2, os.getpid) != os.getpid()


def test_a_worker_that_dies_costs_its_page_not_the_next_ones() -> None:
    with pytest.raises(WorkerDied) as died:
        run_in_worker(1, signal.raise_signal, signal.SIGKILL)
    assert "a person must check it" in str(died.value)
    assert run_in_worker(1, os.getpid) != os.getpid()  # a fresh pool took over


def test_a_page_stuck_past_its_limit_is_stopped_and_its_worker_killed() -> None:
    worker = run_in_worker(1, os.getpid)
    started = time.monotonic()
    with pytest.raises(WorkerTimedOut):
        run_in_worker(1, time.sleep, 60, limit_s=1)  # stuck where no Tesseract timeout reaches
    assert time.monotonic() - started < 15
    deadline = time.monotonic() + 10
    while not _ended(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _ended(worker)
    assert run_in_worker(1, os.getpid) not in (os.getpid(), worker)  # new workers go on


def test_workers_end_with_a_killed_run(tmp_path: Path) -> None:
    script = ("import os, time\nfrom flows.page_workers import run_in_worker\n"
              "print(run_in_worker(2, os.getpid), flush=True)\ntime.sleep(120)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert proc.stdout is not None
    worker = int(proc.stdout.readline())
    assert not _ended(worker)
    proc.kill()  # SIGKILL: no cleanup in the run
    proc.wait()
    deadline = time.monotonic() + 10
    while not _ended(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _ended(worker)


def _die_reading(*_args: object) -> None:
    """The page's worker is killed while it reads (as the OOM killer would)."""
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.usefixtures("prefect_harness")
def test_a_page_whose_worker_dies_goes_to_review_with_its_reason(
        tmp_path: Path, use_store, monkeypatch: pytest.MonkeyPatch) -> None:
    use_store({"DIGITIZE_STORE": str(tmp_path / "store")})
    inbox = tmp_path / "inbox"
    generate_inbox(inbox, records=1, seed=3, wards=["phu-tan"], formats=("png",),
                   profiles=("clean",), captures=("scan",), edge_cases=False)
    monkeypatch.setattr(pipeline, "read_page_file", _die_reading)
    summary = pipeline.digitize_inbox(str(inbox))
    assert summary.failed == []  # an outcome, not a file left waiting for ever
    out = CliRunner().invoke(app, ["export", "--format", "jsonl"])
    assert out.exit_code == 0, out.output
    records = [json.loads(line) for line in out.output.splitlines() if line.strip()]
    assert [r["status"] for r in records] == ["needs_review"]
    assert any("tiến trình đọc trang bị dừng" in reason for reason in records[0]["reasons"])


def _read_with_a_fault_in_the_cleaning(*args: object) -> object:
    """The real reading of a page, in its worker, with the cleaning failing on the image as
    a bug would (a zero-length edge once gave `ValueError: cannot convert float NaN`)."""
    from flows import page_workers

    def broken(*_a: object, **_k: object) -> None:
        raise ValueError("cannot convert float NaN to integer")

    page_workers.process_page = broken  # type: ignore[assignment]
    return page_workers.read_page_file(*args)


@pytest.mark.usefixtures("prefect_harness")
def test_a_page_the_cleaning_fails_on_goes_to_review_instead_of_waiting_for_ever(
        tmp_path: Path, use_store, monkeypatch: pytest.MonkeyPatch) -> None:
    use_store({"DIGITIZE_STORE": str(tmp_path / "store")})
    inbox = tmp_path / "inbox"
    generate_inbox(inbox, records=1, seed=3, wards=["phu-tan"], formats=("png",),
                   profiles=("clean",), captures=("scan",), edge_cases=False)
    monkeypatch.setattr(pipeline, "read_page_file", _read_with_a_fault_in_the_cleaning)
    summary = pipeline.digitize_inbox(str(inbox))
    assert summary.failed == []  # the same fault would come back on every run
    out = CliRunner().invoke(app, ["export", "--format", "jsonl"])
    assert out.exit_code == 0, out.output
    records = [json.loads(line) for line in out.output.splitlines() if line.strip()]
    assert [r["status"] for r in records] == ["needs_review"]
    assert any("page 1: this software failed on the page's image (ValueError)" in reason
               for reason in records[0]["reasons"])
