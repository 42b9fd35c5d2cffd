"""Degradations the sample generator never makes: does the cleaning still pay (`make bench-robust`)?

    .venv/bin/python -m bench.robustness [--workers 2] [--only NAME ...]

Accuracy is judged on scans this project has not seen. The generator's own degradations
(bench.ocr) are what the stages were built against; this benchmark applies others to the
OCR bench's clean flatbed scans (plain and security paper, every document type) and reads
each page twice: Tesseract on the degraded page as it is, and the whole page pipeline
(`ocr.process.process_page`). It prints the character error rate of both per degradation,
and on how many pages the pipeline read worse than Tesseract alone.

Each degradation is a plain function from a page image to a page image, seeded by the page
so that runs compare. CER is bench.ocr's (order-free, per printed segment), over the text
above the signature block: the names signed by hand under it are no field of any record,
and a scribbled signature over them makes their reading a matter of luck.
"""

from __future__ import annotations

import os

os.environ["OMP_THREAD_LIMIT"] = "1"

import argparse  # noqa: E402
import zlib  # noqa: E402
from collections.abc import Callable  # noqa: E402
from multiprocessing import Pool  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from bench.ocr import OUT, ensure_dataset, segment_cer  # noqa: E402

Degradation = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def _gray(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def _bgr(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 3 else cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


def _u8(a: np.ndarray) -> np.ndarray:
    return np.clip(a, 0, 255).astype(np.uint8)


def scanner_border(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Lid left open: the page sits off-centre in a black frame."""
    page = _bgr(img)
    h, w = page.shape[:2]
    top, left = int(rng.integers(30, 90)), int(rng.integers(30, 110))
    out = np.full((h + 160, w + 140, 3), 25, np.uint8)
    out[top:top + h, left:left + w] = page
    return out


def show_through(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The verso's text seen through thin paper: the mirrored page, soft, at 15-25 %."""
    page = _bgr(img).astype(np.float32)
    verso = cv2.GaussianBlur(cv2.flip(page, 1), (0, 0), 2.0)
    return _u8(page - rng.uniform(0.15, 0.25) * (255 - verso))


def fold_crease(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A sheet folded in three: two shaded creases across the page."""
    page = _gray(img).astype(np.float32)
    h = page.shape[0]
    y = np.arange(h, dtype=np.float32)[:, None]
    for at in (h / 3, 2 * h / 3):
        c = int(at + rng.integers(-60, 60))
        page *= 1 - 0.35 * np.exp(-(((y - c) / 40.0) ** 2))
        page[c - 1:c + 2] = np.minimum(page[c - 1:c + 2], 70)
    return _u8(page)


def salt_and_pepper(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dust and dropouts: 0.4 % of pixels black, 0.4 % white."""
    page = _gray(img).copy()
    r = rng.random(page.shape)
    page[r < 0.004] = 0
    page[r > 0.996] = 255
    return page


def punch_holes(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Filed in a binder: three black holes in the left margin."""
    page = _bgr(img).copy()
    h = page.shape[0]
    x = int(rng.integers(55, 85))
    for at in (0.25, 0.5, 0.75):
        cv2.circle(page, (x, int(h * at)), 35, (15, 15, 15), -1)
    return page


def ballpoint_marks(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Blue ballpoint scribbles across the text and a blue stamp ring."""
    page = _bgr(img).copy()
    h, w = page.shape[:2]
    for _ in range(5):
        start = np.array([rng.uniform(0.2, 0.8) * w, rng.uniform(0.3, 0.9) * h])
        pts = np.cumsum(rng.normal(0, 25, (40, 2)), axis=0) + start
        cv2.polylines(page, [pts.astype(np.int32)], False, (170, 60, 30), 3, cv2.LINE_AA)
    cv2.circle(page, (int(w * 0.7), int(h * 0.8)), 170, (160, 70, 40), 8, cv2.LINE_AA)
    return page


def jpeg_q20(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Saved by a phone app at JPEG quality 20."""
    ok, data = cv2.imencode(".jpg", _gray(img), [cv2.IMWRITE_JPEG_QUALITY, 20])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_UNCHANGED)


def binding_shadow(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A bound register scanned open: the left third darkens towards the spine."""
    page = _gray(img).astype(np.float32)
    x = np.arange(page.shape[1], dtype=np.float32)[None, :]
    return _u8(page * (0.45 + 0.55 * np.clip(x / (page.shape[1] * 0.3), 0, 1) ** 0.5))


def grey_paper(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Recycled grey paper and worn grey toner: the page's range squeezed to 95-175."""
    page = _gray(img).astype(np.float32) / 255
    return _u8(95 + page * 80)


def low_resolution(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 150 DPI grey scan with a soft lens: half the size, slightly blurred."""
    page = cv2.GaussianBlur(_gray(img), (0, 0), 0.8)
    return cv2.resize(page, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)


def defocus(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Out of focus: Gaussian blur of sigma 2.2 px (0.19 mm)."""
    return cv2.GaussianBlur(_gray(img), (0, 0), 2.2)


def _motion(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return cv2.filter2D(_gray(img), -1, kernel / kernel.sum())


def shake_5px(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Camera shake along the lines, 5 px (0.4 mm)."""
    k = np.zeros((5, 5), np.float32)
    k[2, :] = 1
    return _motion(img, k)


def shake_9px(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Camera shake along the lines, 9 px (0.8 mm)."""
    k = np.zeros((9, 9), np.float32)
    k[4, :] = 1
    return _motion(img, k)


def shake_diagonal(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Camera shake at 45 degrees, 7 px."""
    return _motion(img, np.eye(7, dtype=np.float32))


DEGRADATIONS: dict[str, Degradation] = {
    f.__name__: f
    for f in (scanner_border, show_through, fold_crease, salt_and_pepper, punch_holes,
              ballpoint_marks, jpeg_q20, binding_shadow, grey_paper, low_resolution,
              defocus, shake_5px, shake_9px, shake_diagonal)
}  # fmt: skip
# the resolution a degradation leaves the page at, where it changes it
DPI_AFTER = {"low_resolution": 150}


def above_signatures(segments: list[str]) -> list[str]:
    """The printed segments above the signature block (see the module docstring)."""
    half = len(segments) // 2
    for i, s in enumerate(segments):
        if s.startswith("(Ký") or s.startswith("NGƯỜI K") or (i > half and s in ("Chồng", "Vợ")):
            return segments[:i]
    return segments


def _read(job: tuple[dict, str]) -> dict:
    from ocr.process import process_page
    from ocr.read import read_page

    meta, name = job
    image = cv2.imread(str(OUT / f"{meta['id']}.png"), cv2.IMREAD_UNCHANGED)
    dpi = DPI_AFTER.get(name, int(meta["dpi"]))
    if name != "none":
        rng = np.random.default_rng(zlib.crc32(f"{meta['id']}:{name}".encode()))
        image = DEGRADATIONS[name](image, rng)
    segments = above_signatures(meta["segments"])
    raw = segment_cer(segments, read_page(image, dpi=dpi).text)
    cleaned = segment_cer(segments, process_page(image, dpi).text.text)
    return dict(id=meta["id"], name=name, raw=raw, cleaned=cleaned)


def report(rows: list[dict], names: list[str]) -> None:
    print(f"{'degradation':16s} {'pages':>5s} {'raw CER':>8s} {'pipeline':>8s} "
          f"{'pipeline worse':>14s}")
    for name in names:
        mine = [r for r in rows if r["name"] == name]
        total = sum(r["raw"][1] for r in mine)
        raw = sum(r["raw"][0] for r in mine) / total
        cleaned = sum(r["cleaned"][0] for r in mine) / total
        worse = sum(r["cleaned"][0] > r["raw"][0] for r in mine)
        print(f"{name:16s} {len(mine):5d} {raw:8.4f} {cleaned:8.4f} {worse:11d}/{len(mine)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", nargs="*", choices=sorted(DEGRADATIONS), default=None)
    args = ap.parse_args()
    metas = [m for m in ensure_dataset(84, args.workers, fresh=False)
             if m["profile"] == "clean" and m["capture"] == "scan"]
    names = ["none", *(args.only or DEGRADATIONS)]
    jobs = [(m, n) for n in names for m in metas]
    print(f"reading {len(metas)} clean scans under {len(names)} conditions "
          f"({len(jobs)} pages) with {args.workers} workers ...", flush=True)
    with Pool(args.workers) as pool:
        rows = pool.map(_read, jobs, chunksize=1)
    report(rows, names)


if __name__ == "__main__":
    main()
