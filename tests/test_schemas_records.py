from __future__ import annotations

import json
from datetime import date

import pytest
from pydantic import ValidationError

from schemas.jsonschema import JSON_DIR, schema_text
from schemas.records import (
    FIELDS,
    REQUIRED_FIELDS,
    BirthCertificate,
    DocType,
    MarriageCertificate,
    ResidentInfoForm,
    Status,
    business_key,
)

BIRTH = dict(full_name="Nguyễn Văn An", date_of_birth="2017-12-29", sex="Nam", ethnicity="Kinh",
             nationality="Việt Nam", place_of_birth="Bệnh viện tỉnh Bình Dương",
             personal_id="074217001234", registration_number="123/2018",
             registration_date="2018-01-05", ward="phu-tan")


def test_enums() -> None:
    assert [d.value for d in DocType] == ["birth_certificate", "resident_info_form",
                                          "marriage_certificate"]
    assert {s.value for s in Status} == {"digitized", "needs_review", "rejected", "duplicate"}


def test_fields_match_records_md() -> None:
    assert set(REQUIRED_FIELDS[DocType.BIRTH_CERTIFICATE]) == {
        "full_name", "date_of_birth", "sex", "ethnicity", "nationality", "place_of_birth",
        "personal_id", "registration_number", "registration_date", "ward"}
    assert "household_head_id" in FIELDS[DocType.RESIDENT_INFO_FORM]
    assert "household_head_id" not in REQUIRED_FIELDS[DocType.RESIDENT_INFO_FORM]
    assert {"husband_id", "wife_id", "ward"} <= set(REQUIRED_FIELDS[DocType.MARRIAGE_CERTIFICATE])
    assert "husband_ethnicity" not in REQUIRED_FIELDS[DocType.MARRIAGE_CERTIFICATE]


def test_valid_birth_certificate() -> None:
    rec = BirthCertificate.model_validate(BIRTH, context={"today": date(2025, 1, 1)})
    assert rec.date_of_birth == date(2017, 12, 29)
    assert rec.model_dump(mode="json")["date_of_birth"] == "2017-12-29"


@pytest.mark.parametrize(
    "change",
    [{"sex": "Nữ"}, {"personal_id": "07421700123"}, {"personal_id": "003217001234"},
     {"date_of_birth": "2018-02-01"}, {"full_name": "An"}, {"ethnicity": "Klingon"},
     {"sex": "Nu"}],
)
def test_invalid_birth_certificate(change: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        BirthCertificate.model_validate({**BIRTH, **change}, context={"today": date(2025, 1, 1)})


def test_marriage_and_resident_models() -> None:
    m = MarriageCertificate.model_validate(dict(
        husband_name="Nguyễn Văn An", wife_name="Trần Thị Bình",
        husband_date_of_birth="1990-01-02", wife_date_of_birth="1992-03-04",
        husband_nationality="Việt Nam", wife_nationality="Việt Nam",
        husband_residence="phường Phú Tân", wife_residence="phường Phú Lợi",
        husband_id="074090001234", wife_id="074192001234", registration_number="12",
        registration_date="2015-05-05", ward="phu-tan"))
    assert m.wife_id == "074192001234"
    with pytest.raises(ValidationError):  # wife 17 at registration
        MarriageCertificate.model_validate({**m.model_dump(), "wife_date_of_birth": "1998-01-01",
                                            "wife_id": "074198001234"})
    r = ResidentInfoForm.model_validate(dict(
        full_name="Lê Thị Cúc", date_of_birth="1985-07-08", sex="Nữ", personal_id="074185000111",
        ethnicity="Kinh", nationality="Việt Nam", home_town="Bình Dương",
        permanent_address="phường Phú Tân", household_head_name="Lê Văn Dũng",
        relation_to_head="Con", blood_type="O", marital_status="Ly hôn"))
    assert r.blood_type == "O"


def test_business_key() -> None:
    assert business_key(DocType.BIRTH_CERTIFICATE, BIRTH) == (
        "birth_certificate|074217001234|123/2018")
    assert business_key("resident_info_form", {"personal_id": "1"}) == "resident_info_form|1"
    assert business_key(DocType.MARRIAGE_CERTIFICATE, {"husband_id": "1", "wife_id": "2"}) is None


def test_committed_json_schemas_are_current() -> None:
    for doc_type in DocType:
        path = JSON_DIR / f"{doc_type.value}.schema.json"
        assert path.read_text(encoding="utf-8") == schema_text(doc_type), (
            f"{path} is stale: run python -m schemas.jsonschema")
        assert set(json.loads(path.read_text())["properties"]) == set(FIELDS[doc_type])
