"""What Tesseract read on a page: words with boxes and confidences, grouped in lines.

These types are the contract between `ocr/` (which produces them) and `schemas/`
(which finds fields in them).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

# Letters Tesseract's `vie` model gives for Vietnamese ones they look like: the Icelandic
# eth for `Đ` (`Ð` read for a blood type `B` was taken for punctuation and the value
# vanished without a reason). No Vietnamese text holds them.
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})


def nfc(text: str) -> str:
    """Vietnamese text compared or stored anywhere in the project goes through NFC first
    (and loses the look-alike letters OCR puts in place of Vietnamese ones)."""
    return unicodedata.normalize("NFC", text).translate(_LOOKALIKES)


@dataclass(frozen=True)
class Word:
    text: str
    conf: float  # 0-100, Tesseract's word confidence
    left: int
    top: int
    width: int
    height: int
    line_key: tuple[int, int, int] = (0, 0, 0)  # (block, paragraph, line) from Tesseract
    # True when `conf` was raised by a second reading that agreed (ocr.process): the letters
    # are confirmed, but two readings can share a tone-mark error (`Yên` for `Yến`)
    confirmed: bool = False
    # other readings of the word that Tesseract nearly chose, each with the runner-up's
    # confidence (0-100): one letter or digit swapped for the runner-up it gave that
    # character (`("My", 31.0)` for `Mỹ`); empty when it had no doubt
    rivals: tuple[tuple[str, float], ...] = ()
    # True when the other models of the number vote read another number here and neither
    # agreed with this reading nor with each other (ocr.process.vote_on_numbers): `conf`
    # was lowered, and no later reading by the same model may raise it again
    disputed: bool = False

    @property
    def right(self) -> int:
        return self.left + self.width


@dataclass
class Line:
    words: list[Word]
    text: str = ""
    conf: float = 0.0
    top: int = 0
    left: int = 0

    def __post_init__(self) -> None:
        if not self.text:
            self.text = nfc(" ".join(w.text for w in self.words if w.text.strip()))
        if self.words:
            if not self.conf:
                self.conf = sum(w.conf for w in self.words) / len(self.words)
            self.top = self.top or min(w.top for w in self.words)
            self.left = self.left or min(w.left for w in self.words)


@dataclass
class PageText:
    lines: list[Line] = field(default_factory=list)
    mean_conf: float = 0.0  # mean word confidence, 0-100
    quality: float = 0.0  # 0-1: confidence and text density together
    width: int = 0
    height: int = 0

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]

    @classmethod
    def from_text(cls, text: str, conf: float = 95.0) -> PageText:
        """A page built from plain text (one Line per text line), for tests and text layers.

        Words get synthetic boxes: 20 px per character, 40 px per line.
        """
        lines: list[Line] = []
        for n, raw in enumerate(text.splitlines()):
            words: list[Word] = []
            x = 0
            for token in raw.split(" "):
                if token:
                    words.append(Word(nfc(token), conf, x, n * 40, 20 * len(token), 30, (0, 0, n)))
                x += 20 * (len(token) + 1)
            if words:
                lines.append(Line(words))
        return cls(lines=lines, mean_conf=conf, quality=conf / 100, width=2480, height=3508)


def page_to_dict(page: PageText) -> dict:
    """JSON form of a page's OCR (stored beside the page image)."""
    return {
        "width": page.width,
        "height": page.height,
        "mean_conf": round(page.mean_conf, 2),
        "quality": round(page.quality, 4),
        "text": page.text,
        "lines": [
            {
                "text": line.text,
                "conf": round(line.conf, 2),
                "words": [
                    [w.text, round(w.conf, 2), w.left, w.top, w.width, w.height, *w.line_key,
                     *([int(w.confirmed), [[r, round(c, 1)] for r, c in w.rivals], 1]
                       if w.disputed else
                       [int(w.confirmed), [[r, round(c, 1)] for r, c in w.rivals]]
                       if w.rivals else
                       [1] if w.confirmed else [])]
                    for w in line.words
                ],
            }
            for line in page.lines
        ],
    }


def page_from_dict(data: dict) -> PageText:
    lines = [
        Line(
            words=[Word(t, c, x, y, w, h, (b, p, n), bool(rest and rest[0]),
                        tuple((r, c) for r, c in rest[1]) if len(rest) > 1 else (),
                        bool(len(rest) > 2 and rest[2]))
                   for t, c, x, y, w, h, b, p, n, *rest in ln["words"]],
            text=ln["text"],
            conf=ln["conf"],
        )
        for ln in data["lines"]
    ]
    return PageText(
        lines=lines,
        mean_conf=data["mean_conf"],
        quality=data["quality"],
        width=data["width"],
        height=data["height"],
    )
