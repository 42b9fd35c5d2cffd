"""Pages of one input file -> records: split, classify, extract, normalize, validate."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from ocr.text import PageText
from schemas.classify import MIN_TEXT_CHARS, classify, has_title
from schemas.extract import (
    DATE_IN_WORDS,
    DECLARANT_NAME,
    UNCLAIMED_ROWS,
    ExtractedField,
    extract_fields,
)
from schemas.gazetteer import known_name_word, misread_unit, repair_misread_unit
from schemas.normalize import (
    clean_text,
    drop_debris_by_place_names,
    id_repaired,
    is_debris_mark,
    normalize_field,
    parse_date_in_words,
    read_date,
    registration_number_cut,
    registration_number_letter_for_digit,
    registration_number_repaired,
    registration_number_with_year,
    registration_number_year_glued,
    repair_place_names,
    year_in_words_misread,
)
from schemas.quality import (
    address_problem,
    city_problem,
    confirmed_name_word_doubtful,
    copies_disagree,
    digit_in_a_word,
    given_name_problem,
    has_tone_twin,
    home_town_problem,
    letters_only,
    lowercase_non_syllable,
    name_by_letters,
    name_problem,
    near_a_listed_value,
    place_name_positions,
    place_term_positions,
    repair_address_units,
    repair_diacritics,
    repair_place_terms,
    repair_surname,
    repair_zero_in_name,
    residence_problem,
    rival_name_word,
    street_name_words,
    surname_by_letters,
    text_problem,
)
from schemas.records import FIELDS, REQUIRED_FIELDS, DocType, Status, business_key
from schemas.validate import FIELD_LABELS, validate_fields
from schemas.vocab import (
    ETHNIC_GROUPS,
    MARITAL_STATUSES,
    NATIONALITIES,
    OCCUPATIONS,
    PROVINCE_CODES,
    RELATIONS_TO_HEAD,
    RELIGIONS,
    SEXES,
    fold,
    strip_diacritics,
)
from schemas.wards import WardRegistry

__all__ = ["RecordReading", "read_records"]

MIN_PAGE_QUALITY = 0.15  # below this (0-1), an OCR'd page with text is unreadable
# the least OCR confidence (0-1) of any one word of a value, required or optional: one
# doubtful word (a dropped diacritic, a 3 read for an 8) is enough to make a record wrong
MIN_WORD_CONFIDENCE = 0.6


# An ID number whose province code, sex/century digit and birth-year digits all agree with
# the record's own sex and date of birth has its first six digits confirmed, not the last
# six: its token still needs 0.9, the confidence below which the second reading is asked
# (digits misread at 0.6-0.8, then one at 0.88, were counted on the benchmarks). The date of
# birth it repeats keeps the bar of any value: the ID repeats its year, not its day.
MIN_CHECKED_ID_CONFIDENCE = 0.9
# A number anywhere in a value (a house number, a registration number, a date) read under
# 0.9 and not confirmed by the second reading (ocr.process asks it for every such word) is
# a doubt: a digit misread is another value that no check can tell (`409` for `469` at 0.79,
# `26G` for `266` at 0.72 were counted on the benchmarks).
MIN_DIGIT_CONFIDENCE = 0.9
# a name printed twice on the form and read the same both times (see _names_printed_twice):
# each print's words still need this much
NAME_TWICE_CONFIDENCE = 0.3
# a surname whose letters spell one surname only (`Nguyên` -> `Nguyễn`) carries its
# confidence no more when it has this many letters (nine sets: 3 letters, `BÙI`, +2
# records over 4, none wrong; 2 letters, `VÕ`, +6 more and one wrong: a misread place the
# surname's doubt alone had held)
SURNAME_BY_LETTERS_MIN = 3
# ... and a middle or given name word with this many (nine sets: 4 letters +4 records,
# 3 letters +2 more, 2 letters no more; none wrong)
NAME_BY_LETTERS_MIN = 3
# an ID with nothing on the record to check it against (the household head's) needs more
MIN_UNCHECKED_ID_CONFIDENCE = 0.9
UNCHECKED_IDS = frozenset({"household_head_id"})
_PARTY_ID = {"personal_id": ("sex", "date_of_birth"),
             "husband_id": (None, "husband_date_of_birth"),
             "wife_id": (None, "wife_date_of_birth")}


@dataclass
class RecordReading:
    doc_type: DocType | None
    page_numbers: list[int]  # 1-based, in the input file
    status: Status
    fields: dict[str, str | None] = field(default_factory=dict)  # normalized, JSON-able
    confidence: dict[str, float] = field(default_factory=dict)  # 0-1 per field
    reasons: list[str] = field(default_factory=list)  # Vietnamese, no personal data
    business_key: str | None = None
    ward: str | None = None  # registry code of the ward on the document


NAME_FIELDS = frozenset({"full_name", "mother_name", "father_name", "husband_name",
                         "wife_name", "household_head_name"})
RESIDENCE_FIELDS = frozenset({"permanent_address", "current_address", "husband_residence",
                              "wife_residence"})
ADDRESS_FIELDS = frozenset({"place_of_birth", "home_town", "permanent_address",
                            "current_address", "birth_registration_place",
                            "husband_residence", "wife_residence"})
DATE_FIELDS = frozenset({"date_of_birth", "registration_date", "husband_date_of_birth",
                         "wife_date_of_birth"})
ID_FIELDS = frozenset({"personal_id", "husband_id", "wife_id", "household_head_id"})
TEXT_FIELDS = frozenset({"occupation", "religion", "relation_to_head"})
NATIONALITY_FIELDS = frozenset({"nationality", "husband_nationality", "wife_nationality"})
_TEXT_LISTS = {"occupation": OCCUPATIONS, "religion": RELIGIONS,
               "relation_to_head": RELATIONS_TO_HEAD}
PLACE_FIELDS = frozenset({
    "place_of_birth", "home_town", "ward", "permanent_address", "current_address",
    "birth_registration_place", "husband_residence", "wife_residence",
})  # fmt: skip


def _place_names(registry: WardRegistry) -> list[str]:
    names = {w.name for w in registry} | {w.city for w in registry}
    names |= {p for p in PROVINCE_CODES.values() if not p.startswith("Thành phố")}
    return sorted(names)


def _repair_place(value: str, places: list[str]) -> str:
    """OCR's usual damage to a place, repaired only against the known place names."""
    value = drop_debris_by_place_names(value, places) or value
    value = repair_place_names(value, places) or value
    return repair_diacritics(value, places) or value


def _dropped_marks(words: list[str], repaired: str | None) -> set[int]:
    """Indexes of the `words` that are marks of the paper (normalize.is_debris_mark) the
    repaired value no longer holds (`thành v phố`, `tỉnh £ỉ Bình Dương`)."""
    kept = Counter((repaired or "").split(" "))
    dropped: set[int] = set()
    for k, word in enumerate(words):
        if not is_debris_mark(word):
            continue
        if kept[word]:
            kept[word] -= 1
        else:
            dropped.add(k)
    return dropped


def _year_cut_short(in_words: date, digits: str) -> bool:
    """Same day and month, and the year in words is the year in digits read only up to a
    word: the words wrapped onto a line that was not read (`... năm một nghìn chín trăm
    chín` for 1992 reads as 1909, `... hai nghìn không trăm mười` for 2015 as 2010), not a
    misread date."""
    try:
        read = date.fromisoformat(digits)
    except ValueError:
        return False
    year = read.year
    cut = {year - year % 10 ** k for k in (1, 2, 3)}
    cut.add(year - year % 100 + year // 10 % 10)  # the tens word read as units (1909)
    return (in_words.day, in_words.month) == (read.day, read.month) and (
        in_words.year != year and in_words.year in cut)


def _cross_checks(doc_type: DocType, fields: dict[str, str | None],
                  words: ExtractedField | None,
                  cities: frozenset[str] = frozenset(),
                  wards: frozenset[str] = frozenset()) -> list[str]:
    """Checks of one reading against another of the same fact on the page, and of the
    values against the domain (`cities`, `wards`: the registry's names)."""
    out: list[str] = []
    if doc_type is DocType.BIRTH_CERTIFICATE and words is not None and fields.get(
            "date_of_birth"):
        in_words = parse_date_in_words(words.value)
        dates = {fields.get("date_of_birth"), fields.get("registration_date")}
        # a year any other than the digits' is a disagreement (`chín mươi tư` beside a
        # display face's `09.1991` for 1994, held-out seed 7979, was taken for a line cut
        # short, and the date held only by other doubts), unless cut or misread
        if in_words is not None and (_year_cut_short(in_words, fields["date_of_birth"])
                                     or year_in_words_misread(words.value)):
            in_words = None  # undecided: the ID's birth-year digits still check the year
        if in_words is not None and in_words.isoformat() not in dates:
            out.append(f"{FIELD_LABELS['date_of_birth']}: ngày ghi bằng số và ngày ghi bằng "
                       "chữ không khớp, cần kiểm tra")
    for name in sorted(fields):
        value = fields.get(name)
        if not value:
            continue
        problem = None
        if name in NAME_FIELDS:
            problem = name_problem(value) or given_name_problem(value)
        elif name in PLACE_FIELDS or name in TEXT_FIELDS:
            if name in PLACE_FIELDS and _suspicious_text(value):
                problem = "có ký tự lạ (có thể đọc sai)"
            problem = problem or text_problem(value)
            if name in TEXT_FIELDS:
                problem = (problem or lowercase_non_syllable(value) or digit_in_a_word(value)
                           or near_a_listed_value(value, _TEXT_LISTS.get(name, ())))
            if name == "home_town":
                problem = problem or home_town_problem(value)
            if name in ADDRESS_FIELDS:
                problem = (problem or address_problem(value)
                           or city_problem(value, cities, wards) or _unit_problem(value, wards))
            if name in RESIDENCE_FIELDS:
                problem = problem or residence_problem(value)
        elif name in NATIONALITY_FIELDS and value not in NATIONALITIES:
            # RECORDS.md leaves nationalities open; one outside the list (the neighbours and
            # the usual partners) is rare on a ward's records, and a misread one (`iệt Ninh`,
            # held-out seed 6464) would otherwise pass: a clerk looks at it
            problem = "không có trong danh sách quốc tịch thường gặp (có thể đọc sai)"
        if problem:
            out.append(f"{FIELD_LABELS.get(name, name)}: {problem.removesuffix(', cần kiểm tra')}"
                       ", cần kiểm tra")
    for group in (NAME_FIELDS, ADDRESS_FIELDS):
        for name in copies_disagree({k: v for k, v in fields.items() if k in group and v}):
            out.append(f"{FIELD_LABELS.get(name, name)}: giống một giá trị khác của hồ sơ nhưng "
                       "khác dấu hoặc chữ hoa (một trong hai bị đọc sai), cần kiểm tra")
    number, registered = fields.get("registration_number"), fields.get("registration_date")
    if number and re.search(r"[^\w/.\-]", number):
        # `232/200)` for `232/2000` (held-out seed 4242, held only by another doubt): a mark
        # in a number is a digit misread
        out.append(f"{FIELD_LABELS['registration_number']}: có ký tự lạ trong số (có thể là chữ "
                   "số đọc sai), cần kiểm tra")
    year = re.search(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)", number or "")
    if year and registered and year.group(1) != registered[:4]:
        out.append(f"{FIELD_LABELS['registration_number']}: năm trong số đăng ký khác năm "
                   "đăng ký, cần kiểm tra")
    elif year and registered and number == year.group(1):
        # `2004` for `144/2004` (held-out seed 616, held only by another field's doubt): the
        # number before the year's slash was lost
        out.append(f"{FIELD_LABELS['registration_number']}: số đăng ký chỉ có năm (có thể "
                   "mất số khi đọc), cần kiểm tra")
    if doc_type is DocType.MARRIAGE_CERTIFICATE:
        for who, other in (("husband_name", "wife_name"), ("wife_name", "husband_name")):
            if len((fields.get(who) or "").split()) >= MERGED_NAMES_WORDS and not fields.get(other):
                # the two columns' names read as one (`NGUYÊN TUẤN PHÁT ˆ NGUYÊN MAIANH`, a
                # photo, fresh seed 9191): the other party's is empty, this one too long
                out.append(f"{FIELD_LABELS[who]}: có thể gồm cả tên của người kia (hai cột "
                           "đọc liền một dòng), cần kiểm tra")
    own, head = fields.get("personal_id"), fields.get("household_head_id")
    if doc_type is DocType.RESIDENT_INFO_FORM and _is_own_head(fields) and own and head \
            and own != head:
        # one number printed twice and read two ways (`074080...` for `074086...` in a
        # photo's table: no other check could tell the head's misread digit)
        out.append(f"{FIELD_LABELS['household_head_id']}: khác số định danh cá nhân, mà quan "
                   "hệ với chủ hộ là Chủ hộ (một trong hai bị đọc sai), cần kiểm tra")
    return out


# words of one spouse's name, with the other's empty, that are likely both names
MERGED_NAMES_WORDS = 5


def _unit_message(level: str) -> str:
    return f"tên {level} gần với tên một đơn vị hành chính có thật (có thể đọc sai)"


def _unit_problem(value: str, wards: frozenset[str]) -> str | None:
    level = misread_unit(value, wards)
    return None if level is None else _unit_message(level)


# Closed vocabularies whose entries no single misreading turns into one another (`Kinh`,
# `Việt Nam`, `Nam`/`Nữ`, `Đã kết hôn`, `Phật giáo`): a value read letter for letter as an
# entry needs no word confidence. Not blood types (`A`/`4`, `B`/`8`) nor relations
# (`Cha`/`Chú`), where one mark or letter is another entry or a likely one.
_EXACT_VOCABULARIES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("ethnicity", "husband_ethnicity", "wife_ethnicity"), ETHNIC_GROUPS),
    **dict.fromkeys(NATIONALITY_FIELDS, NATIONALITIES),
    "sex": SEXES, "religion": RELIGIONS, "marital_status": MARITAL_STATUSES,
}


def _read_exactly(name: str, raw_value: str, value: str | None) -> bool:
    vocabulary = _EXACT_VOCABULARIES.get(name)
    return bool(vocabulary and value in vocabulary
                and (clean_text(raw_value) or "").lower() == value.lower())


# a value word read under this (0-1) needs runners-up for `_every_reading_the_entry`
_SURE_WORD = 0.9


def _every_reading_the_entry(name: str, ef: ExtractedField, value: str | None) -> bool:
    """An entry of such a closed list that the value and every runner-up of its words give,
    one of them letter for letter: `,.K1nh` at 38 % (a leader's dots glued on), runners-up
    `,.KInh` 49, `,.Kinh` 43, `,.Krnh` 40, `,.Klnh` 40, all `Kinh` (seed 6060, a clean
    scan held for it). Whatever Tesseract hesitated between, the field is the same. A word
    read under _SURE_WORD with no runner-up leaves the value to its confidence."""
    vocabulary = _EXACT_VOCABULARIES.get(name)
    if not vocabulary or value not in vocabulary or not ef.word_rivals:
        return False
    hesitant = {w for w, _ in ef.word_rivals}
    if any(c < _SURE_WORD and w not in hesitant for w, c in ef.word_confs):
        return False
    exact = False
    for word, rivals in ef.word_rivals:
        core = _EDGE_MARKS.sub("", word)  # the value holds the word without the leader's dots
        if not core or core not in ef.value:
            return False
        for rival, _ in rivals:
            raw = ef.value.replace(core, _EDGE_MARKS.sub("", rival), 1)
            if normalize_field(name, raw) != value:
                return False
            exact = exact or _read_exactly(name, raw, value)
    return exact


_EDGE_MARKS = re.compile(r"^[^\w]+|[^\w]+$")


def _confirmed(doc_type: DocType, fields: dict[str, str | None],
               words: ExtractedField | None, reasons: list) -> dict[str, float]:
    """Fields a second reading on the same page confirms -> the least word confidence they
    still need. A date of birth equal to the date in words is confirmed outright; an ID
    number that repeats the record's sex, century and birth year needs
    `MIN_CHECKED_ID_CONFIDENCE`."""
    out: dict[str, float] = {}
    flagged = {r.field for r in reasons}
    if doc_type is DocType.BIRTH_CERTIFICATE and words is not None:
        in_words = parse_date_in_words(words.value)
        if in_words is not None and fields.get("date_of_birth") == in_words.isoformat():
            out["date_of_birth"] = 0.0
    for id_field, (sex_field, dob_field) in _PARTY_ID.items():
        number, dob = fields.get(id_field), fields.get(dob_field)
        if not number or not dob or id_field in flagged or dob_field in flagged:
            continue
        if sex_field is not None and not fields.get(sex_field):
            continue
        if len(number) == 12 and number.isdigit() and number[4:6] == dob[2:4]:
            out[id_field] = MIN_CHECKED_ID_CONFIDENCE
    return out


def _is_own_head(fields: dict[str, str | None]) -> bool:
    """Whether the form's person is the household head (`Quan hệ với chủ hộ: Chủ hộ`)."""
    return fields.get("relation_to_head") == "Chủ hộ"


def _blood_type_as_printed(read: str, value: str | None) -> bool:
    """A blood type read as its own letters and nothing more (`O`; `Õ`, a speck for a
    mark): Tesseract gives a lone capital a low confidence whatever its shape (nine sets:
    0-58 %, all six read right), and a misread one is no blood type (`Đ` for `B`, `lô)`
    for `O`), which validation names. A digit (`0`) or anything dropped still needs the
    word's confidence."""
    letters = strip_diacritics(unicodedata.normalize("NFC", read)).strip(" .,:;")
    return bool(value) and letters.upper() == value and letters.isalpha()


def _names_printed_twice(doc_type: DocType, fields: dict[str, str | None],
                         raw: dict[str, ExtractedField],
                         declarant: ExtractedField | None) -> dict[str, float]:
    """Name fields the form prints twice, read the same both times -> the least word
    confidence they still need (NAME_TWICE_CONFIDENCE): the household head's name when the
    person is the head (`Quan hệ với chủ hộ: Chủ hộ`), a parent's name that the declarant's
    repeats. Two prints read alike letter for letter are two readings that agree; the
    checks on tone marks still apply."""
    pairs: list[tuple[str, str | None]] = []
    if doc_type is DocType.RESIDENT_INFO_FORM and _is_own_head(fields):
        pairs.append(("full_name", fields.get("household_head_name")))
        pairs.append(("household_head_name", fields.get("full_name")))
    if doc_type is DocType.BIRTH_CERTIFICATE and declarant is not None:
        other = normalize_field("mother_name", declarant.value)
        if declarant.min_conf >= NAME_TWICE_CONFIDENCE:
            pairs += [("mother_name", other), ("father_name", other)]
    out: dict[str, float] = {}
    for name, other in pairs:
        if (other and fields.get(name) == other and name in raw
                and raw[name].min_conf >= NAME_TWICE_CONFIDENCE):
            out[name] = NAME_TWICE_CONFIDENCE
    return out


_ODD_CHARS = re.compile(r"[^\w\s,./()\-–'’]")
_ODD_DOT = re.compile(r"(?:^|\s)[.,](?=\w)|(?<=[^\W\d_])[.,](?=[^\W\d_])")


def _suspicious_text(value: str | None) -> bool:
    """OCR debris inside an address: odd symbols (`¿`, `„`, `+`), a dot or comma glued to
    the next word (`tỉnh Bình .Dương`, `tỉnh.Bình`)."""
    if not value:
        return False
    return bool(_ODD_CHARS.search(value) or _ODD_DOT.search(value))


def _letters(page: PageText) -> int:
    return sum(ch.isalpha() for ch in page.text)


def _read_one(
    doc_type: DocType,
    pages: list[PageText],
    numbers: list[int],
    folder_ward: str,
    registry: WardRegistry,
    today: date,
    min_confidence: float,
    min_word_confidence: float = MIN_WORD_CONFIDENCE,
) -> RecordReading:
    raw: dict[str, ExtractedField] = extract_fields(doc_type, pages)
    words = raw.pop(DATE_IN_WORDS, None)
    declarant = raw.pop(DECLARANT_NAME, None)
    unclaimed = raw.pop(UNCLAIMED_ROWS, None)
    places = _place_names(registry)
    raw = {name: (replace(ef, value=_repair_place(ef.value, places))
                  if name in PLACE_FIELDS else ef) for name, ef in raw.items()}
    fields: dict[str, str | None] = {}
    confidence: dict[str, float] = {}
    min_conf = {name: ef.min_conf for name, ef in raw.items()}
    listed: dict[str, str] = {}  # name field -> the surname its letters alone spell
    zero_repairs: set[str] = set()  # name fields with a zero read for the letter O
    for name, ef in raw.items():
        value = normalize_field(name, ef.value)
        if name in NAME_FIELDS:
            fixed = repair_zero_in_name(value)
            if fixed != value:
                zero_repairs.add(name)
            value = repair_surname(fixed)
            surname = surname_by_letters(value.split(" ")[0]) if value else None
            if surname and len(fold(surname)) >= SURNAME_BY_LETTERS_MIN:
                listed[name] = surname
            # the one surname these letters spell: its marks come from the list, so the
            # word's own low confidence (`NGUYÊN` at 14 %, repaired) is no doubt left; nor is
            # a middle or given name word, read as the one common name its letters spell
            # (`TUYẾT` at 9 %, `NGỌC` at 0 %; the checks on marks still see it)
            if value:
                first = next((k for k, (w, _) in enumerate(ef.word_confs)
                              if fold(w) == fold(listed[name])), None) if name in listed else None
                kept = [c for k, (w, c) in enumerate(ef.word_confs)
                        if k != first and not (
                            k and len(fold(letters_only(w))) >= NAME_BY_LETTERS_MIN
                            and name_by_letters(w))]
                min_conf[name] = min(kept, default=1.0)
        elif name in ADDRESS_FIELDS:
            value = repair_address_units(value)
            # one letter or mark from the one unit the address's higher levels allow: the
            # list's spelling is put in, and the record is not held for it (measured on nine
            # sets: 10 of 10 such repairs were right, and they held 7 records that were)
            value, _ = repair_misread_unit(value)
        if name in DATE_FIELDS and any(ch.isdigit() for w, _ in ef.word_confs for ch in w):
            # a date is its digits: `ngày`, `tháng`, `năm` around them (`nằm` at 55 %) change
            # nothing once it parses, and it must parse to be a value at all
            min_conf[name] = min(c for w, c in ef.word_confs if any(ch.isdigit() for ch in w))
        if name in PLACE_FIELDS and ef.word_confs:
            # words of a known place's name take its marks: their own doubt is no doubt left
            named = place_name_positions([w for w, _ in ef.word_confs], places)
            # ... so do the words of a place term (`Ủy ban nhân dân`: `dân` at 56 %), and
            # marks of the paper dropped before a known name are no word of it
            named |= place_term_positions([w for w, _ in ef.word_confs])
            named |= _dropped_marks([w for w, _ in ef.word_confs], ef.value)
            min_conf[name] = min((c for k, (_, c) in enumerate(ef.word_confs)
                                  if k not in named), default=1.0)
        if name in PLACE_FIELDS:
            value = repair_place_terms(value)
        fields[name] = value
        confidence[name] = ef.confidence
    # the slash between the registration number and its year, lost or misread, when those
    # digits are the registration date's year (each read apart)
    with_year = None
    registered = fields.get("registration_date")
    if "registration_number" in raw and registered:
        with_year = registration_number_with_year(raw["registration_number"].value,
                                                  int(registered[:4]))
        if with_year:
            fields["registration_number"] = with_year
    # the ward on the document -> registry code
    ward_text = raw["ward"].value if "ward" in raw else None
    if doc_type is DocType.RESIDENT_INFO_FORM:
        ward_text = raw["permanent_address"].value if "permanent_address" in raw else None
    ward = registry.find_by_name(ward_text) if ward_text else None
    ward_code = ward.code if ward else None
    # the checks see the printed name of a ward the registry lacks (to say so); the record
    # holds codes only: no code, no ward (the printed name stays in the page's text)
    fields_for_check = {**fields, "ward": ward_code or (
        ward_text if doc_type is DocType.RESIDENT_INFO_FORM else fields.get("ward"))}
    if doc_type is not DocType.RESIDENT_INFO_FORM:
        fields["ward"] = ward_code
    reasons = validate_fields(doc_type, fields_for_check, today=today, registry=registry,
                              folder_ward=folder_ward)
    # a date printed but not a calendar date (`09/16/1904`: month 16) is invalid, not unread
    not_dates = {name for name in DATE_FIELDS if name in raw and not fields.get(name)
                 and read_date(raw[name].value).shaped}
    reasons = [r for r in reasons if not (r.code == "missing" and r.field in not_dates)]
    messages = [r.message for r in reasons]
    messages += [f"{FIELD_LABELS.get(n, n)}: không phải ngày hợp lệ (ngày hoặc tháng ngoài "
                 "giới hạn), cần kiểm tra" for n in sorted(not_dates)]
    messages += _cross_checks(doc_type, fields, words, frozenset(w.city for w in registry),
                              frozenset(w.name for w in registry))
    for name in sorted(NAME_FIELDS & raw.keys()):
        ef, value = raw[name], fields.get(name) or ""
        first = value.split(" ")[0] if value else ""
        # the surname is judged as the value spells it: `NGUYÊN`, confirmed, is the `Nguyễn`
        # its letters spell (repair_surname), not the given name `Nguyên`; only the name's
        # first word is the surname (`Nguyễn Nguyên Khang`: the second is a given name)
        read = [w for w, _ in ef.word_confs if any(ch.isalpha() for ch in w)]
        surname_read = read[0] if read and fold(letters_only(read[0])) == fold(first) else None
        given = list(ef.confirmed_words)
        judged = []
        if surname_read is not None and surname_read in given:
            given.remove(surname_read)
            judged.append(confirmed_name_word_doubtful(first, is_surname=True))
        judged += [confirmed_name_word_doubtful(w, is_surname=False) for w in given]
        if any(judged):
            messages.append(f"{FIELD_LABELS.get(name, name)}: dấu của một chữ chỉ được lần đọc "
                            "thứ hai xác nhận, cần kiểm tra")
    messages += _rival_readings(raw, fields, listed)
    # a row whose label was not recognised, while a field of the form is absent: its value
    # may be that field's (left out, or taken for a neighbour's)
    absent = [n for n in FIELDS[doc_type] if n not in raw and n != "ward"]
    if unclaimed is not None and absent:
        # every absent field is named (up to three): the row may be any of them
        named = " hoặc ".join(FIELD_LABELS.get(n, n) for n in absent[:3])
        messages.append(f"{named}: không tìm thấy nhãn, có dòng không đọc được nhãn, "
                        "cần kiểm tra")
    confirmed = _confirmed(doc_type, fields, words, reasons)
    confirmed.update(_names_printed_twice(doc_type, fields, raw, declarant))
    for name, ef in raw.items():
        if (_read_exactly(name, ef.value, fields.get(name))
                or _every_reading_the_entry(name, ef, fields.get(name))):
            confirmed[name] = 0.0
    messages += _doubtful_twins(raw, fields, messages, confirmed)
    if fields.get("ward") and fields.get("ward") == folder_ward:
        confirmed["ward"] = 0.0  # the ward the folder names, read on the paper: two sources
    # letters read as digits (`L2/11/2021`, `O74...`): the repaired value stands only when a
    # second reading on the page (the date in words) confirms it
    for name in sorted(raw):
        if not fields.get(name):
            continue
        dated = read_date(raw[name].value) if name in DATE_FIELDS else None
        repaired = ((dated is not None and dated.repaired)
                    or (name in ID_FIELDS and id_repaired(raw[name].value))
                    or (name == "registration_number"
                        and registration_number_repaired(raw[name].value))
                    or name in zero_repairs)
        if repaired and confirmed.get(name) != 0.0:
            messages.append(f"{FIELD_LABELS.get(name, name)}: có chữ cái đọc thành chữ số "
                            "(đã sửa), cần kiểm tra")
        if dated is not None and confirmed.get(name) != 0.0:
            if dated.glued:
                messages.append(f"{FIELD_LABELS.get(name, name)}: ngày, tháng, năm đọc dính "
                                "liền (có thể mất dấu /), cần kiểm tra")
            elif dated.apart:
                messages.append(f"{FIELD_LABELS.get(name, name)}: ngày, tháng, năm đọc không có "
                                "dấu / (nét mảnh bị mất, chữ số có thể đọc sai), cần kiểm tra")
        if name == "registration_number" and not with_year:
            if registration_number_cut(raw[name].value):
                messages.append(f"{FIELD_LABELS[name]}: đọc được hai số cách nhau (có thể "
                                "mất dấu /), cần kiểm tra")
            elif registration_number_year_glued(raw[name].value):
                messages.append(f"{FIELD_LABELS[name]}: số và năm đọc dính liền (có thể mất "
                                "dấu /), cần kiểm tra")
        if name == "registration_number" and registration_number_letter_for_digit(fields[name]):
            messages.append(f"{FIELD_LABELS[name]}: có chữ cái liền với chữ số (có thể là chữ "
                            "số đọc sai), cần kiểm tra")
    doubtful: set[str] = set()
    for name in REQUIRED_FIELDS[doc_type]:
        conf = confidence.get(name)
        if name in confirmed and raw[name].min_conf >= confirmed[name]:
            continue
        if fields.get(name) and conf is not None and conf < min_confidence:
            doubtful.add(name)
            messages.append(f"{FIELD_LABELS.get(name, name)}: đọc không chắc chắn "
                            f"(độ tin cậy {conf:.0%}), cần kiểm tra")
    for name in raw:
        # a blank optional field (its label printed, nothing but leaders after it) is simply
        # absent; a value printed but misread leaves words behind, which the checks above
        # and the word confidences below catch, or a letter read as a sign (`^`), said here.
        # A blank required field fails validation.
        if raw[name].unread_mark and not fields.get(name) and name in FIELDS[doc_type]:
            messages.append(f"{FIELD_LABELS.get(name, name)}: có ký hiệu không đọc được ở chỗ "
                            "giá trị, cần kiểm tra")
        if not fields.get(name) or name not in FIELDS[doc_type]:
            continue
        floor = min_word_confidence
        if name in confirmed:
            floor = confirmed[name]
        elif name in UNCHECKED_IDS:
            floor = max(floor, MIN_UNCHECKED_ID_CONFIDENCE)
        elif name == "blood_type" and _blood_type_as_printed(raw[name].value, fields[name]):
            floor = 0.0
        # a digit the value no longer holds was a letter (blood type `0`: `O`, the same
        # round shape in most faces): no number to doubt
        holds_digits = any(ch.isdigit() for ch in str(fields.get(name)))
        digits = [c for w, c in raw[name].word_confs
                  if holds_digits and any(ch.isdigit() for ch in w)]
        if min_conf[name] < floor and name not in doubtful:
            messages.append(f"{FIELD_LABELS.get(name, name)}: có chữ đọc không chắc chắn "
                            f"(độ tin cậy {min_conf[name]:.0%}), cần kiểm tra")
        elif (digits and min(digits) < MIN_DIGIT_CONFIDENCE and name not in confirmed
              and name not in doubtful):
            messages.append(f"{FIELD_LABELS.get(name, name)}: có chữ số đọc không chắc chắn "
                            f"(độ tin cậy {min(digits):.0%}), cần kiểm tra")
        elif name in ID_FIELDS and name not in doubtful and _rival_digits(raw[name]):
            messages.append(f"{FIELD_LABELS.get(name, name)}: có chữ số có hai cách đọc gần "
                            "nhau, cần kiểm tra")
    status = Status.NEEDS_REVIEW if messages else Status.DIGITIZED
    return RecordReading(
        doc_type=doc_type,
        page_numbers=numbers,
        status=status,
        fields=fields,
        confidence=confidence,
        reasons=messages,
        business_key=business_key(doc_type, fields),
        ward=ward_code,
    )


# An ID number whose first reading had a runner-up with other digits at DIGIT_RIVAL_MIN or
# more (ocr.read's rivals) and that the vote confirmed only at its floor (MIN_DIGIT_CONFIDENCE:
# the first reading and the model that agreed both under it). Four ID numbers so (`595` for
# `393` in a mono face, rival `395` at 52 %) were wrong, held only by other fields' doubts,
# on nine sets; no right ID of a digitized record was so (right ones read at 0.94-0.96 had
# rivals up to 83 %: a runner-up alone is no sign). Dates, registration and house numbers
# so were right (ten records of the same sets would have waited): their checks and the
# registration year catch more of their misreadings; an ID's last six digits have none.
DIGIT_RIVAL_MIN = 40.0


def _rival_digits(ef: ExtractedField) -> bool:
    confs = dict(ef.word_confs)
    for word, rivals in ef.word_rivals:
        digits = re.sub(r"\D", "", word)
        if (digits and confs.get(word, 1.0) <= MIN_DIGIT_CONFIDENCE
                and any(c >= DIGIT_RIVAL_MIN and re.sub(r"\D", "", r) != digits
                        for r, c in rivals)):
            return True
    return False


# a middle or given name word with a tone twin (`Mỹ`/`My`) read under this confidence: its
# marks decide between two names, and the reading of them is unsure (`MỸ` at 64 % for a
# printed `My`, a heavy scan of a fresh set, counted wrong)
TWIN_NAME_MIN_CONF = 0.7


def _doubtful_twins(raw: dict[str, ExtractedField], fields: dict[str, str | None],
                    said: list[str], confirmed: dict[str, float]) -> list[str]:
    """Name fields with a tone-twin word read under TWIN_NAME_MIN_CONF, unless another
    print of the name on the record read the same (`confirmed`)."""
    out: list[str] = []
    for name in sorted(raw):
        if name not in NAME_FIELDS or not fields.get(name) or name in confirmed:
            continue
        label = FIELD_LABELS.get(name, name)
        twin = f"{label}: dấu của tên hoặc chữ đệm có thể đọc thành tên khác, cần kiểm tra"
        if twin in said:
            continue
        if any(c < TWIN_NAME_MIN_CONF and has_tone_twin(w) for w, c in raw[name].word_confs[1:]):
            out.append(twin)
    return out


def _rival_readings(raw: dict[str, ExtractedField], fields: dict[str, str | None],
                    listed: dict[str, str]) -> list[str]:
    """Values with a word Tesseract nearly read otherwise, where the other reading would be
    just as valid: a name word whose runner-up spells another common name (ocr.read's
    rivals), a street named after a person likewise, and a value a closed list repaired
    whose runner-up gives another entry of the list. (A digit's runner-up is no sign:
    on the 150-record set, right digits had runners-up as strong as the one wrong digit.)"""
    out: list[str] = []
    for name in sorted(raw):
        value, ef = fields.get(name), raw[name]
        if not value or not ef.word_rivals:
            continue
        label = FIELD_LABELS.get(name, name)
        if name in NAME_FIELDS:
            # a surname its letters alone spell took its marks from the list (`listed`)
            surname = listed.get(name)
            if any(rival_name_word(w, r) for w, r in ef.word_rivals
                   if not (surname and fold(w) == fold(surname))
                   and not (ef.word_confs and w == ef.word_confs[0][0]
                            and _rival_taken(w, r, value.split(" ")[0]))):
                out.append(f"{label}: dấu của tên hoặc chữ đệm có thể đọc thành tên khác, "
                           "cần kiểm tra")
        elif name in ADDRESS_FIELDS:
            street = {fold(w) for w in street_name_words(value)}
            if any(rival_name_word(w, r) for w, r in ef.word_rivals
                   if fold(letters_only(w)) in street):
                out.append(f"{label}: dấu của tên đường có thể đọc thành tên khác, cần kiểm tra")
            elif _unknown_place_word_wavering(ef, value):
                out.append(f"{label}: dấu của một chữ trong địa danh đọc không chắc chắn (chữ "
                           "không có trong danh mục địa danh), cần kiểm tra")
        elif (other := _rival_listed_value(name, ef, value)) is not None:
            out.append(f"{label}: đọc gần với hai giá trị trong danh sách ({value} hoặc "
                       f"{other}), cần kiểm tra")
    return out


def _rival_listed_value(name: str, ef: ExtractedField, value: str) -> str | None:
    """Another entry of a closed list that a runner-up reading of a value word gives, where
    the value is no entry read letter for letter but one the list repaired: `chí`, no
    relation, folds to `Chị`, and its runners-up `chà` 60 % and `cha` 59 % to `Cha`, the
    printed one (held-out seed 4848, held only by another field's doubt). A value read as
    its entry stands whatever its runners-up."""
    listed = _TEXT_LISTS.get(name) or _EXACT_VOCABULARIES.get(name)
    if not listed or (clean_text(ef.value) or "").lower() == value.lower():
        return None
    for word, rivals in ef.word_rivals:
        for rival, _ in rivals:
            other = normalize_field(name, ef.value.replace(word, rival, 1))
            if other in listed and other != value:
                return other
    return None


def _unknown_place_word_wavering(ef: ExtractedField, value: str) -> bool:
    """A word of the value, as read, that no unit's name in the list has and that Tesseract
    read with other marks as surely (a runner-up of the same letters at the word's own
    confidence or more): `huyện Hưng Nhẫn` at 75 %, runners-up `Nhấn` 76 and `Nhân` 74
    (fresh seed 6868: counted; Hưng Nhân, merged away in 1969, is not in the list, so the
    gazetteer could not tell). On four stored sets, five values had such a word, each one
    wrong; a word the list knows, or one repaired in the value, is no such doubt."""
    kept = {letters_only(w) for w in value.split()}
    confs = dict(ef.word_confs)
    for word, rivals in ef.word_rivals:
        read = letters_only(word)
        if not read or read not in kept or known_name_word(read):
            continue
        if any(fold(letters_only(r)) == fold(read) and letters_only(r) != read
               and c >= 100 * confs.get(word, 1.0) for r, c in rivals):
            return True
    return False


def _rival_taken(word: str, rivals: tuple[tuple[str, float], ...], surname: str) -> bool:
    """A surname read as no surname (`LỄ`) that the list put right (`Lê`), the runner-up
    spelling what it became: the value holds the rival reading already."""
    read = letters_only(word).lower()
    return (fold(read) == fold(surname) and read != surname.lower()
            and any(letters_only(r).lower() == surname.lower() for r, _ in rivals))


REPEATED_FIELDS_FOR_NEW_RECORD = 3


def _repeats_record(doc_type: DocType, previous: list[PageText], page: PageText) -> bool:
    """Whether `page` holds again REPEATED_FIELDS_FOR_NEW_RECORD or more of the fields the
    record's pages so far already hold (a continuation page holds the others)."""
    def held(pages: list[PageText]) -> set[str]:
        return {name for name, ef in extract_fields(doc_type, pages).items()
                if ef.value and not name.startswith("_")}
    return len(held(previous) & held([page])) >= REPEATED_FIELDS_FOR_NEW_RECORD


def read_records(
    pages: list[PageText],
    folder_ward: str,
    registry: WardRegistry,
    today: date,
    min_confidence: float = 0.6,
) -> list[RecordReading]:
    """One `RecordReading` per record in the pages of one file, in order; every page ends in
    exactly one reading. A page whose title classifies starts a record, and so does a page
    whose labels say it is of another type than the record before it; a page with text but
    no title continues the previous record; blank, unreadable or unknown pages are
    `rejected` readings of their own."""
    groups: list[tuple[DocType | None, list[int], str | None]] = []
    for number, page in enumerate(pages, start=1):
        text = page.text
        letters = _letters(page)
        if letters < MIN_TEXT_CHARS:
            groups.append((None, [number], "Trang trắng hoặc gần như không có chữ"))
            continue
        doc_type = classify(text)
        titled = doc_type is not None and has_title(text)
        # a page of another type than the record before it starts a record of its own, even
        # with its title lost (its labels tell the type): it cannot be that record's rest
        if doc_type is not None and (titled or not groups or groups[-1][0] is None
                                     or groups[-1][0] is not doc_type):
            groups.append((doc_type, [number], None))
            continue
        if groups and groups[-1][0] is not None and doc_type in (None, groups[-1][0]):
            previous = [pages[n - 1] for n in groups[-1][1]]
            if _repeats_record(groups[-1][0], previous, page):
                # the same fields again: another record whose title OCR lost, not the rest
                # of this one (its fields would be dropped, first reading wins)
                groups.append((groups[-1][0], [number], None))
            else:
                groups[-1][1].append(number)  # continuation page of the previous record
            continue
        if page.quality and page.quality < MIN_PAGE_QUALITY:
            groups.append((None, [number], "Không đọc được trang (chất lượng ảnh quá thấp)"))
        else:
            groups.append((None, [number], "Không phải loại hồ sơ được hỗ trợ "
                           "(giấy khai sinh, phiếu DC01, giấy chứng nhận kết hôn)"))
    readings: list[RecordReading] = []
    for doc_type, numbers, why in groups:
        if doc_type is None:
            readings.append(RecordReading(None, numbers, Status.REJECTED, reasons=[why or ""]))
            continue
        readings.append(_read_one(doc_type, [pages[n - 1] for n in numbers], numbers,
                                  folder_ward, registry, today, min_confidence))
    return readings
