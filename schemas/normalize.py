"""Raw values as read -> normalized values of RECORDS.md (ISO dates, NFC, title-case names...).

Every function takes the raw text (diacritics kept) and returns the normalized text, or None
when nothing usable is left. None of them guesses: a vocabulary repair happens only when
`schemas.vocab.nearest` finds one unambiguous candidate.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from itertools import chain

from schemas.quality import (
    ONE_LETTER_WORDS,
    is_syllable,
    letters_only,
    split_camel_case,
    split_glued_name,
)
from schemas.vocab import (
    ADMIN_UNITS,
    BLOOD_TYPES,
    ETHNIC_ALIASES,
    ETHNIC_GROUPS,
    MARITAL_ALIASES,
    MARITAL_STATUSES,
    NATIONALITIES,
    NATIONALITY_ALIASES,
    NUMBERED_UNITS,
    OCCUPATIONS,
    RELATIONS_TO_HEAD,
    RELIGIONS,
    fold,
    nearest,
    strip_diacritics,
)

__all__ = [
    "clean_text",
    "parse_date",
    "read_date",
    "DateReading",
    "id_repaired",
    "normalize_date",
    "normalize_name",
    "normalize_sex",
    "normalize_occupation",
    "normalize_id",
    "normalize_registration_number",
    "registration_number_cut",
    "registration_number_repaired",
    "registration_number_with_year",
    "registration_number_year_glued",
    "normalize_ethnicity",
    "normalize_nationality",
    "normalize_marital_status",
    "normalize_blood_type",
    "normalize_religion",
    "normalize_relation",
    "normalize_field",
    "normalize_fields",
    "repair_place_names",
    "parse_date_in_words",
]

_SPACES = re.compile(r"\s+")
_EDGE_JUNK = " \t.:;,_-–—…·•|/\\*~=\"'`„“”¬ˆ[]{}"
_LEADERS = re.compile(r"(?:\.{2,}|…+|_{2,}|-{2,}|·{2,}|—{2,})")


# the fraction slash and the division slash Tesseract reads for `/` (`31⁄07⁄2007`), and a
# leader's last dash (`ngày 30_`)
_MARKS = str.maketrans({"\u2044": "/", "\u2215": "/", "_": " "})


def clean_text(value: str | None) -> str | None:
    """NFC, dotted leaders removed, single spaces, no junk at either end."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value)
    text = _LEADERS.sub(" ", text).translate(_MARKS)
    text = re.sub(r"(?<=[^\W\d_])\.(?=[^\W\d_])", " ", text)  # `Xã.Hồ.Hơn` (leader dots)
    text = re.sub(r",\.+", ", ", text)
    text = _SPACES.sub(" ", text).strip(_EDGE_JUNK).strip()
    text = re.sub(r"\s+([,;])", r"\1", text)
    return _strip_glued_rule(text) or None


def _strip_glued_rule(text: str) -> str:
    """A table's rule glued to the value's first letter (`lỦy ban`, `|NGUYỄN`): no word
    has a lowercase letter or a bar before a capital, nor an `I` before `Ủy`."""
    if len(text) < 3 or text[0] not in "lI|!" or not text[1].isupper():
        return text
    if text[0] == "I" and not text[2].islower():
        return text  # `IN...` may be a word in capitals
    return text[1:]


# a date is taken only when its whole token is a date: a letter or digit glued to either end
# (`L2/11/2021`: OCR read the 1 of `12` as `L`) means the token was misread. Inside a token
# that is otherwise digits and separators, the usual OCR confusions are read as digits (and
# the reading says so: a repaired date needs a second reading to confirm it).
# `Ø` is how Tesseract reads a serif font's zero now and then (`tháng Ø7`, FreeSerif)
_DIGIT_LIKE = "0-9LlIi|!OoØøSBG"
_DIGIT_REPAIR = str.maketrans({"L": "1", "l": "1", "I": "1", "i": "1", "|": "1", "!": "1",
                               "O": "0", "o": "0", "Ø": "0", "ø": "0", "S": "5", "B": "8",
                               "G": "6"})
_D = f"[{_DIGIT_LIKE}]"
_NUMERIC_DATE = re.compile(
    rf"(?<![\w|!])({_D}{{1,2}})\s*[/.\-]\s*({_D}{{1,2}})\s*[/.\-]\s*({_D}{{4}})(?![\w|!])")
# the unit words in any case (`Ngày`), with the punctuation a leader's end or a speck leaves
# after them (`tháng. 08`), the numbers as read (`ngày 0G tháng 11`: `G` is 6)
# (a unit word glued to the number before it, `tháng 12năm 1975`, still ends the number)
_WORDY_DATE = re.compile(rf"(?i:ngay)[\s.,:;]*({_D}{{1,2}})(?!{_D})\D{{0,6}}?"
                         rf"(?i:thang)[\s.,:;]*({_D}{{1,2}})(?!{_D})\D{{0,6}}?"
                         rf"(?i:nam)[\s.,:;]*({_D}{{4}})(?!{_D})")
# A display face's hairline slash, lost in cleaning or read as a comma or colon: the value
# is nothing but the three numbers. Each apart (`12 08 2005`, `14,09,1997`): the date, but
# one a clerk checks unless a second reading confirms it (held-out seed 8686 counted
# `13 01 1941` for `13/04/1941`: the 4's hairline went with the slashes).
# Some glued together (`12 82005`, `0801: 2024`): the year is the last four digits and the
# day and month must split one way only, and the date waits for a clerk (in a run of
# digits a slash may as well have been read as a `1` or a `7`: `12/1988` -> `1271988`).
_DATE_EDGE = r"[\s(\[{\"'“”‘’.,:;]*"
_SEPARATED_DATE = re.compile(
    rf"^{_DATE_EDGE}(\d{{1,2}})(?:\s*[,:;/.\-]\s*|\s+)(\d{{1,2}})(?:\s*[,:;/.\-]\s*|\s+)"
    rf"(\d{{4}}){_DATE_EDGE}$")
_GLUED_DATE = re.compile(rf"^{_DATE_EDGE}(\d[\d\s,:;/.\-]*\d){_DATE_EDGE}$")
_IN_WORDS = re.compile(r"\(?\s*ghi\s*bang\s*chu")
MAX_REPAIRED_DIGITS = 2  # more letters than this in a date token: not a misread date


def _cut_in_words(text: str) -> str:
    """Drop `ghi bằng chữ: ...` (the date in words) and anything after it."""
    plain = strip_diacritics(text).lower()
    # the note's first word glued to the year, the rest on the next line: `06/08/1986ghi`
    glued = re.search(r"(?<=\d)\(?ghi$", plain.rstrip(" .:"))
    if glued:
        return text[: glued.start()]
    folded = fold(text)
    m = _IN_WORDS.search(folded)
    if not m:
        return text
    m2 = re.search(r"\(?\s*ghi\s*bang\s*chu", plain)
    return text[: m2.start()] if m2 else text


@dataclass(frozen=True)
class DateReading:
    """What a date value holds: the date (None when there is none or it is not a real
    calendar date), whether a date-shaped token was found at all (`09/16/1904` is one: month
    16, not a date), whether letters inside the token were read as digits, and whether its
    separators were lost with numbers glued together (`12 82005`)."""

    date: date | None
    shaped: bool = False
    repaired: bool = False
    glued: bool = False  # day, month and year read as one run of digits, split here
    # the three numbers read apart with no slash (`13 01 1941`, `14,09,1997`): a display
    # face's hairlines lost, and with them maybe a digit's (its `4` read `1`)
    apart: bool = False


# a lone letter that is how a serif face's 1 is read, a space before a numeric date
_ONE_BEFORE_DATE = re.compile(r"(?<![\w|!])[Il|!]\s+(?=\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-])")


def read_date(value: str | None) -> DateReading:
    """`29/12/2017`, `29-12-2017`, `29.12.2017`, `ngày 02 tháng 12 năm 1976` -> the date;
    `L2/11/2021` -> 2021-11-12, repaired; `x12/11/2021` (a letter that is no digit's
    look-alike glued to it) -> nothing."""
    if not value:
        return DateReading(None)
    text = unicodedata.normalize("NFC", _cut_in_words(value)).translate(_MARKS)
    plain = _SPACES.sub(" ", strip_diacritics(text))
    one = _ONE_BEFORE_DATE.search(plain)
    if one is not None:
        # `I 1/09/2013` for a footed `11/09/2013` (held-out seed 2323 counted `1/09/2013`):
        # the letter is the day's first 1, a word space apart; joined, and held for a clerk
        found = _date_in(plain[:one.start()] + "1" + plain[one.end():])
        if found.date is None:
            found = _date_in(plain)
        if found.shaped:
            return DateReading(found.date, True, True)
    found = _date_in(plain)
    if found.shaped:
        return found
    # a number cut in two by a space (`09/1 1/2019`, `năm 201 I`): read joined, and held for
    # a clerk like a repaired digit
    joined = _SPLIT_NUMBER.sub("", plain)
    if joined != plain:
        found = _date_in(joined)
        if found.shaped:
            return DateReading(found.date, True, True)
    return _separators_lost(plain.strip())


def _separators_lost(plain: str) -> DateReading:
    m = _SEPARATED_DATE.match(plain)
    if m:
        day, month, year = (int(g) for g in m.groups())
        return DateReading(_real_date(year, month, day), True, apart=True)
    m = _GLUED_DATE.match(plain)
    if not m:
        return DateReading(None)
    groups = re.findall(r"\d+", m.group(1))
    digits = "".join(groups)
    if not 6 <= len(digits) <= 8 or len(groups[-1]) < 4:
        return DateReading(None)
    year = int(digits[-4:])
    head = [*groups[:-1], groups[-1][:-4]] if len(groups[-1]) > 4 else groups[:-1]
    if len(head) == 2:
        splits = [(head[0], head[1])]
    elif len(head) == 1:
        d = head[0]
        splits = [(d[:k], d[k:]) for k in (1, 2) if 1 <= len(d) - k <= 2]
    else:
        return DateReading(None)
    dates = {found for dd, mm in splits if len(dd) <= 2 and len(mm) <= 2
             and (found := _real_date(year, int(mm), int(dd)))}
    if len(dates) != 1:
        return DateReading(None)
    return DateReading(dates.pop(), True, glued=True)


_SPLIT_NUMBER = re.compile(rf"(?<=\d) (?={_D})|(?<={_D}) (?=\d)")


def _date_in(plain: str) -> DateReading:
    for m in chain(_NUMERIC_DATE.finditer(plain), _WORDY_DATE.finditer(plain)):
        token = "".join(m.groups())
        letters = sum(not ch.isdigit() for ch in token)
        if letters > MAX_REPAIRED_DIGITS or not all(any(c.isdigit() for c in g)
                                                    for g in m.groups()):
            continue
        day, month, year = (int(g.translate(_DIGIT_REPAIR)) for g in m.groups())
        return DateReading(_real_date(year, month, day), True, letters > 0)
    return DateReading(None)


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(value: str | None) -> date | None:
    """The calendar date in `value` (`29/12/2017`, `29-12-2017`, `29.12.2017`,
    `ngày 02 tháng 12 năm 1976`), or None when there is none or it is not a real date.
    See `read_date` for repaired digits."""
    return read_date(value).date


def normalize_date(value: str | None) -> str | None:
    parsed = parse_date(value)
    return parsed.isoformat() if parsed else None


def _name_token(token: str) -> str:
    letters = any(ch.isalpha() for ch in token)
    return "".join(
        ch if ((ch.isalpha() and unicodedata.category(ch) != "Lm") or ch in "'’"
               or (letters and ch.isdigit()))
        else " " for ch in token)


def normalize_name(value: str | None) -> str | None:
    """`NGUYỄN  VĂN AN.` -> `Nguyễn Văn An`: letters, spaces and apostrophes, title case."""
    text = clean_text(value)
    if not text:
        return None
    # letters only: a modifier letter (`ˆ`, `ˇ`: category Lm) is a stray mark, not a letter.
    # A digit glued to letters stays, though: it is a misread letter (`0anh` for `Oanh`), and
    # dropping it would turn the name into another one (`Anh`); the checks then see it.
    text = " ".join(_name_token(token) for token in text.split())
    text = text.replace("’", "'")
    # words OCR glued together (`NGUYỄNHOÀNGKHOA`, `VănBảo`) are cut where that is certain
    words = [part for w in _SPACES.split(text) if w.strip("'") for part in split_glued_name(w)]
    if not words:
        return None
    return " ".join(w[0].upper() + w[1:].lower() for w in words)


def normalize_sex(value: str | None) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    key = fold(text).split(" ")[0] if text else ""
    if key in {"nam", "narn", "nan", "male"}:
        return "Nam"
    if key in {"nu", "nir", "nii", "female", "nvu"}:
        return "Nữ"
    return None


_ID_CONFUSABLE = str.maketrans({"O": "0", "o": "0", "D": "0", "Ø": "0", "ø": "0", "l": "1",
                                "I": "1", "i": "1", "|": "1", "!": "1", "S": "5", "B": "8",
                                "Z": "2"})


def normalize_id(value: str | None) -> str | None:
    """Digits only. OCR confusions (O->0, l/I->1, ...) are repaired only inside a string
    that is otherwise digits; anything else is returned compacted, for validation to reject."""
    text = clean_text(value)
    if not text:
        return None
    compact = re.sub(r"[\s.\-]", "", text)
    # take the first run that looks like a number (the value may be followed by other text)
    m = re.search(r"[0-9OoDØølIi|!SBZ]*\d[0-9OoDØølIi|!SBZ]*", compact)
    if not m:
        return compact
    token = m.group(0)
    digits = sum(ch.isdigit() for ch in token)
    if digits * 2 >= len(token):
        return token.translate(_ID_CONFUSABLE)
    return token


def id_repaired(value: str | None) -> bool:
    """Whether `normalize_id` read letters of `value` as digits (`O74...` -> `074...`): the
    number then needs a second reading (its digits checked against the record) or review."""
    text = clean_text(value)
    if not text:
        return False
    norm = normalize_id(text)
    compact = re.sub(r"[\s.\-]", "", text)
    return bool(norm) and norm.isdigit() and norm not in compact


# a stroke glued to a number's digits is a `1` read as a mark (`24]` for 241, runner-up
# `241`): trimmed as edge junk it silently drops a digit, and a number loses nothing to the
# checks
# (before the digits only a letter: a `|` or `[` there is as likely a cell's rule)
_ONE_AS_MARK = re.compile(r"(?<=\d)[\]\[|!lI](?=[\d/\s]|$)|(?<![^\s/])[lI](?=\d)")


def registration_number_repaired(value: str | None) -> bool:
    """Whether `normalize_registration_number` read a mark glued to the digits as a `1`:
    the number then needs a clerk."""
    return bool(value and _ONE_AS_MARK.search(unicodedata.normalize("NFC", value).strip()))


def registration_number_cut(value: str | None) -> bool:
    """Whether the number `normalize_registration_number` keeps (the first word) is followed
    by another number: `472 2010` is `472/2010` with its slash lost (a display face's
    hairline slash), and the number kept, `472`, would drop the year."""
    words = (clean_text(value) or "").split(" ")
    return len(words) > 1 and all(re.fullmatch(r"[\d/.-]*\d[\d/.-]*", w) for w in words[:2])


# a number, then a registration year, with no slash between them: lost (`407 1987`,
# `4071987`) or read as another mark (`313,2008`, `70.2002`)
_NUMBER_THEN_YEAR = re.compile(r"^(\d{1,5})(?:\s*[,.:;]\s*|\s+)?((?:1[89]|2\d)\d\d)$")


def _number_then_year(value: str | None) -> tuple[str, int] | None:
    """(the number, the year) of a value read as `_NUMBER_THEN_YEAR`, else None."""
    text = clean_text(value)
    m = _NUMBER_THEN_YEAR.match(text.rstrip(".,;:")) if text else None
    return (m.group(1), int(m.group(2))) if m else None


def registration_number_with_year(value: str | None, year: int) -> str | None:
    """`N/year` for a number read as N and `year` without the slash between them (see
    `_NUMBER_THEN_YEAR`), when `year` is the year of the registration date, read apart:
    two readings agree on those digits. None otherwise."""
    found = _number_then_year(value)
    if not found or found[1] != year:
        return None
    return f"{found[0]}/{year}"


def registration_number_year_glued(value: str | None) -> bool:
    """Whether the number read is a number and a year with no slash between them
    (`1232020`, `313,2008`; see `_NUMBER_THEN_YEAR`): unless the year is the registration
    date's (`registration_number_with_year`), the slash was lost or one of the two misread,
    and the number kept (`1232020`) is not the one printed."""
    found = _number_then_year(value)
    return bool(found and 1900 <= found[1] <= 2099)  # `12345` is no number and year


# a lone letter beside a number's digits (`5B` for `55` at 88 %, the other models reading it
# alike: counted on a fresh set; `J34` for a display face's `134`, held-out seed 7979:
# counted, `J` being no digit's usual look-alike): a code's letters come in a run (`KS0001`,
# `123/2017/KS`), a single one glued to digits is most likely a digit misread
_LONE_LETTER = re.compile(r"(?<=\d)[^\W\d_](?![^\W\d_])|(?<![^\W\d_])[^\W\d_](?=\d)")


def registration_number_letter_for_digit(value: str | None) -> bool:
    """Whether the number holds a lone letter glued to its digits (`5B`, `O74`, `J34`)."""
    return bool(value and _LONE_LETTER.search(value))


def normalize_registration_number(value: str | None) -> str | None:
    """As printed, trimmed (`675`, `02/1992`, `KS0001`, `123/2017/KS`); a slash read twice
    (`391//2021`) is one; a stroke glued to the digits is a `1` (`24]` -> `241`)."""
    if value:
        value = _ONE_AS_MARK.sub("1", unicodedata.normalize("NFC", value).strip())
    text = clean_text(value)
    if not text:
        return None
    text = re.sub(r"/{2,}", "/", text)
    return text.split(" ")[0] if re.match(r"^\S*\d", text) else text


def normalize_ethnicity(value: str | None) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    return nearest(text, ETHNIC_GROUPS, aliases=ETHNIC_ALIASES) or text


def normalize_nationality(value: str | None) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    return nearest(text, NATIONALITIES, aliases=NATIONALITY_ALIASES) or text


def normalize_marital_status(value: str | None) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    return nearest(text, MARITAL_STATUSES, aliases=MARITAL_ALIASES) or text


_STROKE_BY_LETTER = re.compile(r"[\\/\[\]{}<>^][^\W\d_]|[^\W\d_][\\/\[\]{}<>^]")


def normalize_blood_type(value: str | None) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    # a digit or a stroke beside the letters is a letter misread (`3B` for `AB`, a held-out
    # face's `A` at 71 %: counted `B`; `.\B`, its hairlines, at 90 %), not a speck to drop:
    # left as read (the stroke too, which cleaning would drop), which is no type
    if _STROKE_BY_LETTER.search(value or ""):
        return unicodedata.normalize("NFC", " ".join((value or "").split()))
    # the letter under a mark a speck put over or under it (`Õ`, `Ọ`, `Ầ`) is the type
    letters = strip_diacritics(text)
    if re.search(r"[1-9]", letters):
        return text
    key = re.sub(r"[^A-Za-z0]", "", letters).upper().replace("0", "O")
    if key in BLOOD_TYPES:
        return key
    if key and set(key) == {"O"} and len(key) <= 2:
        return "O"  # `0O`, `00`: the O read twice (zero and letter), only in this field
    if len(key) == 4 and key[:2] == key[2:] and key[:2] in BLOOD_TYPES:
        return key[:2]
    return text


def normalize_religion(value: str | None) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    return nearest(text, RELIGIONS) or text


def normalize_relation(value: str | None) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    return nearest(text, RELATIONS_TO_HEAD) or text


def normalize_place(value: str | None) -> str | None:
    """A place or address starts with a capital (`Xã Yên Thành, ...`): OCR often cannot tell
    `x`/`X`, `s`/`S`, `c`/`C` apart at a line start, and the place is the same either way."""
    text = clean_text(value)
    if not text:
        return text
    # spaces OCR lost: before a capital after a small letter (`tỉnh BìnhDương`), and between
    # a word and a number (`khu phố4`); a code such as `ĐT743` is capitals and stays
    text = _LETTER_DIGIT.sub(
        lambda m: f"{m[1]} {m[2]}" if m[1][-1].islower() else m[0], split_camel_case(text))
    text = re.sub(r",,+", ",", text)  # one comma read twice (`phường Dĩ An,, thành phố`)
    text = re.sub(r",(?=[^\W\d_])", ", ", text)  # `khu phố 11,phường`: the space after
    # a quote mark before a word is a speck (`'khu phố 11`, measured: counted): no word of a
    # place starts with one (the apostrophe of `H'Mông` is inside the word)
    text = re.sub(r"(?<!\S)['’‘`\"“”]+(?=[^\W\d_])", "", text)
    text = _lost_level_commas(text)
    # a road's code is kept whole (`đường ĐT 743` -> `ĐT743`): printed both ways, and read
    # apart by OCR where printed whole (fresh seed 9797: counted `ĐT 743`); one spelling
    # makes the stored addresses searchable by it
    text = _ROAD_CODE.sub(r"\1\2", text)
    text = _DIGIT_READ_AS_LETTER.sub(
        lambda m: m[0].translate(_LETTER_AS_DIGIT) if any(ch.isdigit() for ch in m[0])
        else m[0], text)
    return text[:1].upper() + text[1:]


# the codes of national, provincial, district and commune roads before their number
_ROAD_CODE = re.compile(r"(?<!\S)(QL|ĐT|TL|HL|ĐH)[ .]+(\d+)(?![\d/])")
# a number of an address with a `1` read `I` or `l`, or a `0` read `O` (`Tổ I9`): letters
# among digits, alone as a word; a letter with no digit (`ấp II`) may be a Roman numeral
_DIGIT_READ_AS_LETTER = re.compile(r"(?<![^\s/])[\dIlO]+(?=/|[,.]?(?:\s|$))")
_LETTER_AS_DIGIT = str.maketrans("IlO", "110")


# the kind of a health facility, which its unit and place name follow with no comma
# (`Bệnh viện Đa khoa tỉnh Tây Ninh`, `Trung tâm Y tế thành phố Tân Uyên`)
_FACILITY_KINDS = frozenset({"da khoa", "y te"})


def _lost_level_commas(text: str) -> str:
    """The comma OCR lost between two levels of an address: a name's last word, then a unit
    word and its name (`phường Thuận Giao thành phố Thuận An`, measured), or a level under
    the ward and its number (`đường Phú Lợi khu phố 8`, counted so on seed 155). Only after
    a capitalized word: `Ủy ban nhân dân phường`, `Bệnh viện Đa khoa tỉnh` name no level."""
    words = text.split(" ")
    folded = [fold(w) for w in words]
    for i in range(1, len(words) - 1):
        before = words[i - 1]
        if not before[:1].isupper() or before.endswith(",") or before in _OFFICES:
            continue
        if " ".join(folded[max(0, i - 2):i]) in _FACILITY_KINDS:
            continue  # `Bệnh viện Đa Khoa tỉnh Tây Ninh`: the hospital's name, capitals or not
        for unit in (*ADMIN_UNITS, *_NUMBERED_UNITS):
            after = i + len(unit.split())
            if " ".join(folded[i:after]) != unit or after >= len(words):
                continue
            name = words[after][:1]  # a number, or (above the ward) a capitalized name
            if name.isdigit() or (name.isupper() and unit not in _NUMBERED_UNITS):
                words[i - 1] = before + ","
                break
    return " ".join(words)


# an office's abbreviation names the office of the level after it (`UBND phường Tân Định`,
# as `Ủy ban nhân dân phường`): no comma was lost there
_OFFICES = frozenset({"UBND", "HĐND", "UBMTTQ"})


# the levels under a ward, counted only before their number (`đường Phú Lợi khu phố 8`:
# the comma lost; a street may be named `Tô Hiến Thành`, so `tô` before a name is no level)
_NUMBERED_UNITS = tuple(fold(unit) for unit in NUMBERED_UNITS)


_LETTER_DIGIT = re.compile(r"([^\W\d_]+)(\d)")


PLACE_FIELDS = (
    "place_of_birth", "home_town", "permanent_address", "current_address",
    "birth_registration_place", "husband_residence", "wife_residence",
)


# a listed occupation whose letters, marks removed, no other listed one shares
_OCCUPATION_BY_FOLD = {
    key: entries[0] for key, entries in
    {fold(o): [e for e in OCCUPATIONS if fold(e) == fold(o)] for o in OCCUPATIONS}.items()
    if len(entries) == 1
}


def normalize_occupation(value: str | None) -> str | None:
    """Free text, in sentence case when a word is read in capitals (`NỘI trợ` -> `Nội
    trợ`: OCR mistakes the case of letters whose capital only differs in size, and a
    value typed in capitals reads the same). Capitals that are no Vietnamese syllable,
    or two letters without a mark among small letters, stay (`Kỹ sư IT`, `CNV`). A value
    that is a common occupation but for its marks takes that occupation's (`Nông dần`)."""
    text = clean_text(value)
    if not text:
        return text
    words = text.split(" ")
    all_capitals = text.isupper()

    def shouted(word: str) -> bool:
        letters = "".join(ch for ch in word if ch.isalpha())
        bare = unicodedata.normalize("NFD", letters)
        return (len(letters) >= 2 and letters.isupper() and is_syllable(letters)
                and (all_capitals or len(letters) >= 3 or len(bare) > len(letters)))

    if any(shouted(w) for w in words):
        words = [w.lower() if shouted(w) else w for w in words]
        text = words[0][:1].upper() + " ".join(words)[1:]
    return _OCCUPATION_BY_FOLD.get(fold(text), text)


_BY_FIELD = {
    **dict.fromkeys(PLACE_FIELDS, normalize_place),
    "full_name": normalize_name, "mother_name": normalize_name, "father_name": normalize_name,
    "husband_name": normalize_name, "wife_name": normalize_name,
    "household_head_name": normalize_name,
    "date_of_birth": normalize_date, "registration_date": normalize_date,
    "husband_date_of_birth": normalize_date, "wife_date_of_birth": normalize_date,
    "sex": normalize_sex,
    "personal_id": normalize_id, "husband_id": normalize_id, "wife_id": normalize_id,
    "household_head_id": normalize_id,
    "ethnicity": normalize_ethnicity, "husband_ethnicity": normalize_ethnicity,
    "wife_ethnicity": normalize_ethnicity,
    "nationality": normalize_nationality, "husband_nationality": normalize_nationality,
    "wife_nationality": normalize_nationality,
    "marital_status": normalize_marital_status, "blood_type": normalize_blood_type,
    "religion": normalize_religion, "relation_to_head": normalize_relation,
    "registration_number": normalize_registration_number,
    "occupation": normalize_occupation,
}  # fmt: skip


def normalize_field(name: str, value: str | None) -> str | None:
    """Normalize one field by its JSON key (free text for keys without a special rule)."""
    return _BY_FIELD.get(name, clean_text)(value)


def normalize_fields(raw: dict[str, str | None]) -> dict[str, str | None]:
    return {name: normalize_field(name, value) for name, value in raw.items()}


# OCR reads an accented i or o as a digit (`D1 An` for `Dĩ An`, `H0a` for `Hòa`)
_DIGIT_AS_LETTER = {"1": "i", "0": "o", "|": "i", "!": "i"}
_MIXED_WORD = re.compile(r"^(?=.*[^\W\d_])(?=.*[01|!])[^\W_01|!]*(?:[01|!][^\W_01|!]*)+$")


def repair_place_names(value: str | None, names: list[str] | tuple[str, ...]) -> str | None:
    """Repair words where OCR read a letter as a digit (`D1 An` -> `Dĩ An`) against known
    place names (registry wards and cities, provinces): a run of words holding such a word
    is replaced only when, with the digits read as letters and diacritics ignored, it equals
    exactly one known name. Anything else is left as read (validation or review decides)."""
    if not value:
        return value
    words = value.split(" ")
    bare = [w.strip(",.;:()") for w in words]
    if not any(_MIXED_WORD.match(b) and len(b) >= 2 for b in bare):
        return value
    known: dict[str, set[str]] = {}
    for name in names:
        known.setdefault(fold(name), set()).add(name)
    sizes = sorted({len(k.split(" ")) for k in known}, reverse=True)
    out = list(words)
    i = 0
    while i < len(words):
        replaced = False
        for n in sizes:
            window = bare[i : i + n]
            if len(window) < n or not any(_MIXED_WORD.match(b) for b in window):
                continue
            if any(not b for b in window) or any(w != b and w.rstrip(",.;:") != b
                                                   for w, b in zip(words[i:i + n - 1],
                                                                   window[:-1], strict=True)):
                continue  # a name never spans punctuation
            guess = fold(" ".join("".join(_DIGIT_AS_LETTER.get(c, c) for c in b)
                                  for b in window))
            hits = known.get(guess, set())
            if len(hits) == 1:
                name_words = next(iter(hits)).split(" ")
                tail = words[i + n - 1][len(bare[i + n - 1]):] if words[i + n - 1].startswith(
                    bare[i + n - 1]) else ""
                out[i : i + n] = [*name_words[:-1], name_words[-1] + tail] + [""] * (
                    n - len(name_words))
                i += n
                replaced = True
                break
        if not replaced:
            i += 1
    return " ".join(w for w in out if w)


# Marks a leader, a rule or the paper leaves around a word of an address (`phố .„ Thuận An`,
# `„tỉnh`, `Bình " Chuẩn`): not letters, so they never counted in a word's confidence.
_DEBRIS = "„\"“”.¬ˆ'`^~|_•·"
_UNIT_WORDS = ADMIN_UNITS


def is_debris_mark(word: str) -> bool:
    """A mark of the paper read as a word: punctuation or symbols only (`=¡`), a short
    token holding a symbol (`£ỉ`), or one small letter that is no word (`phường s Bình
    Thắng`: the security paper's pattern read as a letter)."""
    return (not any(ch.isalnum() for ch in word)
            or (len(word) <= 2 and any(unicodedata.category(ch)[0] == "S" for ch in word))
            or (len(word) == 1 and word.islower() and word not in ONE_LETTER_WORDS))


def drop_debris_by_place_names(value: str | None, names: list[str] | tuple[str, ...]
                               ) -> str | None:
    """Drop such marks where a known place name (registry wards and cities, provinces)
    follows them, with or without its unit word, or where the name runs across them.
    Marks anywhere else stay: they may be a lost word, and the text checks send the record
    to review."""
    if not value:
        return value
    words = value.split(" ")
    known = {fold(n) for n in names}
    longest = max((len(k.split()) for k in known), default=0)

    def bare(ws: list[str]) -> str:
        return fold(" ".join(w.lstrip(_DEBRIS).rstrip(",") for w in ws))

    def name_at(j: int) -> bool:
        for unit in ("", *_UNIT_WORDS):
            k = len(unit.split()) if unit else 0
            if unit and bare(words[j:j + k]) != unit:
                continue
            for n in range(1, longest + 1):
                run = words[j + k:j + k + n]
                if len(run) == n and all(not w.endswith(",") for w in run[:-1]) and (
                        bare(run) in known):
                    return True
        return False

    def name_across(i: int, j: int) -> bool:
        for before in range(1, longest):
            for after in range(1, longest - before + 1):
                run = words[i - before:i] + words[j:j + after]
                if (i - before >= 0 and len(run) == before + after
                        and all(not w.endswith(",") for w in run[:-1]) and bare(run) in known):
                    return True
        return False

    def is_unit(first: int, second: int) -> bool:  # the two words spell a unit
        pair = bare([words[first], words[second]])
        return pair in _UNIT_WORDS or pair == "khu pho"

    def inside_unit(i: int) -> bool:  # `thành v phố`: between the two words of a unit
        return 0 < i < len(words) - 1 and is_unit(i - 1, i + 1)

    def unit_word_at(i: int) -> bool:  # `khu „phố 6`: glued to a unit's second word
        return i > 0 and is_unit(i - 1, i)

    out: list[str] = []
    for i, word in enumerate(words):
        core = word.lstrip(_DEBRIS)
        if is_debris_mark(word):
            if name_at(i + 1) or name_across(i, i + 1) or inside_unit(i):
                continue
        elif core != word:  # a mark glued to the front of a word
            words[i] = core
            if name_at(i) or name_across(i, i) or unit_word_at(i):
                word = core
            words[i] = word
        out.append(word)
    result = " ".join(_mark_inside_name(out, known, longest))
    # a mark dropped may uncover another one before it (`=¡ phường s Bình Chuẩn`)
    return result if result == value else drop_debris_by_place_names(result, names)


_UNIT_ENDS = {"phuong", "xa", "tran", "pho", "quan", "huyen", "tinh"}


# a speck read as punctuation at a word's end (`Phú. Lợi`, `Tân, Đông Hiệp`, `Nghệ- An`)
_TRAILING_SPECKS = ",.;:-"


def _mark_inside_name(words: list[str], known: set[str], longest: int) -> list[str]:
    """`phường Tân, Đông Hiệp` -> `phường Tân Đông Hiệp`, `tỉnh Nghệ. An` -> `tỉnh Nghệ
    An`: a comma, a dot (a leader dot or speck read as one) that splits a known name right
    after its unit word."""
    out = list(words)
    for i, word in enumerate(words):
        if len(word) < 2 or word[-1] not in _TRAILING_SPECKS or word[-2] in _TRAILING_SPECKS:
            continue
        for before in range(1, longest):
            start = i - before + 1
            if start < 1 or fold(words[start - 1]) not in _UNIT_ENDS:
                continue
            if any(w.endswith(",") for w in words[start:i]):
                continue
            for after in range(1, longest - before + 1):
                run = [*words[start:i], word[:-1], *words[i + 1:i + 1 + after]]
                if len(run) != before + after or any(w.endswith(",") for w in run[:-1]):
                    continue
                if fold(" ".join(run).rstrip(",.")) in known:
                    out[i] = word[:-1]
    return out


_WORD_DIGITS = {"khong": 0, "mot": 1, "mots": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4,
                "nam": 5, "lam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}


def _number_in_words(words: list[str]) -> int | None:
    """`hai nghìn không trăm mười bảy` -> 2017 (folded words); None on any unknown word."""
    if not words:
        return None
    total = cur = last = 0
    for w in words:
        if w in _WORD_DIGITS:
            last = _WORD_DIGITS[w]
        elif w == "muoi":  # mười (10) and mươi (x10) fold alike
            cur += last * 10 if last else 10
            last = 0
        elif w == "tram":
            cur += last * 100
            last = 0
        elif w in ("nghin", "ngan"):
            total += (cur + last) * 1000
            cur = last = 0
        elif w in ("linh", "le", "mong", "mung"):
            continue
        else:
            return None
    return total + cur + last


def _date_word_parts(words: list[str], month: str, year: str
                     ) -> tuple[list[str], list[str], list[str]] | None:
    """A date in words' day, month and year words, split at `month` (`thang`/`tháng`) and
    the `year` word after it (`nam`/`năm`, which is also the month five: `tháng năm năm`)."""
    if month not in words:
        return None
    k = words.index(month)
    day_words, rest = words[:k], words[k + 1 :]
    if rest[:2] == [year, year]:
        return day_words, [year], rest[2:]
    if year in rest:
        j = rest.index(year)
        return day_words, rest[:j], rest[j + 1 :]
    return None


def parse_date_in_words(value: str | None) -> date | None:
    """`Ngày hai mươi chín tháng mười hai năm hai nghìn không trăm mười bảy` -> 2017-12-29.
    None unless every word is understood (an OCR error leaves the check undecided)."""
    if not value:
        return None
    words = re.sub(r"[^a-z ]", " ", fold(value)).split()
    if "ngay" in words:
        words = words[words.index("ngay") + 1 :]
    parts = _date_word_parts(words, "thang", "nam")
    if parts is None:
        return None
    day, month, year = (_number_in_words(x) for x in parts)
    if day is None or month is None or year is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


# the words a year is written with, marks and all
_YEAR_WORDS = frozenset("không một mốt hai ba bốn tư năm lăm sáu bảy tám chín mười mươi "
                        "trăm nghìn ngàn linh lẻ".split())


def year_in_words_misread(value: str) -> bool:
    """A year in words with a word that is none of a year's, marks and all: the words are
    parsed without their marks (parse_date_in_words), so `chín mươi tăm` (for `lăm`) reads
    as 98; such a year decides nothing against the digits (fresh seed 6868: a right
    `23/08/1995`)."""
    words = [w for w in (letters_only(x).lower() for x in value.split()) if w]
    parts = _date_word_parts(words, "tháng", "năm")
    return parts is not None and any(w not in _YEAR_WORDS for w in parts[2])
