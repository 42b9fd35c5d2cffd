"""The review queue: records in `needs_review`, corrected and approved or rejected by a clerk.

No printing here (flows/cli_review.py presents). The queue is not a separate store: it is the
records whose status is `needs_review`, so nothing can be in the queue and counted, or lost
between the two. Every change appends one entry to the record's `history`
(who, when, action, before, after) and goes through `Archive.put_record`, which moves the
record's index marker: counts follow the record's status and cannot count it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from schemas.normalize import normalize_field
from schemas.records import FIELDS, DocType, business_key
from schemas.validate import FIELD_LABELS, validate_fields
from schemas.wards import WardRegistry
from storage.archive import Archive, utc_now

APPROVED_DUPLICATE_REASON = (
    "Hồ sơ này đã được số hóa từ tệp khác / "
    "This record was already digitized from another file"
)


class ReviewError(Exception):
    """A refused review action; the message is for the clerk (no personal data)."""

    def __init__(self, message: str, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.reasons = reasons or []


class RecordNotFound(ReviewError):
    pass


@dataclass(frozen=True)
class PageImage:
    number: int
    key: str
    location: str | None  # file path (local store) or presigned URL (S3); None when missing


def _load(archive: Archive, rid: str) -> dict[str, Any]:
    record = archive.get_record(rid)
    if record is None:
        raise RecordNotFound(f"không có hồ sơ / no record {rid}")
    return record


def queue(archive: Archive, ward: str | None = None) -> list[dict[str, Any]]:
    """Records waiting for review, oldest drop first (the order a clerk works in)."""
    waiting = [
        r for r in archive.iter_records()
        if r.get("status") == "needs_review" and (ward is None or r.get("ward_folder") == ward)
    ]
    return sorted(
        waiting,
        key=lambda r: ((r.get("provenance") or {}).get("received_at") or "", r["record_id"]),
    )


def show(archive: Archive, rid: str) -> tuple[dict[str, Any], list[PageImage]]:
    """The record and where its page images are."""
    record = _load(archive, rid)
    pages = []
    for n in record.get("pages") or []:
        key = archive.page_image_key(record["source_sha256"], n)
        # A page that could not be read has no image; say so instead of a dead link.
        location = archive.store.url_for(key) if archive.store.exists(key) else None
        pages.append(PageImage(n, key, location))
    return record, pages


def _doc_type(record: dict[str, Any]) -> DocType:
    if not record.get("doc_type"):
        raise ReviewError(
            f"hồ sơ {record['record_id']} không có loại giấy tờ / record has no document type"
        )
    return DocType(record["doc_type"])


def _resolve_ward(value: str | None, registry: WardRegistry) -> str | None:
    """A clerk may type a ward code or its printed name; store the registry code."""
    if not value:
        return value
    if value in registry:
        return value
    found = registry.find_by_name(value)
    return found.code if found else value


def revalidate(
    record: dict[str, Any], registry: WardRegistry, today: date, min_confidence: float = 0.0
) -> tuple[list[str], list[str]]:
    """(rule violations, low-confidence warnings) of the record's current fields.

    Same rules as the pipeline (schemas.validate with the registry and the folder's ward).
    Violations block approval; warnings only say which values a person should look at, and
    approving is that person's confirmation."""
    doc_type = _doc_type(record)
    fields: dict[str, str | None] = dict(record.get("fields") or {})
    if doc_type is DocType.RESIDENT_INFO_FORM:
        # DC01 has no ward field: its ward is the permanent address's (as in schemas.reading).
        fields = {**fields, "ward": record.get("document_ward")}
    violations = [
        r.message
        for r in validate_fields(doc_type, fields, today=today, registry=registry,
                                 folder_ward=record.get("ward_folder"))
    ]
    warnings = []
    confidence = record.get("confidence") or {}
    for name, value in (record.get("fields") or {}).items():
        conf = confidence.get(name)
        if value and conf is not None and conf < min_confidence:
            warnings.append(f"{FIELD_LABELS.get(name, name)}: đọc không chắc chắn "
                            f"(độ tin cậy {conf:.0%}), cần kiểm tra")
    return violations, warnings


def _require_open(record: dict[str, Any], action: str) -> None:
    if record["status"] != "needs_review":
        raise ReviewError(
            f"hồ sơ {record['record_id']} đang ở trạng thái {record['status']}, không thể "
            f"{action} / record is {record['status']}, only needs_review records can be "
            f"{action}"
        )


def set_fields(
    archive: Archive,
    rid: str,
    assignments: dict[str, str],
    *,
    by: str,
    registry: WardRegistry,
    today: date,
    min_confidence: float = 0.0,
) -> dict[str, Any]:
    """Correct fields (normalized like the pipeline's), revalidate, store; returns the record.

    An empty value clears the field. A value a person typed gets confidence 1.0: it was read
    by a human from the page image, so it no longer needs checking."""
    record = _load(archive, rid)
    _require_open(record, "sửa / corrected")
    doc_type = _doc_type(record)
    allowed = set(FIELDS[doc_type])
    unknown = sorted(set(assignments) - allowed)
    if unknown:
        raise ReviewError(
            f"trường không có trong {doc_type.value} / unknown field(s) for {doc_type.value}: "
            + ", ".join(unknown) + " (allowed: " + ", ".join(sorted(allowed)) + ")"
        )
    fields = dict(record.get("fields") or {})
    confidence = dict(record.get("confidence") or {})
    before: dict[str, Any] = {"fields": {}, "reasons": list(record.get("reasons") or [])}
    after: dict[str, Any] = {"fields": {}}
    for name, raw in assignments.items():
        value = normalize_field(name, raw) if raw.strip() else None
        if name == "ward":
            value = _resolve_ward(value, registry)
        if raw.strip() and value is None:
            raise ReviewError(
                f"{FIELD_LABELS.get(name, name)}: giá trị không đọc được sau khi chuẩn hóa / "
                f"the value of {name} is empty after normalization"
            )
        before["fields"][name] = fields.get(name)
        after["fields"][name] = value
        fields[name] = value
        confidence[name] = 1.0
    record["fields"] = fields
    record["confidence"] = confidence
    # the key it was read with (a review claim) no longer speaks for it: a clerk's record is
    # never made a duplicate by another scan's reading; other scans it held as its
    # duplicates are settled again below
    read_claim = _review_claim(record)
    if read_claim:
        del record["claim"]
    if doc_type is DocType.RESIDENT_INFO_FORM and "permanent_address" in assignments:
        # The DC01 ward follows the permanent address, as when the pipeline read it.
        found = registry.find_by_name(fields.get("permanent_address") or "")
        before["document_ward"] = record.get("document_ward")
        record["document_ward"] = after["document_ward"] = found.code if found else None
    elif doc_type is not DocType.RESIDENT_INFO_FORM and "ward" in assignments:
        before["document_ward"] = record.get("document_ward")
        ward = fields.get("ward")
        record["document_ward"] = after["document_ward"] = ward if ward in registry else None
    violations, warnings = revalidate(record, registry, today, min_confidence)
    record["reasons"] = violations + warnings
    after["reasons"] = record["reasons"]
    _append_history(record, by, "set", before, after)
    archive.put_record(record)
    if read_claim:
        archive.refresh_counters({record["ward_folder"], *_settle_read_key(archive, read_claim)})
    return record


def approve(
    archive: Archive, rid: str, *, by: str, registry: WardRegistry, today: date
) -> dict[str, Any]:
    """needs_review -> digitized (counted) or duplicate (its business key is already owned).

    Idempotent: approving a record that is already digitized or duplicate changes nothing,
    so it is never counted twice."""
    record = _load(archive, rid)
    if record["status"] in ("digitized", "duplicate") and any(
        h.get("action") == "approve" for h in record.get("history") or []
    ):
        return record
    _require_open(record, "duyệt / approved")
    doc_type = _doc_type(record)
    violations, _warnings = revalidate(record, registry, today)
    if violations:
        raise ReviewError(
            f"hồ sơ {rid} chưa hợp lệ, chưa thể duyệt / record {rid} is not valid, "
            "correct it with `digitize review set` first",
            violations,
        )
    bkey = business_key(doc_type, record.get("fields") or {})
    if bkey is None:  # required key fields are checked above; this is a safety net
        raise ReviewError(f"hồ sơ {rid}: thiếu khóa nghiệp vụ / business key fields missing")
    before = {"status": record["status"], "reasons": list(record.get("reasons") or [])}
    key_hash = Archive.key_hash(doc_type.value, bkey)
    # What the record is when it owns its key, as the pipeline records it: settle_key
    # restores it if a concurrent claim that looked earlier turns out not to be.
    record["claim"] = {"doc_type": doc_type.value, "key_hash": key_hash,
                       "status": "digitized", "reasons": []}
    # Claimed at approval time: a record approved now is the first of its key only if no
    # record was digitized with that key before (the earliest claim owns the key), so an
    # approval never takes the count away from a record already counted.
    owner = archive.claim_key(doc_type.value, bkey, rid, utc_now() + rid)
    if owner == rid:
        record["status"] = "digitized"
        record["reasons"] = []
        record["duplicate_of"] = None
    else:
        first = archive.get_record(owner) or {}
        record["status"] = "duplicate"
        record["reasons"] = [APPROVED_DUPLICATE_REASON]
        record["duplicate_of"] = {"record_id": owner, "source_name": first.get("source_name")}
    after = {"status": record["status"], "reasons": record["reasons"],
             "duplicate_of": record["duplicate_of"]}
    _append_history(record, by, "approve", before, after)
    archive.put_record(record)
    # Settle the key as a flow run does, against claims other processes stored meanwhile.
    touched = archive.settle_key(doc_type.value, key_hash)
    archive.refresh_counters({record["ward_folder"], *touched})
    return archive.get_record(rid) or record


def reject(archive: Archive, rid: str, *, reason: str, by: str) -> dict[str, Any]:
    """needs_review -> rejected with the clerk's reason; a rejected record is never counted."""
    if not reason.strip():
        raise ReviewError("cần lý do / a reason is required")
    record = _load(archive, rid)
    if record["status"] == "rejected" and any(
        h.get("action") == "reject" for h in record.get("history") or []
    ):
        return record
    _require_open(record, "từ chối / rejected")
    before = {"status": record["status"], "reasons": list(record.get("reasons") or [])}
    record["status"] = "rejected"
    record["reasons"] = [reason.strip()]
    _append_history(record, by, "reject", before,
                    {"status": "rejected", "reasons": record["reasons"]})
    archive.put_record(record)
    # other scans of this record, held as its duplicates, go back to the review queue
    archive.refresh_counters(
        {record["ward_folder"], *_settle_read_key(archive, _review_claim(record))})
    return record


def _review_claim(record: dict[str, Any]) -> dict[str, Any]:
    """The key a record sent to review was read with (as the pipeline notes it), or {}."""
    claim = record.get("claim") or {}
    return claim if claim.get("status") == "needs_review" and claim.get("key_hash") else {}


def _settle_read_key(archive: Archive, claim: dict[str, Any]) -> set[str]:
    """Settle the key of a review claim again (the wards whose counts may change)."""
    return archive.settle_key(claim["doc_type"], claim["key_hash"]) if claim else set()


def _append_history(
    record: dict[str, Any], by: str, action: str, before: dict[str, Any], after: dict[str, Any]
) -> None:
    record.setdefault("history", []).append(
        {"at": utc_now(), "by": by, "action": action, "before": before, "after": after}
    )
