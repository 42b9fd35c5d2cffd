"""ocr.read: words, lines, confidences, NFC, quality, timeout and the PDF variant."""

from __future__ import annotations

import os
import unicodedata

import numpy as np
import pytest
from test_ocr_clean import DATA, render_lines

from ocr.read import (
    OcrTimeout,
    _rows_to_page,
    page_quality,
    read_page,
    read_page_with_pdf,
    read_strips,
    rivals_by_box,
)
from ocr.text import Word

LINES = ["Quốc tịch: Việt Nam", "Họ và tên: Nguyễn Thị Hoà", "Ngày sinh: 12/11/2021"]


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    return render_lines(LINES, width=1400)


def test_thread_limit_is_set() -> None:
    assert os.environ.get("OMP_THREAD_LIMIT") == "1"


def test_read_page_words_lines_nfc(page: np.ndarray) -> None:
    text = read_page(page)
    assert len(text.lines) == 3
    assert text.lines[0].text == "Quốc tịch: Việt Nam"
    assert "Nguyễn Thị" in text.lines[1].text
    assert "12/11/2021" in text.lines[2].text
    assert text.text == unicodedata.normalize("NFC", text.text)
    assert text.width == page.shape[1] and text.height == page.shape[0]
    tops = [line.top for line in text.lines]
    assert tops == sorted(tops)  # reading order
    for w in text.words:
        assert w.text and 0 <= w.conf <= 100
        assert 0 <= w.left < page.shape[1] and 0 <= w.top < page.shape[0]
    assert text.mean_conf > 80
    assert 0.7 < text.quality <= 1.0


def test_decomposed_input_comes_back_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Việt")
    row = {
        "block_num": "1",
        "par_num": "1",
        "line_num": "1",
        "left": "0",
        "top": "0",
        "width": "10",
        "height": "10",
        "conf": "90",
        "text": nfd,
    }
    empty = dict(row, text=" ", conf="-1")
    text = _rows_to_page([row, empty], 100, 100)
    assert text.text == "Việt" == unicodedata.normalize("NFC", nfd)
    assert page_quality([Word(nfd, 90, 0, 0, 10, 10)]) > 0.8
    # the Icelandic eth Tesseract's vie model gives for `Đ` is `Đ`
    eth = _rows_to_page([dict(row, text="\u00d0ỗ"), dict(row, left="20", text="\u00f0ường")],
                        100, 100)
    assert eth.text == "Đỗ đường"


def _row(block: int, line: int, text: str, left: int, top: int, w: int = 40,
         h: int = 40) -> dict[str, str]:
    return {"block_num": str(block), "par_num": "1", "line_num": str(line),
            "left": str(left), "top": str(top), "width": str(w), "height": str(h),
            "conf": "60", "text": text}


def test_vertical_reading_of_a_number_column_is_dropped() -> None:
    # Measured on a clean generated form: Tesseract read the column of row numbers
    # ("8." above "7." ...) as one vertical line, `®@ >i!i Ơ`, which the empty
    # `Nơi đăng ký khai sinh:` above it then took as its value.
    rows = [
        _row(1, 1, "10.", 235, 1275, 70), _row(1, 1, "Nơi", 330, 1274, 72),
        _row(1, 1, "sinh:", 762, 1274, 112),
        _row(6, 1, "®@", 228, 1186, 42), _row(6, 1, ">i!i", 228, 1092, 42, 60),
        _row(6, 1, "Ơ", 233, 1022, 26, 35),
    ]
    text = _rows_to_page(rows, 2480, 3508)
    assert text.text == "10. Nơi sinh:"
    # A page left turned a quarter is read down the page: its lines are all kept.
    turned = [_row(1, 1, "Nơi", 2818, 254), _row(1, 1, "sinh:", 2818, 330),
              _row(1, 2, "Dân", 2737, 254), _row(1, 2, "tộc:", 2737, 330)]
    assert _rows_to_page(turned, 3508, 2480).text == "Nơi sinh:\nDân tộc:"


def test_a_certificate_frame_read_as_a_column_of_junk_is_dropped() -> None:
    # Measured on a fax of a marriage certificate on security paper: the frame at each side
    # was read as one junk word per line, and the wife's address, wrapping onto the next
    # line, took the left one in (`tỉnh Bình sỉ Dương`).
    rows = []
    for k, (left_junk, value) in enumerate([("=", "Tổ 2,"), ("sỉ", "Dương"), ("E", "Kinh"),
                                           ("=", "Nam"), ("Ề", "Dĩ An,"), (">ỹ", "An")]):
        top = 1000 + 60 * k
        rows += [_row(1, k + 1, left_junk, 66, top, 58), _row(1, k + 1, value, 910, top, 150),
                 _row(1, k + 1, "vẽ:" if k == 1 else "E", 2470, top, 56)]
    rows += [_row(2, 1, "Độc", 939, 500, 98), _row(2, 1, "E", 2470, 500, 48),
             _row(2, 1, "_", 2520, 500, 4)]
    page = _rows_to_page(rows, 2592, 3666)
    assert page.text == "Độc\nTổ 2,\nDương\nKinh\nNam\nDĩ An,\nAn"
    # a tall piece of the frame read as one word does not widen the strip over the labels
    # at the text's left edge (a fax page at 200 DPI lost `Họ,`, `Nơi`, `Số` that way)
    rows += [_row(3, 1, "1ö001ữugg", 65, 1500, 50, 500),
             _row(3, 2, "Số", 275, 2100, 59), _row(3, 2, "định", 354, 2100, 106)]
    assert _rows_to_page(rows, 2592, 3666).text.endswith("\nSố định")
    # row numbers are the text's own column: beside their label, kept
    numbered = [r for k in range(6) for r in (
        _row(1, k + 1, f"{k + 1}.", 150, 1000 + 60 * k, 40),
        _row(1, k + 1, "Nơi", 205, 1000 + 60 * k, 72))]
    assert _rows_to_page(numbered, 2480, 3508).text.startswith("1. Nơi\n2. Nơi")
    # a crop read again (one block) has no frame
    assert "sỉ" in _rows_to_page(rows, 2592, 3666, whole_page=False).text


def test_quality_low_on_noise() -> None:
    rng = np.random.default_rng(3)
    noise = np.where(rng.random((600, 900)) < 0.08, 0, 255).astype(np.uint8)
    assert read_page(noise).quality < 0.5


def test_timeout_raises_ocr_timeout(page: np.ndarray) -> None:
    big = np.tile(page, (4, 2))
    with pytest.raises(OcrTimeout):
        read_page(big, timeout=0.01)


def test_read_page_with_pdf_one_call(page: np.ndarray) -> None:
    text, pdf = read_page_with_pdf(page)
    assert pdf.startswith(b"%PDF")
    assert text.text == read_page(page).text


# One word of Tesseract 5.3's hOCR with `-c lstm_choice_mode=2`, as it wrote it for a
# DC01 whose name ends `MY`: each character's choices, best first (the word's leading
# space has its own step).
_HOCR_WORD = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><body><div class='ocr_page'>
<span class='ocrx_word' id='word_1_48' title='bbox 1370 646 1442 680; x_wconf 94'>MỸ
 <span class='ocrx_cinfo' id='lstm_choices_1_48_1'>
  <span class='ocrx_cinfo' id='choice_1_48_1' title='x_confs 96.158722'> </span>
  <span class='ocrx_cinfo' id='choice_1_48_2' title='x_confs 0'>,</span></span>
 <span class='ocrx_cinfo' id='lstm_choices_1_48_2'>
  <span class='ocrx_cinfo' id='choice_1_48_4' title='x_confs 94.255432'>M</span>
  <span class='ocrx_cinfo' id='choice_1_48_5' title='x_confs 0'>W</span></span>
 <span class='ocrx_cinfo' id='lstm_choices_1_48_3'>
  <span class='ocrx_cinfo' id='choice_1_48_7' title='x_confs 92.394852'>Ỹ</span>
  <span class='ocrx_cinfo' id='choice_1_48_8' title='x_confs 31.026812'>Y</span>
  <span class='ocrx_cinfo' id='choice_1_48_9' title='x_confs 0'>Ỳ</span></span>
</span></div></body></html>"""


def test_rivals_are_the_runner_up_characters_tesseract_gave() -> None:
    assert rivals_by_box(_HOCR_WORD) == {(1370, 646, 72, 34): (("MY", 31.0),)}
    # choices that do not spell the word as read say nothing about it
    assert rivals_by_box(_HOCR_WORD.replace(">MỸ", ">MẸ")) == {}
    assert rivals_by_box("not hOCR") == {}


def test_reading_with_rivals_reads_the_same_words(page: np.ndarray) -> None:
    with_rivals = read_page(page, rivals=True)
    assert with_rivals.text == read_page(page).text
    assert all(isinstance(w.rivals, tuple) for w in with_rivals.words)


def test_freed_memory_is_given_back_before_tesseract_reads_a_page() -> None:
    """On glibc (every Linux this runs on: Debian, the Docker image), the page reader finds
    `malloc_trim`: without it a page worker waits out Tesseract at its cleaning's peak
    (226 MB instead of 126 MB, measured), four workers at once."""
    import platform

    from ocr import read

    if platform.libc_ver()[0] != "glibc":
        assert read._MALLOC_TRIM is None
        return
    assert read._MALLOC_TRIM is not None
    assert read._MALLOC_TRIM(0) in (0, 1)  # 1: memory was released, 0: there was none


def test_strips_read_in_one_call_are_each_read_on_their_own() -> None:
    """The three bands a generated certificate's first reading missed (seed 44): the top and
    bottom of its security frame's ornament and `Số: 420`, as the missed-lines stage masks
    them. Stacked into one image for one Tesseract call, the ornament's junk changed how the
    number's strip was cut (`S ố: 1 2 0`: the record lost its registration number); as the
    pages of one TIFF, still one call, each strip is read alone."""
    import cv2

    sheet = cv2.imread(str(DATA / "missed-bands-security-frame.png"), cv2.IMREAD_GRAYSCALE)
    height = sheet.shape[0] // 3
    strips = [sheet[i * height:(i + 1) * height] for i in range(3)]
    readings = read_strips(strips)
    assert len(readings) == 3
    assert readings[1].text.startswith("Số: 420"), readings[1].text
    assert all(w.top < height for w in readings[1].words)  # boxes within their own strip
    assert read_strips([]) == []
