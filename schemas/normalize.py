"""Raw values as read -> normalized values of RECORDS.md (ISO dates, NFC, title-case names...).

Every function takes the raw text (diacritics kept) and returns the normalized text, or None
when nothing usable is left. None of them guesses: a vocabulary repair happens only when
`schemas.vocab.nearest` finds one unambiguous candidate.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from schemas.vocab import (
    BLOOD_TYPES,
    ETHNIC_ALIASES,
    ETHNIC_GROUPS,
    MARITAL_ALIASES,
    MARITAL_STATUSES,
    NATIONALITIES,
    NATIONALITY_ALIASES,
    RELATIONS_TO_HEAD,
    RELIGIONS,
    fold,
    nearest,
    strip_diacritics,
)

__all__ = [
    "clean_text",
    "parse_date",
    "normalize_date",
    "normalize_name",
    "normalize_sex",
    "normalize_id",
    "normalize_registration_number",
    "normalize_ethnicity",
    "normalize_nationality",
    "normalize_marital_status",
    "normalize_blood_type",
    "normalize_religion",
    "normalize_relation",
    "normalize_field",
    "normalize_fields",
]

_SPACES = re.compile(r"\s+")
_EDGE_JUNK = " \t.:;,_-–—…·•|/\\*~=\"'`"
_LEADERS = re.compile(r"(?:\.{2,}|…+|_{2,}|-{2,}|·{2,}|—{2,})")


def clean_text(value: str | None) -> str | None:
    """NFC, dotted leaders removed, single spaces, no junk at either end."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value)
    text = _LEADERS.sub(" ", text)
    text = re.sub(r"(?<=[^\W\d_])\.(?=[^\W\d_])", " ", text)  # `Xã.Hồ.Hơn` (leader dots)
    text = re.sub(r",\.+", ", ", text)
    text = _SPACES.sub(" ", text).strip(_EDGE_JUNK).strip()
    text = re.sub(r"\s+([,;])", r"\1", text)
    return text or None


_NUMERIC_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_WORDY_DATE = re.compile(r"ngay\s*(\d{1,2})\D{0,6}?thang\s*(\d{1,2})\D{0,6}?nam\s*(\d{4})")
_IN_WORDS = re.compile(r"\(?\s*ghi\s*bang\s*chu")


def _cut_in_words(text: str) -> str:
    """Drop `ghi bằng chữ: ...` (the date in words) and anything after it."""
    folded = fold(text)
    m = _IN_WORDS.search(folded)
    if not m:
        return text
    plain = strip_diacritics(text).lower()
    m2 = re.search(r"\(?\s*ghi\s*bang\s*chu", plain)
    return text[: m2.start()] if m2 else text


def parse_date(value: str | None) -> date | None:
    """The calendar date in `value` (`29/12/2017`, `29-12-2017`, `29.12.2017`,
    `ngày 02 tháng 12 năm 1976`), or None when there is none or it is not a real date."""
    if not value:
        return None
    text = _cut_in_words(value)
    folded = _SPACES.sub(" ", strip_diacritics(text).lower())
    for pattern in (_NUMERIC_DATE, _WORDY_DATE):
        m = pattern.search(folded)
        if m:
            day, month, year = (int(g) for g in m.groups())
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def normalize_date(value: str | None) -> str | None:
    parsed = parse_date(value)
    return parsed.isoformat() if parsed else None


def normalize_name(value: str | None) -> str | None:
    """`NGUYỄN  VĂN AN.` -> `Nguyễn Văn An`: letters, spaces and apostrophes, title case."""
    text = clean_text(value)
    if not text:
        return None
    text = "".join(ch if (ch.isalpha() or ch in " '’") else " " for ch in text)
    text = text.replace("’", "'")
    words = [w for w in _SPACES.split(text) if w.strip("'")]
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


_ID_CONFUSABLE = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "i": "1",
                                "|": "1", "!": "1", "S": "5", "B": "8", "Z": "2"})


def normalize_id(value: str | None) -> str | None:
    """Digits only. OCR confusions (O->0, l/I->1, ...) are repaired only inside a string
    that is otherwise digits; anything else is returned compacted, for validation to reject."""
    text = clean_text(value)
    if not text:
        return None
    compact = re.sub(r"[\s.\-]", "", text)
    # take the first run that looks like a number (the value may be followed by other text)
    m = re.search(r"[0-9OoDlIi|!SBZ]*\d[0-9OoDlIi|!SBZ]*", compact)
    if not m:
        return compact
    token = m.group(0)
    digits = sum(ch.isdigit() for ch in token)
    if digits * 2 >= len(token):
        return token.translate(_ID_CONFUSABLE)
    return token


def normalize_registration_number(value: str | None) -> str | None:
    """As printed, trimmed (`675`, `02/1992`, `KS0001`, `123/2017/KS`)."""
    text = clean_text(value)
    if not text:
        return None
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


def normalize_blood_type(value: str | None) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    key = re.sub(r"[^A-Za-z0]", "", text).upper().replace("0", "O")
    return key if key in BLOOD_TYPES else text


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


_BY_FIELD = {
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
}  # fmt: skip


def normalize_field(name: str, value: str | None) -> str | None:
    """Normalize one field by its JSON key (free text for keys without a special rule)."""
    return _BY_FIELD.get(name, clean_text)(value)


def normalize_fields(raw: dict[str, str | None]) -> dict[str, str | None]:
    return {name: normalize_field(name, value) for name, value in raw.items()}
