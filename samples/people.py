"""Random but realistic and valid record data (the truth), drawn from a seeded RNG.

Everything here is pure: `random.Random` in, dataclasses out. `samples.render` turns a
`RecordData` into page images; `samples.generate` writes inboxes and `truth.jsonl`.

Truth values follow RECORDS.md's normalization: dates ISO `YYYY-MM-DD`, names in title case
with diacritics, `sex` Nam/Nữ, text NFC with single spaces. Values that the renderer prints but
that are not fields of the record (parents' birth years, the declarant, the signer) are kept in
`RecordData.context`.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from schemas.vocab import ETHNIC_GROUPS, PROVINCE_CODES
from schemas.wards import Ward, WardRegistry

__all__ = [
    "REFERENCE_DATE",
    "DOC_TYPES",
    "EDGE_CASES",
    "EDGE_CASE_STATUS",
    "Person",
    "RecordData",
    "make_person",
    "make_id",
    "id_century_digit",
    "make_record",
    "apply_edge_case",
    "nfc",
    "title_name",
    "UNKNOWN_WARDS",
]

# Every generated date is on or before this day, so "not in the future" holds whenever the
# tests run (and the output does not depend on the day it is generated).
REFERENCE_DATE = date(2025, 6, 30)

DOC_TYPES = ("birth_certificate", "resident_info_form", "marriage_certificate")

# edge case -> expected outcome
EDGE_CASE_STATUS: dict[str, str] = {
    "invalid_id_length": "needs_review",
    "invalid_id_sex": "needs_review",
    "invalid_id_year": "needs_review",
    "ward_mismatch": "needs_review",
    "ward_unknown": "needs_review",
    "missing_field": "needs_review",
    "blank_page": "rejected",
    "unrelated_document": "rejected",
    "duplicate_record": "duplicate",
    "duplicate_file": "duplicate",
}
EDGE_CASES: tuple[str, ...] = tuple(EDGE_CASE_STATUS)

SURNAMES: list[tuple[str, int]] = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 5),
    ("Phan", 4), ("Vũ", 3), ("Võ", 4), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
    ("Ngô", 2), ("Dương", 1), ("Lý", 1), ("Đinh", 1), ("Trương", 1), ("Đào", 1), ("Lâm", 1),
    ("Mai", 1), ("Tô", 1), ("Hà", 1), ("Cao", 1), ("Châu", 1),
]  # fmt: skip
MIDDLE_MALE = ["Văn", "Văn", "Văn", "Minh", "Đức", "Quốc", "Hữu", "Thanh", "Công", "Gia",
               "Hoàng", "Trọng", "Tuấn", "Ngọc", "Xuân", "Anh", "Thành", "Quang"]  # fmt: skip
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Mai", "Kim", "Phương", "Bảo",
                 "Hồng", "Thùy", "Diệu", "Khánh", "Minh", "Hoài", "Quỳnh", "Ánh"]  # fmt: skip
GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hào", "Hiếu", "Hoàng",
              "Huy", "Hùng", "Khang", "Khoa", "Kiên", "Long", "Lộc", "Minh", "Nam", "Nghĩa",
              "Nhân", "Phát", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Tâm", "Thắng", "Thịnh",
              "Toàn", "Trí", "Trung", "Tuấn", "Việt", "Vinh", "Vũ", "Bảo", "Đức", "Tú"]  # fmt: skip
GIVEN_FEMALE = ["An", "Anh", "Châu", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng",
                "Hiền", "Hoa", "Hương", "Huyền", "Lan", "Linh", "Loan", "Mai", "My", "Nga",
                "Ngân", "Ngọc", "Nhi", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo",
                "Thư", "Thủy", "Trang", "Trâm", "Uyên", "Vân", "Vy", "Yến", "Xuân", "Ly",
                "Tuyết"]  # fmt: skip

# Streets, hamlets and quarters for addresses in Bình Dương.
STREETS = ["Yersin", "Cách Mạng Tháng Tám", "Đại lộ Bình Dương", "Phú Lợi", "Huỳnh Văn Lũy",
           "Lê Hồng Phong", "Nguyễn Văn Tiết", "Trần Văn Ơn", "Nguyễn An Ninh", "Mỹ Phước Tân Vạn",
           "Lý Thường Kiệt", "Nguyễn Trãi", "Hùng Vương", "Trần Hưng Đạo", "ĐT743",
           "Nguyễn Du", "Lê Lợi", "Thích Quảng Đức", "Ngô Quyền", "Võ Thị Sáu"]  # fmt: skip
HOSPITALS_BD = [
    "Bệnh viện Đa khoa tỉnh Bình Dương", "Bệnh viện Đa khoa Quốc tế Becamex",
    "Bệnh viện Hạnh Phúc", "Bệnh viện Đa khoa An Phú", "Trung tâm Y tế thành phố Thuận An",
    "Trung tâm Y tế thành phố Dĩ An", "Bệnh viện Đa khoa Mỹ Phước",
    "Trung tâm Y tế thành phố Tân Uyên", "Bệnh viện Quân đoàn 4",
]
HOSPITALS_OTHER = [
    ("Bệnh viện Từ Dũ", "Quận 1, Thành phố Hồ Chí Minh"),
    ("Bệnh viện Hùng Vương", "Quận 5, Thành phố Hồ Chí Minh"),
    ("Bệnh viện Phụ sản Trung ương", "quận Hoàn Kiếm, thành phố Hà Nội"),
    ("Bệnh viện Đa khoa tỉnh Đồng Nai", "thành phố Biên Hòa, tỉnh Đồng Nai"),
    ("Trung tâm Y tế huyện Yên Mỹ", "tỉnh Hưng Yên"),
    ("Bệnh viện Đa khoa tỉnh Tây Ninh", "thành phố Tây Ninh, tỉnh Tây Ninh"),
]
# Places outside Bình Dương: (commune-level unit, district, province) -> province code.
OTHER_PLACES: list[tuple[str, str, str, str]] = [
    ("xã Hồ Hơn", "huyện Yên Mỹ", "tỉnh Hưng Yên", "033"),
    ("xã Định Thủy", "huyện Mỏ Cày Nam", "tỉnh Bến Tre", "083"),
    ("xã Hưng Hà", "huyện Hưng Nhân", "tỉnh Thái Bình", "034"),
    ("xã Quỳnh Lưu", "huyện Quỳnh Lưu", "tỉnh Nghệ An", "040"),
    ("phường Tân Định", "Quận 1", "Thành phố Hồ Chí Minh", "079"),
    ("xã Tân Phú", "huyện Đức Hòa", "tỉnh Long An", "080"),
    ("xã Mỹ Hòa", "huyện Tháp Mười", "tỉnh Đồng Tháp", "087"),
    ("xã Đại Phước", "huyện Nhơn Trạch", "tỉnh Đồng Nai", "075"),
    ("phường Vĩnh Ninh", "thành phố Huế", "tỉnh Thừa Thiên Huế", "046"),
    ("xã Phước Sơn", "huyện Tuy Phước", "tỉnh Bình Định", "052"),
    ("xã Tân Lập", "huyện Đồng Phú", "tỉnh Bình Phước", "070"),
    ("xã Hòa Thành", "huyện Đông Hòa", "tỉnh Phú Yên", "054"),
    ("xã Thạnh Phú", "huyện Cờ Đỏ", "thành phố Cần Thơ", "092"),
    ("xã Nghĩa Trung", "huyện Tư Nghĩa", "tỉnh Quảng Ngãi", "051"),
    ("xã Yên Thành", "huyện Ý Yên", "tỉnh Nam Định", "036"),
]
# Real Bình Dương wards that are NOT in the default registry (edge case `ward_unknown`).
UNKNOWN_WARDS: list[tuple[str, str]] = [
    ("Chánh Nghĩa", "Thủ Dầu Một"), ("Hiệp Thành", "Thủ Dầu Một"), ("Phú Cường", "Thủ Dầu Một"),
    ("Hưng Định", "Thuận An"), ("Đông Hòa", "Dĩ An"), ("Chánh Phú Hòa", "Bến Cát"),
    ("Uyên Hưng", "Tân Uyên"), ("Định Hòa", "Thủ Dầu Một"),
]  # fmt: skip
OCCUPATIONS = ["Công nhân", "Nhân viên văn phòng", "Giáo viên", "Kinh doanh", "Nội trợ",
               "Kỹ sư", "Tài xế", "Bác sĩ", "Lao động tự do", "Nông dân", "Buôn bán",
               "Công chức", "Thợ may", "Điều dưỡng"]  # fmt: skip
RELIGIONS_COMMON = ["Không"] * 12 + ["Phật giáo"] * 4 + ["Công giáo"] * 2 + [
    "Tin lành", "Cao Đài", "Phật giáo Hòa Hảo"]  # fmt: skip
MINORITY_ETHNICITIES = ["Hoa", "Khmer", "Tày", "Nùng", "Mường", "Chăm", "Thái", "Xtiêng",
                        "Chơ Ro", "Dao", "H'Mông", "Sán Dìu"]  # fmt: skip
SIGNER_TITLES = ["CHỦ TỊCH", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "CÔNG CHỨC TƯ PHÁP - HỘ TỊCH"]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def title_name(name: str) -> str:
    """`NGUYỄN VĂN AN` -> `Nguyễn Văn An` (each word: first letter upper, rest lower)."""
    return nfc(" ".join(w[:1].upper() + w[1:].lower() for w in name.split()))


@dataclass
class Person:
    full_name: str
    sex: str  # Nam | Nữ
    date_of_birth: date
    ethnicity: str
    nationality: str
    province_code: str  # digits 1-3 of the personal ID
    personal_id: str
    residence: str


@dataclass
class RecordData:
    """One record: its type, its truth fields and what else the renderer prints."""

    doc_type: str | None  # None: blank page or an unrelated document
    fields: dict[str, str | None]
    ward_code: str | None  # the ward the document was issued by / lives in (registry code)
    ward_name: str  # as printed ("Phú Tân"; an unknown ward's name for `ward_unknown`)
    city: str
    context: dict[str, Any] = field(default_factory=dict)
    edge_case: str | None = None
    missing: list[str] = field(default_factory=list)  # fields printed blank on purpose

    @property
    def expected_status(self) -> str:
        if self.edge_case is None:
            return "digitized"
        return EDGE_CASE_STATUS[self.edge_case]


# -- IDs ------------------------------------------------------------------------------------
def id_century_digit(sex: str, year: int) -> int:
    """Digit 4 of the personal ID: sex and century of birth (RECORDS.md)."""
    base = {19: 0, 20: 2, 21: 4, 22: 6, 23: 8}[year // 100]
    return base + (1 if sex == "Nữ" else 0)


def make_id(rng: random.Random, province_code: str, sex: str, dob: date) -> str:
    digit4 = id_century_digit(sex, dob.year)
    tail = "".join(str(rng.randrange(10)) for _ in range(6))
    return f"{province_code}{digit4}{dob.year % 100:02d}{tail}"


# -- names, dates, places ------------------------------------------------------------------
def _weighted(rng: random.Random, items: list[tuple[str, int]]) -> str:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


def make_name(rng: random.Random, sex: str, surname: str | None = None) -> str:
    surname = surname or _weighted(rng, SURNAMES)
    middles = MIDDLE_FEMALE if sex == "Nữ" else MIDDLE_MALE
    givens = GIVEN_FEMALE if sex == "Nữ" else GIVEN_MALE
    parts = [surname]
    r = rng.random()
    if r < 0.12:
        second = _weighted(rng, SURNAMES)  # double surname: "Nguyễn Lê ..."
        if second != surname:
            parts.append(second)
    parts.append(rng.choice(middles))
    if r > 0.85:
        parts.append(rng.choice([m for m in middles if m not in ("Văn", "Thị")]))
    parts.append(rng.choice([g for g in givens if g not in parts]))
    return nfc(" ".join(parts))


def random_date(rng: random.Random, start: date, end: date) -> date:
    if end < start:
        end = start
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def bd_address(rng: random.Random, ward: Ward | tuple[str, str], house: bool = True) -> str:
    name, city = (ward.name, ward.city) if isinstance(ward, Ward) else ward
    parts: list[str] = []
    r = rng.random()
    if house and r < 0.45:
        alley = rng.choice(["", "", "/" + str(rng.randint(1, 40))])
        parts.append(f"Số {rng.randint(1, 350)}{alley}")
        parts.append(f"đường {rng.choice(STREETS)}")
    elif house and r < 0.75:
        parts.append(f"Tổ {rng.randint(1, 30)}")
    parts.append(rng.choice(["khu phố", "khu phố", "ấp"]) + f" {rng.randint(1, 12)}")
    parts.append(f"phường {name}")
    parts.append(f"thành phố {city}")
    parts.append("tỉnh Bình Dương")
    return nfc(", ".join(parts))


def other_address(rng: random.Random, hamlet: bool = True) -> tuple[str, str]:
    unit, district, province, code = rng.choice(OTHER_PLACES)
    parts = []
    if hamlet:
        parts.append(rng.choice(["Thôn", "Ấp", "Xóm", "Khu phố"]) + f" {rng.randint(1, 9)}")
    parts += [unit, district, province]
    text = ", ".join(parts)
    return nfc(text[0].upper() + text[1:]), code


def make_person(
    rng: random.Random,
    sex: str | None = None,
    born_between: tuple[date, date] = (date(1950, 1, 1), date(2005, 12, 31)),
    registry: WardRegistry | None = None,
    local: bool | None = None,
    surname: str | None = None,
) -> Person:
    sex = sex or rng.choice(["Nam", "Nữ"])
    dob = random_date(rng, *born_between)
    ethnicity = "Kinh" if rng.random() < 0.9 else rng.choice(
        [e for e in MINORITY_ETHNICITIES if e in ETHNIC_GROUPS]
    )
    local = rng.random() < 0.6 if local is None else local
    registry = registry or WardRegistry.load(None)
    wards = list(registry)
    if local:
        code = "074"
        residence = bd_address(rng, rng.choice(wards))
    else:
        residence_place, code = other_address(rng)
        # many people registered elsewhere now live in Bình Dương
        residence = bd_address(rng, rng.choice(wards)) if rng.random() < 0.7 else residence_place
    assert code in PROVINCE_CODES
    return Person(
        full_name=make_name(rng, sex, surname),
        sex=sex,
        date_of_birth=dob,
        ethnicity=ethnicity,
        nationality="Việt Nam",
        province_code=code,
        personal_id=make_id(rng, code, sex, dob),
        residence=residence,
    )


def reg_number(rng: random.Random, year: int) -> str:
    n = rng.randint(1, 480)
    r = rng.random()
    if r < 0.45:
        return str(n)
    if r < 0.85:
        return f"{n}/{year}"
    return f"{n:02d}/{year}"


def _signer(rng: random.Random) -> dict[str, str]:
    sex = rng.choice(["Nam", "Nữ"])
    return {"signer_name": make_name(rng, sex), "signer_title": rng.choice(SIGNER_TITLES)}


# -- the three document types ---------------------------------------------------------------
def birth_certificate(rng: random.Random, ward: Ward, registry: WardRegistry) -> RecordData:
    sex = rng.choice(["Nam", "Nữ"])
    dob = random_date(rng, date(1975, 1, 1), REFERENCE_DATE - timedelta(days=70))
    if rng.random() < 0.75:  # registered within the legal 60 days
        reg = dob + timedelta(days=rng.randint(2, 60))
    else:  # late registration or re-registration (đăng ký lại)
        reg = random_date(rng, dob + timedelta(days=61), REFERENCE_DATE)
    reg = min(reg, REFERENCE_DATE)
    father_surname = _weighted(rng, SURNAMES)
    y = dob.year
    mother = make_person(rng, "Nữ", (date(y - 42, 1, 1), date(y - 18, 1, 1)), registry)
    father = make_person(
        rng, "Nam", (date(y - 50, 1, 1), date(y - 20, 1, 1)), registry, surname=father_surname
    )
    child = make_person(rng, sex, (dob, dob), registry, local=True, surname=father_surname)
    child.ethnicity = father.ethnicity if rng.random() < 0.8 else mother.ethnicity
    if rng.random() < 0.7:
        hospital = rng.choice(HOSPITALS_BD)
        place = hospital if "Bình Dương" in hospital else f"{hospital}, tỉnh Bình Dương"
    elif rng.random() < 0.5:
        hospital, where = rng.choice(HOSPITALS_OTHER)
        place = f"{hospital}, {where}"
        child.province_code = "074"  # registered at the ward, so the code is Bình Dương's
    else:
        place = f"Trạm Y tế phường {ward.name}, thành phố {ward.city}, tỉnh Bình Dương"
    child.personal_id = make_id(rng, "074", sex, dob)
    home_town = other_address(rng, hamlet=False)[0] if rng.random() < 0.6 else (
        f"Phường {ward.name}, thành phố {ward.city}, tỉnh Bình Dương"
    )
    has_father = rng.random() < 0.93
    fields: dict[str, str | None] = {
        "full_name": child.full_name,
        "date_of_birth": dob.isoformat(),
        "sex": sex,
        "ethnicity": child.ethnicity,
        "nationality": "Việt Nam",
        "place_of_birth": nfc(place),
        "home_town": nfc(home_town) if rng.random() < 0.85 else None,
        "personal_id": child.personal_id,
        "mother_name": mother.full_name,
        "father_name": father.full_name if has_father else None,
        "registration_number": reg_number(rng, reg.year),
        "registration_date": reg.isoformat(),
        "ward": ward.code,
    }
    declarant = father if has_father and rng.random() < 0.7 else mother
    context: dict[str, Any] = {
        "mother": mother,
        "father": father if has_father else None,
        "declarant": declarant.full_name,
        "declarant_doc": f"Căn cước công dân số {declarant.personal_id}",
        "book_number": f"{rng.randint(1, 9):02d}/{reg.year}" if rng.random() < 0.3 else None,
        **_signer(rng),
    }
    return RecordData("birth_certificate", fields, ward.code, ward.name, ward.city, context)


def resident_info_form(rng: random.Random, ward: Ward, registry: WardRegistry) -> RecordData:
    person = make_person(rng, None, (date(1940, 1, 1), date(2022, 12, 31)), registry)
    age = (REFERENCE_DATE - person.date_of_birth).days // 365
    address = bd_address(rng, ward)
    if rng.random() < 0.4:
        head = person
        relation = "Chủ hộ"
    else:
        head_sex = rng.choice(["Nam", "Nữ"])
        head = make_person(rng, head_sex, (date(1940, 1, 1), date(2000, 12, 31)), registry)
        head_age = (REFERENCE_DATE - head.date_of_birth).days // 365
        if head_age > age + 18:
            relation = rng.choice(["Con", "Con", "Cháu", "Con đẻ", "Cháu nội"])
        elif age > head_age + 18:
            relation = "Cha" if person.sex == "Nam" else "Mẹ"
        elif age >= 18 and head_age >= 18 and head.sex != person.sex:
            relation = "Chồng" if person.sex == "Nam" else "Vợ"
        else:
            relation = rng.choice(["Anh", "Chị", "Em", "Người ở nhờ"]) if age >= 16 else "Cháu"
    if age < 18:
        marital = "Chưa kết hôn"
    else:
        marital = rng.choices(MARITAL, weights=[3, 8, 1, 1])[0]
    if relation in ("Vợ", "Chồng"):
        marital = "Đã kết hôn"
    if age < 6:
        occupation: str | None = None
    elif age < 18:
        occupation = "Học sinh"
    elif age < 23 and rng.random() < 0.5:
        occupation = "Sinh viên"
    elif age > 62:
        occupation = rng.choice(["Hưu trí", "Nội trợ", "Không"])
    else:
        occupation = rng.choice(OCCUPATIONS)
    current = address if rng.random() < 0.8 else bd_address(rng, rng.choice(list(registry)))
    home_town = (
        other_address(rng, hamlet=False)[0]
        if person.province_code != "074"
        else f"Phường {ward.name}, thành phố {ward.city}, tỉnh Bình Dương"
    )
    birth_reg = (
        f"Ủy ban nhân dân phường {ward.name}, thành phố {ward.city}, tỉnh Bình Dương"
        if person.province_code == "074"
        else f"Ủy ban nhân dân {home_town}"
    )
    fields: dict[str, str | None] = {
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "sex": person.sex,
        "personal_id": person.personal_id,
        "ethnicity": person.ethnicity,
        "religion": rng.choice(RELIGIONS_COMMON) if rng.random() < 0.9 else None,
        "nationality": "Việt Nam",
        "marital_status": marital if rng.random() < 0.9 else None,
        "blood_type": rng.choice(["A", "B", "AB", "O", "O"]) if rng.random() < 0.6 else None,
        "birth_registration_place": nfc(birth_reg) if rng.random() < 0.7 else None,
        "home_town": nfc(home_town),
        "permanent_address": address,
        "current_address": current if rng.random() < 0.85 else None,
        "occupation": occupation,
        "household_head_name": head.full_name,
        "relation_to_head": relation,
        "household_head_id": head.personal_id if rng.random() < 0.8 else None,
    }
    context = {"form_date": random_date(rng, date(2021, 1, 1), REFERENCE_DATE), **_signer(rng)}
    return RecordData("resident_info_form", fields, ward.code, ward.name, ward.city, context)


MARITAL = ["Chưa kết hôn", "Đã kết hôn", "Ly hôn", "Góa"]


def marriage_certificate(rng: random.Random, ward: Ward, registry: WardRegistry) -> RecordData:
    reg = random_date(rng, date(1995, 1, 1), REFERENCE_DATE)
    husband = make_person(
        rng, "Nam", (date(reg.year - 45, 1, 1), date(reg.year - 21, 1, 1)), registry
    )
    wife = make_person(rng, "Nữ", (date(reg.year - 40, 1, 1), date(reg.year - 19, 1, 1)), registry)
    shared = bd_address(rng, ward)
    husband_res = shared if rng.random() < 0.5 else husband.residence
    wife_res = shared if rng.random() < 0.5 else wife.residence
    fields: dict[str, str | None] = {
        "husband_name": husband.full_name,
        "wife_name": wife.full_name,
        "husband_date_of_birth": husband.date_of_birth.isoformat(),
        "wife_date_of_birth": wife.date_of_birth.isoformat(),
        "husband_ethnicity": husband.ethnicity,
        "wife_ethnicity": wife.ethnicity,
        "husband_nationality": "Việt Nam",
        "wife_nationality": "Việt Nam",
        "husband_residence": husband_res,
        "wife_residence": wife_res,
        "husband_id": husband.personal_id,
        "wife_id": wife.personal_id,
        "registration_number": reg_number(rng, reg.year),
        "registration_date": reg.isoformat(),
        "ward": ward.code,
    }
    context = {"husband": husband, "wife": wife, **_signer(rng)}
    return RecordData("marriage_certificate", fields, ward.code, ward.name, ward.city, context)


MAKERS = {
    "birth_certificate": birth_certificate,
    "resident_info_form": resident_info_form,
    "marriage_certificate": marriage_certificate,
}


def make_record(
    rng: random.Random,
    ward: Ward,
    doc_type: str | None = None,
    registry: WardRegistry | None = None,
) -> RecordData:
    """A valid record of `doc_type` (drawn when None: 45% birth, 35% DC01, 20% marriage)."""
    registry = registry or WardRegistry.load(None)
    if doc_type is None:
        doc_type = rng.choices(DOC_TYPES, weights=[45, 35, 20])[0]
    return MAKERS[doc_type](rng, ward, registry)


# -- edge cases -----------------------------------------------------------------------------
_ID_FIELDS = {
    "birth_certificate": ("personal_id", "date_of_birth", "sex"),
    "resident_info_form": ("personal_id", "date_of_birth", "sex"),
    "marriage_certificate": ("husband_id", "husband_date_of_birth", None),
}
REQUIRED_TO_BLANK = {
    "birth_certificate": ["personal_id", "place_of_birth", "registration_number", "sex"],
    "resident_info_form": ["home_town", "household_head_name", "personal_id", "relation_to_head"],
    "marriage_certificate": ["wife_id", "husband_residence", "registration_number"],
}


def apply_edge_case(
    rng: random.Random, record: RecordData, edge_case: str, registry: WardRegistry,
    folder_ward: str,
) -> RecordData:
    """Turn a valid record into the edge case (in place; returns it).

    `ward_mismatch` is realised by the caller (the file goes to another ward's folder);
    here it only checks that the document's ward differs from `folder_ward`.
    """
    record.edge_case = edge_case
    f = record.fields
    if record.doc_type is None:
        return record
    id_key, dob_key, sex_key = _ID_FIELDS[record.doc_type]
    pid = f[id_key] or ""
    if edge_case == "invalid_id_length":
        f[id_key] = pid[:-1]  # 11 digits
    elif edge_case == "invalid_id_sex":
        d4 = int(pid[3])
        f[id_key] = pid[:3] + str(d4 ^ 1) + pid[4:]  # same century, the other sex
    elif edge_case == "invalid_id_year":
        yy = int(pid[4:6])
        f[id_key] = pid[:4] + f"{(yy + rng.randint(1, 9)) % 100:02d}" + pid[6:]
    elif edge_case == "ward_unknown":
        name, city = rng.choice([w for w in UNKNOWN_WARDS if registry.find_by_name(w[0]) is None])
        record.ward_name, record.city, record.ward_code = name, city, None
        if "ward" in f:
            f["ward"] = None
        if record.doc_type == "resident_info_form":
            f["permanent_address"] = bd_address(rng, (name, city))
            if f.get("current_address"):
                f["current_address"] = f["permanent_address"]
        else:
            for key in ("husband_residence", "wife_residence"):
                if key in f:
                    f[key] = bd_address(rng, (name, city))
        record.context["printed_ward"] = name
    elif edge_case == "missing_field":
        key = rng.choice(REQUIRED_TO_BLANK[record.doc_type])
        f[key] = None
        record.missing.append(key)
    elif edge_case == "ward_mismatch":
        assert record.ward_code != folder_ward
    del dob_key, sex_key
    return record


def blank_record(ward: Ward) -> RecordData:
    return RecordData(None, {}, ward.code, ward.name, ward.city, edge_case="blank_page")


def unrelated_record(rng: random.Random, ward: Ward) -> RecordData:
    ctx = {"letter_number": f"{rng.randint(100, 2999)}/UBND-{rng.choice(['VP', 'KT', 'VX'])}",
           "letter_date": random_date(rng, date(2019, 1, 1), REFERENCE_DATE), **_signer(rng)}
    return RecordData(None, {}, ward.code, ward.name, ward.city, ctx,
                      edge_case="unrelated_document")
