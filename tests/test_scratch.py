"""storage.scratch: a process's temporary files in one folder, and the folders of killed
processes removed by the next one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from storage import scratch


def _dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_folders_of_dead_processes_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead = tmp_path / f"{scratch.PREFIX}{_dead_pid()}"
    (dead / "ocr-x").mkdir(parents=True)
    (dead / "ocr-x" / "page.png").write_bytes(b"...")
    alive = tmp_path / f"{scratch.PREFIX}{os.getppid()}"  # pytest's parent: running
    alive.mkdir()
    other = tmp_path / "someone-elses"
    other.mkdir()

    assert scratch.remove_abandoned(tmp_path) == [dead]
    assert not dead.exists() and alive.exists() and other.exists()


def test_a_process_writes_its_temporary_files_in_its_scratch_and_removes_it(
    tmp_path: Path,
) -> None:
    """In a child process (its `tempfile` setting must not leak into the test run)."""
    left = tmp_path / f"{scratch.PREFIX}{_dead_pid()}"
    left.mkdir()
    code = (
        "import tempfile\n"
        "from storage import scratch\n"
        "own = scratch.use_process_scratch()\n"
        "with tempfile.NamedTemporaryFile(prefix='tess_', delete=False) as f: pass\n"
        "print(own); print(f.name)\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True, cwd=Path(__file__).parent.parent).stdout
    own, written = (Path(line) for line in out.split())
    assert own.parent == tmp_path and written.parent == own
    assert not left.exists()  # the dead process's folder went first
    assert not own.exists()  # and its own at exit, with what was written in it
    assert list(tmp_path.iterdir()) == []


def test_cached_originals_live_in_the_process_scratch(tmp_path: Path) -> None:
    """Two runs on one host never share (and remove) each other's cached original, and a
    run's copies go with its folder when it ends."""
    code = (
        "from storage.archive import Archive, sha256_hex\n"
        "from storage.objects import LocalStore\n"
        f"store = LocalStore({str(tmp_path / 'store')!r})\n"
        "store.put('originals/' + sha256_hex(b'scan'), b'scan')\n"
        "print(Archive(store).original_file(sha256_hex(b'scan')))\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True, cwd=Path(__file__).parent.parent).stdout
    cached = Path(out.strip())
    assert cached.parent.parent.name.startswith(scratch.PREFIX)
    assert cached.parent.parent.parent == tmp_path / "tmp"
    assert list((tmp_path / "tmp").iterdir()) == []  # removed with the scratch at exit


def test_a_process_caches_a_bounded_number_of_originals(tmp_path: Path) -> None:
    """A long-lived process (a Dask worker) keeps the newest-used originals only, and one
    trimmed is fetched again from the store."""
    from storage.archive import CACHED_ORIGINALS, Archive, sha256_hex
    from storage.objects import LocalStore

    store = LocalStore(tmp_path / "store")
    shas = []
    for n in range(CACHED_ORIGINALS + 8):
        data = f"scan {n}".encode()
        shas.append(sha256_hex(data))
        store.put(f"originals/{shas[-1]}", data)
    archive = Archive(store, cache_dir=tmp_path / "cache")
    archive.original_file(shas[0])
    for n, sha in enumerate(shas[1:], start=1):
        os.utime(archive.original_file(shas[0]), (n, n))  # used again, after all the others
        os.utime(archive.original_file(sha), (n - 0.5, n - 0.5))
    kept = {p.name for p in (tmp_path / "cache").iterdir()}
    assert len(kept) == CACHED_ORIGINALS
    assert shas[0] in kept and shas[-1] in kept and shas[1] not in kept
    assert archive.original(shas[1]) == b"scan 1"


class _Drip:
    """A file-like inbox file that notes the size of every read asked of it."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at, self.asked = data, 0, []

    def read(self, n: int = -1) -> bytes:
        self.asked.append(n)
        end = len(self.data) if n < 0 else self.at + n
        piece, self.at = self.data[self.at:end], min(end, len(self.data))
        return piece


def test_a_received_file_is_stored_and_cached_without_sitting_whole_in_memory(
    tmp_path: Path,
) -> None:
    """The intake copies a clerk's file in pieces while hashing it, stores it from that
    copy, and keeps the copy as the cached original: the pages read next fetch nothing."""
    from storage.archive import Archive, SourceDrop, receive, sha256_hex
    from storage.objects import COPY_CHUNK, LocalStore

    data = os.urandom(3 * COPY_CHUNK + 11)
    inbox_file = _Drip(data)
    received = receive(inbox_file)  # type: ignore[arg-type]
    assert (received.sha256, received.size) == (sha256_hex(data), len(data))
    assert inbox_file.asked and all(0 < n <= COPY_CHUNK for n in inbox_file.asked)

    store = LocalStore(tmp_path / "store")
    archive = Archive(store, cache_dir=tmp_path / "cache")
    drop = SourceDrop(received.sha256, "phu-tan/scan.pdf", "phu-tan", received.size,
                      "2026-12-01T00:00:00+00:00")
    assert archive.secure_original(received.path, drop)
    assert store.get(f"originals/{received.sha256}") == data
    archive.keep_cached(received)
    assert not received.path.exists()  # moved into the cache, not copied
    store.delete(f"originals/{received.sha256}")  # so a fetch would fail
    assert archive.original(received.sha256) == data
