"""The validation rules of RECORDS.md on normalized fields.

`validate_fields` returns a list of `Reason`s, each naming the field by its printed label, in
Vietnamese a clerk can act on. A reason never contains the personal data itself (no name, no
ID digits, no address, no date): only counts, the field label and registry ward codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from schemas.records import REQUIRED_FIELDS, DocType
from schemas.vocab import (
    BLOOD_TYPES,
    ETHNIC_ALIASES,
    ETHNIC_GROUPS,
    MARITAL_STATUSES,
    PROVINCE_CODES,
    canonical,
)
from schemas.wards import WardRegistry

__all__ = ["Reason", "FIELD_LABELS", "validate_fields", "check_personal_id", "check_ward",
           "check_name", "age_on"]


@dataclass(frozen=True)
class Reason:
    field: str | None
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


FIELD_LABELS: dict[str, str] = {
    "full_name": "Họ, chữ đệm, tên",
    "date_of_birth": "Ngày, tháng, năm sinh",
    "sex": "Giới tính",
    "ethnicity": "Dân tộc",
    "nationality": "Quốc tịch",
    "place_of_birth": "Nơi sinh",
    "home_town": "Quê quán",
    "personal_id": "Số định danh cá nhân",
    "mother_name": "Họ, chữ đệm, tên người mẹ",
    "father_name": "Họ, chữ đệm, tên người cha",
    "registration_number": "Số (đăng ký)",
    "registration_date": "Ngày, tháng, năm đăng ký",
    "ward": "Nơi đăng ký",
    "religion": "Tôn giáo",
    "marital_status": "Tình trạng hôn nhân",
    "blood_type": "Nhóm máu",
    "birth_registration_place": "Nơi đăng ký khai sinh",
    "permanent_address": "Nơi thường trú",
    "current_address": "Nơi ở hiện tại",
    "occupation": "Nghề nghiệp",
    "household_head_name": "Họ, chữ đệm và tên chủ hộ",
    "relation_to_head": "Quan hệ với chủ hộ",
    "household_head_id": "Số định danh cá nhân của chủ hộ",
    "husband_name": "Họ, chữ đệm, tên (chồng)",
    "wife_name": "Họ, chữ đệm, tên (vợ)",
    "husband_date_of_birth": "Ngày, tháng, năm sinh (chồng)",
    "wife_date_of_birth": "Ngày, tháng, năm sinh (vợ)",
    "husband_ethnicity": "Dân tộc (chồng)",
    "wife_ethnicity": "Dân tộc (vợ)",
    "husband_nationality": "Quốc tịch (chồng)",
    "wife_nationality": "Quốc tịch (vợ)",
    "husband_residence": "Nơi cư trú (chồng)",
    "wife_residence": "Nơi cư trú (vợ)",
    "husband_id": "Số định danh cá nhân (chồng)",
    "wife_id": "Số định danh cá nhân (vợ)",
}

_NAME_FIELDS = ("full_name", "mother_name", "father_name", "husband_name", "wife_name",
                "household_head_name")
_ETHNIC_FIELDS = ("ethnicity", "husband_ethnicity", "wife_ethnicity")
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:['’][^\W\d_]*)*$")
MAX_AGE = 120
MIN_AGE_WIFE = 18
MIN_AGE_HUSBAND = 20


def label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


def _r(field: str | None, code: str, message: str) -> Reason:
    return Reason(field, code, f"{label(field)}: {message}" if field else message)


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _parse_iso(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def check_name(field: str, value: str) -> list[Reason]:
    words = value.split()
    if not all(_NAME_WORD.match(w) for w in words):
        return [_r(field, "name_chars", "chỉ được có chữ cái, dấu cách và dấu nháy")]
    if not 2 <= len(words) <= 7:
        return [_r(field, "name_words", f"phải có từ 2 đến 7 chữ (đọc được {len(words)})")]
    return []


def check_personal_id(
    field: str, value: str, sex: str | None = None, born: date | None = None,
    today: date | None = None,
) -> list[Reason]:
    """12 digits; province code; digit 4 = sex + century; digits 5-6 = year of birth.

    With `today`, the birth year the number encodes (century from digit 4, 0-1: 1900s,
    2-3: 2000s, ...) must be a possible one: an ID with no date on the record to check it
    against (the household head's) still cannot be born in the future or 120 years ago."""
    if not value.isdigit():
        return [_r(field, "id_not_digits", "chỉ được có chữ số")]
    if len(value) != 12:
        return [_r(field, "id_length", f"phải có 12 chữ số (đọc được {len(value)})")]
    reasons: list[Reason] = []
    if value[:3] not in PROVINCE_CODES:
        reasons.append(_r(field, "id_province", "3 chữ số đầu không phải mã tỉnh hợp lệ"))
    digit4 = int(value[3])
    if born is not None:
        century_index = (born.year - 1900) // 100
        if 0 <= century_index <= 4 and digit4 // 2 != century_index:
            reasons.append(_r(field, "id_century",
                              "chữ số thứ 4 không khớp với thế kỷ của năm sinh"))
        if value[4:6] != f"{born.year % 100:02d}":
            reasons.append(_r(field, "id_birth_year",
                              "chữ số thứ 5-6 không khớp với năm sinh"))
    if sex in ("Nam", "Nữ") and digit4 % 2 != (0 if sex == "Nam" else 1):
        reasons.append(_r(field, "id_sex", "chữ số thứ 4 không khớp với giới tính"))
    encoded_year = 1900 + 100 * (digit4 // 2) + int(value[4:6])
    if today is not None and not today.year - MAX_AGE <= encoded_year <= today.year:
        reasons.append(_r(field, "id_year_impossible",
                          "chữ số thứ 4-6 cho một năm sinh không thể có "
                          "(ở tương lai hoặc quá 120 năm trước)"))
    return reasons


def check_ward(
    fields: dict[str, str | None], registry: WardRegistry, folder_ward: str | None
) -> list[Reason]:
    """`fields['ward']` holds the registry code resolved from the document, or the printed
    text when it did not resolve."""
    ward = fields.get("ward")
    if not ward:
        return [_r("ward", "ward_missing", "không đọc được phường trên giấy")]
    if ward not in registry:
        return [_r("ward", "ward_unknown", "không phải phường trong danh sách của chiến dịch")]
    if folder_ward and ward != folder_ward:
        return [_r("ward", "ward_mismatch",
                   f"phường trên giấy ({ward}) khác phường của thư mục ({folder_ward})")]
    return []


def validate_fields(
    doc_type: DocType | str,
    fields: dict[str, str | None],
    *,
    today: date,
    registry: WardRegistry | None = None,
    folder_ward: str | None = None,
    check_required: bool = True,
) -> list[Reason]:
    """Every rule of RECORDS.md on one record's normalized fields (dates as ISO strings).

    Ward rules run only when `registry` is given (for DC01 `fields['ward']` is the ward
    resolved from the permanent address).
    """
    doc_type = DocType(doc_type)
    reasons: list[Reason] = []
    present = {k: v for k, v in fields.items() if v not in (None, "")}

    if check_required:
        for name in REQUIRED_FIELDS[doc_type]:
            if name == "ward":
                continue  # checked with the registry below
            if name not in present:
                reasons.append(_r(name, "missing", "không đọc được (bắt buộc)"))

    # dates
    dates: dict[str, date] = {}
    for name in ("date_of_birth", "husband_date_of_birth", "wife_date_of_birth",
                 "registration_date"):
        if name in present:
            parsed = _parse_iso(present[name])
            if parsed is None:
                reasons.append(_r(name, "date_invalid", "không phải ngày hợp lệ"))
            elif parsed > today:
                reasons.append(_r(name, "date_future", "ngày ở tương lai"))
            else:
                dates[name] = parsed
    registered = dates.get("registration_date")
    for name in ("date_of_birth", "husband_date_of_birth", "wife_date_of_birth"):
        born = dates.get(name)
        if born is None:
            continue
        if registered is not None and born > registered:
            reasons.append(_r(name, "birth_after_registration", "sau ngày đăng ký"))
        if age_on(born, today) > MAX_AGE:
            reasons.append(_r(name, "too_old", f"tuổi quá {MAX_AGE}"))
    if doc_type is DocType.MARRIAGE_CERTIFICATE and registered is not None:
        for name, minimum in (("wife_date_of_birth", MIN_AGE_WIFE),
                              ("husband_date_of_birth", MIN_AGE_HUSBAND)):
            born = dates.get(name)
            if born is not None and born <= registered and age_on(born, registered) < minimum:
                reasons.append(_r(name, "under_age",
                                  f"chưa đủ {minimum} tuổi khi đăng ký kết hôn"))

    # sex
    sex = present.get("sex")
    if sex is not None and sex not in ("Nam", "Nữ"):
        reasons.append(_r("sex", "sex_invalid", "phải là Nam hoặc Nữ"))

    # personal ids
    if "personal_id" in present:
        reasons += check_personal_id("personal_id", present["personal_id"] or "",
                                     sex, dates.get("date_of_birth"), today)
    if doc_type is DocType.MARRIAGE_CERTIFICATE:
        for name, party_sex, born_field in (("husband_id", "Nam", "husband_date_of_birth"),
                                            ("wife_id", "Nữ", "wife_date_of_birth")):
            if name in present:
                reasons += check_personal_id(name, present[name] or "", party_sex,
                                             dates.get(born_field), today)
    if "household_head_id" in present:
        reasons += check_personal_id("household_head_id", present["household_head_id"] or "",
                                     today=today)

    # the book's number: whatever its form (`675`, `02/1992`, `KS0001`), it holds digits; a
    # value with none is a word read in its place (`None`, `Quyển`)
    number = present.get("registration_number")
    if number is not None and not any(ch.isdigit() for ch in number):
        reasons.append(_r("registration_number", "number_without_digits", "không có chữ số"))

    # vocabularies
    for name in _ETHNIC_FIELDS:
        if name in present and canonical(present[name] or "", ETHNIC_GROUPS,
                                         ETHNIC_ALIASES) is None:
            reasons.append(_r(name, "ethnicity_unknown",
                              "không phải một trong 54 dân tộc Việt Nam"))
    if "marital_status" in present and present["marital_status"] not in MARITAL_STATUSES:
        reasons.append(_r("marital_status", "marital_unknown",
                          "phải là Chưa kết hôn, Đã kết hôn, Ly hôn hoặc Góa"))
    if "blood_type" in present and present["blood_type"] not in BLOOD_TYPES:
        reasons.append(_r("blood_type", "blood_unknown", "phải là A, B, AB hoặc O"))

    # names
    for name in _NAME_FIELDS:
        if name in present:
            reasons += check_name(name, present[name] or "")

    if registry is not None:
        reasons += check_ward(fields, registry, folder_ward)
    return reasons
