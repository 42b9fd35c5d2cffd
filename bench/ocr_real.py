"""Measure OCR on the real scans in tests/data: CER raw vs cleaned, seconds per stage.

    .venv/bin/python -m bench.ocr_real [--psm 3 4 6] [--lang vie]

For every image in tests/data with a transcription next to it (same stem, .txt),
prints the character error rate of Tesseract on the raw image and on the cleaned
page, the cleaning time per stage and the OCR time. CER compares text with runs
of leader dots removed and whitespace collapsed on both sides: leaders are not
content, and line breaks depend on the layout analysis, not on recognition.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from ocr.clean import clean_page
from ocr.pages import split_pages
from ocr.read import read_page
from ocr.text import nfc

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf"}


def normalize(text: str) -> str:
    text = nfc(text)
    text = re.sub(r"[.…·_]{2,}", " ", text)  # dotted leaders and underscores
    return re.sub(r"\s+", " ", text).strip()


def cer(hyp: str, ref: str) -> float:
    h, r = normalize(hyp), normalize(ref)
    return Levenshtein.distance(h, r) / max(1, len(r))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--psm", type=int, nargs="+", default=[3])
    ap.add_argument("--lang", default="vie")
    args = ap.parse_args()
    for ref_path in sorted(DATA.glob("*.txt")):
        images = [p for p in DATA.glob(ref_path.stem + ".*") if p.suffix.lower() in IMAGE_SUFFIXES]
        if not images:
            continue
        ref = ref_path.read_text(encoding="utf-8")
        page = next(split_pages(images[0].read_bytes(), images[0].name))
        h, w = page.image.shape[:2]
        print(f"\n== {images[0].name}  ({w}x{h}, dpi={page.dpi})")
        t0 = time.perf_counter()
        cleaned = clean_page(page.image, page.dpi)
        t_clean = time.perf_counter() - t0
        stages = "  ".join(f"{k}={v:.3f}" for k, v in cleaned.timings.items())
        print(f"clean {t_clean:.2f} s: {stages}")
        print(f"rotation={cleaned.rotation} skew={cleaned.skew_degrees:+.2f}")
        for psm in args.psm:
            t0 = time.perf_counter()
            raw = read_page(page.image, lang=args.lang, psm=psm, dpi=int(page.dpi or 300))
            t_raw = time.perf_counter() - t0
            t0 = time.perf_counter()
            got = read_page(cleaned.image, lang=args.lang, psm=psm, dpi=int(cleaned.dpi))
            t_ocr = time.perf_counter() - t0
            print(
                f"psm {psm}: CER raw {cer(raw.text, ref):.3f} ({t_raw:.2f} s, q={raw.quality:.2f})"
                f"  cleaned {cer(got.text, ref):.3f} ({t_ocr:.2f} s, q={got.quality:.2f})"
                f"  clean/ocr time {t_clean / t_ocr:.0%}"
            )


if __name__ == "__main__":
    main()
