"""`make bench`: the whole pipeline against Tesseract alone, on the same pages.

Generates (once, reused) at least 100 pages under bench-out/bench/, times `digitize run`
end to end (a subprocess, local store), then Tesseract alone (`tesseract IMG - -l vie`,
OMP_THREAD_LIMIT=1, one process per core) on the same pages rendered to PNG. Prints seconds
per stage (from the page timings stored beside each page's text), pages/s for both, the peak
RSS of the run's largest process, and as its last line `ratio=X.XX` (pipeline pages/s /
Tesseract's).

`--scaling 1 2 4 8` (`make bench-scaling`) instead runs both with each number of workers
in turn (DIGITIZE_OCR_WORKERS pages in flight; as many Tesseract processes at once) and
prints pages/s, the ratio and the speed-up over the first count: how throughput scales with
cores. Counts above the machine's cores are run too, and only show oversubscription.
`--pages N` runs on the first files holding N pages or more (a lent machine's time is short).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-out" / "bench"
MIN_PAGES = 100


def _inbox() -> Path:
    from samples.generate import generate_inbox

    inbox = OUT / "inbox"
    if not (OUT / "inbox.done").exists():
        shutil.rmtree(inbox, ignore_errors=True)
        records = 64
        while True:
            truth = generate_inbox(inbox, records=records, seed=3, workers=os.cpu_count() or 1)
            if sum(len(t.pages) for t in truth) >= MIN_PAGES:
                break
            shutil.rmtree(inbox)
            records += 16
        (OUT / "inbox.done").write_text("")
    return inbox


def _inbox_files(inbox: Path) -> list[Path]:
    """The inbox's files in the order their pages are rendered and numbered."""
    return sorted(p for p in inbox.rglob("*") if p.is_file())


def _render_pages(inbox: Path, pages_dir: Path) -> list[Path]:
    """Every page of the inbox's files, in `_inbox_files`' order, as PNG (rendered once)."""
    from ocr.pages import UnreadableInput, split_pages

    done = pages_dir.with_name(pages_dir.name + ".done")
    if done.exists():
        return sorted(pages_dir.glob("*.png"))
    shutil.rmtree(pages_dir, ignore_errors=True)
    pages_dir.mkdir(parents=True)
    import cv2

    n = 0
    for path in _inbox_files(inbox):
        try:
            for page in split_pages(path.read_bytes(), path.name):
                n += 1
                cv2.imwrite(str(pages_dir / f"{n:05d}.png"), page.image)
        except UnreadableInput:
            continue
    done.write_text("")
    return sorted(pages_dir.glob("*.png"))


def _first_files(inbox: Path, wanted: int) -> Path:
    """An inbox of the first files (`_inbox_files`' order) that hold at least `wanted` pages:
    a shorter run where device time is short. Only its own pages are rendered then."""
    from ocr.pages import UnreadableInput, count_pages

    sub = OUT / f"inbox-first-{wanted}"
    shutil.rmtree(sub, ignore_errors=True)
    taken = 0
    for path in _inbox_files(inbox):
        if taken >= wanted:
            break
        try:
            taken += count_pages(path, path.name)
        except UnreadableInput:
            continue  # not rendered either
        target = sub / path.relative_to(inbox)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return sub


def _pipeline(inbox: Path, workers: int | None = None) -> tuple[float, Path, float]:
    """(seconds, store, peak RSS in MB of the largest process of the run: `digitize run`
    itself or one of its children, Tesseract, pdftoppm, Prefect's temporary server).

    The peak comes from this one child's rusage (wait4): RUSAGE_CHILDREN would also count
    the sample generator's workers, which hold a batch file's pages (2.1 GB on a fresh
    inbox, printed as the pipeline's peak before)."""
    store = OUT / "store"
    shutil.rmtree(store, ignore_errors=True)
    env = {**os.environ, "DIGITIZE_STORE": str(store),
           "DIGITIZE_CACHE_DIR": str(OUT / "cache"),
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}
    if workers is not None:
        env["DIGITIZE_OCR_WORKERS"] = str(workers)
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "run", str(inbox)],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            log.seek(0)
            sys.stderr.write(log.read()[-6000:].decode(errors="replace"))
            raise SystemExit("digitize run failed")
    return elapsed, store, usage.ru_maxrss / 1024


def _tesseract(pages: list[Path], workers: int | None = None) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(page: Path) -> None:
        subprocess.run(["tesseract", str(page), "-", "-l", "vie"], env=env,
                       capture_output=True, check=True)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        list(pool.map(one, pages))
    return time.perf_counter() - t0


def _stages(store: Path) -> tuple[dict[str, float], int]:
    totals: dict[str, float] = defaultdict(float)
    n = 0
    for path in (store / "text").rglob("*.json"):
        timings = json.loads(path.read_text()).get("timings") or {}
        n += 1
        for stage, seconds in timings.items():
            totals[stage] += seconds
    return dict(totals), n


def scaling(inbox: Path, pages: list[Path], counts: list[int]) -> None:
    """Pages/s with each number of workers. `digitize run` on an empty inbox first gives the
    run's fixed cost (imports, Prefect's temporary server, the flow run itself): on a short
    set it hides the scaling, so the pages/s without it are printed too."""
    empty = OUT / "inbox-empty"
    shutil.rmtree(empty, ignore_errors=True)
    empty.mkdir(parents=True)
    fixed = _pipeline(empty)[0]
    print(f"fixed cost of a run (empty inbox): {fixed:.1f} s", flush=True)
    print(f"{'workers':>7s} {'pipeline p/s':>12s} {'without fixed':>13s} {'tesseract p/s':>13s} "
          f"{'ratio':>6s} {'pipeline speed-up':>17s} {'tesseract speed-up':>18s}", flush=True)
    first: tuple[float, float] | None = None
    for workers in counts:
        pipe_s = _pipeline(inbox, workers)[0]
        pipe_rate = len(pages) / pipe_s
        steady_rate = len(pages) / max(pipe_s - fixed, 1e-9)
        tess_rate = len(pages) / _tesseract(pages, workers)
        first = first or (pipe_rate, tess_rate)
        print(f"{workers:7d} {pipe_rate:12.3f} {steady_rate:13.3f} {tess_rate:13.3f} "
              f"{pipe_rate / tess_rate:6.2f} {pipe_rate / first[0]:17.2f} "
              f"{tess_rate / first[1]:18.2f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scaling", type=int, nargs="+", metavar="WORKERS",
                    help="run both with each number of workers in turn (e.g. 1 2 4 8)")
    ap.add_argument("--pages", type=int, default=0,
                    help="only the first files holding at least this many pages")
    args = ap.parse_args()
    inbox = _inbox()
    if args.pages:
        inbox = _first_files(inbox, args.pages)
        pages = _render_pages(inbox, OUT / f"pages-first-{args.pages}")
    else:
        pages = _render_pages(inbox, OUT / "pages")
    print(f"pages: {len(pages)} (inbox {inbox.relative_to(ROOT)}), cores: {os.cpu_count()}")
    if args.scaling:
        scaling(inbox, pages, args.scaling)
        return
    pipe_s, store, peak = _pipeline(inbox)
    stages, timed_pages = _stages(store)
    tess_s = _tesseract(pages)
    print("seconds per stage (summed over pages, all workers):")
    for stage, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {stage:24s} {seconds:8.2f}  ({seconds / max(timed_pages, 1):.3f}/page)")
    pipe_rate = len(pages) / pipe_s
    tess_rate = len(pages) / tess_s
    print(f"pipeline end to end: {pipe_s:.1f} s, {pipe_rate:.3f} pages/s")
    print(f"tesseract alone:     {tess_s:.1f} s, {tess_rate:.3f} pages/s")
    print(f"peak RSS of the largest process of `digitize run` (itself or a child): {peak:.0f} MB")
    print(f"ratio={pipe_rate / tess_rate:.2f}")


if __name__ == "__main__":
    main()
