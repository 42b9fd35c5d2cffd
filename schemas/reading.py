"""Pages of one input file -> records: split, classify, extract, normalize, validate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ocr.text import PageText
from schemas.classify import MIN_TEXT_CHARS, classify, has_title
from schemas.extract import ExtractedField, extract_fields
from schemas.normalize import normalize_field
from schemas.records import REQUIRED_FIELDS, DocType, Status, business_key
from schemas.validate import FIELD_LABELS, validate_fields
from schemas.wards import WardRegistry

__all__ = ["RecordReading", "read_records"]

MIN_PAGE_QUALITY = 0.15  # below this (0-1), an OCR'd page with text is unreadable


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
) -> RecordReading:
    raw: dict[str, ExtractedField] = extract_fields(doc_type, pages)
    fields: dict[str, str | None] = {}
    confidence: dict[str, float] = {}
    for name, ef in raw.items():
        fields[name] = normalize_field(name, ef.value)
        confidence[name] = ef.confidence
    # the ward on the document -> registry code
    ward_text = raw["ward"].value if "ward" in raw else None
    if doc_type is DocType.RESIDENT_INFO_FORM:
        ward_text = raw["permanent_address"].value if "permanent_address" in raw else None
    ward = registry.find_by_name(ward_text) if ward_text else None
    ward_code = ward.code if ward else None
    if doc_type is DocType.RESIDENT_INFO_FORM:
        fields_for_check = {**fields, "ward": ward_code or ward_text}
    else:
        fields["ward"] = ward_code or fields.get("ward")
        fields_for_check = fields
    reasons = validate_fields(doc_type, fields_for_check, today=today, registry=registry,
                              folder_ward=folder_ward)
    messages = [r.message for r in reasons]
    for name in REQUIRED_FIELDS[doc_type]:
        conf = confidence.get(name)
        if fields.get(name) and conf is not None and conf < min_confidence:
            messages.append(f"{FIELD_LABELS.get(name, name)}: đọc không chắc chắn "
                            f"(độ tin cậy {conf:.0%}), cần kiểm tra")
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


def read_records(
    pages: list[PageText],
    folder_ward: str,
    registry: WardRegistry,
    today: date,
    min_confidence: float = 0.6,
) -> list[RecordReading]:
    """One `RecordReading` per record in the pages of one file, in order; every page ends in
    exactly one reading. A page whose title classifies starts a record; a page with text but
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
        if doc_type is not None and (titled or not groups or groups[-1][0] is None):
            groups.append((doc_type, [number], None))
            continue
        if groups and groups[-1][0] is not None and doc_type in (None, groups[-1][0]):
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
