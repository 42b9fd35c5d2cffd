"""The mark above an `i`: its dot, or a tone mark in the dot's place (`ì í ỉ ĩ`).

Tesseract's `vie` model often hesitates over that one mark: its runner-up for a clean
`Chi` is `Chỉ` and the other way round (ocr.read's rivals; on the nine benchmark sets one
rival in ten is such a pair). Names are where it matters: `Chi`, `Chỉ` and `Chí` are all
names, so neither the vocabulary nor a second reading can tell them apart.

The pixels can, when the page itself shows how its font draws both. An `i` is a narrow
stem with the mark above it, apart; the mark's size and shape are measured against the
marks of the words on the same page that Tesseract read with no doubt, in a font of the
same stroke and height. Where those words' dots and tone marks are clearly apart (a tone
mark's box at least DOT_TONE_RATIO times a dot's) the doubtful mark is judged with them;
where they are not (some serif faces draw `ỉ` as a dot with a tail a pixel long), nothing
is judged and the doubt stays. Measured on the stored pages of four benchmark sets (0, 33,
77 and the held-out fonts), each confident `i` judged by the others of its page: 6,633 of
10,187 judged, 3 wrongly (docs/design.md has the figures of the choices made).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from ocr.text import Line, PageText, Word, nfc

DOTTED = frozenset("iị")  # `ị` keeps its dot above; its mark is below
TONED = frozenset("ìíỉĩ")
I_LETTERS = DOTTED | TONED

DOT_TONE_RATIO = 1.5  # how much larger a tone mark's box must be than a dot's, on the page
DOT_SLACK = 1.15  # a dot may be this much larger than the page's largest
REFERENCE_CONF = 93.0  # words whose marks teach the page's font
MIN_REFERENCES = 2  # of each kind, in the same font
# px: a dot smaller than 3x3 on the cleaned page is too few pixels to measure (a blurred
# scan thresholded: dots of 2x2, tone marks of 2x3, one pixel apart)
MIN_DOT_BOX = 9
MIN_SPECK_AREA = 4  # px: smaller components are noise, not a mark
STEM_MIN_HEIGHT = 0.3  # share of the word's box height
STEM_MAX_WIDTH = 0.45  # a stem's stroke against its height: wider is a blob, no stem
STEM_ONE_RUN = 0.7  # share of its rows a stem crosses once (`n` and `u` cross twice)
SAME_STROKE = 1  # px of stroke width two marks' fonts may differ by
SAME_HEIGHT = 0.15  # share of stem height likewise
BOX_PAD = 3
# A rival replaces the reading only where Tesseract nearly chose it (its confidence at least
# this share of the reading's): a confident `tỉnh` (96 %, `tinh` at 24 %) whose hook a heavy
# degradation had worn to a dot was right, and a word's context is evidence too.
RIVAL_SHARE = 0.35


@dataclass(frozen=True)
class IMark:
    """The ink above one `i`'s stem, measured."""

    stroke: float  # the stem's width: the font's stroke
    stem_height: int
    width: int
    height: int
    area: int  # ink pixels
    pieces: int  # connected components

    @property
    def box(self) -> int:
        return self.width * self.height

    @property
    def fill(self) -> float:
        return self.area / self.box

    @property
    def aspect(self) -> float:
        return min(self.width, self.height) / max(self.width, self.height)

    @property
    def dot_shaped(self) -> bool:
        """One compact, nearly square blob: a dot (or a tone mark drawn like one)."""
        return self.pieces == 1 and self.fill >= 0.65 and self.aspect >= 0.6

    @property
    def blob_shaped(self) -> bool:
        """A solid square blob: no tone mark looks like it, however large."""
        return self.fill >= 0.75 and self.aspect >= 0.7

    def same_font(self, other: IMark) -> bool:
        return (abs(self.stroke - other.stroke) <= SAME_STROKE
                and abs(self.stem_height - other.stem_height) <= SAME_HEIGHT * other.stem_height)


def i_marks(image: np.ndarray, word: Word) -> list[IMark]:
    """The marks above the narrow stems in `word`'s box, left to right: one per `i` when
    the word's ink is what it seems."""
    h, w = image.shape[:2]
    top, bottom = max(0, word.top - BOX_PAD), min(h, word.top + word.height + BOX_PAD)
    left, right = max(0, word.left - BOX_PAD), min(w, word.right + BOX_PAD)
    ink = (image[top:bottom, left:right] < 128).astype(np.uint8)
    if ink.size == 0:
        return []
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    parts = [(k, *map(int, stats[k])) for k in range(1, n)
             if stats[k][cv2.CC_STAT_AREA] >= MIN_SPECK_AREA]
    found: list[tuple[int, IMark]] = []
    for k, x, y, cw, ch, _ in parts:
        if ch < STEM_MIN_HEIGHT * ink.shape[0]:
            continue
        stem = (labels[y:y + ch, x:x + cw] == k).astype(np.int8)
        stroke = float(np.median(stem.sum(axis=1)))
        runs = (np.diff(np.pad(stem, ((0, 0), (1, 0))), axis=1) == 1).sum(axis=1)
        if stroke > STEM_MAX_WIDTH * ch or (runs == 1).mean() < STEM_ONE_RUN:
            continue
        above = [p for p in parts if p[0] != k and p[2] + p[4] <= y + 1 and p[4] < ch
                 and x - stroke <= p[1] + p[3] / 2 <= x + cw + stroke]
        if not above:
            continue
        x0, y0 = min(p[1] for p in above), min(p[2] for p in above)
        x1, y1 = max(p[1] + p[3] for p in above), max(p[2] + p[4] for p in above)
        found.append((x, IMark(stroke, ch, x1 - x0, y1 - y0, sum(p[5] for p in above),
                               len(above))))
    return [mark for _, mark in sorted(found, key=lambda xm: xm[0])]


def _marks_of(image: np.ndarray, word: Word) -> list[tuple[bool, IMark]] | None:
    """(dotted, mark) for each `i` of `word`, or None when its stems and its `i`s do not
    pair up one to one."""
    letters = [ch for ch in nfc(word.text) if ch in I_LETTERS]
    if not letters:
        return None
    marks = i_marks(image, word)
    if len(marks) != len(letters):
        return None
    return [(ch in DOTTED, mark) for ch, mark in zip(letters, marks, strict=True)]


def page_references(image: np.ndarray, text: PageText) -> list[tuple[bool, IMark]]:
    """The marks of the `i`s Tesseract read with no doubt on the page, lower case (capital
    `I` has no dot to compare): what its fonts' dots and tone marks look like."""
    refs: list[tuple[bool, IMark]] = []
    for word in text.words:
        if word.conf < REFERENCE_CONF or word.rivals or not word.text.isalpha() \
                or word.text.isupper():
            continue
        refs += _marks_of(image, word) or []
    return refs


def judge(mark: IMark, references: list[tuple[bool, IMark]]) -> bool | None:
    """True for a dot, False for a tone mark, None when the page cannot tell: fewer than
    MIN_REFERENCES of either kind in the mark's font, or dots and tone marks there that
    are not clearly apart. Marks are compared by the box they fill (a grave's ink is a
    dot's, spread over a larger box), and only a mark in one piece is judged (two pieces
    are a broken mark or a neighbour's)."""
    if mark.pieces != 1:
        return None
    dots = [m.box for dotted, m in references
            if dotted and m.pieces == 1 and m.same_font(mark)]
    tones = [m.box for dotted, m in references if not dotted and m.same_font(mark)]
    if len(dots) < MIN_REFERENCES or len(tones) < MIN_REFERENCES:
        return None
    if max(dots) < MIN_DOT_BOX or max(dots) * DOT_TONE_RATIO > min(tones):
        return None
    if mark.dot_shaped and mark.box <= max(dots) * DOT_SLACK \
            and mark.box * DOT_TONE_RATIO <= min(tones):
        return True
    if mark.box * DOT_SLACK >= min(tones) and mark.box >= DOT_TONE_RATIO * max(dots) \
            and not mark.blob_shaped:
        return False
    return None


def _i_rival(word: Word, rival: str) -> int | None:
    """Which of `word`'s `i`s (0 for the first) a rival reading changes from a dot to a
    tone mark or back, when that is all it changes."""
    read, other = nfc(word.text), nfc(rival)
    if len(read) != len(other):
        return None
    diffs = [k for k, (a, b) in enumerate(zip(read, other, strict=True)) if a != b]
    if len(diffs) != 1:
        return None
    a, b = read[diffs[0]], other[diffs[0]]
    if not ((a in DOTTED and b in TONED) or (a in TONED and b in DOTTED)):
        return None
    return sum(1 for ch in read[:diffs[0]] if ch in I_LETTERS)


def settle_i_marks(image: np.ndarray, text: PageText) -> PageText:
    """Words whose runner-up reading only puts a dot for a tone mark on an `i`, or the
    other way round: where the page tells (judge), the reading the mark's shape agrees
    with is kept, and the rivals the pixels deny are dropped; elsewhere nothing changes. A
    word that takes its rival keeps its confidence: the pixels settled the one mark
    Tesseract hesitated over."""
    references: list[tuple[bool, IMark]] | None = None
    lines = list(text.lines)
    for i, line in enumerate(lines):
        words = list(line.words)
        for k, word in enumerate(words):
            at = [(n, rival) for rival, _ in word.rivals
                  if (n := _i_rival(word, rival)) is not None]
            if not at:
                continue
            marks = _marks_of(image, word)
            if marks is None:
                continue
            if references is None:
                references = page_references(image, text)
            settled = word
            for n in sorted({n for n, _ in at}):
                dotted, mark = marks[n]
                verdict = judge(mark, references)
                if verdict is None:
                    continue
                # every rival here has the other kind of mark than the reading (_i_rival)
                rivals = {rival for m, rival in at if m == n}
                if verdict == dotted:
                    settled = replace(settled, rivals=tuple(
                        r for r in settled.rivals if r[0] not in rivals))
                    continue
                # the rivals with the mark the pixels show, strongest first (`Chi` 76 %
                # before `Chị` 16 %: the mark below is not this judgement's)
                agreeing = sorted((r for r in word.rivals if r[0] in rivals),
                                  key=lambda r: -r[1])
                if agreeing[0][1] >= RIVAL_SHARE * word.conf:
                    # the rival has the mark the pixels show; the other rivals with that mark
                    # stay (the reading's others carry the mark the pixels deny)
                    settled = replace(settled, text=agreeing[0][0], rivals=tuple(agreeing[1:]),
                                      confirmed=False)
                    break
            words[k] = settled
        if words != line.words:
            lines[i] = Line(words)
    return PageText(lines=lines, mean_conf=text.mean_conf, quality=text.quality,
                    width=text.width, height=text.height)
