"""Peak memory of `digitize run` on one 200-page PDF: bounded by the pages in flight.

`python -m bench.memory [--pages 200]` writes a PDF of generated certificate pages under
bench-out/memory/, runs `digitize run` on it (local store) and samples, every 0.2 s, the
resident memory of the pipeline process itself and, apart, of the processes it starts
(Tesseract, poppler, and Prefect's temporary API server when no server is configured).
Prints the peaks in MB, and the peak of the whole run at one instant: the sum of the
processes' RSS (which counts a shared library once per process that maps it) and of their
PSS (each shared page split between the processes sharing it: what the run really holds).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-out" / "memory"


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _make_pdf(path: Path, pages: int) -> None:
    from samples.people import make_record
    from samples.render import render_record
    from schemas.wards import WardRegistry

    registry = WardRegistry.load(None)
    rng = random.Random(1)
    ward = registry.get("phu-tan")
    first = render_record(make_record(rng, ward, "birth_certificate", registry), rng).pages[0]
    first = first.convert("L")
    path.parent.mkdir(parents=True, exist_ok=True)
    # The same sheet again and again: a batch scan of one office's register.
    first.save(path, "PDF", resolution=300, save_all=True, append_images=[first] * (pages - 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args(argv)

    pdf = OUT / "inbox" / "phu-tan" / f"register-{args.pages}.pdf"
    if not pdf.exists():
        _make_pdf(pdf, args.pages)
    store = OUT / "store"
    shutil.rmtree(store, ignore_errors=True)
    env = {**os.environ, "DIGITIZE_STORE": str(store)}
    digitize = str(Path(sys.executable).parent / "digitize")
    started = time.perf_counter()
    proc = subprocess.Popen([digitize, "run", str(OUT / "inbox")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_main = peak_children = peak_rss = peak_pss = 0.0
    at_peak: list[tuple[str, float]] = []
    # A child that still bears the pipeline's own name is the pipeline forked an instant
    # before it runs Tesseract or poppler: its RSS is the parent's pages, shared, not
    # memory of its own (counted, it made the children's peak 977 and 857 MB).
    own = Path(digitize).name
    while proc.poll() is None:
        peak_main = max(peak_main, _rss_mb(proc.pid))
        named = [(name, k) for name, k in ((_name(k), k) for k in _descendants(proc.pid))
                 if name != own]
        kids = [(name, _rss_mb(k)) for name, k in named]
        total = sum(mb for _, mb in kids)
        if total > peak_children:
            peak_children, at_peak = total, kids
        tree = [proc.pid, *(k for _, k in named)]
        peak_rss = max(peak_rss, _rss_mb(proc.pid) + total)
        peak_pss = max(peak_pss, sum(_pss_mb(k) for k in tree))
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    print(f"{args.pages}-page PDF ({pdf.stat().st_size / 1e6:.1f} MB): digitize run exit "
          f"{proc.returncode} in {seconds:.0f} s")
    print(f"peak RSS, pipeline process: {peak_main:.0f} MB")
    print(f"peak RSS, its child processes together (Tesseract, poppler, Prefect's temporary "
          f"server): {peak_children:.0f} MB")
    print("  at that moment: " + ", ".join(
        f"{name} {mb:.0f} MB" for name, mb in sorted(at_peak, key=lambda k: -k[1])))
    print(f"peak of the whole run at one instant: RSS summed {peak_rss:.0f} MB, "
          f"PSS summed {peak_pss:.0f} MB")
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
