"""Which record type a page's text is, from its title and the labels present."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from schemas.records import DocType
from schemas.vocab import fold

__all__ = ["classify", "title_scores", "MIN_TEXT_CHARS"]

MIN_TEXT_CHARS = 40  # below this (letters), a page is blank for our purposes
MIN_LABELS_WITHOUT_TITLE = 4  # characteristic labels that classify a page with no title

TITLES: dict[DocType, tuple[str, ...]] = {
    DocType.BIRTH_CERTIFICATE: ("giay khai sinh",),
    DocType.RESIDENT_INFO_FORM: ("phieu thu thap thong tin dan cu",),
    DocType.MARRIAGE_CERTIFICATE: ("giay chung nhan ket hon",),
}
# labels characteristic of each type (folded); they back up a garbled or missing title
LABELS: dict[DocType, tuple[str, ...]] = {
    DocType.BIRTH_CERTIFICATE: ("noi dang ky khai sinh", "ho chu dem ten nguoi me",
                                "ho chu dem ten nguoi cha", "noi sinh", "nguoi di khai sinh"),
    # (the form's code and its own rows head its first page: a DC01 whose title OCR lost,
    # fresh seed 8080, showed only three of the others there and was rejected)
    DocType.RESIDENT_INFO_FORM: ("quan he voi chu ho", "ho chu dem va ten chu ho",
                                 "noi thuong tru", "noi o hien tai", "tinh trang hon nhan",
                                 "nhom mau", "ton giao", "mau dc01",
                                 "ho chu dem va ten khai sinh", "xa/phuong/thi tran"),
    DocType.MARRIAGE_CERTIFICATE: ("noi dang ky ket hon", "chong", "vo", "thong tin nguoi chong",
                                   "thong tin nguoi vo", "ket hon"),
}
# other administrative documents: official letters, decisions, reports...
OTHER_TITLES: tuple[str, ...] = ("quyet dinh", "cong van", "thong bao", "to trinh", "bao cao",
                                 "ke hoach", "chi thi", "nghi quyet", "giay moi")
# (`V/v`, a letter's subject, starts its line: a fax header's noise holds `V/V` too, and a
# birth certificate with five of its labels was rejected for it, held-out seed 8686)
_OTHER_MARKERS = re.compile(r"(?m)^[^a-z0-9]*v\s*/\s*v\b|\bkinh gui\b|\bnoi nhan\b|/qd-|/ubnd"
                            r"|/sgd")


def _key(text: str) -> str:
    return "\n".join(re.sub(r"[^0-9a-z/\- ]+", " ", fold(line)) for line in text.splitlines())


# a form's row, not a title: numbered (`10. Nơi đăng ký khai sinh:`) or ending in a colon
_ROW_LINE = re.compile(r"^\W*\d{1,2}\s*[.,)]|:\W*$")


def title_scores(text: str, head_lines: int = 12) -> dict[DocType, float]:
    """Best partial ratio (0-100) of each type's title against the first lines of the page
    (a label row is no title, even with the title's words in it: `Nơi đăng ký khai sinh:`)."""
    raw = [ln for ln in text.splitlines() if ln.strip()][:head_lines]
    lines = [_key(ln) for ln in raw if not _ROW_LINE.search(ln.strip())]
    scores: dict[DocType, float] = {}
    for doc_type, titles in TITLES.items():
        best = 0.0
        for line in lines:
            compact = " ".join(line.split())
            if len(compact) < 6:
                continue
            for title in titles:
                if not len(title) * 0.7 <= len(compact) <= len(title) + 14:
                    continue  # a title stands (nearly) alone on its line
                best = max(best, fuzz.partial_ratio(title, compact))
        scores[doc_type] = best
    return scores


def _label_hits(key: str, doc_type: DocType) -> int:
    return sum(1 for label in LABELS[doc_type] if fuzz.partial_ratio(label, key) >= 90)


def classify(text: str, min_title_score: float = 88.0) -> DocType | None:
    """The record type of a page whose title (or labels) say so; None for blank pages,
    official letters, decisions and anything else."""
    letters = sum(ch.isalpha() for ch in text)
    if letters < MIN_TEXT_CHARS:
        return None
    scores = title_scores(text)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best_type, best = ranked[0]
    key = _key(text)
    head = "\n".join([ln for ln in key.splitlines() if ln.strip()][:15])
    # (a line shorter than the title is a piece of another title: `GIẤY` of a broken
    # `GIẤY KHAI SINH` is not `GIẤY MỜI`)
    other = any(fuzz.partial_ratio(t, ln) >= 95 and len(ln.split()) <= 6
                and len(" ".join(ln.split())) >= 0.8 * len(t)
                for t in OTHER_TITLES for ln in head.splitlines())
    other = other or bool(_OTHER_MARKERS.search(head))
    if best >= min_title_score and best - ranked[1][1] >= 5:
        return best_type
    if other:
        return None
    # no clear title: fall back on the labels (at least three characteristic ones)
    flat = " ".join(key.split())
    hits = {t: _label_hits(flat, t) for t in DocType}
    top = sorted(hits.items(), key=lambda kv: kv[1], reverse=True)
    if top[0][1] >= 3 and top[0][1] > top[1][1] and best >= 60:
        return top[0][0]
    # the title lost to OCR (faded, under the emblem or the guilloche): many labels of one
    # type, few of any other, are enough
    if top[0][1] >= MIN_LABELS_WITHOUT_TITLE and top[0][1] - top[1][1] >= 3:
        return top[0][0]
    return None


def has_title(text: str, min_title_score: float = 88.0) -> bool:
    return max(title_scores(text).values()) >= min_title_score
