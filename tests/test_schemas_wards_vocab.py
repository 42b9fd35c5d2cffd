from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas.vocab import (
    ETHNIC_GROUPS,
    MARITAL_STATUSES,
    NATIONALITIES,
    PROVINCE_CODES,
    nearest,
    strip_diacritics,
)
from schemas.wards import Ward, WardRegistry


def test_default_registry_has_the_18_wards() -> None:
    reg = WardRegistry.load(None)
    assert len(reg) == 18
    assert reg.codes()[0] == "phu-tan"
    assert reg.get("tan-dong-hiep") == Ward("tan-dong-hiep", "Tân Đông Hiệp", "Dĩ An")
    assert reg.get("nowhere") is None
    assert "di-an" in reg
    assert [w.code for w in reg][-1] == "tan-phuoc-khanh"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Phú Tân", "phu-tan"),
        ("phuong phu tan", "phu-tan"),
        ("UBND phường Phú Tân", "phu-tan"),
        ("Ủy ban nhân dân phường Phú Tân, thành phố Thủ Dầu Một, tỉnh Bình Dương", "phu-tan"),
        ("Tổ 3, khu phố 2, phường Phú Tân, TP Thủ Dầu Một", "phu-tan"),
        ("Ủy ban nhân dân phuòng Tân Đông Hiẹp, thành phố Dĩ An", "tan-dong-hiep"),
        ("phường Dĩ An, thành phố Dĩ An", "di-an"),
        ("P. Bình Hòa, TP Thuận An", "binh-hoa"),
        ("phường Tân Bình, TP Dĩ An", "tan-binh"),
        ("PHƯỜNG THỚI HÒA", "thoi-hoa"),
        ("UBND xã Thủ Sỹ, huyện Tiên Lữ, tỉnh Hưng Yên", None),
        ("phường Phú Thọ, TP Thủ Dầu Một", None),
        ("xã Phú Tân", None),
        ("phường 1, quận 1", None),
        ("", None),
    ],
)
def test_find_by_name(text: str, code: str | None) -> None:
    ward = WardRegistry.load(None).find_by_name(text)
    assert (ward.code if ward else None) == code


def test_load_json_and_toml(tmp_path: Path) -> None:
    data = {"wards": [{"code": "phu-tan", "name": "Phú Tân", "city": "Thủ Dầu Một",
                       "target": 1200}, {"code": "moi", "name": "Phú Mới", "city": "X"}]}
    p = tmp_path / "wards.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    reg = WardRegistry.load(p)
    assert reg.codes() == ["phu-tan", "moi"]
    assert reg.get("phu-tan").target == 1200  # type: ignore[union-attr]
    assert reg.find_by_name("phường Phú Mới").code == "moi"  # type: ignore[union-attr]
    t = tmp_path / "wards.toml"
    t.write_text('[[wards]]\ncode = "a-b"\nname = "Bình An"\ncity = "Dĩ An"\ntarget = 5\n',
                 encoding="utf-8")
    assert WardRegistry.load(t).get("a-b") == Ward("a-b", "Bình An", "Dĩ An", 5)
    with pytest.raises(ValueError):
        WardRegistry([Ward("x", "A", "B"), Ward("x", "C", "D")])


def test_vocab_sizes_and_codes() -> None:
    assert len(ETHNIC_GROUPS) == 54 == len(set(ETHNIC_GROUPS))
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["074"] == "Bình Dương"
    assert PROVINCE_CODES["079"] == "Thành phố Hồ Chí Minh"
    assert PROVINCE_CODES["096"] == "Cà Mau"
    assert "003" not in PROVINCE_CODES
    assert "Việt Nam" in NATIONALITIES
    assert set(MARITAL_STATUSES) == {"Chưa kết hôn", "Đã kết hôn", "Ly hôn", "Góa"}


def test_strip_diacritics() -> None:
    assert strip_diacritics("Nguyễn Đức Hòa") == "Nguyen Duc Hoa"
    assert strip_diacritics("đường") == "duong"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Kinh", "Kinh"), ("kinh", "Kinh"), ("Kinb", "Kinh"), ("Tay", "Tày"), ("Muong", "Mường"),
     ("Mông", "H'Mông"), ("Khơ-me", "Khmer"), ("Ede", "Ê Đê"), ("xyz", None), ("", None)],
)
def test_nearest_ethnicity(value: str, expected: str | None) -> None:
    from schemas.vocab import ETHNIC_ALIASES

    assert nearest(value, ETHNIC_GROUPS, aliases=ETHNIC_ALIASES) == expected


def test_nearest_refuses_ambiguous() -> None:
    assert nearest("La H", ETHNIC_GROUPS) is None  # La Ha / La Hủ
    assert nearest("Viet Nam", NATIONALITIES) == "Việt Nam"
