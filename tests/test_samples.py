"""The sample generator: valid truth, deterministic bytes, readable files, OCR-able renders."""

from __future__ import annotations

import json
import random
import re
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from bench.records import hidden_misreadings, settle_reversed_copies
from samples.degrade import degrade
from samples.generate import TruthRecord, generate_inbox, read_truth, truth_path
from samples.people import REFERENCE_DATE, make_record
from samples.render import date_in_words, render_record
from schemas.vocab import PROVINCE_CODES
from schemas.wards import WardRegistry

ID_KEYS = {
    "birth_certificate": [("personal_id", "date_of_birth", "sex")],
    "resident_info_form": [("personal_id", "date_of_birth", "sex")],
    "marriage_certificate": [
        ("husband_id", "husband_date_of_birth", "Nam"),
        ("wife_id", "wife_date_of_birth", "Nữ"),
    ],
}


def id_ok(pid: str, sex: str, dob: date) -> bool:
    """RECORDS.md: 12 digits; 1-3 province; 4 sex+century; 5-6 last two digits of the year."""
    if len(pid) != 12 or not pid.isdigit() or pid[:3] not in PROVINCE_CODES:
        return False
    century = {19: 0, 20: 2, 21: 4, 22: 6, 23: 8}.get(dob.year // 100)
    if century is None or int(pid[3]) != century + (1 if sex == "Nữ" else 0):
        return False
    return pid[4:6] == f"{dob.year % 100:02d}"


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    out = tmp_path_factory.mktemp("inbox")
    truth = generate_inbox(out, 14, seed=7, wards=["phu-tan", "di-an", "my-phuoc"], workers=2)
    return out, truth


def test_valid_records_follow_the_rules() -> None:
    reg = WardRegistry.load(None)
    wards = list(reg)
    for i in range(150):
        rng = random.Random(i)
        rec = make_record(rng, wards[i % len(wards)], None, reg)
        f = rec.fields
        assert rec.expected_status == "digitized"
        for id_key, dob_key, sex in ID_KEYS[rec.doc_type or ""]:
            sex = f.get(sex, sex) or sex
            dob = date.fromisoformat(f[dob_key] or "")
            assert id_ok(f[id_key] or "", sex, dob), (f[id_key], sex, dob)
            assert dob <= REFERENCE_DATE and REFERENCE_DATE.year - dob.year <= 120
        if f.get("household_head_id"):
            assert len(f["household_head_id"] or "") == 12
        if rec.doc_type == "birth_certificate":
            assert f["date_of_birth"] <= f["registration_date"] <= REFERENCE_DATE.isoformat()
        if rec.doc_type == "marriage_certificate":
            reg_d = date.fromisoformat(f["registration_date"] or "")
            for key, min_age in (("husband_date_of_birth", 20), ("wife_date_of_birth", 18)):
                dob = date.fromisoformat(f[key] or "")
                age = reg_d.year - dob.year - ((reg_d.month, reg_d.day) < (dob.month, dob.day))
                assert age >= min_age
        for key, value in f.items():
            if key.endswith("name") and value:
                words = value.split()
                assert 2 <= len(words) <= 7, (key, value)
                assert value == value.title(), (key, value)


def test_truth_matches_files_and_formats_open(inbox: tuple[Path, list]) -> None:
    out, truth = inbox
    lines = [json.loads(x) for x in truth_path(out).read_text("utf-8").splitlines()]
    assert len(lines) == len(truth) == 14
    assert read_truth(truth_path(out)) == truth
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert files == {t.source_name for t in truth}
    statuses = {t.expected_status for t in truth}
    assert "digitized" in statuses and "needs_review" in statuses
    for name in files:
        path = out / name
        pages = max(p for t in truth if t.source_name == name for p in t.pages)
        if name.endswith(".pdf"):
            info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                                  check=True).stdout
            assert re.search(rf"^Pages:\s+{pages}$", info, re.M), info
        else:
            with Image.open(path) as im:
                assert getattr(im, "n_frames", 1) == pages
                im.load()
        folder = name.split("/")[0]
        assert all(t.ward == folder for t in truth if t.source_name == name)
    for t in truth:
        if t.expected_status == "duplicate":
            assert t.duplicate_of and t.duplicate_of.split("#")[0] != t.source_name
        if t.doc_type and t.edge_case is None:
            for id_key, dob_key, sex in ID_KEYS[t.doc_type]:
                sex = t.fields.get(sex, sex) or sex
                assert id_ok(t.fields[id_key] or "", sex, date.fromisoformat(t.fields[dob_key]))


def test_same_seed_same_bytes(inbox: tuple[Path, list], tmp_path: Path) -> None:
    out, truth = inbox
    again = generate_inbox(tmp_path, 14, seed=7, wards=["phu-tan", "di-an", "my-phuoc"])
    assert [t.to_json() for t in again] == [t.to_json() for t in truth]
    for t in truth:
        assert (out / t.source_name).read_bytes() == (tmp_path / t.source_name).read_bytes()


def test_held_out_fonts_change_the_type_and_nothing_else(
        inbox: tuple[Path, list], tmp_path: Path) -> None:
    """The held-out font check compares with the same seed's set: only the type changes
    (Noto Serif Display comes with fonts-noto-core; the others need bench-fonts' packages)."""
    _, truth = inbox
    again = generate_inbox(tmp_path, 14, seed=7, wards=["phu-tan", "di-an", "my-phuoc"],
                           fonts=["Noto Serif Display"])
    typed = [(t, u) for t, u in zip(truth, again, strict=True) if t.doc_type]
    assert typed and all(
        (u.fields, u.layout, u.profile, u.capture, u.source_name, u.expected_status)
        == (t.fields, t.layout, t.profile, t.capture, t.source_name, t.expected_status)
        for t, u in typed)
    assert all(u.font.startswith("Noto Serif Display") for _, u in typed)
    assert not any(t.font.startswith("Noto Serif Display") for t, _ in typed)
    with pytest.raises(ValueError, match="unknown held-out font"):
        generate_inbox(tmp_path / "x", 1, fonts=["Comic Sans"])


def test_edge_cases_cover_every_outcome(tmp_path: Path) -> None:
    truth = generate_inbox(tmp_path, 40, seed=1, formats=("jpg",), profiles=("clean",),
                           captures=("scan",), security_paper_share=0.0, workers=2)
    kinds = {t.edge_case for t in truth}
    assert {"invalid_id_length", "invalid_id_sex", "invalid_id_year", "ward_mismatch",
            "ward_unknown", "missing_field", "blank_page", "unrelated_document",
            "duplicate_record", "duplicate_file"} <= kinds
    assert sum(t.expected_status == "digitized" for t in truth) >= len(truth) * 0.7
    for t in truth:
        if t.edge_case == "ward_mismatch":
            assert t.document_ward != t.ward
        if t.edge_case == "duplicate_file":
            orig = t.duplicate_of.split("#")[0]
            assert (tmp_path / orig).read_bytes() == (tmp_path / t.source_name).read_bytes()


def test_degrade_reports_what_it_did() -> None:
    page = Image.new("RGB", (2480, 3508), "white")
    for profile in ("clean", "heavy"):
        for capture in ("scan", "fax", "photo"):
            d = degrade(page, profile, capture, seed=3)
            assert {"skew_degrees", "rotation", "dpi"} <= set(d.applied)
            if capture == "photo":
                assert len(d.applied["corners"]) == 4
            if capture == "fax":
                assert d.image.mode == "1" and d.dpi == 200
            json.dumps(d.applied)


def test_date_in_words() -> None:
    assert date_in_words(date(2021, 11, 12)) == (
        "Ngày mười hai tháng mười một năm hai nghìn không trăm hai mươi mốt")
    words = date_in_words(date(1976, 4, 25))
    assert words.endswith("tháng tư năm một nghìn chín trăm bảy mươi sáu")


def test_tesseract_reads_a_clean_birth_certificate() -> None:
    import pytesseract
    reg = WardRegistry.load(None)
    rng = random.Random(5)
    rec = make_record(rng, reg.get("phu-tan"), "birth_certificate", reg)  # type: ignore[arg-type]
    page = render_record(rec, rng, layout="colon", font="Liberation Serif").pages[0]
    small = page.convert("L").crop((0, 0, 2480, 1500))
    text = pytesseract.image_to_string(small, lang="vie")
    assert "GIẤY KHAI SINH" in text
    name = rec.fields["full_name"] or ""
    assert name.upper() in text.upper()


def _truth(source: str, status: str, duplicate_of: str | None = None) -> TruthRecord:
    return TruthRecord(source_name=source, record_index=0, pages=[1], ward="an-phu",
                       doc_type="birth_certificate", expected_status=status, fields={},
                       profile="clean", capture="scan", layout="colon", font="Noto Sans",
                       security_paper=False, edge_case="duplicate_record" if duplicate_of
                       else None, duplicate_of=duplicate_of)


def _result(source: str, rid: str, status: str, of: str | None = None) -> dict:
    return {"source_name": source, "record_id": rid, "status": status,
            "duplicate_of": {"record_id": of} if of else None}


def test_benchmark_scores_a_copy_kept_in_place_of_its_first_scan_as_right() -> None:
    """The pipeline keeps the scan it could digitize and marks the other one its duplicate,
    whichever came first; the benchmark scores that pair right, but not two counted."""
    first, again = _truth("an-phu/a.tif", "digitized"), _truth(
        "an-phu/b.tif", "duplicate", duplicate_of="an-phu/a.tif#0")
    reversed_pairs = [(first, _result("an-phu/a.tif", "aa-00", "duplicate", of="bb-00")),
                      (again, _result("an-phu/b.tif", "bb-00", "digitized"))]
    settled, n = settle_reversed_copies(reversed_pairs)
    assert n == 1
    assert [t.expected_status for t, _ in settled] == ["duplicate", "digitized"]
    both_counted = [(first, _result("an-phu/a.tif", "aa-00", "digitized")),
                    (again, _result("an-phu/b.tif", "bb-00", "digitized"))]
    settled, n = settle_reversed_copies(both_counted)
    assert n == 0
    assert [t.expected_status for t, _ in settled] == ["digitized", "duplicate"]


def test_benchmark_lists_wrong_values_held_only_by_another_fields_doubt() -> None:
    """A record in review with a wrong value whose own field no reason names would be
    counted wrong once the other doubt went: the benchmark lists it; a wrong value its own
    reason names, and a right value, are not listed."""
    truth = replace(_truth("an-phu/a.tif", "digitized"),
                    fields={"full_name": "Lê Văn An", "place_of_birth": "Bệnh viện Từ Dũ"})
    read = {**_result("an-phu/a.tif", "aa-00", "needs_review"),
            "fields": {"full_name": "Lê Văn An", "place_of_birth": "Đệnh viện Từ Dũ"},
            "reasons": ["Họ, chữ đệm, tên: có chữ đọc không chắc chắn (độ tin cậy 40%)"]}
    [(t, name, _, got)] = hidden_misreadings([(truth, read)])
    assert (name, got) == ("place_of_birth", "Đệnh viện Từ Dũ")
    named = {**read, "reasons": ["Nơi sinh: tên cơ sở hoặc đơn vị có chữ đầu đọc sai"]}
    assert hidden_misreadings([(truth, named)]) == []
