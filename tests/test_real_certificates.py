"""The two real certificate specimens on security paper (green birth, pink marriage).

Their values are fictitious and break RECORDS.md's rules: the pipeline must read their
lines, and send them to review with the right reasons, never digitize or reject them.
Transcriptions: tests/data/*.txt and the real-scans README.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import cv2
import pytest
from rapidfuzz import fuzz

from ocr.process import process_page
from schemas.reading import read_records
from schemas.wards import WardRegistry

DATA = Path(__file__).parent / "data"

BIRTH_VALUES = [
    "675", "ĐÀO THỊ TRÀ GIANG", "12/11/2021", "Nữ", "Kinh", "Việt Nam",
    "Trung tâm y tế huyện Yên Mỹ", "Hồ Hơn", "0236545689", "NGUYỄN THỊ HOA", "1973",
    "Thụy Khuê", "TRỊNH TUẤN TÚ", "1970", "1856321456", "Tiên Lữ", "Hưng Yên",
]
MARRIAGE_VALUES = [
    "02/1992", "ĐINH NGỌC ANH", "HOÀNG VĂN THÁI", "25/06/1893", "09/16/1904", "Kinh",
    "Việt Nam", "Hưng Hà", "Hưng Nhân", "Thái Bình", "1856321456", "11/12/2003",
    "Thiện Phiến", "Tiên Lữ", "Hưng Yên", "06/09/2002",
]


def _plain(text: str) -> str:
    """Leader dots and spacing are not what a reader cares about: compare without them."""
    text = re.sub(r"[.…·_¬—\-\"']+", " ", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def _found(values: list[str], text: str) -> list[str]:
    """Values read exactly (leader dots and spaces aside)."""
    plain = _plain(text).replace(" ", "")
    return [v for v in values if _plain(v).replace(" ", "") in plain]


def _nearly_found(values: list[str], text: str) -> list[str]:
    """Values read with at most one character in seven wrong (a tone mark, `L` for `1`)."""
    plain = _plain(text).replace(" ", "")
    found = []
    for value in values:
        key = _plain(value).replace(" ", "")
        allowed = max(1.0, 0.15 * len(key))
        if fuzz.partial_ratio(key, plain) >= 100 * (1 - allowed / len(key)):
            found.append(value)
    return found


def _check_lines_read(values: list[str], text: str) -> None:
    # Every line's value is there; most of them exactly. The rest are tessdata_fast's
    # Vietnamese misreads (`NGUYÊN`, `L973`): records holding them go to review.
    nearly = _nearly_found(values, text)
    assert nearly == values, sorted(set(values) - set(nearly))
    exact = _found(values, text)
    assert len(exact) >= 0.7 * len(values), sorted(set(values) - set(exact))


@pytest.fixture(scope="module")
def readings() -> dict[str, object]:
    out = {}
    for name in ("vn_birth_cert_filled_sample_govtrust.jpg",
                 "vn_marriage_cert_filled_sample_govtrust.jpg"):
        out[name] = process_page(cv2.imread(str(DATA / name)), None)
    return out


def test_birth_certificate_specimen_is_read_and_sent_to_review(readings) -> None:
    page = readings["vn_birth_cert_filled_sample_govtrust.jpg"].text
    _check_lines_read(BIRTH_VALUES, page.text)
    [record] = read_records([page], "phu-tan", WardRegistry.load(None), date(2026, 11, 28))
    assert record.doc_type == "birth_certificate"
    assert record.status == "needs_review"
    reasons = " | ".join(record.reasons)
    assert "Số định danh cá nhân: phải có 12 chữ số (đọc được 10)" in reasons
    assert "Nơi đăng ký: không phải phường trong danh sách" in reasons
    assert record.fields["ward"] is None  # a ward field holds registry codes only


def test_marriage_certificate_specimen_is_read_and_sent_to_review(readings) -> None:
    page = readings["vn_marriage_cert_filled_sample_govtrust.jpg"].text
    _check_lines_read(MARRIAGE_VALUES, page.text)
    [record] = read_records([page], "phu-tan", WardRegistry.load(None), date(2026, 11, 28))
    assert record.doc_type == "marriage_certificate"
    assert record.status == "needs_review"
    reasons = " | ".join(record.reasons)
    # This form has no personal ID line: both IDs are missing, and the ward is a xã elsewhere.
    assert "Số định danh cá nhân (chồng)" in reasons and "Số định danh cá nhân (vợ)" in reasons
    assert "Nơi đăng ký: không phải phường trong danh sách" in reasons
    # Party-labelled headers with the names on the next line, two columns: read, not lost.
    assert record.fields["wife_name"] == "Đinh Ngọc Anh"
    assert record.fields["husband_name"] == "Hoàng Văn Thái"
    assert record.fields["wife_nationality"] == record.fields["husband_nationality"] == "Việt Nam"
    assert record.fields["wife_residence"] and record.fields["husband_residence"]
    # its dates break the rules (month 16; a wife over 120): said so, not 'not read'
    assert "Ngày, tháng, năm sinh (chồng): không phải ngày hợp lệ" in reasons
    assert "Ngày, tháng, năm sinh (vợ): tuổi quá 120" in reasons
    assert "Họ, chữ đệm, tên (vợ): không đọc được" not in reasons
