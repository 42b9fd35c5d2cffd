"""Faults with real processes and a real S3 server: an outage in the middle of a batch,
`kill -9` of `digitize run` at random moments followed by a rerun, and a full disk.

Subprocesses talk to the session's Prefect test server (PREFECT_API_URL), so that none
of them spends seconds starting a temporary one.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.pipeline import digitize_inbox, runtime
from samples.generate import generate_inbox
from storage import scratch

pytestmark = pytest.mark.usefixtures("prefect_harness")

ROOT = Path(__file__).resolve().parent.parent
DIGITIZE = [sys.executable, "-m", "flows.cli"]


# ------------------------------------------------------------------ helpers (also used by
# test_concurrency)


def make_small_inbox(out: Path, seed: int = 5) -> Path:
    """Single-page files: generated records, a copy of one under another name (a duplicate
    of the same bytes), an unreadable file, and a zero-byte one."""
    generate_inbox(out, records=2, seed=seed, wards=["phu-tan", "di-an"], formats=("png",),
                   profiles=("clean",), captures=("scan",), edge_cases=False)
    first = sorted(out.rglob("*.png"))[0]
    shutil.copy(first, first.parent / "bản sao.png")  # same ward: counts do not depend on
    for ward in ("phu-tan", "di-an"):                 # which of the two is the first
        (out / ward).mkdir(exist_ok=True)
    (out / "di-an" / "ghi chú.jpg").write_text("không phải ảnh")
    (out / "phu-tan" / "rỗng.pdf").write_bytes(b"")
    return out


def cli_env(store: dict[str, str]) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGITIZE_", "PREFECT_"))}
    env.update(store)
    env["PREFECT_API_URL"] = str(PREFECT_API_URL.value())
    env["PREFECT_LOGGING_LEVEL"] = "WARNING"
    env["PYTHONPATH"] = str(ROOT)
    return env


def start_run(inbox: Path, store: dict[str, str], cache: Path,
              temp: Path | None = None) -> subprocess.Popen:
    env = cli_env({**store, "DIGITIZE_CACHE_DIR": str(cache)})
    if temp is not None:
        env["TMPDIR"] = str(temp)
    return subprocess.Popen([*DIGITIZE, "run", str(inbox)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def run_cli(inbox: Path, store: dict[str, str], cache: Path, timeout: float = 240,
            temp: Path | None = None) -> str:
    proc = start_run(inbox, store, cache, temp)
    out, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, out[-3000:]
    return out


def export(store: dict[str, str], use_store) -> list[dict]:
    use_store(store)
    result = CliRunner().invoke(app, ["export", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def inbox_sources(*inboxes: Path) -> set[str]:
    return {p.relative_to(i).as_posix() for i in inboxes for p in i.rglob("*") if p.is_file()}


def check_store(store: dict[str, str], use_store, sources: set[str]) -> Counter:
    """Every file one outcome, no record or business key counted twice, index == records,
    counter snapshots == index, `audit --verify` clean. Returns (ward, status) counts."""
    exported = export(store, use_store)
    by_source: dict[str, list[dict]] = {}
    for line in exported:
        by_source.setdefault(line["source_name"], []).append(line)
    assert set(by_source) == sources
    for name, records in by_source.items():
        # single-page files: one record each (content, duplicate or rejection)
        assert len(records) == 1, (name, records)
        assert records[0]["status"] == "digitized" or records[0]["reasons"], records[0]
    ids = [r["record_id"] for r in exported]
    assert len(ids) == len(set(ids))
    digitized_keys = Counter(
        json.dumps([r["doc_type"], r["fields"].get("personal_id"),
                    r["fields"].get("registration_number")])
        for r in exported if r["status"] == "digitized")
    assert all(n == 1 for n in digitized_keys.values()), digitized_keys
    from_records = Counter((r["ward"], r["status"]) for r in exported)
    archive = runtime().archive
    from_index: Counter = Counter()
    for ward in archive.wards_in_index():
        for (_t, status, _d), n in archive.count_ward(ward).items():
            from_index[(ward, status)] += n
    assert +from_index == +from_records
    for ward in {w for w, _ in from_records}:
        snap = archive.counters(ward)
        assert snap is not None
        snapped: Counter = Counter()
        for row in snap["counts"].values():
            snapped.update({(ward, s): n for s, n in row.items()})
        assert +snapped == +Counter({k: v for k, v in from_records.items() if k[0] == ward})
    verify = CliRunner().invoke(app, ["audit", "--verify", "--format", "json"])
    assert verify.exit_code == 0, verify.output[-2000:]
    return from_records


def _hashes(inbox: Path) -> dict[str, str]:
    return {p.relative_to(inbox).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(inbox.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def small_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_small_inbox(tmp_path_factory.mktemp("small") / "inbox")


# ------------------------------------------------------------------ kill -9


def _kill_trials(inbox: Path, stores: list[dict[str, str]], tmp: Path, use_store,
                 seed: int) -> None:
    sources = inbox_sources(inbox)
    t0 = time.monotonic()
    run_cli(inbox, stores[0], tmp / "cache-clean")
    clean_s = time.monotonic() - t0
    clean = check_store(stores[0], use_store, sources)
    rng = random.Random(seed)
    delays = [rng.uniform(0.2, clean_s) for _ in stores[1:]]

    def trial(n: int) -> None:
        temp = tmp / f"temp-{n}"  # the run's TMPDIR: its scratch files go there
        temp.mkdir()
        proc = start_run(inbox, stores[n], tmp / f"cache-{n}", temp)
        try:
            proc.wait(timeout=delays[n - 1])
        except subprocess.TimeoutExpired:
            proc.kill()  # SIGKILL: no cleanup, no finally
            proc.wait()
        run_cli(inbox, stores[n], tmp / f"cache-{n}", temp=temp)
        # the killed run's temporary files (Tesseract's, poppler's) are gone too
        assert not list(temp.glob(f"{scratch.PREFIX}*")), list(temp.rglob("*"))[:5]

    # Two trials at a time (each its own store): process start-up overlaps the other's OCR.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(trial, range(1, len(stores))))
    for n, store in enumerate(stores[1:], start=1):
        got = check_store(store, use_store, sources)
        assert got == clean, f"trial {n}, kill at {delays[n - 1]:.1f}s: {got} != {clean}"


# Ten kill trials in all: nine on a local store here, one on S3 below.
def test_kill_9_then_rerun_local(small_inbox: Path, tmp_path: Path, use_store) -> None:
    stores = [{"DIGITIZE_STORE": str(tmp_path / f"store-{i}")} for i in range(10)]
    _kill_trials(small_inbox, stores, tmp_path, use_store, seed=20240)


@pytest.mark.s3
def test_kill_9_then_rerun_s3(small_inbox: Path, tmp_path: Path, use_store,
                              s3_store_settings: dict[str, str]) -> None:
    other = {**s3_store_settings, "DIGITIZE_STORE": s3_store_settings["DIGITIZE_STORE"] + "k"}
    _kill_trials(small_inbox, [s3_store_settings, other], tmp_path, use_store, seed=7)


# ------------------------------------------------------------------ S3 outage


@pytest.mark.s3
def test_s3_outage_mid_batch(small_inbox: Path, s3_server, s3_store_settings, use_store,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The server stops 2 s into the batch and comes back 30 s later: the store's retries
    (60 s window, backoff) and the tasks' retries carry the batch through."""
    monkeypatch.setenv("DIGITIZE_OCR_WORKERS", "2")
    use_store(s3_store_settings)
    runtime().archive.store.list("")  # bucket created before the outage
    events: list[str] = []

    def outage() -> None:
        time.sleep(2)
        s3_server.stop()
        events.append("stopped")
        time.sleep(30)
        s3_server.start()
        events.append("started")

    thread = threading.Thread(target=outage, daemon=True)
    thread.start()
    try:
        summary = digitize_inbox(str(small_inbox))
    finally:
        thread.join(timeout=90)
        if not s3_server.running:
            s3_server.start()
    assert events == ["stopped", "started"]
    # Anything a task gave up on is taken by the next run, never counted twice.
    if summary.failed:
        digitize_inbox(str(small_inbox))
    check_store(s3_store_settings, use_store, inbox_sources(small_inbox))


# ------------------------------------------------------------------ disk full


def test_local_disk_full(small_inbox: Path, tmp_path: Path) -> None:
    """A 1 MB tmpfs as the store (root only: CI runs as root); else RLIMIT_FSIZE in the
    child makes every write past 64 KB fail with EFBIG, a real kernel error too."""
    store = tmp_path / "store"
    store.mkdir()
    before = _hashes(small_inbox)
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(store)],
        capture_output=True).returncode == 0
    try:
        env = cli_env({"DIGITIZE_STORE": str(store),
                       "DIGITIZE_CACHE_DIR": str(tmp_path / "cache")})
        cmd = [*DIGITIZE, "run", str(small_inbox)]
        if not mounted:
            cmd = [sys.executable, "-c",
                   "import resource, runpy, signal, sys; "
                   "signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
                   "resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536)); "
                   "sys.argv = ['digitize', 'run', sys.argv[1]]; "
                   "runpy.run_module('flows.cli', run_name='__main__')", str(small_inbox)]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=240)
    finally:
        if mounted:
            subprocess.run(["umount", str(store)], check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    assert "disk is full" in out, out[-3000:]
    assert "stay in the inbox" in out
    assert _hashes(small_inbox) == before  # the inbox untouched


# ------------------------------------------------------------------ the temporary server


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


@pytest.mark.parametrize(("command", "how"), [("run", "SIGKILL"), ("serve", "SIGTERM")])
def test_a_stopped_run_leaves_no_temporary_server_behind(
        command: str, how: str, small_inbox: Path, tmp_path: Path) -> None:
    """Without a configured Prefect server a run starts a temporary one. Stopped by kill -9
    or by SIGTERM (systemd, `docker stop`: Prefect re-sends it to itself with the default
    action), the run never reached the exit handler that stops it, and every such run left
    a server behind for good (210 MB, a port, another writer on the SQLite database). The
    same for the intake (`digitize serve`, stopped by its service manager)."""
    import signal

    inbox = tmp_path / "inbox"
    shutil.copytree(small_inbox, inbox)  # the intake moves what it takes

    env = cli_env({"DIGITIZE_STORE": str(tmp_path / "store"),
                   "DIGITIZE_CACHE_DIR": str(tmp_path / "cache")})
    del env["PREFECT_API_URL"]
    env["PREFECT_HOME"] = str(tmp_path / "prefect")  # the temporary server's own database
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    run = subprocess.Popen([*DIGITIZE, command, str(inbox)], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = None
    deadline = time.monotonic() + 120
    while server is None and time.monotonic() < deadline and run.poll() is None:
        for pid in _children(run.pid):
            try:
                if b"prefect.server.api.server" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    server = pid
            except OSError:
                continue
        time.sleep(0.2)
    assert server is not None, "the run never started its temporary server"
    time.sleep(1)
    run.send_signal(getattr(signal, how))
    run.wait(timeout=60)
    deadline = time.monotonic() + 20
    while not _gone(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _gone(server), f"the temporary server outlived a run stopped by {how}"
