"""One page from pixels to text: the cleaning stages, then Tesseract.

The flow calls only this, so how cleaning and reading are combined is decided here,
next to the stages themselves.

Orientation costs almost nothing on the usual page. `clean_page` tells a sideways
page (90/270) from an upright or upside-down one with projection profiles (a few
ms) and runs Tesseract OSD only on sideways pages. Upright vs upside down is left to
the reading itself: the cleaned page is read once, and only when that reading is
poor (low confidence, few word-like tokens: what Tesseract makes of upside-down
text) is the page turned 180 degrees and read again; the better reading is kept.
OSD on every page cost 0.5-0.8 s, about half the OCR time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ocr.clean import CleanedPage, clean_page, rotate_quadrant
from ocr.read import page_quality, read_page
from ocr.text import Line, PageText, Word

# A reading below this quality (ocr.read.page_quality) may be an upside-down page.
FLIP_CHECK_QUALITY = 0.45
# The turned reading must beat the first one by this much to be kept (noise guard).
FLIP_MARGIN = 0.05


# Missed lines: Tesseract's layout analysis (psm 3) sometimes drops a whole text line
# (seen on a real certificate: its `Nơi sinh` line). A band of ink rows that no word
# covers is read again, all such bands in one call, as single lines of text.
BAND_MIN_HEIGHT = 12  # px at 300 DPI: smaller is speckle or a rule's remains
BAND_MAX_HEIGHT = 120  # px: taller is a picture, a seal or a block, not one line
BAND_MIN_WIDTH = 0.08  # share of the page width the band's ink must span
BAND_PAD = 8
RECOVERED_MIN_CONF = 60.0


def missed_line_bands(binary: np.ndarray, text: PageText) -> list[tuple[int, int]]:
    """(top, bottom) of ink bands that look like text lines and hold no word read."""
    ink = binary < 128
    h, w = ink.shape[:2]
    rows = np.count_nonzero(ink, axis=1)
    is_ink = rows >= max(3, int(0.003 * w))
    edges = np.flatnonzero(np.diff(np.concatenate(([0], is_ink.astype(np.int8), [0]))))
    covered = np.zeros(h, dtype=bool)
    for word in text.words:
        covered[max(0, word.top): word.top + word.height] = True
    bands = []
    for top, bottom in zip(edges[::2], edges[1::2], strict=True):
        if not BAND_MIN_HEIGHT <= bottom - top <= BAND_MAX_HEIGHT:
            continue
        if covered[top:bottom].mean() > 0.2:
            continue
        cols = np.flatnonzero(ink[top:bottom].any(axis=0))
        if cols.size and cols[-1] - cols[0] >= BAND_MIN_WIDTH * w:
            bands.append((int(top), int(bottom)))
    return bands


def recover_missed_lines(
    binary: np.ndarray, text: PageText, lang: str, timeout: float, dpi: int
) -> PageText:
    """Read the missed bands again (one Tesseract call, psm 6) and put their lines back
    in reading order. Lines read with low confidence are left out: better a field missing
    (review) than noise taken for a value."""
    bands = missed_line_bands(binary, text)
    if not bands:
        return text
    h, w = binary.shape[:2]
    strips, offsets, y = [], [], 0
    for top, bottom in bands:
        a, b = max(0, top - BAND_PAD), min(h, bottom + BAND_PAD)
        strips += [binary[a:b], np.full((3 * BAND_PAD, w), 255, dtype=np.uint8)]
        offsets.append((y, y + (b - a), a))
        y += (b - a) + 3 * BAND_PAD
    again = read_page(np.vstack(strips), lang=lang, timeout=timeout, psm=6, dpi=dpi)
    lines = list(text.lines)
    for n, (start, end, origin) in enumerate(offsets):
        words = [
            Word(word.text, word.conf, word.left, word.top - start + origin, word.width,
                 word.height, (10_000 + n, 0, 0))
            for word in again.words if start <= word.top + word.height / 2 < end
        ]
        if not words or sum(word.conf for word in words) / len(words) < RECOVERED_MIN_CONF:
            continue
        if not any(sum(c.isalpha() for c in word.text) >= 2 for word in words):
            continue
        line = Line(words)
        at = next((i for i, old in enumerate(lines) if old.top > line.top), len(lines))
        lines.insert(at, line)
    words = [word for line in lines for word in line.words]
    mean = round(sum(word.conf for word in words) / len(words), 2) if words else 0.0
    return PageText(lines=lines, mean_conf=mean, quality=page_quality(words),
                    width=text.width, height=text.height)


@dataclass
class PageReading:
    cleaned: CleanedPage
    text: PageText
    # stage -> seconds: the cleaning stages, "ocr" (the reading kept or the first
    # one) and "orientation_reread" (a second reading of the page turned 180 deg).
    timings: dict[str, float] = field(default_factory=dict)


def needs_flip_check(text: PageText, cleaned: CleanedPage) -> bool:
    """Read the page turned 180 degrees too? Only when the first reading is poor,
    or when the cleaning could not tell 90 from 270."""
    return not cleaned.orientation_sure or text.quality < FLIP_CHECK_QUALITY


def better_reading(first: PageText, turned: PageText) -> bool:
    """True when the reading of the page turned 180 degrees is clearly the better one."""
    return turned.quality > first.quality + FLIP_MARGIN


def process_page(
    image: np.ndarray, dpi: float | None = None, lang: str = "vie", timeout: float = 180
) -> PageReading:
    cleaned = clean_page(image, dpi)
    timings = dict(cleaned.timings)
    ppi = int(round(cleaned.dpi))
    t0 = time.perf_counter()
    text = read_page(cleaned.image, lang=lang, timeout=timeout, dpi=ppi)
    timings["ocr"] = time.perf_counter() - t0
    if needs_flip_check(text, cleaned):
        t0 = time.perf_counter()
        turned_image = rotate_quadrant(cleaned.image, 180)
        turned = read_page(turned_image, lang=lang, timeout=timeout, dpi=ppi)
        timings["orientation_reread"] = time.perf_counter() - t0
        if better_reading(text, turned):
            cleaned.image = turned_image
            cleaned.rotation = (cleaned.rotation + 180) % 360
            text = turned
        cleaned.orientation_sure = True
    t0 = time.perf_counter()
    text = recover_missed_lines(cleaned.image, text, lang, timeout, ppi)
    timings["missed_lines"] = time.perf_counter() - t0
    return PageReading(cleaned, text, timings)
