"""The mark above an `i` judged against the page's own dots and tone marks (ocr.marks), on
lines typed in a sans face and read by real Tesseract."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr.marks import MIN_REFERENCES, page_references, settle_i_marks
from ocr.read import read_page
from ocr.text import Line, PageText

FONT = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
# dotted and toned `i`s enough for the page to teach its font's marks
REFERENCE_LINES = ["Nơi sinh: Bệnh viện tỉnh Bình Dương", "Dân tộc: Kinh   Quốc tịch: Việt Nam",
                   "Ghi chú: ghi chín tỉnh Minh"]


def _page(lines: list[str]) -> tuple[np.ndarray, PageText]:
    im = Image.new("L", (1800, 60 + 115 * len(lines)), 255)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, 44)
    for n, line in enumerate(lines):
        draw.text((60, 40 + 115 * n), line, font=font, fill=0)
    image = np.array(im)
    return image, read_page(image, lang="vie", dpi=300, rivals=True)


def _last_word_read_as(text: PageText, reading: str, rivals: tuple[tuple[str, float], ...],
                       confirmed: bool = False) -> PageText:
    """The page with its last word (the name's given name) read `reading`, with `rivals`."""
    lines = list(text.lines)
    words = list(lines[-1].words)
    words[-1] = replace(words[-1], text=reading, conf=86.0, rivals=rivals, confirmed=confirmed)
    lines[-1] = Line(words)
    return PageText(lines=lines, mean_conf=text.mean_conf, quality=text.quality,
                    width=text.width, height=text.height)


def test_a_dot_read_as_a_hook_takes_the_dotted_rival() -> None:
    # Tesseract's own misreading of this clean line (fifteenth session's demo): `Chỉ` at 86 %,
    # `Chi` at 76 %; the pixels above the `i` are a dot the size of the page's dots
    image, text = _page([*REFERENCE_LINES, "Họ và tên: Nguyễn Thùy Chi"])
    doubtful = _last_word_read_as(text, "Chỉ", (("Chi", 76.2), ("Chí", 12.5), ("Chị", 15.5)),
                                  confirmed=True)
    settled = settle_i_marks(image, doubtful).lines[-1].words[-1]
    assert not settled.confirmed  # the second reading had agreed with `Chỉ`
    # the rivals with a tone mark go with the reading replaced; the one with the dot stays
    assert (settled.text, settled.rivals) == ("Chi", (("Chị", 15.5),))


def test_a_hook_read_as_a_dot_takes_the_hooked_rival() -> None:
    image, text = _page([*REFERENCE_LINES, "Họ và tên: Nguyễn Thùy Chỉ"])
    doubtful = _last_word_read_as(text, "Chi", (("Chỉ", 70.0),))
    assert settle_i_marks(image, doubtful).lines[-1].words[-1].text == "Chỉ"


def test_a_rival_the_reading_agrees_with_the_pixels_against_is_dropped() -> None:
    image, text = _page([*REFERENCE_LINES, "Họ và tên: Nguyễn Thùy Chi"])
    doubtful = _last_word_read_as(text, "Chi", (("Chỉ", 70.0), ("Chí", 30.0)))
    settled = settle_i_marks(image, doubtful).lines[-1].words[-1]
    assert (settled.text, settled.rivals) == ("Chi", ())


def test_a_weak_rival_does_not_replace_a_confident_reading() -> None:
    # a worn hook looks like a dot: Tesseract's confident reading, the word's context in it,
    # stands against a rival it gave little weight (`tỉnh` 96 %, `tinh` 24 %)
    image, text = _page([*REFERENCE_LINES, "Họ và tên: Nguyễn Thùy Chỉ"])
    doubtful = _last_word_read_as(text, "Chi", (("Chỉ", 20.0),))
    settled = settle_i_marks(image, doubtful).lines[-1].words[-1]
    assert (settled.text, settled.rivals) == ("Chi", (("Chỉ", 20.0),))


def test_nothing_is_judged_on_a_page_without_tone_marks_to_compare() -> None:
    # dots read with confidence on the page, but no toned `i`: how its font draws one is
    # unknown
    image, text = _page(["Dân tộc: Kinh   Quốc tịch: Việt Nam",
                         "Nơi sinh: Minh Hiệp, phường Phú Lợi", "Họ và tên: Nguyễn Thùy Chi"])
    references = page_references(image, text)
    assert len(references) >= MIN_REFERENCES and all(dotted for dotted, _ in references)
    doubtful = _last_word_read_as(text, "Chỉ", (("Chi", 76.2),))
    assert settle_i_marks(image, doubtful).lines[-1].words[-1].text == "Chỉ"
