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
from ocr.read import read_page
from ocr.text import PageText

# A reading below this quality (ocr.read.page_quality) may be an upside-down page.
FLIP_CHECK_QUALITY = 0.45
# The turned reading must beat the first one by this much to be kept (noise guard).
FLIP_MARGIN = 0.05


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
    return PageReading(cleaned, text, timings)
