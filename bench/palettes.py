"""Security paper in colours the generator never uses: does the cleaning still separate the
text from the pattern (`make bench-palettes`)?

    .venv/bin/python -m bench.palettes [--records 4] [--workers 2]

Accuracy on security paper is judged on certificates with other patterns and colours than
the generator's (green, blue, pink). Each record here (birth certificates, dotted layout,
the security paper's own) is rendered once on each palette of
`samples.render.HELD_OUT_PALETTES` (and on green, for comparison) and once on plain paper,
degraded alike (light and medium flatbed scans, the same seed), and read by the whole page
pipeline (`ocr.process.process_page`). It prints the character error rate of the cleaned
page per palette against the same records on plain paper (issue 8's target: within 0.05).
CER is bench.ocr's (order-free, per printed segment).
"""

from __future__ import annotations

import os

os.environ["OMP_THREAD_LIMIT"] = "1"

import argparse  # noqa: E402
import random  # noqa: E402
from collections import defaultdict  # noqa: E402
from multiprocessing import Pool  # noqa: E402

import numpy as np  # noqa: E402

from bench.ocr import _render_with_text, _to_cv, segment_cer  # noqa: E402

PROFILES = ("light", "medium")


def _read(args: tuple[int, str | None, str]) -> tuple[str | None, str, int, int]:
    """(palette, profile, errors, characters) of one record on one paper."""
    from ocr.process import process_page
    from samples.degrade import degrade
    from samples.people import make_record
    from schemas.wards import WardRegistry

    seed, palette, profile = args
    registry = WardRegistry.load(None)
    ward = registry.get(registry.codes()[seed % len(registry.codes())])
    record = make_record(random.Random(f"bench-palettes:{seed}"), ward, "birth_certificate",
                         registry)
    rendered, segments = _render_with_text(record, random.Random(seed), layout="dotted",
                                           security=palette is not None, palette=palette)
    page = degrade(rendered.pages[0], profile, "scan", seed=seed)
    image = page.image.convert("L") if page.image.mode == "1" else page.image
    text = process_page(_to_cv(np.asarray(image)), page.dpi).text.text
    errors, chars = segment_cer([s for _, _, s in segments[0]], text)
    return palette, profile, errors, chars


def main(argv: list[str] | None = None) -> int:
    from samples.render import HELD_OUT_PALETTES

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    papers: list[str | None] = [None, "green", *HELD_OUT_PALETTES]
    jobs = [(seed, paper, profile) for paper in papers for seed in range(args.records)
            for profile in PROFILES]
    totals: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    with Pool(args.workers) as pool:
        for paper, _, errors, chars in pool.imap_unordered(_read, jobs):
            totals[paper][0] += errors
            totals[paper][1] += chars
    plain = totals[None][0] / max(1, totals[None][1])
    print(f"{len(jobs) // len(papers)} pages per paper ({args.records} birth certificates,"
          f" {' and '.join(PROFILES)} scans), cleaned-page CER:")
    print(f"  {'plain paper':12s} {plain:.4f}")
    for paper in papers[1:]:
        errors, chars = totals[paper]
        cer = errors / max(1, chars)
        held = "" if paper == "green" else "  (held out)"
        print(f"  {paper:12s} {cer:.4f}  {cer - plain:+.4f} against plain{held}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
