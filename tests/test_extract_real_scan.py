"""Real Tesseract on the GovTrust birth-certificate specimen (tests/data, copied from
shared/real-scans). The values are fictitious: a 10-digit ID and a xã in Hưng Yên."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ocr.text import Line, PageText, Word
from schemas.reading import read_records
from schemas.records import DocType, Status
from schemas.wards import WardRegistry

IMAGE = Path(__file__).parent / "data" / "vn_birth_cert_filled_sample_govtrust.jpg"


def _ocr(path: Path) -> PageText:
    import cv2
    import pytesseract

    image = cv2.imread(str(path))
    # the typed values are dark; the green guilloche is light in every channel
    gray = image.min(axis=2)
    _, binary = cv2.threshold(gray, 110, 255, cv2.THRESH_BINARY)
    data = pytesseract.image_to_data(binary, lang="vie", config="--psm 6",
                                     output_type=pytesseract.Output.DICT)
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for i, text in enumerate(data["text"]):
        if text.strip():
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            lines.setdefault(key, []).append(Word(text, float(data["conf"][i]), data["left"][i],
                                                  data["top"][i], data["width"][i],
                                                  data["height"][i], key))
    return PageText([Line(ws) for ws in lines.values()], mean_conf=80.0, quality=0.8,
                    width=image.shape[1], height=image.shape[0])


def test_govtrust_birth_certificate_needs_review() -> None:
    [r] = read_records([_ocr(IMAGE)], "phu-tan", WardRegistry.load(None), date(2025, 1, 1))
    assert r.doc_type is DocType.BIRTH_CERTIFICATE
    assert r.status is Status.NEEDS_REVIEW
    f = r.fields
    assert f["registration_number"] == "675"
    assert f["full_name"] == "Đào Thị Trà Giang"
    assert f["date_of_birth"] == "2021-11-12"
    assert f["sex"] == "Nữ"
    assert f["ethnicity"] == "Kinh"
    assert f["nationality"] == "Việt Nam"
    assert f["personal_id"] == "0236545689"
    assert f["registration_date"] == "2021-11-12"
    assert (f["place_of_birth"] or "").startswith("Trung tâm y tế huyện Yên Mỹ")
    assert r.ward is None
    assert "Số định danh cá nhân: phải có 12 chữ số (đọc được 10)" in r.reasons
    assert any(m.startswith("Nơi đăng ký:") for m in r.reasons)
    assert not any("0236545689" in m or "Đào" in m for m in r.reasons)
