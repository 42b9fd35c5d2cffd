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

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from ocr.clean import CleanedPage, clean_page, rotate_quadrant
from ocr.marks import settle_i_marks
from ocr.read import (
    BLOCK_PSM,
    installed_models,
    page_quality,
    plausible_word,
    read_page,
    read_page_with_pdf,
    read_strips,
)
from ocr.text import Line, PageText, Word

# A reading below this quality (ocr.read.page_quality) may be an upside-down page.
FLIP_CHECK_QUALITY = 0.45
# The turned reading must beat the first one by this much to be kept (noise guard).
FLIP_MARGIN = 0.05


# Missed lines: Tesseract's layout analysis (psm 3) sometimes drops a whole text line
# (seen on a real certificate: its `Nơi sinh` line). A band of ink rows that no word
# covers is read again, all such bands in one call (ocr.read.read_strips), each on its own.
BAND_MIN_HEIGHT = 12  # px at 300 DPI: smaller is speckle or a rule's remains
BAND_MAX_HEIGHT = 120  # px: taller is a picture, a seal or a block, not one line
BAND_MIN_WIDTH = 0.04  # share of the page width the band's ink must span (`Số: 5` alone: 0.05)
# A narrower band is still a line when it is as tall as the page's words and as wide as a
# short word (`Nữ` alone under `Giới tính:`, 62 px, dropped by psm 3 on a fax): widths and
# heights in the page's median word height
SHORT_LINE_WIDTH = 1.5
SHORT_LINE_HEIGHT = (0.7, 1.6)
BAND_PAD = 8
RECOVERED_MIN_CONF = 60.0
RECOVERED_SPECK_CONF = 30.0  # a one- or two-letter word under this is a speck


def missed_line_bands(binary: np.ndarray, text: PageText,
                      columns: tuple[int, int] | None = None) -> list[tuple[int, int]]:
    """(top, bottom) of ink bands that look like text lines and hold no word read, or hold
    words but also a stretch of text beside them that none covers (a label read, its value
    dropped: `Nơi đăng ký kết hôn:` without `Ủy ban nhân dân phường ...`). `columns`: the
    page's text columns (`_text_columns`) when the caller has them already."""
    ink = binary < 128
    h, w = ink.shape[:2]
    left, right = columns or _text_columns(text, w)
    ink[:, :left] = False  # a frame's sides (security paper) fill every row with ink
    ink[:, right:] = False
    rows = np.count_nonzero(ink, axis=1)
    is_ink = rows >= max(3, int(0.003 * w))
    edges = np.flatnonzero(np.diff(np.concatenate(([0], is_ink.astype(np.int8), [0]))))
    covered = np.zeros(h, dtype=bool)
    for word in text.words:
        covered[max(0, word.top): word.top + word.height] = True
    heights = [wd.height for wd in text.words if wd.conf >= TEXT_COLUMNS_CONF]
    word_h = float(np.median(heights)) if heights else 0.0
    bands = []
    for top, bottom in zip(edges[::2], edges[1::2], strict=True):
        if not BAND_MIN_HEIGHT <= bottom - top <= BAND_MAX_HEIGHT:
            continue
        if covered[top:bottom].mean() > 0.2:
            if _unread_stretch(ink[top:bottom], top, text):
                bands.append((int(top), int(bottom)))
            continue
        cols = np.flatnonzero(ink[top:bottom].any(axis=0))
        if not cols.size:
            continue
        wide = cols[-1] - cols[0]
        short_line = (word_h > 0 and wide >= SHORT_LINE_WIDTH * word_h
                      and SHORT_LINE_HEIGHT[0] * word_h <= bottom - top
                      <= SHORT_LINE_HEIGHT[1] * word_h)
        if wide >= BAND_MIN_WIDTH * w or short_line:
            bands.append((int(top), int(bottom)))
    return bands


TEXT_COLUMNS_PAD = 0.01  # share of the page width kept beside the words' columns
TEXT_COLUMNS_CONF = 60.0  # words that count for where the text lies: not frame debris
FRAME_MARGIN = 0.1  # share of the page width, at each side, where a frame can lie


def _text_columns(text: PageText, width: int) -> tuple[int, int]:
    """The columns (left, right) to look at for missed lines: all but the page's side
    margins outside the well-read words, where an ornamental frame lies. A short line
    standing out of the text's columns (`Số: 5` at the right) is still within the
    margins' inner edge; the whole width when too few words were read to tell."""
    words = [wd for wd in text.words if wd.conf >= TEXT_COLUMNS_CONF and plausible_word(wd.text)]
    if len(words) < 5:
        return 0, width
    pad = int(TEXT_COLUMNS_PAD * width)
    margin = int(FRAME_MARGIN * width)
    return (max(0, min(min(wd.left for wd in words) - pad, margin)),
            min(width, max(max(wd.right for wd in words) + pad, width - margin)))


def _unread_stretch(band: np.ndarray, top: int, text: PageText) -> bool:
    """Whether a band holds, beside the words read in it, a stretch of ink as wide as a
    missed line (BAND_MIN_WIDTH) and as tall as letters: dots of a leader or specks are
    too low, a neighbour word's edge too narrow."""
    height, w = band.shape
    read = np.zeros(w, dtype=bool)
    pad = height // 2
    for word in text.words:
        if word.top < top + height and word.top + word.height > top:
            read[max(0, word.left - pad): word.left + word.width + pad] = True
    cols = band.any(axis=0) & ~read
    xs = np.flatnonzero(cols)
    if xs.size == 0:
        return False
    # runs of unread ink columns, gaps under a letter's height bridged
    starts = np.r_[0, np.flatnonzero(np.diff(xs) > height) + 1]
    ends = np.r_[starts[1:] - 1, xs.size - 1]
    for a, b in zip(xs[starts], xs[ends], strict=True):
        if b - a < BAND_MIN_WIDTH * w:
            continue
        ink_rows = np.flatnonzero(band[:, a : b + 1].any(axis=1))
        if ink_rows[-1] - ink_rows[0] >= BAND_MIN_HEIGHT:
            return True
    return False


def recover_missed_lines(
    binary: np.ndarray, text: PageText, lang: str, timeout: float, dpi: int
) -> PageText:
    """Read the missed bands again (one Tesseract call, psm 6) and put their lines back
    in reading order. Lines read with low confidence are left out: better a field missing
    (review) than noise taken for a value."""
    h, w = binary.shape[:2]
    left, right = _text_columns(text, w)
    bands = missed_line_bands(binary, text, (left, right))
    if not bands:
        return text
    strips, origins = [], []
    for top, bottom in bands:
        a, b = max(0, top - BAND_PAD), min(h, bottom + BAND_PAD)
        strip = binary[a:b].copy()
        strip[:, :left] = 255  # the frame's sides, read as junk, would sink the line
        strip[:, right:] = 255
        for word in text.words:  # what was read stays as read: only the rest is read again
            if word.top < b and word.top + word.height > a:
                strip[max(0, word.top - a - 2): word.top + word.height - a + 2,
                      max(0, word.left - 2): word.left + word.width + 2] = 255
        strips.append(strip)
        origins.append(a)
    # each strip on its own (one Tesseract call): a frame's ornament read as junk in one
    # strip no longer changes how another is cut into words
    readings = read_strips(strips, lang=lang, timeout=timeout, psm=BLOCK_PSM, dpi=dpi)
    lines = list(text.lines)
    for n, (again, origin) in enumerate(zip(readings, origins, strict=True)):
        words = [
            Word(word.text, word.conf, word.left, word.top + origin, word.width,
                 word.height, (10_000 + n, 0, 0))
            for word in again.words if not _speck(word)
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


def _speck(word: Word) -> bool:
    """A speck of the background or a frame read as a letter or two (`T` at 0 %, beside
    `Số: 60` read again): left out of a recovered line, and of its mean confidence."""
    return len(word.text.strip()) <= 2 and word.conf < RECOVERED_SPECK_CONF


# Doubtful words: Tesseract's confidence in a correct word is often low (a short word, a
# stacked diacritic, a word touching what is left of a leader), and one such word sends a
# whole record to review. The stretches of line around them (each doubtful word with its
# neighbours) are read a second time, all in one call, from the cleaned page enlarged
# CONFIRM_SCALE times (Tesseract segments and classifies
# other pixels; the page before binarization confirmed fewer words on the demo set: 3 of
# 18 records against 5). A word both readings agree on is confirmed: its confidence
# becomes at least CONFIRMED_CONF. A word they disagree on keeps
# its first reading and its low confidence, and the record goes to review as before.
# Which words are doubtful follows what the reading of records demands of a value's words
# (schemas.reading): 0.6 for a word, up to 0.9 for the digits of an ID number.
CONFIRM_BELOW = 60.0
CONFIRM_DIGITS_BELOW = 90.0
CONFIRMED_CONF = 90.0
# One second reading only: a third one (2x, of the lines still doubtful) confirmed 3 more
# records on the 150-record set, 2 of them wrong (`Yên` for `Yến`, `Hát` for `Hải`, repeated
# by both enlarged readings): digitized precision 1.000 -> 0.973. 1.25x did the same.
CONFIRM_SCALE = 1.5
# A number the two readings disagree on is read again by other models at the page's size
# (vote_on_numbers): Tesseract's English model, then, where it reads other digits, its
# Vietnamese script model. Digits carry no Vietnamese marks, and other models do not share
# vie's confusions (`vie` read a clean Noto Serif `074088114160` as `074055114160` at 1.5x
# and `074056114160` at 2x and 3x; `eng` read it right at every size; a display face's `4`
# is `1` to `vie` at every size, `4` to both others).
NUMBER_MODEL = "eng"
NUMBER_SECOND_MODEL = "Vietnamese"
# A third reading by `vie`, twice as large, of the numbers still doubtful (fourteenth
# session, +7 records then) was dropped once the vote came: on the nine sets it added one
# record (a date at 74 %) for 0.05 s/page, and two readings of one model agreeing is weak
# evidence: it confirmed a road code `T743,` for `ĐT743,` at 17 %.
CONFIRM_MAX_STRETCHES = 120
NEIGHBOUR_GAP = 1.5  # line heights: a word farther away is another column's
CONFIRM_PAD = 10
_EDGE_PUNCTUATION = ".,:;|!'\"`‘’“”„‚-–—_~…¬[]{}"
# the fraction and division slashes one reading gives for the `/` the other reads
_SLASHES = str.maketrans({"\u2044": "/", "\u2215": "/"})
PUNCTUATION_WIDTH = 0.4  # a dot or a comma against a letter, in Tesseract's boxes
_CODE = re.compile(r"^[^\W\d_]{1,4}\d{1,6}$")
_NUMBER = re.compile(r"\d+(?:[./-]\d+)*")


def _edge_lengths(text: str) -> tuple[int, int]:
    """How many characters at each end of `text` are a leader's or a rule's punctuation."""
    return (len(text) - len(text.lstrip(_EDGE_PUNCTUATION)),
            len(text) - len(text.rstrip(_EDGE_PUNCTUATION)))


def _core_span(word: Word, left: float = 0.0, scale: float = 1.0) -> tuple[float, float]:
    """Where on the page the core of `word` lies (left, right): a word read with a long
    leader (`Hoàng.........`) has its box, and its centre, mostly over the dots. Widths
    are shared out by character, a punctuation mark counting PUNCTUATION_WIDTH of a
    letter. A word of a reading enlarged `scale` times at `left` on the page comes back in
    the page's coordinates."""
    text = word.text.translate(_SLASHES)
    lead, trail = _edge_lengths(text)
    weights = [PUNCTUATION_WIDTH if ch in _EDGE_PUNCTUATION else 1.0 for ch in text]
    total = sum(weights)
    start, end = 0.0, 1.0
    if total and lead + trail < len(text):
        start = sum(weights[:lead]) / total
        end = sum(weights[:len(text) - trail]) / total
    return (left + (word.left + word.width * start) / scale,
            left + (word.left + word.width * end) / scale)


def _core(text: str) -> str:
    """A word without the punctuation a leader or a rule leaves at its edges, its slashes
    plain and single (`|22⁄11⁄2004` and `22/11/2004` are one reading; so are `391/⁄2021`,
    one slash read twice, and `391/2021`)."""
    return re.sub(r"/{2,}", "/", text.translate(_SLASHES)).strip(_EDGE_PUNCTUATION)


def _doubtful(word: Word) -> bool:
    """A word worth a second reading: one that looks like a word or a number (not debris,
    which no second reading makes useful) and whose confidence would hold a record back.
    Not a number the vote disputed: `vie` reading it again repeats its own confusion."""
    if word.disputed:
        return False
    core = _core(word.text)
    # judged on its letters (`..PHẠM`: a leader's dots glued to a name); a road's or a
    # form's code (`ĐT743`, `DC01`) is a word too
    if not (plausible_word(core) or _CODE.match(core)):
        return False
    limit = CONFIRM_DIGITS_BELOW if any(ch.isdigit() for ch in word.text) else CONFIRM_BELOW
    return word.conf < limit


def _doubtful_number(word: Word) -> bool:
    """A doubtful word with digits: one the other models vote on (vote_on_numbers)."""
    return _doubtful(word) and any(ch.isdigit() for ch in word.text)


# letters a number's digits are read as (`O74175133950`, `Ø7`, `l2/11/2021`)
_LETTERS_AS_DIGITS = str.maketrans({"O": "0", "o": "0", "Ø": "0", "ø": "0", "l": "1", "I": "1",
                                    "|": "1"})


def _number_with_letters(word: Word) -> bool:
    """A number with a letter read for one of its digits (`O74175133950` at 90 %): however
    confident, the letter makes it a repair a clerk checks, unless other models read the
    digit."""
    core = _core(word.text)
    as_digits = core.translate(_LETTERS_AS_DIGITS)
    return (as_digits != core and any(ch.isdigit() for ch in core)
            and bool(_NUMBER.fullmatch(as_digits)))


def _voted_number(word: Word) -> bool:
    """A number the other models vote on: any plain number (digits, and `/`, `.` or `-`
    between them), however confident, a number with a letter for a digit, and a word of
    letters that are how `vie` reads ones (`_ones_as_letters`). Read as part of its whole
    page, `vie` gave `074097448168` at 93 % for a clean Liberation Mono `074097418168` that
    all three models read right in the vote's crops (fresh seed 2026: a record counted
    wrong), and a display face's `426` as `126` at 94 % (held-out seed 5757: counted wrong;
    both others read `426`). The confident numbers of seeds 4545 and 5757 not voted on
    before: 4,043 words, 13 read otherwise by the English model, none of them a right
    reading the vote then changed or disputed (DISPUTED_CONF)."""
    return (_doubtful_number(word) or _number_with_letters(word)
            or (bool(_NUMBER.fullmatch(_core(word.text)))
                and not _LIST_MARKER.fullmatch(word.text))
            or _ones_as_letters(word))


# a numbered line's number (`12.`): a third of the numbers on the pages of five sets, and
# never a value; read surely, the vote leaves it alone
_LIST_MARKER = re.compile(r"\d{1,2}\.")


# Letters `vie` reads for the digit 1 of a serif face whose 1 has a foot (FreeSerif:
# `Tổ 11,` read `Tổ I I,` at 83 and 63 %, `ấp 1,` read `ấp I,`, `khu phố 11` read
# `khu phố l I`; held-out seeds 21-58: 13 addresses, each one a record sent to review).
# `eng` and the script model read such a word `11,`. No Vietnamese word is made of them.
_ONE_LETTERS = frozenset("Il")


def _ones_as_letters(word: Word) -> bool:
    core = _core(word.text)
    return bool(core) and set(core) <= _ONE_LETTERS


def _join_split_ones(text: PageText) -> tuple[PageText, dict[tuple[int, int], list[Word]]]:
    """The page with each run of neighbouring `_ones_as_letters` words made one word (the
    gap between a serif face's two ones is a word space to Tesseract: `I I,` for `11,`),
    and the words each joined word stands for, by (line, word index)."""
    joined: dict[tuple[int, int], list[Word]] = {}
    lines = list(text.lines)
    for i, line in enumerate(text.lines):
        words: list[Word] = []
        for word in line.words:
            last = words[-1] if words else None
            if (last is not None and _ones_as_letters(last) and _ones_as_letters(word)
                    and last.text == _core(last.text)  # no comma between them
                    and word.left - last.right <= NEIGHBOUR_GAP * max(last.height, word.height)):
                parts = joined.pop((i, len(words) - 1), [last]) + [word]
                top = min(last.top, word.top)
                words[-1] = Word(last.text + word.text, min(last.conf, word.conf), last.left,
                                 top, word.right - last.left,
                                 max(last.top + last.height, word.top + word.height) - top,
                                 last.line_key)
                joined[(i, len(words) - 1)] = parts
            else:
                words.append(word)
        if len(words) < len(line.words):
            lines[i] = Line(words)
    if not joined:
        return text, joined
    return replace(text, lines=lines), joined


def _unjoin_unread_ones(text: PageText, joined: dict[tuple[int, int], list[Word]]) -> PageText:
    """The voted page with the words `_join_split_ones` joined put back as they were read,
    unless the vote read them as a number: a join is kept only with the digits of two
    other models."""
    lines = list(text.lines)
    for i in sorted({i for i, _ in joined}):
        words: list[Word] = []
        for k, word in enumerate(text.lines[i].words):
            parts = joined.get((i, k))
            if parts is not None and not (word.confirmed and _core(word.text).isdigit()):
                words.extend(parts)
            else:
                words.append(word)
        lines[i] = Line(words)
    return replace(text, lines=lines)


def _doubtful_runs(words: list[Word],
                   doubtful: Callable[[Word], bool] = _doubtful) -> list[list[Word]]:
    """The stretches of a line to read again: its doubtful words, each with the word on
    either side (read alone, a word loses what the words around it tell Tesseract's
    language model: `ĐT743,` came back `DT743,`), stretches that touch made one."""
    def near(a: Word, b: Word) -> bool:  # b follows a within a few spaces (not a column)
        return b.left - a.right <= NEIGHBOUR_GAP * max(a.height, b.height)

    runs: list[list[int]] = []
    for k, word in enumerate(words):
        if not doubtful(word):
            continue
        first = k - 1 if k > 0 and near(words[k - 1], word) else k
        last = k + 1 if k + 1 < len(words) and near(word, words[k + 1]) else k
        if runs and first <= runs[-1][-1]:
            runs[-1][-1] = last
        else:
            runs.append([first, last])
    return [words[first:last + 1] for first, last in runs]


# What another reading gives under a doubtful word of the first: the cores of its words
# whose middles lie in each other's (one each, usually), and the cores of several words
# joined when the other reading found spaces the first lost (`HOÀNGQUỐCQUÂN`, at 0 %, read
# again as three words), with the least of their confidences.
@dataclass(frozen=True)
class OtherReading:
    words: tuple[tuple[str, float], ...]
    joined: tuple[str, float] | None = None

    def agreeing(self, core: str) -> tuple[str, float] | None:
        """The reading that says `core`: one word of it (another beside it under the same
        box, a speck read `PO,`, does not undo that), else the joined words."""
        same = [wc for wc in self.words if core and wc[0] == core]
        if not same and core and self.joined and self.joined[0] == core:
            same = [self.joined]
        return same[0] if len(same) == 1 else None

    def said(self) -> str | None:
        """The one word this reading gives in the place, if it gives exactly one."""
        return self.words[0][0] if len(self.words) == 1 else None


def read_doubtful_again(
    image: np.ndarray, text: PageText, lang: str, timeout: float, dpi: int,
    scale: float = CONFIRM_SCALE, doubtful: Callable[[Word], bool] = _doubtful,
) -> dict[tuple[int, int], OtherReading]:
    """Read the stretches of lines around doubtful words again from `image` enlarged
    `scale` times (one canvas, one Tesseract call with model `lang`, psm 6) and give what
    it reads under each doubtful word (line index, word index)."""
    stretches = [(i, run) for i, line in enumerate(text.lines)
                 for run in _doubtful_runs(line.words, doubtful)]
    if not stretches:
        return {}
    h, w = image.shape[:2]
    margin = int(CONFIRM_PAD * scale)
    crops: list[np.ndarray] = []
    placed: list[tuple[int, int, int, int]] = []  # line, (y0, y1) on the canvas, page left
    y = margin
    for i, run in stretches[:CONFIRM_MAX_STRETCHES]:
        words = text.lines[i].words
        # the line's full height (its words share one x-height and baseline), only the
        # run's width: most of a line is words nobody doubts, and Tesseract's time goes
        # with the width it reads
        top = max(0, min(wd.top for wd in words) - CONFIRM_PAD)
        bottom = min(h, max(wd.top + wd.height for wd in words) + CONFIRM_PAD)
        left = max(0, min(wd.left for wd in run) - CONFIRM_PAD)
        right = min(w, max(wd.right for wd in run) + CONFIRM_PAD)
        if bottom <= top or right <= left:
            continue
        crop = image[top:bottom, left:right]
        if scale != 1.0:
            crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        crops.append(crop)
        placed.append((i, y, y + crop.shape[0], left))
        y += crop.shape[0] + 2 * margin
    if not crops:
        return {}
    canvas = np.full((y, max(c.shape[1] for c in crops) + 2 * margin), 255, dtype=np.uint8)
    for crop, (_, y0, y1, _) in zip(crops, placed, strict=True):
        canvas[y0:y1, margin:margin + crop.shape[1]] = crop
    again = read_page(canvas, lang=lang, timeout=timeout, psm=BLOCK_PSM, dpi=int(dpi * scale))
    second_by_line: dict[int, list[tuple[float, float, Word]]] = {}
    for i, y0, y1, left in placed:
        second_by_line.setdefault(i, []).extend(
            (*_core_span(r, left - margin / scale, scale), r)
            for r in again.words if y0 <= r.top + r.height / 2 < y1)
    found: dict[tuple[int, int], OtherReading] = {}
    for i, second in second_by_line.items():
        for k, word in enumerate(text.lines[i].words):
            if not doubtful(word):
                continue
            # the two readings' cores overlap each other's middle
            start, end = _core_span(word)
            center = (start + end) / 2
            match = tuple((_core(r.text), r.conf) for x0, x1, r in second
                          if x0 <= center <= x1 and start <= (x0 + x1) / 2 <= end)
            inside = sorted(((x0, r) for x0, x1, r in second
                             if start <= (x0 + x1) / 2 <= end), key=lambda xr: xr[0])
            joined = None
            if len(inside) > 1:
                joined = ("".join(_core(r.text) for _, r in inside),
                          min(r.conf for _, r in inside))
            found[(i, k)] = OtherReading(match, joined)
    return found


def _confirm(text: PageText, confirming: dict[tuple[int, int], float]) -> PageText:
    """The page with the words `confirming` names confirmed (at least at the confidence
    of the reading that agreed)."""
    if not confirming:
        return text
    lines = list(text.lines)
    for i in {i for i, _ in confirming}:
        lines[i] = Line([replace(w, conf=max(w.conf, conf, CONFIRMED_CONF), confirmed=True)
                         if (conf := confirming.get((i, k))) is not None else w
                         for k, w in enumerate(lines[i].words)])
    return PageText(lines=lines, mean_conf=text.mean_conf, quality=text.quality,
                    width=text.width, height=text.height)


def confirm_doubtful_words(
    image: np.ndarray, text: PageText, lang: str, timeout: float, dpi: int,
    scale: float = CONFIRM_SCALE, doubtful: Callable[[Word], bool] = _doubtful,
) -> PageText:
    """Read the stretches of lines around doubtful words again (read_doubtful_again) and
    raise the confidence of the words both readings agree on. Nothing else changes: no word
    is replaced, added or removed."""
    other = read_doubtful_again(image, text, lang, timeout, dpi, scale, doubtful)
    confirming = {}
    for (i, k), reading in other.items():
        agree = reading.agreeing(_core(text.lines[i].words[k].text))
        if agree is not None:
            confirming[(i, k)] = agree[1]
    return _confirm(text, confirming)


def _same_shape(proposed: str | None, core: str) -> bool:
    """Two plain numbers (digits and `/`, `.` or `-` between them) with the same separators
    in the same places: only digits differ (`074070261904` for `074070261901`, `142/1991`
    for `4142/1991`; not `3818229` for `18//93`)."""
    return bool(proposed and _NUMBER.fullmatch(proposed) and _NUMBER.fullmatch(core)
                and re.sub(r"\d+", "0", proposed) == re.sub(r"\d+", "0", core))


def _lost_separator(proposed: str | None, core: str) -> bool:
    """A plain number whose first reading lost separators the others read (`0805/1995` at
    4 % for a printed `08/05/1995`, which the other two models read): the first reading is
    the other one with one or more separators, and nothing else, left out."""
    if not (proposed and _NUMBER.fullmatch(proposed) and _NUMBER.fullmatch(core)
            and len(proposed) > len(core)):
        return False
    kept = 0
    for ch in proposed:
        if kept < len(core) and core[kept] == ch:
            kept += 1
        elif ch.isdigit():
            return False
    return kept == len(core)


# the letters the English model cannot read, as it reads them (`DT743` for `ĐT743`)
_AS_ENGLISH = str.maketrans({"Đ": "D", "đ": "d"})


def _same_digits_of_a_code(proposed: str | None, core: str) -> bool:
    """A road's or a form's code read with other letters, its digits the same (`DT743` for
    `T743`, whose `Đ` the first reading lost at 0 %)."""
    return bool(proposed and _CODE.fullmatch(proposed) and _CODE.fullmatch(core)
                and proposed != core
                and re.sub(r"\D", "", proposed) == re.sub(r"\D", "", core))


# A number the English model reads with a digit otherwise, which the script model reads
# neither as the first reading nor as the English model did (`17,` read `47` and `37`,
# `1953` read `1954` and `121954`: a display face's 4, held-out seed 5757, both `vie`'s
# misreadings, one at 90 %): three readings, no two alike. It keeps its first reading at
# this confidence, under every floor the reading of records holds a value to, and the
# confirm stage does not read it again (`vie` repeats its confusions at any size).
DISPUTED_CONF = 50.0


def _digit_read_otherwise(proposed: str | None, core: str) -> bool:
    """The number model's `proposed` is `core` with other digits in the same places (not
    more or fewer of them: a crop that took a neighbour's digits in, `761998` for `1998`,
    says nothing of the digits)."""
    return (_same_shape(proposed, core) and proposed != core
            and len(re.sub(r"\D", "", proposed or "")) == len(re.sub(r"\D", "", core)))


# A runner-up of the first reading at this confidence or more (ocr.read's rivals)
RUNNER_UP_SAID_MIN = 40.0


def _runner_up_said(word: Word, said: str | None) -> bool:
    """The number model read what the first reading's own runner-up is (RUNNER_UP_SAID_MIN
    or more): two readings against the script model's agreeing with the first. On the
    stored pages of nine sets, numbers in fields so: `411` at 93 % for a display face's
    `414` (runner-up `414` at 54 %, held-out seed 4848, held only by another field's doubt),
    `99` for `09`, `2615` for `2015`, `974...` for `074...`: the first reading wrong each
    time. A numbered line's number is no value (`5.`, its runner-up `3.`)."""
    return bool(said) and not _LIST_MARKER.fullmatch(word.text) and any(
        conf >= RUNNER_UP_SAID_MIN and _core(rival) == said for rival, conf in word.rivals)


def _seconded(digits: str | None, said: str | None) -> str | None:
    """What the word becomes when the second model's reading `said` agrees with the first
    model's `digits`: the same but for the letters only the second model has (`ĐT743`), or,
    for a plain number, the same but for letters that are how it reads a digit (`251/202l`
    for the `251/2021` `eng` read, where `vie` gave `251/202I`: a serif face's 1)."""
    if digits is None or said is None:
        return None
    if said.translate(_AS_ENGLISH) == digits:
        return said
    if _NUMBER.fullmatch(digits) and said.translate(_LETTERS_AS_DIGITS) == digits:
        return digits
    return None


def vote_on_numbers(image: np.ndarray, text: PageText, timeout: float, dpi: int,
                    doubtful: Callable[[Word], bool] = _voted_number) -> PageText:
    """Numbers (`_voted_number`) read again by other models at the page's size. A number
    the NUMBER_MODEL reads as the first reading did is confirmed. One it reads as another
    number of the same shape is read by the NUMBER_SECOND_MODEL too (that call only where
    such a number is); when both read it alike (`0410177917101` at 72 %, both others
    `040177917104`), it takes their digits, confirmed: three models read it, two of them
    alike. When the second reads it as the first reading did, it stands, unless the number
    model read the first reading's own runner-up (`_runner_up_said`); when the second reads
    a third number, it is disputed (DISPUTED_CONF). The second model alone confirms
    nothing: it agreed with `vie` on two misread registration numbers (`3221/1995` for
    `221/1995`)."""
    text, joined = _join_split_ones(text)
    first = read_doubtful_again(image, text, NUMBER_MODEL, timeout, dpi, scale=1.0,
                                doubtful=doubtful)
    confirming: dict[tuple[int, int], float] = {}
    proposed: dict[tuple[int, int], OtherReading] = {}
    agreed: dict[tuple[int, int], tuple[str, float]] = {}  # the number both read, its conf
    disputed: set[tuple[int, int]] = set()
    for (i, k), reading in first.items():
        core = _core(text.lines[i].words[k].text)
        agree = reading.agreeing(core)
        as_digits = core.translate(_LETTERS_AS_DIGITS)
        if agree is not None:
            confirming[(i, k)] = agree[1]
        elif _serif_ones_or_round_zeros(core) and (agree := reading.agreeing(as_digits)):
            agreed[(i, k)] = (as_digits, agree[1])
        elif (fours := _broken_fours(as_digits)) != as_digits \
                and (agree := reading.agreeing(fours)):
            agreed[(i, k)] = (fours, agree[1])
        elif _same_shape(reading.said(), as_digits) \
                or _same_digits_of_a_code(reading.said(), core) \
                or _lost_separator(reading.said(), core):
            proposed[(i, k)] = reading
    if proposed:
        asked = {id(text.lines[i].words[k]) for i, k in proposed}
        second = read_doubtful_again(image, text, NUMBER_SECOND_MODEL, timeout, dpi,
                                     scale=1.0, doubtful=lambda w: id(w) in asked)
        for (i, k), reading in proposed.items():
            seconded = second.get((i, k))
            said = seconded.said() if seconded is not None else None
            number = _seconded(reading.said(), said)
            if number is not None and seconded is not None:
                agreed[(i, k)] = (number, min(reading.words[0][1], seconded.words[0][1]))
                continue
            word = text.lines[i].words[k]
            core = _core(word.text)
            if _digit_read_otherwise(reading.said(), core.translate(_LETTERS_AS_DIGITS)) \
                    and not (seconded is not None and seconded.agreeing(core)
                             and not _runner_up_said(word, reading.said())):
                disputed.add((i, k))
    # the words the vote changes: disputed ones keep their text, agreed ones take the
    # number both other models read
    changed: dict[tuple[int, int], Word] = {}
    for i, k in disputed:
        word = text.lines[i].words[k]
        changed[(i, k)] = replace(word, conf=min(word.conf, DISPUTED_CONF), confirmed=False,
                                  disputed=True)
    for (i, k), (number, conf) in agreed.items():
        word = text.lines[i].words[k]
        lead, trail = _edge_lengths(word.text)
        changed[(i, k)] = replace(word, text=word.text[:lead] + number
                                  + word.text[len(word.text) - trail:], rivals=(),
                                  conf=max(conf, CONFIRMED_CONF), confirmed=True)
    if changed:
        lines = list(text.lines)
        for i in {i for i, _ in changed}:
            lines[i] = Line([changed.get((i, k), w) for k, w in enumerate(lines[i].words)])
        text = PageText(lines=lines, mean_conf=text.mean_conf, quality=text.quality,
                        width=text.width, height=text.height)
    return _unjoin_unread_ones(_confirm(text, confirming), joined)


# The letters `vie` reads for a serif face's 1 with a foot, and for a round 0 (`tháng I2`
# for `tháng 12`, FreeSerif, held-out seed 6464: four right records held for a digit
# repaired): where the number model reads that number, two models read it. Not `|`, which
# a table's rule beside a number is to both.
_DIGIT_LIKE_LETTERS = _ONE_LETTERS | frozenset("Oo")


def _serif_ones_or_round_zeros(core: str) -> bool:
    """A number whose only letters are `_DIGIT_LIKE_LETTERS` (`I2`, `l1/02/2019`)."""
    letters = {ch for ch in core if ch.isalpha()}
    return bool(letters) and letters <= _DIGIT_LIKE_LETTERS and any(ch.isdigit() for ch in core)


# A display face's 4 whose hairline diagonal the cleaning lost is its bar and its stem,
# which `vie` reads `-1` inside a number (held-out seed 3434, Noto Serif Display: six ID
# numbers, `07-1169669561` for `074169669561`, `07-119-1368964` for `074194368964`); the
# number model reads the 4. Only a hyphen after a digit: a number printed with hyphens is
# read with them by the number model too, which then does not agree.
_BROKEN_FOUR = re.compile(r"(?<=\d)-1")


def _broken_fours(core: str) -> str:
    """`core` with each `-1` after a digit read as the 4 it is when the 4 lost its
    diagonal (`07-1169669561` -> `074169669561`)."""
    return _BROKEN_FOUR.sub("4", core)


def missing_models(lang: str) -> list[str]:
    """The Tesseract models process_page reads with (`lang`, then the numbers' vote's)
    that this machine lacks: each is a Debian package (tesseract-ocr-vie, -eng,
    -script-viet), checked before a batch rather than failing on every page."""
    have = installed_models()
    return [m for m in (*lang.split("+"), NUMBER_MODEL, NUMBER_SECOND_MODEL) if m not in have]


# The timings of `process_page` that are Tesseract calls (the first reading, then the
# readings again of all or part of the page), and the work on a page already read; every
# other timing is a cleaning stage (ocr.clean).
READING_STAGES = ("ocr", "sideways_reread", "orientation_reread", "light_strokes_reread",
                  "missed_lines", "number_vote", "confirm_words")
AFTER_READING_STAGES = ("i_marks",)


@dataclass
class PageReading:
    cleaned: CleanedPage
    text: PageText
    # stage -> seconds: the cleaning stages, READING_STAGES and AFTER_READING_STAGES
    timings: dict[str, float] = field(default_factory=dict)
    # the page as a searchable PDF (image + text layer of the kept reading), when asked
    pdf: bytes | None = None


def needs_flip_check(text: PageText, cleaned: CleanedPage) -> bool:
    """Read the page turned 180 degrees too? Never when the text lines' shape already said
    which way is up; otherwise when the first reading is poor, or when the cleaning could
    not tell 90 from 270."""
    if cleaned.upright_sure:
        return False
    return not cleaned.orientation_sure or text.quality < FLIP_CHECK_QUALITY


# A page turned a quarter on a guess (the profiles said sideways, OSD could not say which
# way) that Tesseract reads anyway, its layout analysis finding the lines running down
# the page: the words' boxes stand up. A sparse upright page (seven numbered lines and a
# signature, held-out set) was turned so and read at 0.87 with its ID number garbled.
STANDING_WORDS_MIN = 8
STANDING_SHARE = 0.6


def words_stand_up(text: PageText) -> bool:
    """True when most words of three characters or more are taller than wide: the page was
    read with its lines running down, i.e. it is turned a quarter from how it was read."""
    long_words = [w for w in text.words if sum(ch.isalnum() for ch in w.text) >= 3]
    if len(long_words) < STANDING_WORDS_MIN:
        return False
    standing = sum(w.height > w.width for w in long_words)
    return standing >= STANDING_SHARE * len(long_words)


def better_reading(first: PageText, turned: PageText) -> bool:
    """True when the reading of the page turned 180 degrees is clearly the better one."""
    return turned.quality > first.quality + FLIP_MARGIN


# A page read poorly (mean word confidence under LIGHT_STROKES_RETRY_CONF) is cleaned again
# with the ink cap LIGHT_STROKES_CAP_SHARE of the way to the paper, and read again: strokes
# lighter than the cap (a high-contrast face's 1 px hairlines, the bar of `H`, the `/` of a
# date) are cut into specks by the threshold and lost; this cleaning also gives back the
# hairlines themselves (`restore_hairlines`). The reading with the better quality is kept
# (measured in the thirteenth, eighteenth and nineteenth sessions; see docs/design.md: a
# display face's page first read at 86-90 kept its lost `/` and `A` legs under 86).
LIGHT_STROKES_RETRY_CONF = 90.0
LIGHT_STROKES_CAP_SHARE = 0.8
LIGHT_STROKES_MARGIN = 0.01


def process_page(
    image: np.ndarray, dpi: float | None = None, lang: str = "vie", timeout: float = 180,
    searchable_pdf: bool = False,
) -> PageReading:
    """`searchable_pdf`: the first reading also writes the page as a searchable PDF, in the
    same Tesseract call (`tesseract ... tsv pdf`)."""
    cleaned = clean_page(image, dpi)
    timings = dict(cleaned.timings)
    ppi = int(round(cleaned.dpi))

    def read(img: np.ndarray) -> tuple[PageText, bytes | None]:
        if searchable_pdf:
            return read_page_with_pdf(img, lang=lang, timeout=timeout, dpi=ppi, rivals=True)
        return read_page(img, lang=lang, timeout=timeout, dpi=ppi, rivals=True), None

    t0 = time.perf_counter()
    text, pdf = read(cleaned.image)
    timings["ocr"] = time.perf_counter() - t0
    if not cleaned.orientation_sure and words_stand_up(text):
        t0 = time.perf_counter()
        lying = clean_page(image, dpi, sideways=False)
        again, again_pdf = read(lying.image)
        # not by quality: Tesseract's confidence in lines it read standing up is no
        # measure of them (0.87 for the page above, its ID number garbled; lying: 0.74,
        # the ID number right)
        if not words_stand_up(again) and again.quality >= FLIP_CHECK_QUALITY:
            cleaned, text, pdf = lying, again, again_pdf
        timings["sideways_reread"] = time.perf_counter() - t0
    if needs_flip_check(text, cleaned):
        t0 = time.perf_counter()
        turned_image = rotate_quadrant(cleaned.image, 180)
        turned, turned_pdf = read(turned_image)
        timings["orientation_reread"] = time.perf_counter() - t0
        if better_reading(text, turned):
            cleaned.image = turned_image
            cleaned.rotation = (cleaned.rotation + 180) % 360
            text, pdf = turned, turned_pdf
        cleaned.orientation_sure = True
    if cleaned.thresholded and text.mean_conf < LIGHT_STROKES_RETRY_CONF:
        t0 = time.perf_counter()
        darker = clean_page(image, dpi, cap_share=LIGHT_STROKES_CAP_SHARE, hairlines=True)
        turn = (cleaned.rotation - darker.rotation) % 360
        if turn:
            darker.image = rotate_quadrant(darker.image, turn)
        if darker.image.shape == cleaned.image.shape:
            again, again_pdf = read(darker.image)
            if again.quality > text.quality + LIGHT_STROKES_MARGIN:
                cleaned.image, text, pdf = darker.image, again, again_pdf
        timings["light_strokes_reread"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    text = recover_missed_lines(cleaned.image, text, lang, timeout, ppi)
    timings["missed_lines"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    # the other models vote first: the first model's own second reading agreed with it on
    # a `4142/1991` printed `142/1991` (both others read `142/1991`)
    text = vote_on_numbers(cleaned.image, text, timeout, ppi)
    timings["number_vote"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    text = confirm_doubtful_words(cleaned.image, text, lang, timeout, ppi)
    timings["confirm_words"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    text = settle_i_marks(cleaned.image, text)
    timings["i_marks"] = time.perf_counter() - t0
    return PageReading(cleaned, text, timings, pdf)
