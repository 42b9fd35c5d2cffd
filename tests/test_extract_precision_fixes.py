"""Fixes of misreadings found on the benchmark and the real specimens: whole-token dates,
letters read as digits, party-labelled columns with values on the next line, a lost or
misread column header, the signature block, a label's short last word."""

from __future__ import annotations

from datetime import date

from ocr.text import Line, PageText, Word
from schemas.extract import extract_fields
from schemas.normalize import id_repaired, normalize_date, read_date
from schemas.reading import read_records
from schemas.records import DocType
from schemas.wards import WardRegistry

BIRTH = DocType.BIRTH_CERTIFICATE
MARRIAGE = DocType.MARRIAGE_CERTIFICATE


def values(doc_type: DocType, text: str) -> dict[str, str]:
    return {k: v.value for k, v in extract_fields(doc_type, [PageText.from_text(text)]).items()}


# ---------------------------------------------------------------- dates and ids, whole tokens
def test_a_date_is_taken_only_as_a_whole_token() -> None:
    assert normalize_date("12/11/2021") == "2021-11-12"
    assert normalize_date("x12/11/2021") is None  # a letter glued to it: misread
    assert normalize_date("12/11/20211") is None  # a digit glued to it
    assert normalize_date("1212/11/2021") is None
    assert normalize_date(".25/06/ 1893....") == "1893-06-25"  # leaders are no glue


def test_letters_read_as_digits_are_repaired_and_said() -> None:
    r = read_date("L2/11/2021")  # `1` read as `L`: not 2021-11-02
    assert r.date == date(2021, 11, 12) and r.repaired
    r = read_date("12/1l/2O21")
    assert r.date == date(2021, 11, 12) and r.repaired
    assert not read_date("12/11/2021").repaired
    # in a date written with its unit words too (`06` read `0G`, measured: the date lost)
    r = read_date("ngày 0G tháng 11 năm 1986")
    assert r.date == date(1986, 11, 6) and r.repaired
    assert not read_date("Ngày 06 tháng 11 năm 1986").repaired
    assert read_date("ngày lo tháng 11 năm 1986").date is None  # no digit in the day
    assert read_date("SS/SS/SSSS").date is None  # not a date with a slip: no date at all
    assert read_date("09/16/1904").shaped and read_date("09/16/1904").date is None
    assert id_repaired("O74O9OOO1234") and not id_repaired("074090001234")
    assert not id_repaired("0 7 4 0 9 0 0 0 1 2 3 4")


BIRTH_TEXT = """GIẤY KHAI SINH
Số: 123/2021
Họ, chữ đệm, tên: NGUYỄN VĂN AN
Ngày, tháng, năm sinh: {dob}
Giới tính: Nam   Dân tộc: Kinh   Quốc tịch: Việt Nam
Nơi sinh: Bệnh viện đa khoa tỉnh Bình Dương
Số định danh cá nhân: 074221001234
Nơi đăng ký khai sinh: Ủy ban nhân dân phường Phú Tân, thành phố Thủ Dầu Một
Ngày, tháng, năm đăng ký: 20/11/2021
"""


def _read(text: str):
    [rec] = read_records([PageText.from_text(text)], "phu-tan", WardRegistry.load(None),
                         date(2026, 1, 1))
    return rec


def test_repaired_date_sends_to_review_and_invalid_date_is_named() -> None:
    assert _read(BIRTH_TEXT.format(dob="12/11/2021")).status == "digitized"
    rec = _read(BIRTH_TEXT.format(dob="L2/11/2021"))
    assert rec.status == "needs_review"
    assert rec.fields["date_of_birth"] == "2021-11-12"
    assert any("đọc thành chữ số" in r for r in rec.reasons)
    rec = _read(BIRTH_TEXT.format(dob="12/16/2021"))
    assert any(r.startswith("Ngày, tháng, năm sinh: không phải ngày hợp lệ")
               for r in rec.reasons)
    assert not any("Ngày, tháng, năm sinh: không đọc được" in r for r in rec.reasons)
    # slashes lost: three numbers apart are the date, numbers glued together split; both
    # wait for a clerk (a display face's hairlines went with the slashes: `13 01 1941` for
    # `13/04/1941` was counted), unless the date in words says the same
    rec = _read(BIRTH_TEXT.format(dob="12 11 2021"))
    assert rec.status == "needs_review" and rec.fields["date_of_birth"] == "2021-11-12"
    assert any("không có dấu /" in r for r in rec.reasons), rec.reasons
    in_words = BIRTH_TEXT.format(dob="12 11 2021 (ghi bằng chữ: Ngày mười hai tháng mười một "
                                 "năm hai nghìn không trăm hai mươi mốt)")
    assert _read(in_words).status == "digitized", _read(in_words).reasons
    rec = _read(BIRTH_TEXT.format(dob="12 112021"))
    assert rec.status == "needs_review" and rec.fields["date_of_birth"] == "2021-11-12"
    assert "Ngày, tháng, năm sinh: ngày, tháng, năm đọc dính liền (có thể mất dấu /), cần " \
        "kiểm tra" in rec.reasons


def test_a_registration_number_whose_slash_was_lost_takes_it_back_from_the_registration_year(
) -> None:
    # `Số: 4071987`, `313,2008`, `25 2019`: the slash before the year lost or read as
    # another mark (held-out fonts); those digits are the registration date's year, read
    # apart, so the number is `N/year`
    for printed in ("1232021", "123 2021", "123,2021", "123.2021"):
        rec = _read(BIRTH_TEXT.format(dob="12/11/2021").replace("Số: 123/2021",
                                                                 f"Số: {printed}"))
        assert rec.fields["registration_number"] == "123/2021", printed
        assert rec.status == "digitized", (printed, rec.reasons)
    # another year: no slash is put in, and two numbers apart still wait for a clerk
    rec = _read(BIRTH_TEXT.format(dob="12/11/2021").replace("Số: 123/2021", "Số: 123 2020"))
    assert rec.fields["registration_number"] == "123"
    assert rec.status == "needs_review"
    assert any("hai số cách nhau" in r for r in rec.reasons)
    # glued to another year (or with no registration date to compare): held, not counted as
    # the number `1232020` (on the held-out fonts: `2741997` and `313,2008`, both wrong)
    for printed in ("1232020", "123,2020"):
        rec = _read(BIRTH_TEXT.format(dob="12/11/2021").replace("Số: 123/2021",
                                                                 f"Số: {printed}"))
        assert rec.status == "needs_review", printed
        assert "Số (đăng ký): số và năm đọc dính liền (có thể mất dấu /), cần kiểm tra" \
            in rec.reasons, printed
    for plain in ("12345", "1234567", "2021", "02/2021"):  # no number and year glued
        rec = _read(BIRTH_TEXT.format(dob="12/11/2021").replace("Số: 123/2021",
                                                                 f"Số: {plain}"))
        assert not any("dính liền" in r for r in rec.reasons), plain


# ---------------------------------------------------------------- labels
def test_signature_block_is_not_a_name_and_short_label_word_is_exact() -> None:
    text = BIRTH_TEXT.format(dob="12/11/2021").replace(
        "Họ, chữ đệm, tên: NGUYỄN VĂN AN", "Họ, chữ đệm, tên: Cao Minh Giang") + (
        "NGƯỜI KÝ GIẤY KHAI SINH\n"
        "(Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu)\n")
    v = values(BIRTH, text)
    assert v["full_name"] == "Cao Minh Giang"  # not `... tên cha` (Cao), not the signature
    assert "father_name" not in v


# ---------------------------------------------------------------- two columns
def _page(rows: list[list[tuple[str, int]]], conf: float = 95.0) -> PageText:
    """Lines of (word, x) at 50 px per line, 22 px per character."""
    lines = []
    for n, row in enumerate(rows):
        lines.append(Line([Word(w, conf, x, n * 50, 22 * len(w), 36, (0, 0, n))
                           for w, x in row]))
    return PageText(lines=lines, mean_conf=conf, quality=conf / 100, width=2480, height=3508)


def _words(text: str, x: int) -> list[tuple[str, int]]:
    out = []
    for w in text.split(" "):
        out.append((w, x))
        x += 22 * (len(w) + 1)
    return out


def test_party_labels_with_values_on_the_next_line_and_debris() -> None:
    # the real marriage specimen: `... tên vợ:` left, `... tên chồng:` right, the names on
    # the next line in two columns; debris after each label (`"¬—`, a speck read `cà.`)
    page = _page([
        _words("GIẤY CHỨNG NHẬN KẾT HÔN", 600),
        [*_words("Họ, chữ đệm, tên vợ:", 200), ('"¬—', 700),
         *_words("Họ, chữ đệm, tên chồng:", 1250)],
        _words("ĐINH NGỌC ANH", 400) + _words("HOÀNG VĂN THÁI", 1500),
        _words("Ngày, tháng, năm sinh: 25/06/1993", 200)
        + _words("Ngày, tháng, năm sinh: 09/11/1990", 1250),
        _words("Quốc tịch: Việt Nam", 200) + _words("Quốc tịch: Việt Nam", 1250),
    ])
    speck = Word("cà.", 40.0, 1850, 70, 34, 5, (0, 0, 1))
    page.lines[1].words.append(speck)
    v = {k: f.value for k, f in extract_fields(MARRIAGE, [page]).items()}
    assert v["wife_name"] == "ĐINH NGỌC ANH"
    assert v["husband_name"] == "HOÀNG VĂN THÁI"
    assert v["wife_date_of_birth"] == "25/06/1993"
    assert v["husband_date_of_birth"] == "09/11/1990"
    assert v["wife_nationality"] == v["husband_nationality"] == "Việt Nam"


def _columns_page(header: list[tuple[str, int]]) -> PageText:
    return _page([
        _words("GIẤY CHỨNG NHẬN KẾT HÔN", 600),
        header,
        _words("Họ, chữ đệm, tên", 200) + _words("Châu Ngọc Linh", 850)
        + _words("Nguyễn Công Hoàng", 1570),
        _words("Huy", 1570),
        _words("Ngày, tháng, năm sinh", 200) + _words("27/01/1992", 850)
        + _words("27/03/1990", 1570),
        _words("Số định danh cá nhân:", 200) + _words("074192134024", 850)
        + _words("083090413464", 1570),
    ])


def test_column_header_misread_or_half_lost() -> None:
    for header in (_words("Vự", 1000) + _words("Chồng", 1700),  # `Vợ` misread
                   _words("Chồng", 1700)):  # `Vợ` lost: the right column is the husband's
        v = {k: f.value for k, f in extract_fields(MARRIAGE, [_columns_page(header)]).items()}
        assert v["husband_name"] == "Nguyễn Công Hoàng Huy", header
        assert v["wife_name"] == "Châu Ngọc Linh"
        assert v["husband_date_of_birth"] == "27/03/1990"
        assert v["wife_id"] == "074192134024"


DC01_TEXT = """PHIẾU THU THẬP THÔNG TIN DÂN CƯ
1. Họ, chữ đệm và tên khai sinh: Nguyễn Thanh Khang
2. Ngày, tháng, năm sinh: 13/11/2014
3. Giới tính: Nam
4. Số định danh cá nhân: 074214238913
5. Dân tộc: Kinh
{religion}
7. Quốc tịch: Việt Nam
8. Tình trạng hôn nhân: Chưa kết hôn
9. Nhóm máu: A
10. Nơi đăng ký khai sinh: Ủy ban nhân dân phường Phú Tân
11. Quê quán: Phường Phú Tân, thành phố Thủ Dầu Một, tỉnh Bình Dương
12. Nơi thường trú: khu phố 1, phường Phú Tân, thành phố Thủ Dầu Một, tỉnh Bình Dương
13. Nơi ở hiện tại: khu phố 1, phường Phú Tân, thành phố Thủ Dầu Một, tỉnh Bình Dương
14. Nghề nghiệp: Học sinh
15. Họ, chữ đệm và tên chủ hộ: Nguyễn Hữu Tâm
16. Quan hệ với chủ hộ: Cháu
17. Số định danh cá nhân của chủ hộ: 074080123456
"""


def test_row_with_garbled_label_and_absent_field_sends_to_review() -> None:
    ok = _read(DC01_TEXT.format(religion="6. Tôn giáo: Không"))
    assert not any("không tìm thấy nhãn" in r for r in ok.reasons)
    # the religion row's label is garbled: its value must not be silently dropped
    rec = _read(DC01_TEXT.format(religion="|6Tôngáo . 7 |không"))
    assert rec.status == "needs_review"
    assert any(r.startswith("Tôn giáo: không tìm thấy nhãn") for r in rec.reasons)


def test_a_parents_label_misread_as_the_childs_sends_to_review() -> None:
    """`Họ, chữ đệm, tên người mẹ:` read `Họ, chữ đệm, tên nưười mì:` (a held-out font,
    seed 21) matched the child's label a second time and was dropped: the record was counted
    with no mother's name, an optional field. A label met again with words and a colon
    after it is a row the reading could not place, and a field is absent: a clerk looks."""
    mother = "Họ, chữ đệm, tên người mẹ: HOÀNG MAI THƯ\nNăm sinh: 1953\n"
    text = BIRTH_TEXT.format(dob="02/11/2021")
    ok = _read(text + mother)
    assert ok.fields["mother_name"] == "Hoàng Mai Thư"
    assert not any("không tìm thấy nhãn" in r for r in ok.reasons)
    rec = _read(text + mother.replace("người mẹ", "nưười mì"))
    assert rec.fields["full_name"] == "Nguyễn Văn An" and not rec.fields.get("mother_name")
    assert rec.status == "needs_review"
    assert any("không tìm thấy nhãn" in r for r in rec.reasons)


def _with_blood_type(read: str, conf: float) -> PageText:
    from dataclasses import replace

    page = PageText.from_text(DC01_TEXT.format(religion="6. Tôn giáo: Không").replace(
        "9. Nhóm máu: A", f"9. Nhóm máu: {read}"))
    lines = [Line([replace(w, conf=conf) if w.text == read else w for w in ln.words])
             for ln in page.lines]
    return replace(page, lines=lines)


def test_a_lone_blood_type_letter_read_unsurely_stands_when_it_is_its_own_letters() -> None:
    # Tesseract reads a lone capital at 0-58 % (nine sets: six, all right); misreadings are
    # no blood type (`Đ` for `B`), which validation names
    registry = WardRegistry.load(None)
    for read, status in (("O", "digitized"), ("Õ", "digitized"), ("Đ", "needs_review"),
                         ("0", "needs_review")):
        [rec] = read_records([_with_blood_type(read, 16.0)], "phu-tan", registry,
                             date(2026, 1, 1))
        assert rec.status == status, read
    # another field's unsure word still holds the record
    [rec] = read_records([PageText.from_text(DC01_TEXT.format(religion="6. Tôn giáo: Không"),
                                             conf=50)], "phu-tan", registry, date(2026, 1, 1))
    assert rec.status == "needs_review"


def test_a_number_word_inside_a_value_is_not_the_registration_label() -> None:
    from schemas.normalize import normalize_date

    text = ("GIẤY KHAI SINH\nSố: 12/2015\nNơi sinh: , Số 139, đường Phú Lợi, phường Phú Lợi, "
            "thành phố Thủ Dầu Một, tỉnh Bình Dương")
    f = extract_fields(DocType.BIRTH_CERTIFICATE, [PageText.from_text(text)])
    assert f["registration_number"].value == "12/2015"
    assert "Số 139, đường Phú Lợi" in f["place_of_birth"].value
    assert normalize_date("ngày 30_ tháng 03 năm 1978") == "1978-03-30"  # a leader's dash


def test_a_value_on_the_next_line_starting_with_so_is_not_the_registration_label() -> None:
    text = ("GIẤY KHAI SINH\nSố:\nHọ, chữ đệm, tên:\nHoàng Tuấn Kiên\n"
            "Họ, chữ đệm, tên người mẹ:\nLê Thị Hoa\nNơi cư trú:\n"
            "Số 64/19, đường Trần Hưng Đạo, phường Lái Thiêu")
    f = extract_fields(DocType.BIRTH_CERTIFICATE, [PageText.from_text(text)])
    assert not f.get("registration_number") or not f["registration_number"].value


def test_a_label_ends_at_its_colon_even_when_the_value_spells_like_a_party() -> None:
    """`Võ` folds to `vo` like `vợ`: `Họ, chữ đệm, tên: Võ ...` under a `Chồng | Vợ`
    header is the husband's name, not the label `tên vợ`."""
    words = [("Chồng", 600, 0), ("Vợ", 1500, 0),
             ("Họ,", 100, 60), ("chữ", 180, 60), ("đệm,", 260, 60), ("tên:", 360, 60),
             ("Võ", 600, 60), ("Hoàng", 680, 60), ("Thanh", 820, 60), ("Hiếu", 960, 60),
             ("Ngô", 1500, 60), ("Thị", 1600, 60), ("Châu", 1700, 60)]
    lines: dict[int, list[Word]] = {}
    for text, left, top in words:
        lines.setdefault(top, []).append(Word(text, 95.0, left, top, 20 * len(text), 40))
    page = PageText(lines=[Line(ws) for ws in lines.values()], width=2000, height=200)
    f = extract_fields(MARRIAGE, [page])
    assert f["husband_name"].value == "Võ Hoàng Thanh Hiếu"
    assert f["wife_name"].value == "Ngô Thị Châu"


def test_a_broken_title_taken_for_a_label_gives_way_to_the_real_label() -> None:
    # `GIẦY SINH` (the title, a word lost) reads like `Ngày sinh`; the real label follows
    text = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nE GIẦY SINH E\nSố: 12/1992\n"
            "Họ, chữ đệm, tên: Nguyễn Hoàng Khoa\nNgày, tháng, năm sinh: 20⁄09⁄1992")
    f = extract_fields(BIRTH, [PageText.from_text(text)])
    assert normalize_date(f["date_of_birth"].value) == "1992-09-20"  # fraction slashes too


def test_a_table_rule_glued_to_the_value_is_not_part_of_it() -> None:
    # Measured on a clean bordered form: `10. Nơi đăng ký khai sinh lỦy ban nhân dân ...`
    # (the cell's left rule read as `l`) went to review for a mixed-case word.
    text = ("PHIẾU THU THẬP THÔNG TIN DÂN CƯ\n"
            "10. Nơi đăng ký khai sinh lỦy ban nhân dân phường Phú Tân, thành phố Thủ Dầu "
            "Một, tỉnh Bình Dương\n1. Họ, chữ đệm và tên khai sinh | INGUYỄN VĂN AN")
    rec = _read(text + "\n14. Nghề nghiệp [Lao động tự do")  # a rule read as `[`
    assert rec.fields["occupation"] == "Lao động tự do"
    assert rec.fields["birth_registration_place"].startswith("Ủy ban nhân dân phường Phú Tân")
    assert not any("Nơi đăng ký khai sinh" in r for r in rec.reasons)
    # An `I` before capitals may be the name's own letter: kept, and review decides.
    assert rec.fields["full_name"].startswith("Inguyễn")
    assert "Họ, chữ đệm, tên: có chữ không phải âm tiết tiếng Việt" in " ".join(rec.reasons)


def test_a_date_in_words_with_a_mark_after_its_unit_word_is_a_date() -> None:
    """`ngày 16 tháng. 08 năm 1960` (a leader's end after `tháng`, in the wife's column of a
    marriage certificate) was no date: the date of birth was lost and the record held."""
    assert normalize_date("ngày 16 tháng. 08 năm 1960") == "1960-08-16"
    assert normalize_date("ngày: 16, tháng 08, năm. 1960") == "1960-08-16"
    assert normalize_date("ngày 16 tháng năm 1960") is None


def test_a_word_boxed_in_the_leader_under_it_stays_in_its_value() -> None:
    """Tesseract read `Việt Nam..` with `Nam..` boxed in the 3 px of the dotted leader under
    it: measured in its own height, the 33 px after `Việt` looked like the value's end, and
    a marriage certificate was counted with the nationality `Việt` (fresh seed 7373). A
    speck's own small height still ends a value (`30/71987 „ ghi bằng chữ`)."""
    def page(words: list[Word]) -> PageText:
        name = Line([Word("Họ,", 96, 308, 900, 60, 45), Word("chữ", 96, 380, 900, 70, 45),
                     Word("đệm,", 96, 460, 900, 80, 45), Word("tên:", 96, 550, 900, 70, 45),
                     Word("An", 96, 640, 900, 60, 45)])
        return PageText(lines=[name, Line(words)], width=2480, height=3508)

    label = [Word("Quốc", 96.6, 308, 1115, 95, 54), Word("tịch:", 88.5, 421, 1122, 88, 41),
             Word("Việt", 91.1, 579, 1120, 79, 42)]
    boxed = page([*label, Word("Nam..", 93.0, 691, 1158, 127, 3),
                  Word("s.", 0.0, 1149, 1158, 30, 3), Word("¬", 67.4, 1293, 1158, 138, 3)])
    assert extract_fields(BIRTH, [boxed])["nationality"].value == "Việt Nam"
    speck = page([*label, Word("Nam", 93.0, 691, 1120, 100, 42), Word("„", 23.4, 857, 1157, 15, 7),
                  Word("Lào", 96.0, 990, 1120, 80, 42)])
    assert extract_fields(BIRTH, [speck])["nationality"].value == "Việt Nam"
