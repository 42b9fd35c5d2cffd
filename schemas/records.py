"""Record types of RECORDS.md as Pydantic v2 models (field names = the JSON keys).

The models hold *normalized* values (see `schemas.normalize`). The rules of RECORDS.md that
concern one record only are model validators (they call `schemas.validate`); the ward rules
need the registry and the inbox folder and live in `schemas.validate` / `schemas.reading`.
Pass ``context={"today": date(...)}`` to `model_validate` to fix "today" for date rules.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

__all__ = [
    "DocType",
    "Status",
    "BirthCertificate",
    "ResidentInfoForm",
    "MarriageCertificate",
    "MODELS",
    "FIELDS",
    "REQUIRED_FIELDS",
    "DATE_FIELDS",
    "business_key",
]


class DocType(StrEnum):
    BIRTH_CERTIFICATE = "birth_certificate"
    RESIDENT_INFO_FORM = "resident_info_form"
    MARRIAGE_CERTIFICATE = "marriage_certificate"


class Status(StrEnum):
    DIGITIZED = "digitized"
    NEEDS_REVIEW = "needs_review"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


_NAME_PATTERN = r"^[^\W\d_]+(?:['’ ][^\W\d_]+)*['’]?$"
Name = Annotated[str, Field(min_length=1, max_length=120, pattern=_NAME_PATTERN)]
PersonalId = Annotated[str, Field(pattern=r"^\d{12}$")]
Text = Annotated[str, Field(min_length=1, max_length=500)]
Sex = Literal["Nam", "Nữ"]
MaritalStatus = Literal["Chưa kết hôn", "Đã kết hôn", "Ly hôn", "Góa"]
BloodType = Literal["A", "B", "AB", "O"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Any:
        from schemas.validate import validate_fields  # local: validate imports this module

        today = (info.context or {}).get("today") if info.context else None
        doc_type = _DOC_TYPE_OF[type(self).__name__]
        fields = {k: (v.isoformat() if isinstance(v, date) else v)
                  for k, v in self.model_dump().items()}
        reasons = validate_fields(doc_type, fields, today=today or date.today())
        if reasons:
            raise ValueError("; ".join(r.message for r in reasons))
        return self


class BirthCertificate(_Record):
    """GIẤY KHAI SINH."""

    full_name: Name
    date_of_birth: date
    sex: Sex
    ethnicity: Text
    nationality: Text
    place_of_birth: Text
    home_town: Text | None = None
    personal_id: PersonalId
    mother_name: Name | None = None
    father_name: Name | None = None
    registration_number: Text
    registration_date: date
    ward: Text = Field(description="ward code of the registry (Nơi đăng ký khai sinh)")


class ResidentInfoForm(_Record):
    """PHIẾU THU THẬP THÔNG TIN DÂN CƯ (form DC01). Its ward is the permanent address's."""

    full_name: Name
    date_of_birth: date
    sex: Sex
    personal_id: PersonalId
    ethnicity: Text
    religion: Text | None = None
    nationality: Text
    marital_status: MaritalStatus | None = None
    blood_type: BloodType | None = None
    birth_registration_place: Text | None = None
    home_town: Text
    permanent_address: Text
    current_address: Text | None = None
    occupation: Text | None = None
    household_head_name: Name
    relation_to_head: Text
    household_head_id: PersonalId | None = None


class MarriageCertificate(_Record):
    """GIẤY CHỨNG NHẬN KẾT HÔN."""

    husband_name: Name
    wife_name: Name
    husband_date_of_birth: date
    wife_date_of_birth: date
    husband_ethnicity: Text | None = None
    wife_ethnicity: Text | None = None
    husband_nationality: Text
    wife_nationality: Text
    husband_residence: Text
    wife_residence: Text
    husband_id: PersonalId
    wife_id: PersonalId
    registration_number: Text
    registration_date: date
    ward: Text = Field(description="ward code of the registry (Nơi đăng ký)")


MODELS: dict[DocType, type[_Record]] = {
    DocType.BIRTH_CERTIFICATE: BirthCertificate,
    DocType.RESIDENT_INFO_FORM: ResidentInfoForm,
    DocType.MARRIAGE_CERTIFICATE: MarriageCertificate,
}
_DOC_TYPE_OF: dict[str, DocType] = {m.__name__: t for t, m in MODELS.items()}

FIELDS: dict[DocType, tuple[str, ...]] = {t: tuple(m.model_fields) for t, m in MODELS.items()}
REQUIRED_FIELDS: dict[DocType, tuple[str, ...]] = {
    t: tuple(name for name, f in m.model_fields.items() if f.is_required())
    for t, m in MODELS.items()
}
DATE_FIELDS: frozenset[str] = frozenset(
    name for m in MODELS.values() for name, f in m.model_fields.items() if f.annotation is date
)

_KEY_FIELDS: dict[DocType, tuple[str, ...]] = {
    DocType.BIRTH_CERTIFICATE: ("personal_id", "registration_number"),
    DocType.MARRIAGE_CERTIFICATE: ("husband_id", "wife_id", "registration_number"),
    DocType.RESIDENT_INFO_FORM: ("personal_id",),
}


def business_key(doc_type: DocType | str, fields: dict[str, Any]) -> str | None:
    """`doc_type|v1|v2...` from the key fields, or None when one of them is missing."""
    doc_type = DocType(doc_type)
    values: list[str] = []
    for name in _KEY_FIELDS[doc_type]:
        value = fields.get(name)
        if value is None or not str(value).strip():
            return None
        values.append(str(value).strip())
    return "|".join([doc_type.value, *values])
