"""Find the fields of a record in OCR'd pages, by their printed labels.

Labels are matched on folded text (no diacritics, lowercase, no punctuation) with fuzzy ratios
over windows of words, so OCR errors in labels (`Ho, chu dem, ten`, `Giói tính`, `Quôc tich`)
are tolerated; values are taken from the original words, diacritics kept. Supported layouts:

- `Label: value` on one line, several labels on one line, numbered lines (`12. Nơi sinh:`);
- dotted leaders between label and value (`....`, `…`, `___`, `-----`);
- the value on the next line when the label line has none;
- wrapped values (a line with no label continues the previous multi-line value);
- table cells (`|` separators);
- marriage certificates as two columns under `Chồng` / `Vợ` headers (words are assigned to
  the column whose header they sit under, by x position) or as two sections
  (`Thông tin người chồng`, `Bên vợ`, `CHỒNG` ...), or with `... chồng:` / `... vợ:` labels;
- birth certificates: the parents' own `Năm sinh`, `Dân tộc`, `Quốc tịch`, `Nơi cư trú`,
  `Số định danh cá nhân` are never taken for the child's.

When two labels overlap, the longest wins (`Họ, chữ đệm, tên người mẹ` over `Họ, chữ đệm,
tên`; `Số định danh cá nhân` over `Số`).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz

from ocr.text import Line, PageText, Word
from schemas.quality import (
    ABBREVIATIONS,
    is_syllable,
    split_camel_case,
    undouble_marked_vowel,
)
from schemas.records import DocType
from schemas.vocab import SEXES, fold, strip_diacritics

__all__ = ["ExtractedField", "extract_fields", "LABELS", "MULTILINE_FIELDS", "DATE_IN_WORDS",
           "DECLARANT_NAME", "UNCLAIMED_ROWS"]

DATE_IN_WORDS = "_date_in_words"  # extra key: the first date written in words, if any
# extra key: the name of who declared the birth (a parent, as a rule): a second print of it
DECLARANT_NAME = "_declarant_name"
# extra key: how many lines among the fields look like a row of the form (they start at the
# labels' column and hold words) but no label was recognised on them: a garbled label
UNCLAIMED_ROWS = "_unclaimed_rows"


@dataclass(frozen=True)
class ExtractedField:
    value: str  # raw value as read, diacritics kept
    confidence: float  # 0-1: OCR confidence of the value words x label match score
    label_score: float = 1.0  # 0-1: how well the printed label matched
    page: int = 1  # 1-based index in the pages given
    min_conf: float = 1.0  # 0-1: the lowest OCR confidence of one value word
    dropped: bool = False  # the label is printed but no value was read (value "")
    # dropped, but a letter-sized mark with no letter or digit stood where the value goes
    # (`A` read `^`): something printed there was not read
    unread_mark: bool = False
    # value words whose confidence only a second reading gave (ocr.text.Word.confirmed)
    confirmed_words: tuple[str, ...] = ()
    # value words with their OCR confidence (0-1), in order
    word_confs: tuple[tuple[str, float], ...] = ()
    # value words Tesseract nearly read otherwise, with those readings (ocr.text.Word.rivals)
    word_rivals: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()


# ---------------------------------------------------------------------------- label tables
# field -> printed label variants. Field names starting with "_" are labels that are
# recognised (so that they end the previous value and are not mistaken for another label)
# but not extracted. "@x" fields are the marriage parties' base fields (x = name, dob, ...).
_BIRTH: dict[str, tuple[str, ...]] = {
    "full_name": ("Họ, chữ đệm, tên", "Họ và tên", "Họ, chữ đệm và tên", "Họ tên"),
    "date_of_birth": ("Ngày, tháng, năm sinh", "Sinh ngày", "Ngày sinh"),
    "sex": ("Giới tính",),
    "ethnicity": ("Dân tộc",),
    "nationality": ("Quốc tịch",),
    "place_of_birth": ("Nơi sinh",),
    "home_town": ("Quê quán",),
    "personal_id": ("Số định danh cá nhân", "Số ĐDCN"),
    "mother_name": ("Họ, chữ đệm, tên người mẹ", "Họ và tên người mẹ", "Họ và tên mẹ",
                    "Họ, chữ đệm, tên mẹ", "Họ tên mẹ"),
    "father_name": ("Họ, chữ đệm, tên người cha", "Họ và tên người cha", "Họ và tên cha",
                    "Họ, chữ đệm, tên cha", "Họ tên cha"),
    "registration_number": ("Số",),
    "registration_date": ("Ngày, tháng, năm đăng ký", "Ngày đăng ký"),
    "ward": ("Nơi đăng ký khai sinh", "Nơi đăng ký"),
    "_declarant": ("Họ, chữ đệm, tên người đi khai sinh", "Họ và tên người đi khai sinh",
                   "Người đi khai sinh"),
    "_parent_year": ("Năm sinh",),
    "_residence": ("Nơi cư trú", "Nơi thường trú"),
    "_book": ("Quyển số",),
    "_words": ("ghi bằng chữ", "Bằng chữ"),
    "_papers": ("Giấy tờ tùy thân",),
    "_relation": ("Quan hệ với người được khai sinh",),
    "_signer": ("Người ký giấy khai sinh", "Người thực hiện", "Chức vụ", "Ghi chú",
                "Ký, ghi rõ họ, chữ đệm, tên", "Ký, ghi rõ họ tên", "Ký, ghi rõ họ và tên"),
}  # fmt: skip

_RESIDENT: dict[str, tuple[str, ...]] = {
    "full_name": ("Họ, chữ đệm và tên khai sinh", "Họ, chữ đệm và tên", "Họ, chữ đệm, tên",
                  "Họ và tên"),
    "date_of_birth": ("Ngày, tháng, năm sinh", "Ngày sinh"),
    "sex": ("Giới tính",),
    "personal_id": ("Số định danh cá nhân", "Số ĐDCN/Số CMND", "Số ĐDCN/CMND", "Số ĐDCN",
                    "Số CMND", "Số định danh cá nhân/CMND"),
    "ethnicity": ("Dân tộc",),
    "religion": ("Tôn giáo",),
    "nationality": ("Quốc tịch",),
    "marital_status": ("Tình trạng hôn nhân",),
    "blood_type": ("Nhóm máu",),
    "birth_registration_place": ("Nơi đăng ký khai sinh",),
    "home_town": ("Quê quán",),
    "permanent_address": ("Nơi thường trú", "Địa chỉ thường trú"),
    "current_address": ("Nơi ở hiện tại", "Chỗ ở hiện nay"),
    "occupation": ("Nghề nghiệp",),
    "household_head_name": ("Họ, chữ đệm và tên chủ hộ", "Họ và tên chủ hộ",
                            "Họ, chữ đệm, tên chủ hộ"),
    "relation_to_head": ("Quan hệ với chủ hộ",),
    "household_head_id": ("Số định danh cá nhân của chủ hộ", "Số ĐDCN/Số CMND của chủ hộ",
                          "Số ĐDCN của chủ hộ", "Số định danh cá nhân chủ hộ",
                          "Số CMND của chủ hộ"),
    "_other_names": ("Tên gọi khác",),
    "_signer": ("Người khai", "Người thu thập thông tin", "Xác nhận", "Ghi chú",
                "Ký, ghi rõ họ, chữ đệm, tên", "Ký, ghi rõ họ tên", "Ký, ghi rõ họ và tên"),
}  # fmt: skip

_MARRIAGE: dict[str, tuple[str, ...]] = {
    "@name": ("Họ, chữ đệm, tên", "Họ và tên", "Họ, chữ đệm và tên", "Họ tên"),
    "@date_of_birth": ("Ngày, tháng, năm sinh", "Ngày sinh"),
    "@ethnicity": ("Dân tộc",),
    "@nationality": ("Quốc tịch",),
    "@residence": ("Nơi cư trú", "Nơi thường trú"),
    "@id": ("Số định danh cá nhân", "Số ĐDCN"),
    "husband_name": ("Họ, chữ đệm, tên chồng", "Họ và tên chồng", "Họ, chữ đệm, tên người chồng",
                     "Họ và tên người chồng"),
    "wife_name": ("Họ, chữ đệm, tên vợ", "Họ và tên vợ", "Họ, chữ đệm, tên người vợ",
                  "Họ và tên người vợ"),
    "registration_number": ("Số",),
    "registration_date": ("Ngày, tháng, năm đăng ký", "Ngày đăng ký"),
    "ward": ("Nơi đăng ký kết hôn", "Nơi đăng ký"),
    "_book": ("Quyển số",),
    "_words": ("ghi bằng chữ", "Bằng chữ"),
    "_papers": ("Giấy tờ tùy thân",),
    "_signer": ("Người ký giấy chứng nhận kết hôn", "Ký, ghi rõ họ, chữ đệm, tên",
                "Ký, ghi rõ họ tên", "Ký, ghi rõ họ và tên", "Chức vụ", "Ghi chú"),
}  # fmt: skip

LABELS: dict[DocType, dict[str, tuple[str, ...]]] = {
    DocType.BIRTH_CERTIFICATE: _BIRTH,
    DocType.RESIDENT_INFO_FORM: _RESIDENT,
    DocType.MARRIAGE_CERTIFICATE: _MARRIAGE,
}

MULTILINE_FIELDS: frozenset[str] = frozenset({
    "place_of_birth", "home_town", "ward", "permanent_address", "current_address",
    "birth_registration_place", "@residence", "husband_residence", "wife_residence",
    "occupation", "_residence", "_words", "_papers",
})  # fmt: skip

_PARTY_FIELDS = {"@name": "name", "@date_of_birth": "date_of_birth", "@ethnicity": "ethnicity",
                 "@nationality": "nationality", "@residence": "residence", "@id": "id"}
_CHILD_SCOPE = {"full_name", "date_of_birth", "sex", "place_of_birth", "home_town"}
_PARENT_SCOPE = {"mother_name", "father_name", "_declarant"}
_PARENT_BLOCKED = {"ethnicity", "nationality", "personal_id", "date_of_birth"}
_GLOBAL_MARRIAGE = {"registration_number", "registration_date", "ward", "_book", "_signer"}

MIN_LABEL_SCORE = 84.0
_DIGIT_AS_LETTER = str.maketrans("015", "ois")


# ---------------------------------------------------------------------------- tokens
def _fold_char_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", strip_diacritics(text).lower())


_LEADER = re.compile(r"^[.…_\-–—·•:;,|│¦*~=]+$")
_NUMBERING = re.compile(r"^(?:\d{1,2}|[ivxIVX]{1,4}|[a-zA-Z])[.)]$")
# a row number before a label, as OCR reads it: `5.`, `5,`, `_4.`, `-14.`, `|1.`
_ROW_NUMBER = re.compile(r"^[-_|]?(?:\d{1,2}|[ivxIVX]{1,4}|[a-zA-Z])[.),]$")


@dataclass
class _Tok:
    text: str
    key: str
    left: int
    right: int
    conf: float
    height: int
    confirmed: bool = False
    # other readings of this part, with their confidence (ocr.text.Word.rivals)
    rivals: tuple[tuple[str, float], ...] = ()


@dataclass
class _Line:
    toks: list[_Tok]
    page: int
    line: Line

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.toks]


_DATE = r"\d{1,2}/\d{1,2}/\d{4}"  # a date's whole number, as forms print it
_DATE_THEN_WORD = re.compile(rf"(?<![\d/])({_DATE})(?=[^\W\d_])")


def _cut_numbers_from_words(text: str) -> str:
    """A space between a number and a capitalized word glued to it (`18/06/1980Ngày,`: the
    right column's label close after the left column's date); not before a house number's
    letter (`12A`), which no small letter follows. And between a small letter and a number
    glued after it (`sinh17/10/1977`: a table's value close after its label); not before a
    lone digit (`Nộ1`: a letter misread as a digit stays in its word, for quality to see).
    And after a whole date a word is glued to (`29/01/1999h¡i bằng chữ`: its `ghi`)."""
    text = _DATE_THEN_WORD.sub(r"\1 ", text)
    return "".join(" " + ch if k and (
        (text[k - 1].isdigit() and ch.isupper() and text[k + 1:k + 2].islower())
        or (text[k - 1].islower() and ch.isdigit() and re.match(r"[\d/]", text[k + 1:k + 2])))
        else ch for k, ch in enumerate(text))


def _split_word(w: Word) -> list[_Tok]:
    """Split a word at ':' (keeping ':' on the left part), strip glued leaders
    (`tên:......NGUYỄN` -> `tên:`, `NGUYỄN`) and cut before a capital that follows a small
    letter (`GiaoNơi`: two columns' words read as one) and after a row number glued to its
    label (`3.Giới`), and after a comma between two letters (`Lũy,Nơi`: the right column's
    label close after the left column's value, whose last word went with the label), sharing
    the box proportionally. A vowel read twice is read once
    (`NữỮ`: quality.undouble_marked_vowel)."""
    text = undouble_marked_vowel(w.text)
    parts = [q for p in re.split(r"(?<=:)|(?<=[.…_]{2})(?=[^.…_])|(?<=[^.…_:])(?=[.…_]{2})"
                                 r"|(?<=^\d[.)])(?=[^\W\d_])|(?<=^\d\d[.)])(?=[^\W\d_])"
                                 r"|(?<=[^\W\d_],)(?=[^\W\d_])",
                                 text) if p
             for q in split_camel_case(_cut_numbers_from_words(p)).split(" ") if q]
    if not parts:
        return []
    toks: list[_Tok] = []
    total = sum(len(p) for p in parts) or 1
    x, at = w.left, 0
    for p in parts:
        width = max(1, round(w.width * len(p) / total))
        # a rival swaps one character: the part's own letters in it, where it changes them
        at = text.find(p, at)
        rivals = tuple((r[at:at + len(p)], c) for r, c in w.rivals
                       if at >= 0 and len(r) == len(text) and r[at:at + len(p)] != p)
        toks.append(_Tok(p, _fold_char_key(p), x, x + width, w.conf, w.height, w.confirmed,
                         rivals))
        x += width
        at = at + len(p) if at >= 0 else 0
    return toks


def _rows(lines: list[Line]) -> list[tuple[Line, list[Word]]]:
    """OCR lines regrouped into rows: a line that sits level with another one and beside it
    (not under or over it) is the same row of the form. Tesseract reads a bordered table or
    a two-column sheet column by column (all labels, then all values); the label and its
    value are on one row again here. Rows keep the OCR order of their first line that holds
    words (debris of a frame or a pattern, read late beside a row, does not carry the row
    there: `Giới tính: ... Quốc tịch: Việt Nam` placed after the mother's lines took her
    nationality for the child's)."""
    # line, words, top, bottom, OCR position, whether a line with words set that position
    rows: list[tuple[Line, list[Word], int, int, int, bool]] = []
    for at, line in enumerate(lines):
        words = [w for w in line.words if w.text.strip()]
        if not words:
            continue
        # a line's place is its letters' and digits': a speck of a table's rule read as `|`
        # a line lower (measured: `Nam |`) dragged `Nam` off its row
        body = [w for w in words if any(c.isalnum() for c in w.text)] or words
        top = statistics.median(w.top for w in body)
        bottom = statistics.median(w.top + w.height for w in body)
        real = _holds_words(words)
        if _read_down(words):
            # an ornament of the border read down the page as a "line": it is level with
            # every row it passes, and rows it took in went where it was read
            rows.append((line, words, top, bottom, at, False))
            continue
        for k, (first, row_words, rtop, rbottom, order, anchored) in enumerate(rows):
            overlap = min(bottom, rbottom) - max(top, rtop)
            # beside: no word over another one, though the line may reach past the row's
            # words on both sides (`Ngày, tháng, năm sinh: ... ghi bằng chữ: ...` read
            # apart from the `03/01/1978` between its two labels)
            beside = all(w.right <= v.left or w.left >= v.right
                         for w in row_words for v in words)
            if beside and overlap > 0.6 * min(bottom - top, rbottom - rtop):
                if real and not anchored:
                    first, order, anchored = line, at, True
                rows[k] = (first, sorted(row_words + words, key=lambda w: w.left), rtop, rbottom,
                           order, anchored)
                break
        else:
            rows.append((line, words, top, bottom, at, real))
    order: list[float] = [float(r[4]) for r in rows]
    for k in sorted(range(len(rows)), key=lambda k: rows[k][2]):
        above = _wrapped_from(rows, k)
        if above is not None and order[above] < order[k]:
            order[k] = order[above] + 0.001
    placed = sorted(range(len(rows)), key=lambda k: (order[k], k))
    return [(rows[k][0], rows[k][1]) for k in placed]


WRAP_GAP = 1.5  # a wrapped line starts within this many letter heights under its row


def _wrapped_from(rows: list[tuple[Line, list[Word], int, int, int, bool]],
                  k: int) -> int | None:
    """The row whose value the row `k` wraps: the row just above it with a word that starts
    where `k` starts. Tesseract reads a bordered table's value column as a block of its own,
    after all the labels; a cell's second and third lines (`Hòa Phú, thành phố ...` under
    `Số 226, đường ..., phường`) sit level with no label and come last in OCR order, far
    from the value they continue."""
    words, top = rows[k][1], rows[k][2]
    height = statistics.median(w.height for w in words)
    first = words[0]
    best: int | None = None
    for j, (_, above, atop, abottom, _, _) in enumerate(rows):
        if j == k or atop >= top or top - abottom > WRAP_GAP * height:
            continue
        if any(abs(w.left - first.left) <= 0.5 * height for w in above) and (
                best is None or atop > rows[best][2]):
            best = j
    return best


def _read_down(words: list[Word]) -> bool:
    """A "line" of words one under the other (taller than wide): Tesseract read a frame's
    or a pattern's column as a line (measured: a border's ornament on a marriage
    certificate, 11 "words" stacked over 800 px, took in the ethnicity row)."""
    if len(words) < 3:
        return False
    width = max(w.right for w in words) - min(w.left for w in words)
    height = max(w.top + w.height for w in words) - min(w.top for w in words)
    return height > width


def _holds_words(words: list[Word]) -> bool:
    """A line with a word of letters or digits read with some confidence, not debris."""
    return any(w.conf >= 50 and sum(ch.isalnum() for ch in w.text) >= 2 for w in words)


MIN_HEIGHT_SHARE = 0.25  # a "word" this much smaller than its line's words is a speck
SPECK_MAX_CONF = 85.0  # ... unless read at least this confidently


def _drop_specks(toks: list[_Tok]) -> list[_Tok]:
    """Letters read into a dot of a leader or a speck of the background (`cà.` 5 px high on a
    line of 45 px letters): no printed or typed character is a quarter of its line's height."""
    heights = [t.height for t in toks if t.key and len(t.key) >= 2]
    if len(heights) < 3:
        return toks
    floor = MIN_HEIGHT_SHARE * statistics.median(heights)
    return [t for t in toks if not t.key or t.height >= floor or _read_surely(t)]


def _read_surely(t: _Tok) -> bool:
    """A word read with confidence, which keeps its place whatever its box (`tộc:` at 90 %
    came with the 3 px box of the leader under it, and the ethnicity's label was lost); a
    lone letter does not (`A` at 93 % in a 3 px box over the `A` of `An`)."""
    return len(t.key) >= 2 and t.conf >= SPECK_MAX_CONF


def _lines(pages: list[PageText]) -> list[_Line]:
    out: list[_Line] = []
    for n, page in enumerate(pages, start=1):
        for line, words in _rows(page.lines):
            toks = [t for w in words for t in _split_word(w)]
            toks = [t for t in toks if t.text.strip("|│¦")]
            toks = _drop_specks(toks)
            if toks:
                out.append(_Line(toks, n, line))
    return out


# ---------------------------------------------------------------------------- labels
@dataclass(frozen=True)
class _Label:
    field: str
    key: str  # folded words joined by spaces
    n_words: int
    last: str
    full: int = 0  # length of the whole label's key, for a label's first words (wrapped)
    last_marked: str = ""  # the last word as printed, lowercase, diacritics kept (`vợ`)
    rest: str = ""  # for a label's first words: the words that wrapped (`chu ho`)
    # the last word is what tells this label from another field's (`cha` of `ho chu dem ten
    # cha`, `me`, `vo`), not just the end of a label no other one begins like (`tai`)
    decisive_last: bool = True

    @property
    def size(self) -> int:
        return max(self.full, len(self.key))


@dataclass
class _Match:
    label: _Label
    start: int  # token index of the first label word
    end: int  # token index after the last label word
    score: float  # 0-100


def _labels(doc_type: DocType) -> list[_Label]:
    labels: list[_Label] = []
    for fname, variants in LABELS[doc_type].items():
        for v in variants:
            printed = [w for w in re.split(r"[\s,/]+", v.lower()) if _fold_char_key(w)]
            words = [_fold_char_key(w) for w in printed]
            labels.append(_Label(fname, " ".join(words), len(words), words[-1],
                                 last_marked=printed[-1]))
    # the first words of a long label whose last words wrapped to the next line of its cell
    # (`Số định danh cá nhân của` / `chủ hộ`): only a run of 4+ words that begins one field's
    # labels and no other field's, and is not itself a whole label
    whole = {lab.key for lab in labels}
    prefixes: dict[str, set[str]] = {}
    for lab in labels:
        words = lab.key.split(" ")
        for k in range(4, lab.n_words):
            prefixes.setdefault(" ".join(words[:k]), set()).add(lab.field)
    for lab in list(labels):
        words = lab.key.split(" ")
        for k in range(max(4, lab.n_words - 3), lab.n_words):
            key = " ".join(words[:k])
            if key not in whole and prefixes.get(key) == {lab.field}:
                labels.append(_Label(lab.field, key, k, words[k - 1], len(lab.key),
                                     rest=" ".join(words[k:])))
    fronts: dict[str, set[str]] = {}
    for lab in labels:
        words = lab.key.split(" ")
        for k in range(1, lab.n_words + 1):
            fronts.setdefault(" ".join(words[:k]), set()).add(lab.field)
    labels = [replace(lab, decisive_last=bool(
        fronts.get(lab.key.rsplit(" ", 1)[0], set()) - {lab.field})) for lab in labels]
    return list(dict.fromkeys(labels))


# a label's last word that a name's first word spells the same bare: `vợ` and the surname Võ
_NAME_LIKE_LAST = frozenset({"vo"})


def _marked_otherwise(text: str, printed: str) -> bool:
    """Whether a word read with diacritics has other ones than the label's word (`võ` for
    `vợ`); a word read bare (`vo`) could be either."""
    word = re.sub(r"[\W\d_]+", "", text.lower())
    return word != strip_diacritics(word) and word != printed


# A label read a letter or two off (`đới tính: Nữ` for `Giới tính`, a display face) is
# still the label where its last word is read exactly, with its colon, and what follows is
# a value only that field takes (a closed vocabulary of words no other label's value is)
MIN_VOUCHED_LABEL_SCORE = 75.0
_VOUCHING_VALUES = {"sex": frozenset(fold(s) for s in SEXES)}


def _vouched_by_value(toks: list[_Tok], last: int, lab: _Label) -> bool:
    values = _VOUCHING_VALUES.get(lab.field)
    if values is None or toks[last].key != lab.last or not toks[last].text.endswith(":"):
        return False
    nxt = next((t for t in toks[last + 1:] if t.key), None)
    return nxt is not None and fold(nxt.text.strip(".,;")) in values


def _find_labels(line: _Line, labels: list[_Label]) -> list[_Match]:
    toks = line.toks
    content = [i for i, t in enumerate(toks) if t.key]
    cands: list[_Match] = []
    for ci, i in enumerate(content):
        prev = toks[i - 1] if i > 0 else None
        at_start = ci == 0 or all(
            _ROW_NUMBER.match(toks[j].text) or not toks[j].key for j in range(0, i))
        after_sep = prev is not None and (prev.text.endswith((":", "|", ")")) or not prev.key
                                          or _ROW_NUMBER.match(prev.text) is not None)
        gap = prev is not None and (t_gap := toks[i].left - prev.right) > 1.2 * max(
            prev.height, toks[i].height, 1) and t_gap > 0
        boundary = at_start or after_sep or gap
        short_boundary = at_start or after_sep  # short labels: never after a mere gap
        for lab in labels:
            for extra in ((0,) if lab.full else (0, -1, 1)):
                n = lab.n_words + extra
                if n < 1 or ci + n > len(content):
                    continue
                idx = content[ci : ci + n]
                window = " ".join(toks[j].key for j in idx)
                if len(lab.key) <= 4:
                    # short labels (Số, Họ tên ...): exact, at a field boundary, followed by ':'
                    # or a value start; never inside a value
                    colon = toks[idx[-1]].text.endswith(":")
                    if extra or window != lab.key or not (short_boundary or gap and colon):
                        continue
                    if not at_start and not colon and not (
                            prev is not None and prev.text.endswith("|")):
                        continue  # `Nơi cư trú: , Số 68, ...`: a word of a value
                    score = 100.0
                else:
                    if any(toks[j].text.endswith(":") for j in idx[:-1]):
                        continue  # a label ends at its colon (`tên: Võ ...` is not `tên vợ`)
                    # a label has no digits: one read into a label word is a letter
                    # (`G1ơ tính` for `Giới tính`)
                    score = max(fuzz.ratio(window, lab.key),
                                fuzz.ratio(window.translate(_DIGIT_AS_LETTER), lab.key))
                    if score < MIN_LABEL_SCORE and not (
                            score >= MIN_VOUCHED_LABEL_SCORE
                            and _vouched_by_value(toks, idx[-1], lab)):
                        continue
                    # the window's last word must be the label's word at that place (a label
                    # wrapped over two lines ends a word early)
                    lab_words = lab.key.split(" ")
                    last = lab_words[min(n, lab.n_words) - 1]
                    rest = "".join(lab_words[min(n, lab.n_words) - 1:])  # `cưtrú` glued
                    if lab.n_words > 1 and fuzz.ratio(toks[idx[-1]].key, last) < 60 and (
                            extra >= 0 or fuzz.ratio(toks[idx[-1]].key, rest) < 85):
                        continue
                    # a short last word that tells labels apart (`cha`, `mẹ`, `vợ`): one
                    # letter off is another word (`Họ, chữ đệm, tên: Cao ...` is not `... tên
                    # cha`) unless the colon shows the label ends there
                    if (lab.n_words > 1 and n >= lab.n_words and len(last) <= 4
                            and lab.decisive_last and toks[idx[-1]].key not in (last, rest)
                            and not toks[idx[-1]].text.endswith(":")):
                        continue
                    # ... and so is the same letters with other marks, read as marked (`tên
                    # VÕ TUẤN PHÁT` with no colon: the surname Võ, not `tên vợ`)
                    if (last in _NAME_LIKE_LAST and n >= lab.n_words
                            and not toks[idx[-1]].text.endswith(":")
                            and _marked_otherwise(toks[idx[-1]].text, lab.last_marked)):
                        continue
                    if len(lab.key) <= 9 and not (boundary or toks[idx[-1]].text.endswith(":")):
                        continue
                    if extra:
                        score -= 3
                    if lab.full:
                        # the label's first words only: they must end the label part of the
                        # line (its end, a colon, a leader, or a wide gap before the value)
                        nxt = toks[idx[-1] + 1] if idx[-1] + 1 < len(toks) else None
                        last_tok = toks[idx[-1]]
                        if score < 90 or not (
                                nxt is None or last_tok.text.endswith(":") or not nxt.key
                                or nxt.left - last_tok.right > 1.2 * max(last_tok.height, 1)):
                            continue
                cands.append(_Match(lab, i, idx[-1] + 1, score))
            if lab.n_words >= 2 and not lab.full:
                # words of the label glued together by OCR (`Nơi ởhiệntại`), at a boundary,
                # ending in the label's colon (`..., phường Tân, Nơicưtrú: Số 83`: the right
                # column's label close after the left column's value), or spelt exactly
                # (`Giới tính: Nam Dântộc Tày`: no value reads as a label's words glued)
                glued = lab.key.replace(" ", "")
                for n in range(1, lab.n_words):
                    idx = content[ci : ci + n]
                    if len(idx) < n:
                        continue
                    joined = "".join(toks[j].key for j in idx)
                    if len(joined) < 6 or abs(len(joined) - len(glued)) > 2:
                        continue
                    score = fuzz.ratio(joined, glued)
                    colon = toks[idx[-1]].text.endswith(":")
                    # one letter misread as well (`3.Giớltính:`) is still the label where it
                    # starts a field and ends in the label's colon
                    if (score >= 90 and (boundary or colon or joined == glued)
                            or score >= 85 and boundary and colon):
                        cands.append(_Match(lab, i, idx[-1] + 1, score - 5))
    # longest label first (then best score); keep non-overlapping matches
    cands.sort(key=lambda m: (m.score >= 90, m.label.size, m.score), reverse=True)
    chosen: list[_Match] = []
    for m in cands:
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    chosen.sort(key=lambda m: m.start)
    # a short label right after another label (`Nơi cư trú: Số 17/11, ...`) is the first word
    # of that label's value, not a label of its own
    kept: list[_Match] = []
    for m in chosen:
        if kept and len(m.label.key) <= 4 and m.start == kept[-1].end:
            continue
        kept.append(m)
    return kept


# ---------------------------------------------------------------------------- values
def _is_leader_run(t: _Tok) -> bool:
    return bool(_LEADER.match(t.text)) and len(t.text) >= 3 and t.text[0] in ".…_-–—·"


MARKS_THEN_VALUE_MIN_CONF = 25.0  # a word read under 25 % after marks: the pattern


def _value_toks(toks: list[_Tok], number_value: bool = False,
                before_label: bool = False) -> list[_Tok]:
    """Value words: leaders and separators dropped; the value ends at a dotted leader or a
    wide gap after its first word (what follows is the end of the dotted line, stamps or
    background noise); a trailing numbering token (`17.` of the next label) is dropped,
    unless it is the whole value of a number field at the end of its line (`Số: 30.`)."""
    vt: list[_Tok] = []
    skipped = False
    for i, t in enumerate(toks):
        started = any(v.key for v in vt)
        if started and (_is_leader_run(t) or t.left - vt[-1].right > 3.0 * _gap_unit(vt[-1], t)):
            break
        if not started and not t.key:
            skipped = True
            continue  # marks before the value (`Dân tộc " Kinh`): the gap counts after it
        if (not started and skipped and t.conf < MARKS_THEN_VALUE_MIN_CONF
                and sum(ch.isdigit() for ch in t.key) < 4 and not _read_words_follow(toks, i)):
            # marks, then a doubtful word: the paper's pattern, the value is elsewhere (a run
            # of digits is no pattern: `:. .29/07/2007.` read at 14 % is the date; nor a
            # word the value's other words follow: `..TRẦN` at 7 % before `QUỲNH MY`)
            break
        if not _LEADER.match(t.text):
            vt.append(t)
    # before another label on its line, the numbering may be read with a comma (`9,`), as at
    # a row's start (`Tình trạng hôn nhân: .... 9, Nhóm máu`: a blank value read as `9`)
    numbering = _ROW_NUMBER if before_label else _NUMBERING
    while vt and numbering.match(vt[-1].text) and not (number_value and len(vt) == 1):
        vt.pop()
    return vt


FOLLOWING_WORD_MIN_CONF = 80.0  # a word read this surely after a doubtful one: a value


def _gap_unit(prev: _Tok, t: _Tok) -> int:
    """The height a gap before `t` is measured in: its own, or the word before's for a word
    read surely (`_read_surely`, kept whatever its box): Tesseract boxed `Nam..`
    of `Việt Nam..` in the 3 px of the leader under it, 33 px after `Việt`, and the record
    was counted with `Việt`. A speck's own small height still ends a value (`30/71987 „`)."""
    if _read_surely(t):
        return max(t.height, prev.height, 1)
    return max(t.height, 1)


def _read_words_follow(toks: list[_Tok], i: int) -> bool:
    """Whether the word after toks[i] (next to it: no leader, no wide gap between) is read
    surely: then toks[i] begins a value, however doubtful its own reading."""
    for prev, t in zip(toks[i:], toks[i + 1:], strict=False):
        if _is_leader_run(t) or t.left - prev.right > 3.0 * _gap_unit(prev, t):
            return False
        if t.key:
            return t.conf >= FOLLOWING_WORD_MIN_CONF
    return False


MARK_MIN_HEIGHT = 0.6  # of the line's letters: a mark as tall as a letter
MARK_MIN_WIDTH = 0.4  # of its own height: not a rule's `|`


def _letter_sized_mark(toks: list[_Tok], line: _Line) -> bool:
    """A word with no letter or digit, as tall as the line's letters and not a stroke or a
    leader: a letter read as a sign (measured: a blood type `A` read `^` at 34 %, the
    record counted with no blood type). `¬`, `—`, dots and a rule's `|` are not."""
    letters = [t.height for t in line.toks if t.key]
    if not letters:
        return False
    tall = MARK_MIN_HEIGHT * statistics.median(letters)
    return any(not t.key and not _LEADER.match(t.text) and t.height >= tall
               and t.right - t.left >= MARK_MIN_WIDTH * t.height for t in toks)


def _numbering_alone(toks: list[_Tok]) -> bool:
    """What stands after a line's last label is a row's numbering and nothing else (`6)`):
    taken off as the numbering, as it must be where a row begins; at the end of a line no
    row begins, so it is the value misread (held-out seed 47: a blood type `O` read `6)`
    at 61 %, the record counted with none)."""
    return any(t.key and _NUMBERING.match(t.text) for t in toks)


def _content(toks: list[_Tok]) -> list[_Tok]:
    """The words of a value that hold a letter or a digit: punctuation debris alone (`"¬—`
    after a label whose value is on the next line) is no value."""
    return toks if any(t.key for t in toks) else []


def _wrapped(toks: list[_Tok], rest: list[_Tok]) -> list[_Tok]:
    """A value's words joined by the rest that wrapped to the next line. A dot glued to the
    line's last word (`Trần.`, `khu.`) is the dotted line's leader left after the words (its
    first dot, 1 or 2 letter widths away, taken into the word): the value ran on, so no
    sentence ended there. An abbreviation keeps its dot (`Tp.` before `Thủ Dầu Một`), as
    does a word in capitals (`UBND.`)."""
    if toks and rest:
        last = toks[-1]
        core = last.text[:-1]
        if (last.text.endswith(".") and len(core) > 1 and core.isalpha() and not core.isupper()
                and core.lower() not in ABBREVIATIONS):
            toks = [*toks[:-1], replace(last, text=core)]
    return toks + rest


def _text(toks: list[_Tok]) -> str:
    text = " ".join(t.text for t in toks)
    text = re.sub(r"(?:\.{2,}|…+|_{2,}|-{2,})", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" .:;,_-–—…|│")
    return text.strip()


def _conf(toks: list[_Tok]) -> float:
    real = [t.conf for t in toks if t.key]
    if not real:
        return 0.0
    return max(0.0, min(1.0, statistics.fmean(real) / 100.0))


def _segments(toks: list[_Tok]) -> list[list[_Tok]]:
    """Split words into groups separated by a wide gap or a dotted leader (columns)."""
    segs: list[list[_Tok]] = [[]]
    for t in toks:
        if _is_leader_run(t):
            segs.append([])
            continue
        if _LEADER.match(t.text):
            continue
        cur = segs[-1]
        if cur and t.left - cur[-1].right > 1.2 * max(cur[-1].height, t.height, 1):
            segs.append([t])
        else:
            cur.append(t)
    return [seg for seg in segs if seg and _text(seg)]


@dataclass
class _Acc:
    """A value being collected for one field."""

    toks: list[_Tok] = field(default_factory=list)
    score: float = 100.0
    page: int = 1
    left: int | None = None  # x where the label line starts (continuations start near it...)
    value_left: int | None = None  # ... or near the value's first word
    label_rest: str = ""  # the label's words that wrapped to the next line, not yet seen
    unread_mark: bool = False  # see ExtractedField.unread_mark
    line: int | None = None  # index of the label's line, where one label line holds it

    def __post_init__(self) -> None:
        if self.toks and self.value_left is None:
            self.value_left = self.toks[0].left


def _min_conf(toks: list[_Tok]) -> float:
    real = [t.conf for t in toks if t.key]
    return max(0.0, min(1.0, min(real) / 100.0)) if real else 0.0


def _finish(acc: _Acc) -> ExtractedField | None:
    text = _text(acc.toks)
    if not text:
        return None
    label_score = acc.score / 100.0
    return ExtractedField(text, round(_conf(acc.toks) * label_score, 4),
                          round(label_score, 4), acc.page, round(_min_conf(acc.toks), 4),
                          confirmed_words=tuple(t.text for t in acc.toks
                                                if t.confirmed and t.key),
                          word_confs=tuple((t.text, round(t.conf / 100.0, 4))
                                           for t in acc.toks if t.key),
                          word_rivals=tuple((t.text, t.rivals) for t in acc.toks
                                            if t.key and t.rivals))


# ---------------------------------------------------------------------------- party headings
def _party_heading(line: _Line) -> str | None:
    """`Thông tin người chồng`, `Bên vợ`, `CHỒNG`, `II. NGƯỜI VỢ` -> 'husband' / 'wife'."""
    keys = [k for k in line.keys if k and not re.fullmatch(r"\d+|[ivx]+", k)]
    if not 1 <= len(keys) <= 5:
        return None
    last = keys[-1]
    if last not in ("chong", "vo"):
        return None
    rest = set(keys[:-1])
    if not rest <= {"thong", "tin", "nguoi", "ben", "phan", "ve", "cua", "ghi"}:
        return None
    return "husband" if last == "chong" else "wife"


def _column_header(line: _Line) -> dict[str, float] | None:
    """A line with both `Chồng` and `Vợ` (column headers): party -> x centre."""
    keys = line.keys
    if len([k for k in keys if k]) > 8:
        return None
    centres: dict[str, float] = {}
    for t in line.toks:
        if t.key == "chong" and "husband" not in centres:
            centres["husband"] = (t.left + t.right) / 2
        elif t.key == "vo" and "wife" not in centres:
            centres["wife"] = (t.left + t.right) / 2
    if len(centres) == 2:
        return centres
    # a header line of just the two words, one of them misread (`Chồng Vự`, `Chông Vo`)
    words = [t for t in line.toks if t.key]
    if len(words) == 2 and words[0].right < words[1].left:
        kinds = [_party_word(t.key) for t in words]
        if None not in kinds and kinds[0] != kinds[1] and "exact" in [
                "exact" if t.key in ("chong", "vo") else "" for t in words]:
            return {str(k): (t.left + t.right) / 2 for k, t in zip(kinds, words, strict=True)}
    return None


def _other_party(who: str) -> str:
    return "wife" if who == "husband" else "husband"


_UNPLACED = "_unplaced"  # the party of a section whose heading was lost, until placed


def _place_unplaced(found: dict[str, _Acc], party: str) -> None:
    """Give the rows of a first section whose heading was lost to `party` (the one the
    next heading does not name), where that party has no such row yet. Rows never placed
    are dropped with the other `_` fields."""
    for key in [k for k in found if k.startswith(_UNPLACED + "_")]:
        acc = found.pop(key)
        found.setdefault(f"{party}{key[len(_UNPLACED):]}", acc)


def _party_word(key: str) -> str | None:
    """A folded word that is `chồng` or `vợ` read with one slip."""
    if key == "chong" or (len(key) == 5 and fuzz.ratio(key, "chong") >= 80):
        return "husband"
    if key == "vo" or (len(key) == 2 and key[0] == "v" and key[1] in "aeiouy"):
        return "wife"
    return None


# ---------------------------------------------------------------------------- main
def extract_fields(doc_type: DocType | str, pages: list[PageText]) -> dict[str, ExtractedField]:
    """Fields of one record (its pages in order), raw values with diacritics.

    Keys are RECORDS.md field names; a field not found is absent. For certificates `ward`
    holds the printed registration place (`Ủy ban nhân dân phường ...`); the ward code is
    resolved later with the registry.
    """
    doc_type = DocType(doc_type)
    labels = _labels(doc_type)
    lines = _lines(pages)
    marriage = doc_type is DocType.MARRIAGE_CERTIFICATE
    found: dict[str, _Acc] = {}

    scope = "child"  # birth certificate: who the Dân tộc/Quốc tịch... lines belong to
    party: str | None = None  # marriage, sections layout
    columns: dict[str, float] | None = None  # marriage, two-column layout
    last_fields: list[str] = []  # fields a continuation line would extend
    pending: list[str] = []  # fields whose label had no value on its line
    in_words: list[_Acc] = []  # `ghi bằng chữ: ...` values (dates in words), in order

    def target(fname: str, col_party: str | None = None) -> str | None:
        nonlocal scope
        if fname.startswith("@"):
            who = col_party or party
            if who is None and marriage and columns is None:
                # a section whose heading was lost (`MU` for `VỢ`): its rows wait for the
                # next heading, which names the other party (`_place_unplaced`)
                who = _UNPLACED
            if who is None:
                return None
            return f"{who}_{_PARTY_FIELDS[fname]}"
        if doc_type is DocType.BIRTH_CERTIFICATE:
            if fname in _PARENT_SCOPE:
                scope = "parent"
            elif fname in _CHILD_SCOPE:
                scope = "child"
            elif fname in _PARENT_BLOCKED and scope == "parent":
                return None
        if fname.startswith("_"):
            return None
        return fname

    prev_page = lines[0].page if lines else 1
    width = max((ln.toks[-1].right for ln in lines), default=0)
    lone_header: tuple[str, float] | None = None
    unclaimed: list[int] = []  # lines that look like a form row but hold no label
    last_label_line = -1
    label_left: int | None = None
    waiting_date: str | None = None  # a date label with no value, another label after it
    for li, ln in enumerate(lines):
        if ln.page != prev_page:
            # a value never continues across a page boundary (page 2 opens with a header)
            last_fields, pending, prev_page = [], [], ln.page
        matches = _find_labels(ln, labels)
        if waiting_date is not None and not matches:
            # `Ngày, tháng, năm sinh:   ghi bằng chữ: Ngày mười tám` over `18/11/2007
            # tháng mười một ...`: the date went under its label, the words in words ran on
            ln = _take_wrapped_date(ln, found[waiting_date])
        waiting_date = None
        if pending and matches and len(matches[0].label.key) <= 4 and not any(
                t.key for t in ln.toks[:matches[0].start]) and not ln.toks[
                    matches[0].end - 1].text.endswith(":"):
            # `Nơi cư trú:` then `Số 64/19, đường ...` on the next line: the value's first
            # word, not the registration label
            matches = []
        heading = _party_heading(ln) if marriage and not matches else None
        header = _column_header(ln) if marriage else None
        if heading and not header and _right_of_centre(ln, width):
            # one column header whose partner OCR lost (`Chồng` alone over the right-hand
            # values): a two-column layout, not a section; the other column is placed by
            # the first label line with two values
            lone_header = (heading, (ln.toks[0].left + ln.toks[-1].right) / 2)
            party, columns, last_fields, pending = None, None, [], []
            continue
        if heading and not header:
            if party is None and found and next(reversed(found)).startswith(_UNPLACED):
                # right after that section's rows (nothing else read between)
                _place_unplaced(found, _other_party(heading))
            party, columns, last_fields, pending = heading, None, [], []
            lone_header = None
            continue
        if lone_header is not None and matches and columns is None:
            columns = _columns_from_lone_header(ln, matches, *lone_header)
            if columns is not None:
                lone_header = None
        if header:
            columns, last_fields, pending = header, [], []
            continue
        if columns is not None and matches and any(m.label.field in _GLOBAL_MARRIAGE
                                                   for m in matches):
            columns = None
        if marriage and columns is None:
            columns = _label_columns(ln, matches) or columns
            if columns is not None:
                party = None

        if not matches and _signing_line(ln):
            last_fields, pending = [], []  # `Dĩ An, ngày 03 tháng 06 năm 2021`: not a value
            continue
        if not matches:
            if last_fields and not pending and not any(
                    _real_word(t.text) or _NUMBER.fullmatch(t.text) or (
                        # `An` of `tỉnh Long An` wrapped alone: two letters, read surely
                        len(ln.toks) <= 2 and t.conf >= SPECK_MAX_CONF
                        and _real_word(t.text, min_letters=2))
                    for t in ln.toks) and not _under_value(ln, found, last_fields):
                # debris between a value and its wrapped rest (the security pattern, a
                # stamp): skipped, so the rest still joins the value
                continue
            # value on the next line, or continuation of a wrapped value
            if pending:
                if columns is not None:
                    wrapped = [f for f in last_fields if f.endswith(_WRAPPING_CELLS)]
                    for who, seg in _column_parts(ln.toks, columns):
                        # a column with no value pending goes on with its own (the wife's
                        # address wraps beside the husband's, which is blank)
                        into = [f for f in pending if f.startswith(who)] or [
                            f for f in wrapped if f.startswith(who)]
                        for f in into:
                            if f in pending:
                                found[f].toks = _wrapped(_content(found[f].toks), seg)
                            else:
                                found[f].toks = _wrapped(found[f].toks, seg)
                    pending = pending + wrapped
                else:
                    for f in pending:
                        vt = _value_toks(_after_label_rest(ln.toks, found[f].label_rest))
                        found[f].label_rest = ""
                        found[f].toks = _wrapped(_content(found[f].toks), vt)
                        found[f].page = ln.page
                        if vt and found[f].value_left is None:
                            found[f].value_left = vt[0].left
                last_fields, pending = list(pending), []
                continue
            if last_fields:
                if columns is not None:
                    # wrapped cells: an address, or a date whose year went to the next line
                    for who, seg in _column_parts(ln.toks, columns):
                        for f in last_fields:
                            if f.startswith(who) and f.endswith(_WRAPPING_CELLS):
                                found[f].toks = _wrapped(found[f].toks, seg)
                    continue
                # a wrapped line continues the value that ran to the end of the line above
                multi = [f for f in last_fields[-1:] if f in MULTILINE_FIELDS
                         or f.startswith("_")]
                if multi and _continues(ln, found, multi):
                    for f in multi:
                        if f in found:
                            found[f].toks = _wrapped(found[f].toks, _value_toks(ln.toks))
                    continue
            if found and label_left is not None and _row_like(ln, label_left):
                unclaimed.append(li)
            last_fields = []
            continue

        if marriage and columns is None and party is not None and matches[0].label.field == "@name":
            # the next section's heading lost (`vVỢ` for `Bên vợ:`, a fax): a party's name
            # row met again while the other party has none opens the other party's section
            other = _other_party(party)
            mine, theirs = found.get(f"{party}_name"), found.get(f"{other}_name")
            if mine is not None and _text(mine.toks) and theirs is None:
                party = other
        last_fields, pending = [], []
        last_label_line = li
        label_left = min(label_left if label_left is not None else 1 << 30,
                         ln.toks[matches[0].start].left)
        for k, m in enumerate(matches):
            end = matches[k + 1].start if k + 1 < len(matches) else len(ln.toks)
            value = ln.toks[m.end : end]
            if columns is not None and m.label.field.startswith("@"):
                parts = _column_parts(value, columns)
                if len(parts) == 2 and parts[0][0] != parts[1][0]:
                    # learn where the right column's values start
                    right_left = max(parts[0][1][0].left, parts[1][1][0].left)
                    columns["split"] = min(columns.get("split", right_left), right_left)
                # a label repeated in each column: its own value is under its own header
                label_col = None
                if sum(1 for x in matches if x.label.field == m.label.field) > 1:
                    label_col = _nearest_column(ln.toks[m.start : end], columns)
                for who in ("husband", "wife"):
                    name = target(m.label.field, who)
                    if name is None:
                        continue
                    mine = [t for col, seg in parts for t in seg
                            if (label_col or col) == who]
                    if name in found and found[name].toks:
                        continue
                    found[name] = _Acc(list(mine), m.score, ln.page)
                    for lst in (last_fields, pending):
                        if name in lst:
                            lst.remove(name)
                    (last_fields if _content(mine) else pending).append(name)
                continue
            name = target(m.label.field)
            key = name or m.label.field  # ignored labels still collect (and end) values
            if name is not None and name in found and _text(found[name].toks) and (
                    found[name].score >= min(m.score, 95.0)):
                # first occurrence wins, unless it was a doubtful label match (`GIẦY SINH`
                # of a broken title taken for `Ngày sinh`) and this one is not
                if any(t.text.endswith(":") for t in value[:_LONGER_LABEL_WORDS]):
                    # the label read again with words and a colon after it: a longer label
                    # misread (`Họ, chữ đệm, tên nưười mì:` for the mother's), a row whose
                    # field the reading could not tell
                    unclaimed.append(li)
                continue
            if name is None:
                key = f"_ignored_{m.label.field}"
            if columns is not None and key.startswith(("husband_", "wife_")):
                # `Họ, chữ đệm, tên chồng: X   Họ, chữ đệm, tên vợ: Y` (or the values on the
                # next line, each under its own label)
                own = _value_toks(value)
                found[key] = _Acc(own, m.score, ln.page, ln.toks[m.start].left)
                (last_fields if _content(own) else pending).append(key)
                continue
            last = k == len(matches) - 1
            # `Số: 30.` at the end of its line: the number, not the next row's numbering
            own = _value_toks(value, number_value=key == "registration_number" and last,
                              before_label=not last)
            earlier = found.get(key) if name is not None else None
            if earlier is not None and earlier.line is not None and _text(earlier.toks):
                # a surer match of the label takes the field from an earlier, doubtful one
                # (`... tên người nìẹ:` matched the father's at 85): that row's label was
                # misread and its value is some other field's, maybe one now absent
                unclaimed.append(earlier.line)
            found[key] = _Acc(own, m.score, ln.page, ln.toks[0].left, line=li,
                              label_rest=m.label.rest,
                              unread_mark=not _content(own) and (
                                  _letter_sized_mark(value, ln)
                                  or (last and _numbering_alone(value))))
            if m.label.field == "_words":
                in_words.append(found[key])
            if _content(own):
                last_fields.append(key)
            elif k == len(matches) - 1:
                pending.append(key)
            elif key in _DATE_KEYS:
                waiting_date = key
        # an ignored multi-line label (e.g. the parent's `Nơi cư trú`) keeps continuations away
        last_fields = [f if not f.startswith("_ignored_") else "_" + f for f in last_fields]
        for f in list(last_fields):
            if f.startswith("__ignored_") and f[1:] in found:
                found[f] = found.pop(f[1:])

    result: dict[str, ExtractedField] = {}
    for name, acc in found.items():
        if name.startswith("_") or name.startswith("@"):
            continue
        ef = _finish(acc)
        if ef is not None:
            result[name] = ef
        else:  # the label is printed but no value was read: blank, or lost (say so)
            result[name] = ExtractedField("", 0.0, round(acc.score / 100.0, 4), acc.page, 0.0,
                                          dropped=True, unread_mark=acc.unread_mark)
    for acc in in_words:
        ef = _finish(acc)
        if ef is not None:  # a cross-check for the date, not a field of the record
            result[DATE_IN_WORDS] = ef
            break
    declarant = found.get("_ignored__declarant") or found.get("__ignored__declarant")
    ef = _finish(declarant) if declarant is not None else None
    if ef is not None:
        result[DECLARANT_NAME] = ef
    rows = [i for i in unclaimed if i < last_label_line]
    if rows:
        result[UNCLAIMED_ROWS] = ExtractedField(str(len(rows)), 0.0)
    if doc_type is not DocType.RESIDENT_INFO_FORM and not (
            "ward" in result and result["ward"].value):
        header_ward = _ward_from_header(lines)
        if header_ward is not None:
            result["ward"] = header_ward
    return result


_SIGNING = re.compile(r"^(?:[a-z]+ )+ngay \d{1,2} [a-z]+ \d{1,2} [a-z]+ \d{4}$")


# the two-column marriage table's cells that wrap: an address, a date whose year went to the
# next line, a long name
_WRAPPING_CELLS = ("residence", "date_of_birth", "_name")


# words between a label met a second time and a colon that make it a longer label misread
_LONGER_LABEL_WORDS = 3


def _after_label_rest(toks: list[_Tok], rest: str) -> list[_Tok]:
    """The line's words after the wrapped end of a label (`hộ` under `17. Số định danh cá
    nhân của chủ`): those words are the label's, not the value's first."""
    if not rest:
        return toks
    content = [i for i, t in enumerate(toks) if t.key]
    n = len(rest.split(" "))
    if len(content) >= n and fuzz.ratio(
            " ".join(toks[i].key for i in content[:n]), rest) >= MIN_LABEL_SCORE:
        return toks[content[n - 1] + 1:]
    return toks


def _signing_line(ln: _Line) -> bool:
    """The place and date of signing (`Dĩ An, ngày 03 tháng 06 năm 2021`) under the fields."""
    return bool(_SIGNING.match(" ".join(k for k in ln.keys if k)))


def _continues(ln: _Line, found: dict[str, _Acc], fields: list[str]) -> bool:
    """Whether a line without a label is the wrapped rest of the value(s) being collected:
    mostly letters (not OCR garbage from a stamp, the background or a border), not a form
    header (`Mẫu DC01 (tiếp theo)`), and starting under the label or the value column, not
    far right of it (a stamp, a signature block)."""
    toks = [t for t in _value_toks(ln.toks) if t.key]
    if not toks:
        return False
    text = "".join(t.text for t in toks)
    letters = sum(ch.isalpha() for ch in text)
    if letters < 2 or letters < 0.7 * len(text.replace(" ", "")):
        return False
    if sum(len(t.key) for t in toks) < 1.8 * len(toks):
        return False  # mostly one-letter debris
    worded = [t for t in toks if sum(ch.isalpha() for ch in t.text) >= 2]
    if worded and sum(_real_word(t.text, min_letters=2) for t in worded) < 0.5 * len(worded):
        return False  # letters Tesseract made of a stamp or a pattern (`tO Œœ CỚIút (CG)`)
    keys = " ".join(t.key for t in toks)
    if re.search(r"\bmau\b.*\d|\btiep theo\b|\btrang \d", keys):
        return False
    if statistics.fmean(t.conf for t in toks) < 40:
        return False
    starts = [found[f].left for f in fields if f in found and found[f].left is not None]
    ends = [found[f].value_left for f in fields
            if f in found and found[f].value_left is not None]
    if starts and ends:
        h = max(t.height for t in toks)
        if toks[0].left < min(starts) - 3 * h or toks[0].left > max(ends) + 3 * h:
            return False
    return True


_DATE_KEYS = frozenset({"date_of_birth", "registration_date"})
_WHOLE_DATE = re.compile(_DATE)


def _take_wrapped_date(ln: _Line, acc: _Acc) -> _Line:
    """The line without its first word when that word is a whole date, which `acc` (a
    date's label with nothing after it but another label) takes as its value."""
    first = next((j for j, t in enumerate(ln.toks) if t.key), None)
    if first is None or not _WHOLE_DATE.fullmatch(ln.toks[first].text.strip(".,;")):
        return ln
    acc.toks = [ln.toks[first]]
    acc.value_left = ln.toks[first].left
    return _Line(ln.toks[:first] + ln.toks[first + 1:], ln.page, ln.line)


def _under_value(ln: _Line, found: dict[str, _Acc], fields: list[str]) -> bool:
    """Whether a line of words starts right under the first word of a value being
    collected: its wrapped rest, however misread (`KHÔA` at 56 % under `TRƯƠNG HỮU XUÂN`:
    skipped as debris, the name was counted without its last word), never a stamp's or the
    paper's debris, which does not line up with the value."""
    words = [t for t in ln.toks if t.key]
    if not words or not all(sum(ch.isalpha() for ch in t.text) >= 2 for t in words):
        return False
    h = max(t.height for t in words)
    return any(f in found and found[f].value_left is not None
               and abs(words[0].left - found[f].value_left) <= h / 2 for f in fields)


def _right_of_centre(line: _Line, width: int) -> bool:
    """Whether a short line sits wholly in the right half of the text (a column header)."""
    return bool(width) and line.toks[0].left > 0.55 * width


def _columns_from_lone_header(line: _Line, matches: list[_Match], who: str,
                              centre: float) -> dict[str, float] | None:
    """Columns from one header (`who` at x `centre`) and the first party label line below it
    whose value holds exactly two groups of words, the right one under the header: the other
    party owns the left group. None when the line does not show two such groups."""
    m = matches[0]
    if not m.label.field.startswith("@"):
        return None
    end = matches[1].start if len(matches) > 1 else len(line.toks)
    segs = _segments(line.toks[m.end : end])
    if len(segs) != 2:
        return None
    left, right = segs
    if not right[0].left - right[0].height <= centre <= right[-1].right + 3 * right[0].height:
        return None
    other = _other_party(who)
    return {who: centre, other: (left[0].left + left[-1].right) / 2,
            "split": float(right[0].left)}


def _row_like(ln: _Line, label_left: int) -> bool:
    """A line that starts where the labels start (within two letter heights, after a cell
    border or a row number) and holds a word of 3+ letters: a form row whose label OCR
    garbled (`|6Tôngáo . 7 |không`), not debris, a stamp or a signature."""
    toks = [t for t in ln.toks if t.key]
    if not toks:
        return False
    h = statistics.median(t.height for t in toks)
    if abs(toks[0].left - label_left) > 2 * h:
        return False
    return any(_real_word(t.text) for t in toks)


_NUMBER = re.compile(r"\W*\d+(?:[./-]\d+)*\W*")


def _real_word(text: str, min_letters: int = 3) -> bool:
    """A word of 3+ letters that can be Vietnamese, in plain casing (`không`, `Tôn`,
    `NAM`): not the letters Tesseract makes of a security pattern (`YfÌt†tlƒn`, `tIỆ`)."""
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text)
    if len(core) < min_letters or not core.isalpha():
        return False
    # letters whose capital is their small letter made bigger (`Ư`, `Ơ`, `O`, `C`...) are
    # read in the wrong case now and then (`DƯƠng` for `Dương`)
    rest = "".join(ch.lower() if strip_diacritics(ch) in _SAME_SHAPE else ch for ch in core[1:])
    if not (core.islower() or core.isupper() or (core[0].isupper() and rest.islower())):
        return False
    return is_syllable(core)


_SAME_SHAPE = frozenset("OUCSVWXZ")


def _label_columns(line: _Line, matches: list[_Match]) -> dict[str, float] | None:
    """Two columns announced by the parties' own labels side by side on one line
    (`Họ, chữ đệm, tên chồng: ...    Họ, chữ đệm, tên vợ: ...`): party -> x centre of its
    column (columns of equal width, the right one starting at its label), and `split`."""
    starts: dict[str, int] = {}
    for m in matches:
        for who in ("husband", "wife"):
            if m.label.field.startswith(who + "_") and who not in starts:
                starts[who] = line.toks[m.start].left
    if len(starts) != 2 or starts["husband"] == starts["wife"]:
        return None
    left, right = sorted(starts.values())
    width = right - left
    out = {who: (x + width / 2) for who, x in starts.items()}
    out["split"] = float(right)
    return out


def _column_parts(toks: list[_Tok], columns: dict[str, float]) -> list[tuple[str, list[_Tok]]]:
    """Words of a line in the two-column layout -> (party, words) parts. Words are grouped
    by gaps; a group that runs across the start of the right column's values (learnt from
    the label lines, `columns['split']`) is cut there (`... tỉnh  Du, ấp 11 ...` where the
    gap between the columns is narrow)."""
    parties = {k: v for k, v in columns.items() if k in ("husband", "wife")}
    right = max(parties, key=lambda k: parties[k])
    left = min(parties, key=lambda k: parties[k])
    split = columns.get("split")
    parts: list[tuple[str, list[_Tok]]] = []
    for seg in _segments(toks):
        if split is not None and seg[0].left < split - seg[0].height <= seg[-1].left:
            k = next(i for i, t in enumerate(seg) if t.left >= split - t.height)
            parts += [(left, seg[:k]), (right, seg[k:])]
        else:
            parts.append((_nearest_column(seg, parties), seg))
    return parts


def _nearest_column(toks: list[_Tok], columns: dict[str, float]) -> str:
    if not toks:
        return "husband"
    centre = (toks[0].left + toks[-1].right) / 2
    parties = [k for k in columns if k in ("husband", "wife")]
    return min(parties, key=lambda who: abs(columns[who] - centre))


def _ward_from_header(lines: list[_Line]) -> ExtractedField | None:
    """Issuer block at the top (`ỦY BAN NHÂN DÂN / PHƯỜNG PHÚ TÂN`) when there is no
    `Nơi đăng ký` line."""
    head = lines[:8]
    for i, ln in enumerate(head):
        keys = " ".join(k for k in ln.keys if k)
        if "phuong" in keys.split() and i > 0:
            prev = " ".join(k for k in head[i - 1].keys if k)
            if "uy ban nhan dan" in prev or "ubnd" in prev:
                return ExtractedField(_text(ln.toks), round(_conf(ln.toks) * 0.8, 4), 0.8,
                                      ln.page)
        if ("uy ban nhan dan phuong" in keys or "ubnd phuong" in keys):
            return ExtractedField(_text(ln.toks), round(_conf(ln.toks) * 0.8, 4), 0.8, ln.page)
    return None
