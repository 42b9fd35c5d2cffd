"""`digitize review list|show|set|approve|reject` on records written directly (no OCR)."""

from __future__ import annotations

import json
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from flows.audit import verify
from flows.cli_review import review_app
from schemas.records import business_key
from storage.archive import Archive, SourceDrop, record_id_for, sha256_hex
from storage.objects import LocalStore

DAY = "2025-03-03"
_seq = count(1)


def birth_fields(n: int, ward: str = "phu-tan") -> dict[str, str | None]:
    # 074 Bình Dương, digit 4 = 0 (male, 1900s), digits 5-6 = 90 (born 1990).
    return {
        "full_name": "Trần Văn Bình", "date_of_birth": "1990-05-12", "sex": "Nam",
        "ethnicity": "Kinh", "nationality": "Việt Nam",
        "place_of_birth": "Bệnh viện Đa khoa tỉnh Bình Dương",
        "personal_id": f"07409{n:07d}", "registration_number": f"{n}/1990",
        "registration_date": "1990-05-20", "ward": ward,
    }


def add(archive: Archive, ward: str = "phu-tan", status: str = "needs_review",
        fields: dict[str, Any] | None = None, reasons: list[str] | None = None,
        n: int | None = None, page_image: bool = True) -> dict[str, Any]:
    """A record as record_outcomes writes it (original, drop, page image, record, claim)."""
    n = n or next(_seq)
    data = f"review scan {n} {ward} {status}".encode()
    sha = sha256_hex(data)
    received_at = f"{DAY}T07:00:{n % 60:02d}+00:00"
    drop = SourceDrop(sha, f"{ward}/scan-{n:04d}.jpg", ward, len(data), received_at)
    archive.secure_original(data, drop)
    if page_image:
        archive.put_page(sha, 1, b"\x89PNG\r\n\x1a\nfake", {"lines": []})
    fields = fields if fields is not None else birth_fields(n, ward)
    rid = record_id_for(sha, 0)
    record = {
        "record_id": rid, "source_sha256": sha, "source_name": drop.source_name,
        "ward_folder": ward, "day": DAY, "status": status,
        "reasons": reasons if reasons is not None else [],
        "doc_type": "birth_certificate", "pages": [1], "fields": fields,
        "confidence": {k: 0.9 for k in fields}, "document_ward": ward, "duplicate_of": None,
        "provenance": {"flow_run_id": "", "software_version": "0.1.0", "schema_version": "1",
                       "processed_at": received_at, "received_at": received_at},
        "history": [],
    }
    if status == "digitized":
        bkey = business_key("birth_certificate", fields)
        assert bkey
        archive.claim_key("birth_certificate", bkey, rid, received_at + rid)
    archive.put_record(record)
    archive.refresh_counters([ward])
    return record


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Archive:
    root = tmp_path / "store"
    for key in ("DIGITIZE_S3_ENDPOINT", "DIGITIZE_S3_ACCESS_KEY", "DIGITIZE_S3_SECRET_KEY",
                "DIGITIZE_CONFIG", "DIGITIZE_WARDS_FILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DIGITIZE_STORE", str(root))
    monkeypatch.setenv("USER", "clerk-lan")
    return Archive(LocalStore(root))


def review(*args: str) -> Any:
    # The way flows/cli.py registers it: app.add_typer(review_app, name="review").
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """digitize"""

    app.add_typer(review_app, name="review")
    return CliRunner().invoke(app, ["review", *args])


def digitized(archive: Archive, ward: str = "phu-tan") -> int:
    return sum(n for (_d, status, _day), n in archive.count_ward(ward).items()
               if status == "digitized")


def snapshot(archive: Archive, ward: str, status: str) -> int:
    counts = (archive.counters(ward) or {}).get("counts", {})
    return sum(row.get(status, 0) for row in counts.values())


def missing_sex(archive: Archive, **kw: Any) -> dict[str, Any]:
    n = next(_seq)
    fields = birth_fields(n, kw.pop("ward", "phu-tan"))
    fields["sex"] = None
    return add(archive, ward=fields["ward"], fields=fields, n=n,
               reasons=["Giới tính: không đọc được (bắt buộc)"], **kw)


# ---------------------------------------------------------------------------- list / show


def test_list_shows_only_the_queue(archive: Archive) -> None:
    waiting = missing_sex(archive)
    other = missing_sex(archive, ward="phu-loi")
    done = add(archive, status="digitized")
    result = review("list")
    assert result.exit_code == 0, result.output
    assert waiting["record_id"] in result.stdout and other["record_id"] in result.stdout
    assert done["record_id"] not in result.stdout
    assert "Giới tính" in result.stdout and "birth_certificate" in result.stdout
    only = review("list", "--ward", "phu-loi")
    assert other["record_id"] in only.stdout and waiting["record_id"] not in only.stdout


def test_show_reasons_fields_confidence_and_page_images(archive: Archive) -> None:
    rec = missing_sex(archive)
    no_image = missing_sex(archive, page_image=False)
    result = review("show", rec["record_id"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Giới tính: không đọc được" in out
    assert "place_of_birth" in out and "90%" in out and "Trần Văn Bình" in out
    image = archive.store.url_for(archive.page_image_key(rec["source_sha256"], 1))
    assert Path(image).is_file() and image in out  # a local path the clerk can open
    missing = review("show", no_image["record_id"])
    assert "(missing: pages/" in missing.stdout
    assert review("show", "nope-00").exit_code == 2


# ---------------------------------------------------------------------------- set


def test_set_normalizes_revalidates_and_keeps_history(archive: Archive) -> None:
    rec = missing_sex(archive)
    rid = rec["record_id"]
    result = review("set", rid, "sex=nam", "full_name=  trần   văn  bình ", "--by", "chi-hoa")
    assert result.exit_code == 0, result.output
    assert "valid, ready to approve" in result.stdout
    stored = archive.get_record(rid)
    assert stored["fields"]["sex"] == "Nam"  # normalized like the pipeline's values
    assert stored["fields"]["full_name"] == "Trần Văn Bình"
    assert stored["confidence"]["sex"] == 1.0
    assert stored["reasons"] == []
    assert stored["status"] == "needs_review"  # set never approves by itself
    (h,) = stored["history"]
    assert h["by"] == "chi-hoa" and h["action"] == "set" and h["at"].endswith("+00:00")
    assert h["before"]["fields"] == {"sex": None, "full_name": "Trần Văn Bình"}
    assert h["after"]["fields"] == {"sex": "Nam", "full_name": "Trần Văn Bình"}
    assert h["before"]["reasons"] == ["Giới tính: không đọc được (bắt buộc)"]


def test_set_that_breaks_a_rule_lists_the_reason(archive: Archive) -> None:
    rec = missing_sex(archive)
    result = review("set", rec["record_id"], "sex=Nữ")  # ID digit 4 says male
    assert result.exit_code == 0
    assert "chữ số thứ 4 không khớp với giới tính" in result.stdout
    assert archive.get_record(rec["record_id"])["history"][0]["by"] == "clerk-lan"  # $USER


def test_set_refuses_unknown_fields_and_bad_syntax(archive: Archive) -> None:
    rec = missing_sex(archive)
    bad = review("set", rec["record_id"], "religion=Không")
    assert bad.exit_code == 1 and "unknown field(s) for birth_certificate: religion" in bad.output
    assert review("set", rec["record_id"], "sex").exit_code == 1
    assert archive.get_record(rec["record_id"])["history"] == []


def test_set_ward_by_printed_name(archive: Archive) -> None:
    rec = missing_sex(archive)
    review("set", rec["record_id"], "sex=Nam", "ward=Phú Lợi")
    stored = archive.get_record(rec["record_id"])
    assert stored["fields"]["ward"] == "phu-loi"
    assert any("khác phường của thư mục" in r for r in stored["reasons"])


# ---------------------------------------------------------------------------- approve


def test_invalid_approve_is_refused_clearly(archive: Archive) -> None:
    rec = missing_sex(archive)
    result = review("approve", rec["record_id"])
    assert result.exit_code == 1
    assert f"record {rec['record_id']} is not valid" in result.output
    assert "Giới tính: không đọc được (bắt buộc)" in result.output
    stored = archive.get_record(rec["record_id"])
    assert stored["status"] == "needs_review" and stored["history"] == []
    assert digitized(archive) == 0


def test_approved_record_is_counted_once(archive: Archive) -> None:
    rec = missing_sex(archive)
    rid = rec["record_id"]
    assert snapshot(archive, "phu-tan", "needs_review") == 1
    assert review("set", rid, "sex=Nam").exit_code == 0
    first = review("approve", rid, "--by", "chi-hoa")
    assert first.exit_code == 0, first.output
    assert "digitized" in first.stdout
    assert digitized(archive) == 1
    assert snapshot(archive, "phu-tan", "digitized") == 1  # counters refreshed
    assert snapshot(archive, "phu-tan", "needs_review") == 0

    again = review("approve", rid)
    assert again.exit_code == 0
    assert digitized(archive) == 1 and snapshot(archive, "phu-tan", "digitized") == 1
    stored = archive.get_record(rid)
    assert [h["action"] for h in stored["history"]] == ["set", "approve"]
    approve = stored["history"][1]
    assert approve["by"] == "chi-hoa"
    assert approve["before"]["status"] == "needs_review"
    assert approve["after"]["status"] == "digitized"
    assert verify(archive).ok, verify(archive).drifts  # the auditor agrees
    assert review("list").stdout.count(rid) == 0


def test_approving_a_record_already_digitized_elsewhere_makes_a_duplicate(
    archive: Archive,
) -> None:
    n = next(_seq)
    first = add(archive, status="digitized", fields=birth_fields(n), n=n)
    again_fields = birth_fields(n)
    again_fields["sex"] = None
    again = add(archive, fields=again_fields, reasons=["Giới tính: không đọc được"])
    review("set", again["record_id"], "sex=Nam")
    result = review("approve", again["record_id"])
    assert result.exit_code == 0, result.output
    assert f"duplicate of {first['record_id']}" in result.stdout
    stored = archive.get_record(again["record_id"])
    assert stored["status"] == "duplicate"
    assert stored["duplicate_of"]["record_id"] == first["record_id"]
    assert digitized(archive) == 1
    assert verify(archive).ok, verify(archive).drifts


def test_only_needs_review_records_can_be_approved(archive: Archive) -> None:
    done = add(archive, status="digitized")
    result = review("approve", done["record_id"])
    assert result.exit_code == 1 and "only needs_review" in result.output
    assert review("approve", "nope-00").exit_code == 2


# ---------------------------------------------------------------------------- reject


def test_rejected_record_is_never_counted(archive: Archive) -> None:
    rec = add(archive)  # valid fields, but the clerk sees it is not a real certificate
    rid = rec["record_id"]
    result = review("reject", rid, "--reason", "Bản nháp, không phải giấy khai sinh")
    assert result.exit_code == 0, result.output
    stored = archive.get_record(rid)
    assert stored["status"] == "rejected"
    assert stored["reasons"] == ["Bản nháp, không phải giấy khai sinh"]
    (h,) = stored["history"]
    assert h["action"] == "reject" and h["by"] == "clerk-lan"
    assert h["before"]["status"] == "needs_review" and h["after"]["status"] == "rejected"
    assert digitized(archive) == 0
    assert snapshot(archive, "phu-tan", "rejected") == 1
    # a rejected record cannot be approved afterwards, so it is never counted
    assert review("approve", rid).exit_code == 1
    assert digitized(archive) == 0
    assert review("reject", rid, "--reason", "again").exit_code == 0  # idempotent
    assert len(archive.get_record(rid)["history"]) == 1
    assert verify(archive).ok


def test_reject_needs_a_reason(archive: Archive) -> None:
    rec = missing_sex(archive)
    assert review("reject", rec["record_id"]).exit_code != 0
    assert review("reject", rec["record_id"], "--reason", "  ").exit_code == 1
    assert archive.get_record(rec["record_id"])["status"] == "needs_review"


def test_history_is_json_serializable_record(archive: Archive) -> None:
    rec = missing_sex(archive)
    review("set", rec["record_id"], "sex=Nam")
    review("approve", rec["record_id"])
    raw = archive.store.get(f"records/{rec['record_id']}.json")
    assert [h["action"] for h in json.loads(raw)["history"]] == ["set", "approve"]


# ------------------------------------------------------- second scans of a record in review


def add_read_in_review(archive: Archive, fields: dict[str, Any], n: int | None = None
                       ) -> dict[str, Any]:
    """A record sent to review as the pipeline writes it: with the key it was read with."""
    record = add(archive, fields=fields, reasons=["Họ, chữ đệm, tên: cần kiểm tra"], n=n)
    bkey = business_key("birth_certificate", fields)
    assert bkey
    record["claim"] = {"doc_type": "birth_certificate",
                       "key_hash": Archive.key_hash("birth_certificate", bkey),
                       "status": "needs_review", "reasons": record["reasons"]}
    archive.put_record(record)
    archive.claim_key_in_review("birth_certificate", bkey, record["record_id"],
                                record["provenance"]["received_at"] + record["record_id"])
    return record


def settle(archive: Archive, record: dict[str, Any]) -> None:
    archive.settle_key("birth_certificate", record["claim"]["key_hash"])
    archive.refresh_counters(["phu-tan"])


def two_scans_in_review(archive: Archive) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two scans of one record, both read with doubts and settled: (first, second)."""
    n = next(_seq)
    first = add_read_in_review(archive, birth_fields(n), n=n)
    again = add_read_in_review(archive, birth_fields(n))
    settle(archive, again)
    return first, again


def test_a_second_scan_in_review_of_a_digitized_record_is_its_duplicate(
        archive: Archive) -> None:
    n = next(_seq)
    first = add(archive, status="digitized", fields=birth_fields(n), n=n)
    again = add_read_in_review(archive, birth_fields(n))
    settle(archive, again)
    stored = archive.get_record(again["record_id"])
    assert stored["status"] == "duplicate"
    assert stored["duplicate_of"]["record_id"] == first["record_id"]
    assert "already digitized" in stored["reasons"][0]
    assert digitized(archive) == 1 and snapshot(archive, "phu-tan", "needs_review") == 0
    # the clerk's queue holds nothing to do twice
    assert again["record_id"] not in review("list").stdout
    assert verify(archive).ok, verify(archive).drifts
    # a record in review with another key stays for the clerk
    other = add_read_in_review(archive, birth_fields(next(_seq)))
    settle(archive, other)
    assert archive.get_record(other["record_id"])["status"] == "needs_review"


def test_two_scans_in_review_of_one_record_leave_one_for_the_clerk(archive: Archive) -> None:
    first, again = two_scans_in_review(archive)
    assert archive.get_record(first["record_id"])["status"] == "needs_review"
    held = archive.get_record(again["record_id"])
    assert held["status"] == "duplicate"
    assert held["duplicate_of"]["record_id"] == first["record_id"]
    assert "waiting for review" in held["reasons"][0]
    # the clerk approves the first: counted once, the second stays its duplicate
    assert review("approve", first["record_id"]).exit_code == 0
    assert archive.get_record(first["record_id"])["status"] == "digitized"
    held = archive.get_record(again["record_id"])
    assert held["status"] == "duplicate" and "already digitized" in held["reasons"][0]
    assert digitized(archive) == 1
    assert verify(archive).ok, verify(archive).drifts


def test_rejecting_the_first_scan_gives_the_second_back_to_the_clerk(archive: Archive) -> None:
    first, again = two_scans_in_review(archive)
    assert archive.get_record(again["record_id"])["status"] == "duplicate"
    assert review("reject", first["record_id"], "--reason", "Bản sao mờ").exit_code == 0
    back = archive.get_record(again["record_id"])
    assert back["status"] == "needs_review"
    assert back["reasons"] == ["Họ, chữ đệm, tên: cần kiểm tra"]
    assert back["duplicate_of"] is None
    assert snapshot(archive, "phu-tan", "needs_review") == 1
    assert verify(archive).ok, verify(archive).drifts


def test_correcting_the_first_scan_gives_the_second_back_to_the_clerk(
        archive: Archive) -> None:
    first, again = two_scans_in_review(archive)
    assert archive.get_record(again["record_id"])["status"] == "duplicate"
    # the clerk finds the first scan's ID misread and corrects it: the two are not one record
    assert review("set", first["record_id"], "personal_id=074090999999").exit_code == 0
    assert archive.get_record(again["record_id"])["status"] == "needs_review"
    assert snapshot(archive, "phu-tan", "needs_review") == 2
    assert verify(archive).ok, verify(archive).drifts
