"""Recall fixes: blank optional fields, repairs, wrapped labels, repeated column labels,
untitled pages, IDs and dates confirmed by a second reading."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from test_schemas_reading import BIRTH  # the birth certificate the reading tests use

from ocr.text import PageText
from schemas.classify import classify
from schemas.extract import extract_fields
from schemas.quality import repair_address_units, repair_surname
from schemas.reading import read_records
from schemas.records import DocType, Status
from schemas.wards import WardRegistry

TODAY = date(2025, 1, 1)
REG = WardRegistry.load(None)

DC01 = """PHIẾU THU THẬP THÔNG TIN DÂN CƯ
1. Họ, chữ đệm và tên khai sinh: LÊ THỊ CÚC
2. Ngày, tháng, năm sinh: 02/12/1976   3. Giới tính: Nữ
4. Số định danh cá nhân: 074176000111
5. Dân tộc: Kinh   7. Quốc tịch: Việt Nam
8. Tình trạng hôn nhân: Đã kết hôn   9. Nhóm máu:
10. Nơi đăng ký khai sinh: ..........................
11. Quê quán: tỉnh Bình Dương
12. Nơi thường trú: Tố 26, khu phố 1, phường Phú Lợi, thành phố Thủ Dầu Một, tỉnh Bình Dương
15. Họ, chữ đệm và tên chủ hộ: NGUYÊN VĂN DŨNG   16. Quan hệ với chủ hộ: Vợ
"""


def read(text: str, folder: str = "phu-loi", conf: float = 95.0) -> list:
    return read_records([PageText.from_text(text, conf=conf)], folder, REG, TODAY)


def test_blank_optional_fields_do_not_block() -> None:
    [r] = read(DC01)
    assert r.status is Status.DIGITIZED, r.reasons
    assert r.fields.get("blood_type") is None
    assert r.fields.get("birth_registration_place") is None


def test_surname_and_address_unit_repairs() -> None:
    [r] = read(DC01)
    assert r.fields["household_head_name"] == "Nguyễn Văn Dũng"
    assert r.fields["permanent_address"].startswith("Tổ 26, khu phố 1")
    assert repair_surname("Trấn Hồng Trâm") == "Trần Hồng Trâm"
    assert repair_surname("Do Văn An") == "Do Văn An"  # Đỗ or Đồ: ambiguous, left as read
    assert repair_surname("Hoàng Văn An") == "Hoàng Văn An"
    assert repair_address_units("Áp 9, phường Phú Lợi") == "Ấp 9, phường Phú Lợi"
    assert repair_address_units("đường Tô Hiến Thành") == "đường Tô Hiến Thành"
    # a small unit word at a part's start, with other marks (`dường`: a held-out face's `đ`
    # without its bar), is that unit; a capital one may start a bare name and stays
    assert repair_address_units("Số 330, dường Nguyễn Văn Tiết, xa Tân An") == (
        "Số 330, đường Nguyễn Văn Tiết, xã Tân An")
    assert repair_address_units("Số 5, Dương Minh Châu, tỉnh Tây Ninh") == (
        "Số 5, Dương Minh Châu, tỉnh Tây Ninh")
    # the unit before a province's exact name; anything else is left to the checks
    assert repair_address_units("thành phố Dĩ An, tính Bình Dương") == (
        "thành phố Dĩ An, tỉnh Bình Dương")
    assert repair_address_units("Tính Thái Bình") == "Tỉnh Thái Bình"
    assert repair_address_units("x, tính Bình Dươn") == "x, tính Bình Dươn"


def test_wrapped_long_label_is_not_a_shorter_label() -> None:
    text = ("PHIẾU THU THẬP THÔNG TIN DÂN CƯ\n"
            "4. Số định danh cá nhân: 074176000111\n"
            "17. Số định danh cá nhân của    074088245037\n"
            "chủ hộ\n")
    got = extract_fields(DocType.RESIDENT_INFO_FORM, [PageText.from_text(text)])
    assert got["personal_id"].value == "074176000111"
    assert got["household_head_id"].value == "074088245037"


def test_wrapped_end_of_a_blank_label_is_not_its_value() -> None:
    """`17. Số định danh cá nhân của chủ` / `hộ` with the cell beside it blank: `hộ` ends
    the label (it was taken for the household head's ID number, and held the record)."""
    text = DC01 + "17. Số định danh cá nhân của chủ\nhộ\nPhú Lợi, ngày 03 tháng 06 năm 2021\n"
    [r] = read(text)
    assert r.fields.get("household_head_id") is None
    assert r.status is Status.DIGITIZED, r.reasons
    # the label's end then the value on the same line: the value is kept
    text = DC01 + "17. Số định danh cá nhân của chủ\nhộ 074088245037\n"
    got = extract_fields(DocType.RESIDENT_INFO_FORM, [PageText.from_text(text)])
    assert got["household_head_id"].value == "074088245037"


def test_marriage_labels_repeated_in_two_columns() -> None:
    text = ("GIẤY CHỨNG NHẬN KẾT HÔN\n"
            "Số: 70/2018\n"
            "Họ, chữ đệm, tên chồng:          Họ, chữ đệm, tên vợ:\n"
            "Mai Trọng Vũ                     Phạm Mai An\n"
            "Ngày, tháng, năm sinh: 14/10/1991 Ngày, tháng, năm sinh: 24/12/1993\n"
            "Nơi cư trú: Số 68, đường Lê Lợi  Nơi cư trú: Số 12, đường Lê Lai\n"
            "Số định danh cá nhân:            Số định danh cá nhân:\n"
            "074091179605                     074193102824\n"
            "Nơi đăng ký kết hôn: Ủy ban nhân dân phường Phú Mỹ\n")
    got = {k: v.value for k, v in extract_fields(DocType.MARRIAGE_CERTIFICATE,
                                                  [PageText.from_text(text)]).items()}
    assert got["husband_name"] == "Mai Trọng Vũ" and got["wife_name"] == "Phạm Mai An"
    assert got["husband_date_of_birth"] == "14/10/1991"
    assert got["wife_date_of_birth"] == "24/12/1993"
    assert got["husband_residence"] == "Số 68, đường Lê Lợi"
    assert got["wife_residence"] == "Số 12, đường Lê Lai"
    assert got["husband_id"] == "074091179605" and got["wife_id"] == "074193102824"
    assert got["registration_number"] == "70/2018"


def test_page_without_title_classified_by_many_labels() -> None:
    text = ("BẢN SAO\nSố: 351/2000\nHọ, chữ đệm, tên: LÊ KHÁNH HOA\n"
            "Nơi sinh: Bệnh viện Đa khoa Mỹ Phước, tỉnh Bình Dương\n"
            "Họ, chữ đệm, tên người mẹ: NGUYỄN THU NGA\n"
            "Họ, chữ đệm, tên người cha: LÊ VĂN NAM\n"
            "Nơi đăng ký khai sinh: Ủy ban nhân dân phường Tân Đông Hiệp\n")
    assert classify(text) is DocType.BIRTH_CERTIFICATE
    assert classify("Kính gửi: Các trường\nV/v nghỉ hè\nNơi nhận: như trên") is None


def test_household_head_id_needs_high_confidence() -> None:
    text = DC01 + "17. Số định danh cá nhân của chủ hộ: 074088245037\n"
    page = PageText.from_text(text)
    words = [w for ln in page.lines for w in ln.words]
    target = next(w for w in words if w.text == "074088245037")
    lines = [type(ln)([replace(w, conf=85.0) if w is target else w for w in ln.words])
             for ln in page.lines]
    [r] = read_records([PageText(lines=lines, mean_conf=95.0, quality=0.9)], "phu-loi", REG,
                       TODAY)
    assert r.status is Status.NEEDS_REVIEW
    assert any("chủ hộ" in m and "độ tin cậy" in m for m in r.reasons)


def test_date_in_words_confirms_a_low_confidence_date_but_an_id_needs_its_own() -> None:
    birth = """GIẤY KHAI SINH
Số: 123/2018
Họ, chữ đệm, tên: NGUYỄN VĂN AN
Ngày, tháng, năm sinh: 29/12/2017
(ghi bằng chữ: Ngày hai mươi chín tháng mười hai năm hai nghìn không trăm mười bảy)
Giới tính: Nam   Dân tộc: Kinh   Quốc tịch: Việt Nam
Nơi sinh: Bệnh viện đa khoa tỉnh Bình Dương
Số định danh cá nhân: 074217001234
Nơi đăng ký khai sinh: Ủy ban nhân dân phường Phú Tân, thành phố Thủ Dầu Một
Ngày, tháng, năm đăng ký: 05/01/2018
"""
    page = PageText.from_text(birth)
    low = {"29/12/2017": 30.0, "074217001234": 92.0}
    lines = [type(ln)([replace(w, conf=low.get(w.text, w.conf)) for w in ln.words])
             for ln in page.lines]
    [r] = read_records([PageText(lines=lines, mean_conf=90.0, quality=0.9)], "phu-tan", REG,
                       TODAY)
    assert r.status is Status.DIGITIZED, r.reasons
    # The checks confirm the ID's first six digits, not the last six: an ID token under 0.9
    # (that the second reading did not confirm) goes to review even when sex, century and
    # birth year agree (digits misread at 0.6-0.8, then at 0.88, in the last six were
    # counted on the benchmarks before this rule).
    for conf in (45.0, 88.0):
        low["074217001234"] = conf
        lines = [type(ln)([replace(w, conf=low.get(w.text, w.conf)) for w in ln.words])
                 for ln in page.lines]
        [r] = read_records([PageText(lines=lines, mean_conf=90.0, quality=0.9)], "phu-tan",
                           REG, TODAY)
        assert r.status is Status.NEEDS_REVIEW
        assert any(reason.startswith("Số định danh cá nhân") for reason in r.reasons)
    # the same ID with a birth year it does not repeat: not confirmed
    bad = birth.replace("074217001234", "074216001234")
    page = PageText.from_text(bad)
    lines = [type(ln)([replace(w, conf=45.0 if w.text == "074216001234" else w.conf)
                       for w in ln.words]) for ln in page.lines]
    [r] = read_records([PageText(lines=lines, mean_conf=90.0, quality=0.9)], "phu-tan", REG,
                       TODAY)
    assert r.status is Status.NEEDS_REVIEW


def test_signing_line_is_not_the_value_of_a_blank_last_field() -> None:
    text = DC01 + "17. Số định danh cá nhân của chủ hộ:\nPhú Lợi, ngày 03 thóúng 06 năm 2021\n"
    [r] = read(text)
    assert r.fields.get("household_head_id") is None
    assert r.status is Status.DIGITIZED, r.reasons


def _with_confs(text: str, confs: dict[str, float]) -> PageText:
    page = PageText.from_text(text)
    lines = [type(ln)([replace(w, conf=confs.get(w.text, w.conf)) for w in ln.words])
             for ln in page.lines]
    return PageText(lines=lines, mean_conf=90.0, quality=0.9)


def test_a_surname_repaired_from_the_list_carries_its_confidence_no_more() -> None:
    """`NGUYÊN` read at 14 % becomes `Nguyễn`, the only surname its letters spell: the low
    confidence was the mark the repair replaced (and `NGUYỄN` at 26 % is that surname too).
    A surname of two or three letters proves less (`LỄ` at 30 % -> `Lê` still goes to
    review), and so does any other word."""
    text = DC01.replace("LÊ THỊ CÚC", "NGUYÊN THỊ CÚC")
    [r] = read_records([_with_confs(text, {"NGUYÊN": 14.0})], "phu-loi", REG, TODAY)
    assert r.fields["full_name"] == "Nguyễn Thị Cúc"
    assert r.status is Status.DIGITIZED, r.reasons
    # read right but unsure: the letters spell that surname only, its marks are known
    exact = DC01.replace("LÊ THỊ CÚC", "NGUYỄN THỊ CÚC")
    [r] = read_records([_with_confs(exact, {"NGUYỄN": 26.0})], "phu-loi", REG, TODAY)
    assert r.status is Status.DIGITIZED, r.reasons
    [r] = read_records([_with_confs(DC01.replace("LÊ THỊ", "LỄ THỊ"), {"LỄ": 30.0})],
                       "phu-loi", REG, TODAY)
    assert r.fields["full_name"] == "Lê Thị Cúc" and r.status is Status.NEEDS_REVIEW
    [r] = read_records([_with_confs(text, {"NGUYÊN": 14.0, "CÚC": 40.0})], "phu-loi", REG,
                       TODAY)
    assert r.status is Status.NEEDS_REVIEW


def test_a_value_whose_first_word_is_doubtful_after_marks_is_kept() -> None:
    """`..TRẦN` read at 7 % before `QUỲNH MY` read surely: the value, not the paper's
    pattern (the mother's name was lost and the record counted without it)."""
    birth = """GIẤY KHAI SINH
Họ, chữ đệm, tên người mẹ: .. TRẦN QUỲNH MY
Năm sinh: 1960   Dân tộc: Kinh
"""
    fields = extract_fields(DocType.BIRTH_CERTIFICATE, [_with_confs(birth, {"TRẦN": 7.0})])
    assert fields["mother_name"].value == "TRẦN QUỲNH MY"
    assert fields["mother_name"].min_conf < 0.1  # and so review, unless confirmed
    # alone after the marks, the doubtful word is still the pattern: no value
    fields = extract_fields(DocType.BIRTH_CERTIFICATE,
                            [_with_confs(birth.replace(" QUỲNH MY", ""), {"TRẦN": 7.0})])
    assert not fields["mother_name"].value


def test_a_number_read_short_of_sure_and_not_confirmed_holds_the_record() -> None:
    """Digits misread at 0.72-0.85 (`409` for `469`, `26G` for `266`, a date's `3` for `8`)
    were counted: a number in any value needs 0.9, which the second reading gives the words
    it agrees on. A date the ID agrees with is no exception (the ID repeats its year only)."""
    [r] = read_records([_with_confs(BIRTH, {"29/12/2017": 85.0})], "phu-tan", REG, TODAY)
    assert r.status is Status.NEEDS_REVIEW
    assert any("chữ số đọc không chắc chắn" in m for m in r.reasons), r.reasons
    page = _with_confs(BIRTH, {"29/12/2017": 85.0})
    page = PageText(lines=[replace(ln, words=[replace(w, conf=92.0, confirmed=True)
                                              if w.text == "29/12/2017" else w
                                              for w in ln.words]) for ln in page.lines])
    [r] = read_records([page], "phu-tan", REG, TODAY)
    assert r.status is Status.DIGITIZED, r.reasons


def test_a_word_of_a_known_places_name_carries_its_low_confidence_no_more() -> None:
    """`Chuấn,` at 47 % in `phường Bình Chuấn`: the run spells one known place, whose marks
    the value takes (`Bình Chuẩn`), so the doubt about the word's mark is gone. A doubtful
    word outside known names (a street's) still sends the record to review."""
    text = DC01.replace("Tố 26, khu phố 1, phường Phú Lợi, thành phố Thủ Dầu Một",
                        "Tổ 15, khu phố 6, phường Bình Chuấn, thành phố Thuận An")
    [r] = read_records([_with_confs(text, {"Chuấn,": 47.0})], "phu-loi", REG, TODAY)
    assert r.fields["permanent_address"].startswith("Tổ 15, khu phố 6, phường Bình Chuẩn,")
    assert not any(m.startswith("Nơi thường trú") for m in r.reasons), r.reasons
    street = text.replace("Tổ 15, khu phố 6,", "Số 3, đường Lê Lai,")
    [r] = read_records([_with_confs(street, {"Lai,": 47.0})], "phu-loi", REG, TODAY)
    assert any(m.startswith("Nơi thường trú") for m in r.reasons), r.reasons


def test_a_dates_words_around_its_digits_do_not_hold_it() -> None:
    """`ngày 21 tháng 12 năm 1958` with `năm` read at 40 % (or as `nằm`): the date is its
    digits; a doubtful digit still sends it to review."""
    birth = BIRTH.replace("sinh: 29/12/2017", "sinh: ngày 29 tháng 12 năm 2017")
    page = _with_confs(birth, {})
    lines = [type(ln)([replace(w, conf=40.0) if w.text == "năm" and w.left > 700 else w
                       for w in ln.words]) for ln in page.lines]
    [r] = read_records([PageText(lines=lines, mean_conf=90.0, quality=0.9)], "phu-tan", REG,
                       TODAY)
    assert r.fields["date_of_birth"] == "2017-12-29"
    assert r.status is Status.DIGITIZED, r.reasons
    [r] = read_records([_with_confs(birth, {"29": 40.0})], "phu-tan", REG, TODAY)
    assert r.status is Status.NEEDS_REVIEW


def test_a_confirmed_surname_is_judged_as_the_value_spells_it() -> None:
    """`NGUYÊN` read unsure, then confirmed by the second reading, becomes `Nguyễn` (the only
    surname its letters spell). The guard on marks confirmed only by a second reading took
    it for the given name `Nguyên` (a tone twin of `Nguyễn`) and held 43 such records over
    the benchmark sets. As a middle name the same word is still a given name's doubt."""
    def confirmed(text: str, word: str, at: int) -> PageText:
        page = PageText.from_text(text)
        seen = -1
        lines = []
        for ln in page.lines:
            out = []
            for w in ln.words:
                if w.text == word:
                    seen += 1
                    if seen == at:
                        w = replace(w, conf=90.0, confirmed=True)
                out.append(w)
            lines.append(type(ln)(out))
        return PageText(lines=lines, mean_conf=90.0, quality=0.9)

    surname = DC01.replace("LÊ THỊ CÚC", "NGUYÊN THỊ CÚC")
    [r] = read_records([confirmed(surname, "NGUYÊN", 0)], "phu-loi", REG, TODAY)
    assert r.fields["full_name"] == "Nguyễn Thị Cúc"
    assert r.status is Status.DIGITIZED, r.reasons
    middle = DC01.replace("LÊ THỊ CÚC", "NGUYỄN NGUYÊN CÚC")
    [r] = read_records([confirmed(middle, "NGUYÊN", 0)], "phu-loi", REG, TODAY)
    assert any("lần đọc thứ hai" in m for m in r.reasons), r.reasons


def test_frame_debris_read_first_does_not_reorder_the_rows_it_sits_beside() -> None:
    """A security frame's side read down the page before the text (one mark per row, at
    the right margin) made every row keep the debris's place in the reading order: the
    mother's `Năm sinh ... Quốc tịch` row came before her name, and her nationality was
    taken for the child's."""
    from ocr.text import Line, Word

    rows = [
        "GIẤY KHAI SINH",
        "Họ, chữ đệm, tên: NGUYỄN ANH HUY",
        "Giới tính: Nam   Dân tộc: Kinh   Quốc tịch: Việt Nam",
        "Họ, chữ đệm, tên người mẹ: PHAN ÁNH CHÂU",
        "Năm sinh: 1956   Dân tộc: Kinh   Quốc tịch: Trung Quốc",
    ]
    debris = [Line([Word("|", 30.0, 2365, 100 + 80 * k, 12, 40, (1, 1, k))])
              for k in range(len(rows))]
    text = []
    for k, row in enumerate(rows):
        words, x = [], 200
        for n, token in enumerate(row.split()):
            words.append(Word(token, 95.0, x, 100 + 80 * k, 30 * len(token), 40, (2, k, n)))
            x += 30 * len(token) + 25
        text.append(Line(words))
    page = PageText(lines=[*debris[::-1], *text], width=2480, height=3508)
    got = extract_fields(DocType.BIRTH_CERTIFICATE, [page])
    assert got["nationality"].value == "Việt Nam"
    assert got["mother_name"].value == "PHAN ÁNH CHÂU"


def test_a_digit_read_in_a_label_word_is_its_letter() -> None:
    """`3. G1ơ tính: Nam`: the sex was lost with its label; labels have no digits."""
    text = ("PHIẾU THU THẬP THÔNG TIN DÂN CƯ\n"
            "2. Ngày, tháng, năm sinh: 14/10/1982 3. G1ơ tính: Nam\n")
    got = extract_fields(DocType.RESIDENT_INFO_FORM, [PageText.from_text(text)])
    assert got["sex"].value == "Nam"
    assert got["date_of_birth"].value == "14/10/1982"
