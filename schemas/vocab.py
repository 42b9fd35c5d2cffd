"""Controlled vocabularies of Vietnamese civil records, and tolerant lookup in them.

Everything here is pure data plus two helpers:

- `strip_diacritics(text)`: NFC-insensitive removal of Vietnamese diacritics (`đ` -> `d`),
  used to match labels and values that OCR read with wrong or missing marks.
- `nearest(value, vocabulary, min_score)`: repairs an OCR misread against a vocabulary, but
  only when the best candidate is clearly better than the second one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz

__all__ = [
    "ETHNIC_GROUPS",
    "ETHNIC_ALIASES",
    "NATIONALITIES",
    "NATIONALITY_ALIASES",
    "PROVINCE_CODES",
    "MARITAL_STATUSES",
    "MARITAL_ALIASES",
    "BLOOD_TYPES",
    "RELIGIONS",
    "RELATIONS_TO_HEAD",
    "SEXES",
    "GIVEN_NAMES",
    "strip_diacritics",
    "fold",
    "nearest",
    "canonical",
]

# The 54 ethnic groups of Vietnam (Decision 121-TCTK/PPCĐ, 1979), official order.
ETHNIC_GROUPS: tuple[str, ...] = (
    "Kinh", "Tày", "Thái", "Hoa", "Khmer", "Mường", "Nùng", "H'Mông", "Dao", "Gia Rai",
    "Ngái", "Ê Đê", "Ba Na", "Xơ Đăng", "Sán Chay", "Cơ Ho", "Chăm", "Sán Dìu", "Hrê",
    "Mnông", "Ra Glai", "Xtiêng", "Bru - Vân Kiều", "Thổ", "Giáy", "Cơ Tu", "Giẻ Triêng",
    "Mạ", "Khơ Mú", "Co", "Tà Ôi", "Chơ Ro", "Kháng", "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào",
    "La Chí", "La Ha", "Phù Lá", "La Hủ", "Lự", "Lô Lô", "Chứt", "Mảng", "Pà Thẻn", "Cơ Lao",
    "Cống", "Bố Y", "Si La", "Pu Péo", "Brâu", "Ơ Đu", "Rơ Măm",
)  # fmt: skip

# Other spellings in use on records -> the canonical name above.
ETHNIC_ALIASES: dict[str, str] = {
    "Mông": "H'Mông", "Hmông": "H'Mông", "HMông": "H'Mông", "H'mông": "H'Mông",
    "Mèo": "H'Mông", "H Mông": "H'Mông",
    "Khơ-me": "Khmer", "Khơ me": "Khmer", "Khơme": "Khmer", "Khơ Me": "Khmer",
    "Gia-rai": "Gia Rai", "Giarai": "Gia Rai", "Jrai": "Gia Rai",
    "Ê-đê": "Ê Đê", "Êđê": "Ê Đê", "Ede": "Ê Đê",
    "Ba-na": "Ba Na", "Bahnar": "Ba Na", "Xơ-đăng": "Xơ Đăng", "Cơ-ho": "Cơ Ho",
    "Ra-glai": "Ra Glai", "M'Nông": "Mnông", "Bru-Vân Kiều": "Bru - Vân Kiều",
    "Bru Vân Kiều": "Bru - Vân Kiều", "Vân Kiều": "Bru - Vân Kiều", "Cơ-tu": "Cơ Tu",
    "Gié Triêng": "Giẻ Triêng", "Gié-Triêng": "Giẻ Triêng", "Giẻ-Triêng": "Giẻ Triêng",
    "Khơ-mú": "Khơ Mú", "Khơmú": "Khơ Mú", "Tà-ôi": "Tà Ôi", "Tà ôi": "Tà Ôi",
    "Chơ-ro": "Chơ Ro", "Xinh-mun": "Xinh Mun", "Chu-ru": "Chu Ru", "Rơ-măm": "Rơ Măm",
    "Sán Chí": "Sán Chay", "Cao Lan": "Sán Chay", "Hán": "Hoa", "Việt": "Kinh",
}  # fmt: skip

NATIONALITIES: tuple[str, ...] = (
    "Việt Nam", "Lào", "Campuchia", "Trung Quốc", "Thái Lan", "Hàn Quốc", "Nhật Bản",
    "Đài Loan", "Hoa Kỳ", "Pháp", "Đức", "Anh", "Úc", "Canada", "Nga", "Singapore",
    "Malaysia", "Indonesia", "Philippines", "Myanmar", "Ấn Độ", "Không quốc tịch",
)  # fmt: skip

NATIONALITY_ALIASES: dict[str, str] = {
    "Việt nam": "Việt Nam", "VN": "Việt Nam", "Viet Nam": "Việt Nam", "Vietnam": "Việt Nam",
    "CHXHCN Việt Nam": "Việt Nam", "Cam-pu-chia": "Campuchia", "Mỹ": "Hoa Kỳ",
    "Australia": "Úc", "Ô-xtrây-li-a": "Úc", "Xin-ga-po": "Singapore",
}  # fmt: skip

# Province codes of the personal identification number (Circular 07/2016/TT-BCA, annex).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Thành phố Hồ Chí Minh", "080": "Long An",
    "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
    "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

MARITAL_STATUSES: tuple[str, ...] = ("Chưa kết hôn", "Đã kết hôn", "Ly hôn", "Góa")
MARITAL_ALIASES: dict[str, str] = {
    "Goá": "Góa", "Góa vợ": "Góa", "Góa chồng": "Góa", "Độc thân": "Chưa kết hôn",
    "Chưa có vợ": "Chưa kết hôn", "Chưa có chồng": "Chưa kết hôn", "Có vợ": "Đã kết hôn",
    "Có chồng": "Đã kết hôn", "Đã ly hôn": "Ly hôn",
}  # fmt: skip

BLOOD_TYPES: tuple[str, ...] = ("A", "B", "AB", "O")

RELIGIONS: tuple[str, ...] = (
    "Không", "Phật giáo", "Công giáo", "Tin lành", "Cao Đài", "Phật giáo Hòa Hảo",
    "Hồi giáo", "Tôn giáo Baha'i", "Tịnh độ cư sĩ Phật hội Việt Nam", "Cơ đốc Phục lâm",
    "Phật giáo Tứ Ân Hiếu Nghĩa", "Minh Sư đạo", "Minh Lý đạo", "Bà-la-môn",
    "Giáo hội Các Thánh hữu Ngày sau của Chúa Giê-su Ky-tô", "Phật giáo Hiếu Nghĩa Tà Lơn",
    "Bửu Sơn Kỳ Hương", "Ba Ha'i",
)  # fmt: skip

RELATIONS_TO_HEAD: tuple[str, ...] = (
    "Chủ hộ", "Vợ", "Chồng", "Con", "Con đẻ", "Con nuôi", "Con dâu", "Con rể", "Cha", "Mẹ",
    "Cha đẻ", "Mẹ đẻ", "Bố", "Cha vợ", "Mẹ vợ", "Cha chồng", "Mẹ chồng", "Ông", "Bà",
    "Ông nội", "Bà nội", "Ông ngoại", "Bà ngoại", "Cháu", "Cháu nội", "Cháu ngoại",
    "Anh", "Chị", "Em", "Anh ruột", "Chị ruột", "Em ruột", "Cô", "Dì", "Chú", "Bác",
    "Cậu", "Thím", "Mợ", "Chắt", "Người ở nhờ", "Người giám hộ", "Khác",
)  # fmt: skip

# Common occupations as residence forms write them. Free text stays free: a value is only
# respelled to one of these when, marks removed, it is that entry and no other (`Nông dần`
# -> `Nông dân`: read with a grave for the circumflex, counted so on a fresh set).
OCCUPATIONS: tuple[str, ...] = (
    "Nông dân", "Công nhân", "Nhân viên văn phòng", "Nhân viên", "Giáo viên", "Giảng viên",
    "Kinh doanh", "Buôn bán", "Nội trợ", "Kỹ sư", "Tài xế", "Lái xe", "Bác sĩ", "Y sĩ",
    "Y tá", "Điều dưỡng", "Dược sĩ", "Công chức", "Viên chức", "Lao động tự do",
    "Lao động phổ thông", "Thợ may", "Thợ hồ", "Thợ điện", "Thợ mộc", "Thợ cơ khí",
    "Thợ máy", "Học sinh", "Sinh viên", "Hưu trí", "Bộ đội", "Công an", "Kế toán", "Luật sư",
    "Kiến trúc sư", "Ngư dân", "Làm ruộng", "Làm vườn", "Tiểu thương", "Bảo vệ",
    "Đầu bếp", "Thất nghiệp", "Không nghề nghiệp", "Cán bộ", "Doanh nhân", "Lập trình viên",
)  # fmt: skip

SEXES: tuple[str, ...] = ("Nam", "Nữ")

_SPACES = re.compile(r"\s+")


def strip_diacritics(text: str) -> str:
    """`Nguyễn Đức` -> `Nguyen Duc`: every combining mark removed, `đ/Đ` -> `d/D`, NFC result."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", stripped)


# administrative units printed before a place's name, folded (`thành phố Thuận An`)
ADMIN_UNITS: tuple[str, ...] = ("thanh pho", "thi xa", "thi tran", "phuong", "xa", "huyen",
                                "quan", "tinh")


# the levels under a ward, named by a number (`tổ 5`, `ấp 3`, `khu phố 8`, `đội 2`), as printed
NUMBERED_UNITS: tuple[str, ...] = ("khu phố", "tổ", "ấp", "thôn", "xóm", "khóm", "đội")


def unit_and_name(part: str, units: Iterable[str] = ADMIN_UNITS) -> tuple[str, str] | None:
    """(unit, name) of an address part that starts with one of `units` (folded): `phường Phú
    Tân` -> (`phuong`, `Phú Tân`), the name as printed; None for any other part."""
    folded = fold(part)
    for unit in units:
        if folded.startswith(unit + " "):
            return unit, " ".join(part.split()[len(unit.split()):])
    return None


def fold(text: str) -> str:
    """Comparison key: no diacritics, lowercase, hyphens/apostrophes as spaces, single spaces."""
    folded = strip_diacritics(text).lower()
    folded = re.sub(r"[-'’`´]", " ", folded)
    return _SPACES.sub(" ", folded).strip()


def canonical(value: str, vocabulary: Iterable[str], aliases: Mapping[str, str] | None = None,
              ) -> str | None:
    """Exact (case- and diacritics-aware) lookup, through aliases; no fuzzy repair."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    vocab = list(vocabulary)
    for entry in vocab:
        if entry.lower() == text.lower():
            return entry
    for alias, target in (aliases or {}).items():
        if alias.lower() == text.lower():
            return target
    return None


def nearest(
    value: str,
    vocabulary: Iterable[str],
    min_score: float = 75.0,
    aliases: Mapping[str, str] | None = None,
    margin: float = 8.0,
) -> str | None:
    """The vocabulary entry `value` most likely is, or None when unsure.

    1. Exact match (case-insensitive, NFC), through `aliases` too.
    2. Match on folded text (no diacritics, lowercase): if exactly one entry (or alias
       target) folds to the same text, it is the answer.
    3. Fuzzy: the best ratio on folded text must reach `min_score` (0-100) and beat the best
       *different* candidate by at least `margin` points; otherwise None (ambiguous).
    """
    if not value or not value.strip():
        return None
    vocab = list(dict.fromkeys(vocabulary))
    aliases = dict(aliases or {})
    exact = canonical(value, vocab, aliases)
    if exact is not None:
        return exact
    # candidates: (folded key, target)
    candidates: list[tuple[str, str]] = [(fold(v), v) for v in vocab]
    candidates += [(fold(a), t) for a, t in aliases.items()]
    key = fold(value)
    if not key:
        return None
    same = {target for k, target in candidates if k == key}
    if len(same) == 1:
        return same.pop()
    if len(same) > 1:
        # several entries differ only by diacritics: compare with diacritics kept
        low = unicodedata.normalize("NFC", value).lower()
        scored = sorted(((fuzz.ratio(low, t.lower()), t) for t in same), reverse=True)
        if scored[0][0] - scored[1][0] >= margin:
            return scored[0][1]
        return None
    best: dict[str, float] = {}
    for k, target in candidates:
        score = fuzz.ratio(key, k)
        if score > best.get(target, -1.0):
            best[target] = score
    ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] < min_score:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < margin:
        return None
    return ranked[0][0]

# Common Vietnamese middle and given names (chữ đệm, tên), one syllable each, as printed
# (NFC, title case). Used to catch a tone mark misread by OCR in a name word (`Hiến` read
# for `Hiền`): see `schemas.quality.given_name_problem`. Not a closed list: a name word
# outside it is accepted unless it differs from an entry only in its marks. A rare name
# that differs only in marks from a common one (`Hiên`/`Hiền`, `Tám`/`Tâm`, `Yên`/`Yến`) is
# left out on purpose: OCR reads the common name as the rare one far more often than the
# rare name is printed, and a real one costs only a review.
GIVEN_NAMES: frozenset[str] = frozenset(unicodedata.normalize("NFC", _w) for _w in """
An Ân Anh Ánh Ái Bá Bạch Bảo Bắc Bằng Bé Bích Biên Bình Bội Bửu Ca Cảnh Cát Cẩm Chánh Châm
Chân Châu Chí Chi Chiến Chinh Chính Chung Chương Cơ Công Cúc Cung Cường Đại Đan Đào Đạt
Đăng Đắc Diễm Diệp Diệu Điền Điệp Định Đình Doanh Đoan Đông Đồng Đức Dung Dũng Dương Duy
Duyên Em Gấm Gia Giang Giao Hà Hạ Hải Hân Hằng Hạnh Hào Hảo Hậu Hiền Hiển Hiệp Hiếu Hinh
Hòa Hoa Hoài Hoan Hoàn Hoàng Hồng Học Hợp Huấn Huệ Hùng Hưng Hương Hường Hữu Huy Huyền
Huỳnh Hy Kha Khải Khang Khanh Khánh Khắc Khiêm Khiết Khoa Khôi Khuê Khuyên Khương Kiên
Kiệt Kiều Kim Kính Kỳ Lài Lam Lâm Lan Lành Lạc Lập Lê Lệ Liêm Liên Liễu Linh Loan Lộc
Lợi Long Luân Lụa Lực Lương Luyến Ly Lý Mai Mạnh Mẫn Mến Miên Minh Mơ Mộng Mừng My Mỹ
Nam Nga Ngân Nghĩa Nghị Ngọc Nguyên Nguyệt Nhã Nhàn Nhân Nhật Nhi Nhiên Nhơn Như Nhung
Nhựt Ninh Nương Oanh Phát Phi Phong Phú Phúc Phụng Phước Phương Phượng Quân Quang Quế
Quốc Quý Quới Quyên Quyền Quyết Quỳnh Sang Sanh Sâm Sen Sinh Sĩ Sỹ Sơn Song Sương Tài Tâm
Tân Tấn Thạch Thái Thắm Thắng Thanh Thành Thạnh Thảo Thế Thi Thị Thơ Thơm Thiên Thiện
Thiều Thịnh Thoa Thọ Thoại Thông Thu Thư Thuận Thục Thương Thùy Thủy Thúy Thy Tiến Tiên
Tiệp Tín Tình Toàn Tòng Tố Trà Trâm Trân Trang Trí Triết Triều Trinh Trọng Trúc Trung
Trường Tú Tuấn Tùng Tường Tuyền Tuyết Uy Uyên Út Văn Vân Vi Việt Viết Viên Vinh Vĩnh Vũ
Vương Vy Xinh Xuân Xuyến Ý Yến Bảy Chín Mười Sáu Mão Thìn Ngọ Mùi Thân Dậu Tuất Hợi Sửu
""".split())
