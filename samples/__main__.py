"""`python -m samples OUT --records N --seed S`: write a synthetic inbox and its truth.jsonl."""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from pathlib import Path

from samples.degrade import CAPTURES, PROFILES
from samples.generate import FORMATS, generate_inbox


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m samples", description=__doc__)
    ap.add_argument("out", type=Path, help="inbox folder to write (truth: OUT.truth.jsonl)")
    ap.add_argument("--records", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--wards", nargs="*", default=None, help="ward codes (default: all)")
    ap.add_argument("--formats", nargs="*", default=list(FORMATS), choices=FORMATS)
    ap.add_argument("--profiles", nargs="*", default=list(PROFILES), choices=PROFILES)
    ap.add_argument("--captures", nargs="*", default=list(CAPTURES), choices=CAPTURES)
    ap.add_argument("--security-paper-share", type=float, default=0.3)
    ap.add_argument("--no-edge-cases", action="store_true")
    ap.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    truth = generate_inbox(
        args.out, args.records, seed=args.seed, wards=args.wards, formats=args.formats,
        profiles=args.profiles, captures=args.captures,
        security_paper_share=args.security_paper_share, edge_cases=not args.no_edge_cases,
        workers=args.workers,
    )
    dt = time.perf_counter() - t0
    files = len({t.source_name for t in truth})
    print(f"{len(truth)} records in {files} files under {args.out} ({dt:.1f} s, "
          f"{len(truth) / dt:.2f} records/s)")
    for status, n in sorted(Counter(t.expected_status for t in truth).items()):
        print(f"  {status}: {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
