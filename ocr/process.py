"""One page from pixels to text: the cleaning stages, then Tesseract.

The flow calls only this, so how cleaning and reading are combined (for example, when
orientation is worth Tesseract's OSD) is decided here, next to the stages themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ocr.clean import CleanedPage, clean_page
from ocr.read import read_page
from ocr.text import PageText


@dataclass
class PageReading:
    cleaned: CleanedPage
    text: PageText


def process_page(
    image: np.ndarray, dpi: float | None = None, lang: str = "vie", timeout: float = 180
) -> PageReading:
    cleaned = clean_page(image, dpi)
    text = read_page(cleaned.image, lang=lang, timeout=timeout, dpi=int(round(cleaned.dpi)))
    return PageReading(cleaned, text)
