from __future__ import annotations

from dataclasses import replace
from datetime import date

from ocr.text import PageText
from schemas.reading import read_records
from schemas.records import DocType, Status
from schemas.wards import WardRegistry

TODAY = date(2025, 1, 1)
REG = WardRegistry.load(None)

BIRTH = """CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
GIẤY KHAI SINH
Số: 123/2018
Họ, chữ đệm, tên: NGUYỄN VĂN AN
Ngày, tháng, năm sinh: 29/12/2017
Giới tính: Nam   Dân tộc: Kinh   Quốc tịch: Việt Nam
Nơi sinh: Bệnh viện đa khoa tỉnh Bình Dương
Số định danh cá nhân: 074217001234
Nơi đăng ký khai sinh: Ủy ban nhân dân phường Phú Tân, thành phố Thủ Dầu Một
Ngày, tháng, năm đăng ký: 05/01/2018
"""
DC01 = """PHIẾU THU THẬP THÔNG TIN DÂN CƯ
1. Họ, chữ đệm và tên khai sinh: LÊ THỊ CÚC
2. Ngày, tháng, năm sinh: 02/12/1976   3. Giới tính: Nữ
4. Số định danh cá nhân: 074176000111
5. Dân tộc: Kinh   7. Quốc tịch: Việt Nam
11. Quê quán: tỉnh Bình Dương
12. Nơi thường trú: khu phố 1, phường Phú Lợi, thành phố Thủ Dầu Một, tỉnh Bình Dương
15. Họ, chữ đệm và tên chủ hộ: LÊ VĂN DŨNG   16. Quan hệ với chủ hộ: Con
"""
LETTER = ("UBND THÀNH PHỐ ĐÀ NẴNG\nSỞ GIÁO DỤC VÀ ĐÀO TẠO\nSố: 1595/SGDĐT-CTrTT\n"
          "V/v bảo đảm TTATGT cho HS, SV trong dịp nghỉ hè\nKính gửi: Các trường trực thuộc")


def read(*texts: str, folder: str = "phu-tan", conf: float = 95.0) -> list:
    return read_records([PageText.from_text(t, conf=conf) for t in texts], folder, REG, TODAY)


def test_digitized_birth_certificate() -> None:
    [r] = read(BIRTH)
    assert r.status is Status.DIGITIZED, r.reasons
    assert r.doc_type is DocType.BIRTH_CERTIFICATE
    assert r.fields["full_name"] == "Nguyễn Văn An"
    assert r.fields["date_of_birth"] == "2017-12-29"
    assert r.fields["ward"] == "phu-tan" and r.ward == "phu-tan"
    assert r.business_key == "birth_certificate|074217001234|123/2018"
    assert r.page_numbers == [1]


def test_wrong_folder_and_low_confidence_need_review() -> None:
    [r] = read(BIRTH, folder="phu-loi")
    assert r.status is Status.NEEDS_REVIEW
    assert any("Nơi đăng ký" in m for m in r.reasons)
    [r] = read(BIRTH, conf=40)
    assert r.status is Status.NEEDS_REVIEW
    assert any("độ tin cậy" in m for m in r.reasons)


def test_batch_split_blank_and_unknown_pages() -> None:
    second = BIRTH.replace("NGUYỄN VĂN AN", "TRẦN VĂN BÌNH").replace("123/2018", "124/2018")
    head, tail = second.split("Nơi sinh")
    readings = read(BIRTH, "", LETTER, head, "Nơi sinh" + tail)
    assert [r.page_numbers for r in readings] == [[1], [2], [3], [4, 5]]
    assert [r.status for r in readings] == [Status.DIGITIZED, Status.REJECTED, Status.REJECTED,
                                           Status.DIGITIZED]
    assert readings[1].reasons and readings[2].reasons
    assert readings[3].fields["full_name"] == "Trần Văn Bình"


def test_resident_form_ward_from_permanent_address() -> None:
    [r] = read(DC01, folder="phu-loi")
    assert r.status is Status.DIGITIZED, r.reasons
    assert r.ward == "phu-loi"
    assert "ward" not in r.fields
    assert r.business_key == "resident_info_form|074176000111"


def test_a_second_certificate_whose_title_was_lost_is_its_own_record() -> None:
    """Two certificates in one file, the second's title unread (security paper): its
    labels repeat the first record's fields, so it is a record, not a continuation page."""
    second = BIRTH.replace("NGUYỄN VĂN AN", "TRẦN VĂN BÌNH").replace("123/2018", "124/2018")
    second = second.replace("GIẤY KHAI SINH", "GIẤY\nI SINH")
    readings = read(BIRTH, second)
    assert [r.page_numbers for r in readings] == [[1], [2]]
    assert readings[1].fields["full_name"] == "Trần Văn Bình"


def _with_conf(text: str, words: set[str], conf: float) -> PageText:
    from dataclasses import replace

    page = PageText.from_text(text, conf=95.0)
    for line in page.lines:
        line.words = [replace(w, conf=conf) if w.text in words else w for w in line.words]
    return page


def test_a_closed_vocabulary_word_read_exactly_needs_no_confidence() -> None:
    """`Kinh`, `Nam` read letter for letter as an entry of their closed vocabulary stand at
    any confidence; the same word repaired from a misreading (`Kinb`) does not."""
    exact = _with_conf(BIRTH, {"Kinh", "Nam"}, 20.0)
    [r] = read_records([exact], "phu-tan", REG, TODAY)
    assert r.status is Status.DIGITIZED, r.reasons
    repaired = _with_conf(BIRTH.replace("Dân tộc: Kinh", "Dân tộc: Kinb"), {"Kinb"}, 20.0)
    [r] = read_records([repaired], "phu-tan", REG, TODAY)
    assert r.fields["ethnicity"] == "Kinh" and r.status is Status.NEEDS_REVIEW
    assert any("Dân tộc" in m for m in r.reasons)


def test_a_name_word_only_a_second_reading_confirmed_stands_only_without_a_tone_twin() -> None:
    """Two readings of the same pixels can share a tone error (`Yên` for `Yến`): a name word
    whose confidence came from the second reading goes to review when another common name
    differs from it by marks alone; the same word read confidently the first time stands."""
    from dataclasses import replace

    text = BIRTH.replace("NGUYỄN VĂN AN", "NGUYỄN BẢO YÊN")
    page = PageText.from_text(text, conf=95.0)
    [r] = read_records([page], "phu-tan", REG, TODAY)
    assert r.status is Status.DIGITIZED, r.reasons
    for line in page.lines:
        line.words = [replace(w, confirmed=True) if w.text == "YÊN" else w for w in line.words]
    [r] = read_records([page], "phu-tan", REG, TODAY)
    assert r.status is Status.NEEDS_REVIEW
    assert any("Họ, chữ đệm, tên" in m and "lần đọc thứ hai" in m for m in r.reasons)


def test_a_parents_name_the_declarants_repeats_is_confirmed_by_it() -> None:
    """A word of the mother's name read at 45 % (a short one: `HOA`, whose letters are
    several names') goes to review, unless the declarant's line
    prints the same name and it reads the same there: two readings that agree. Too low a
    reading (20 %), or a declarant with another name, confirms nothing."""
    mother = BIRTH + "Họ, chữ đệm, tên người mẹ: TRẦN THỊ HOA\n"
    declared = mother + "Họ, chữ đệm, tên người đi khai sinh: TRẦN THỊ HOA\n"
    [r] = read_records([_with_conf(mother, {"HOA"}, 45.0)], "phu-tan", REG, TODAY)
    assert r.status is Status.NEEDS_REVIEW
    assert any("người mẹ" in why for why in r.reasons)
    [r] = read_records([_with_conf(declared, {"HOA"}, 45.0)], "phu-tan", REG, TODAY)
    assert r.status is Status.DIGITIZED, r.reasons
    assert r.fields["mother_name"] == "Trần Thị Hoa"
    [r] = read_records([_with_conf(declared, {"HOA"}, 20.0)], "phu-tan", REG, TODAY)
    assert r.status is Status.NEEDS_REVIEW
    other = declared.replace("khai sinh: TRẦN THỊ HOA", "khai sinh: LÊ VĂN HOA")
    [r] = read_records([_with_conf(other, {"HOA"}, 45.0)], "phu-tan", REG, TODAY)
    assert r.status is Status.NEEDS_REVIEW


def test_the_heads_name_printed_twice_on_a_dc01_confirms_itself() -> None:
    """The head of the household fills in their own name twice (rows 1 and 15): the same
    letters read in both rows stand at 45 % (`Thủy`, which `Thùy` differs from by a mark);
    with another head, the 45 % word sends the form to review."""
    from test_extract_precision_fixes import DC01_TEXT

    head = (DC01_TEXT.format(religion="6. Tôn giáo: Không").replace("Khang", "Thủy")
            .replace("Nguyễn Hữu Tâm", "Nguyễn Thanh Thủy").replace("Cháu", "Chủ hộ")
            .replace("074080123456", "074214238913"))
    [r] = read_records([_with_conf(head, {"Thủy"}, 45.0)], "phu-tan", REG, TODAY)
    assert r.fields["household_head_name"] == r.fields["full_name"] == "Nguyễn Thanh Thủy"
    assert not any("độ tin cậy" in why for why in r.reasons), r.reasons
    nephew = head.replace("Chủ hộ", "Cháu").replace("15. Họ, chữ đệm và tên chủ hộ: Nguyễn "
                                                   "Thanh Thủy", "15. Họ, chữ đệm và tên "
                                                   "chủ hộ: Nguyễn Hữu Tâm")
    [r] = read_records([_with_conf(nephew, {"Thủy"}, 45.0)], "phu-tan", REG, TODAY)
    assert any("độ tin cậy" in why for why in r.reasons)


def test_a_page_of_another_type_after_a_record_starts_its_own_even_without_title() -> None:
    """A marriage certificate then a birth certificate whose red title the security paper
    took: the second page's labels say birth certificate, so it is one, not an unknown
    page rejected (it could not be the marriage certificate's rest either)."""
    marriage = ("GIẤY CHỨNG NHẬN KẾT HÔN\nHọ, chữ đệm, tên chồng: LÊ VĂN AN\n"
                "Họ, chữ đệm, tên vợ: TRẦN THỊ BÌNH\nNơi đăng ký kết hôn: UBND phường Phú Tân")
    birth = (BIRTH.replace("GIẤY KHAI SINH", "GIẤY Ï SINH")
             + "Họ, chữ đệm, tên người mẹ: TRẦN THỊ BÌNH\nHọ, chữ đệm, tên người cha: LÊ VĂN AN\n"
             "Họ, chữ đệm, tên người đi khai sinh: LÊ VĂN AN\n")
    readings = read(marriage, birth)
    assert [r.page_numbers for r in readings] == [[1], [2]]
    assert readings[1].doc_type is DocType.BIRTH_CERTIFICATE
    assert readings[1].status is Status.DIGITIZED, readings[1].reasons


def test_a_name_tesseract_nearly_read_as_another_common_name_needs_review() -> None:
    """Tesseract's runner-up reading of a name word (ocr.read's rivals) that is another
    common given name (`MỸ` / `MY`), or of a street named after a person, sends the record
    to review. A weak runner-up, one that is no name (`KHẢNH`), the usual surname read as
    itself, and a digit's runner-up change nothing."""
    from dataclasses import replace

    text = BIRTH.replace("NGUYỄN VĂN AN", "ĐINH NGUYỄN KHÁNH MỸ").replace(
        "Bệnh viện đa khoa tỉnh Bình Dương",
        "Số 5, đường Ngô Quyền, phường Phú Tân, tỉnh Bình Dương")

    def with_rivals(rivals: dict[str, tuple[tuple[str, float], ...]]) -> list:
        page = PageText.from_text(text, conf=95.0)
        for line in page.lines:
            line.words = [replace(w, rivals=rivals.get(w.text, ())) for w in line.words]
        return read_records([page], "phu-tan", REG, TODAY)

    [r] = with_rivals({})
    assert r.status is Status.DIGITIZED, r.reasons
    [r] = with_rivals({"MỸ": (("MY", 31.0),)})
    assert r.status is Status.NEEDS_REVIEW
    assert any("Họ, chữ đệm, tên" in m and "tên khác" in m for m in r.reasons), r.reasons
    [r] = with_rivals({"Quyền,": (("Quyên,", 51.0),)})
    assert any("Nơi sinh" in m and "tên đường" in m for m in r.reasons), r.reasons
    [r] = with_rivals({"MỸ": (("MY", 12.0),), "KHÁNH": (("KHẢNH", 60.0),),
                       "NGUYỄN": (("NGUYÊN", 48.0),), "074217001234": (("074217001254", 47.0),),
                       "Phú": (("Phù", 40.0),)})
    assert r.status is Status.DIGITIZED, r.reasons
    # a surname read as no surname (`LỄ`), put right by the list (`Lê`), whose runner-up
    # spells what it became: the value holds that reading already
    text = text.replace("ĐINH NGUYỄN", "LỄ")
    [r] = with_rivals({"LỄ": (("LÊ", 60.0),)})
    assert r.fields["full_name"] == "Lê Khánh Mỹ"
    assert r.status is Status.DIGITIZED, r.reasons


def test_a_blood_type_read_as_a_zero_is_no_number_to_doubt() -> None:
    """`Nhóm máu: 0` at 89 %: the digit is the letter O (no other blood type is round), so
    the bar for digits (0.9) does not hold the record; a number under it still does."""
    text = DC01.replace("Việt Nam\n", "Việt Nam   9. Nhóm máu: 0\n", 1)
    [r] = read_records([_with_conf(text, {"0"}, 89.0)], "phu-loi", REG, TODAY)
    assert r.fields["blood_type"] == "O"
    assert r.status is Status.DIGITIZED, r.reasons
    [r] = read_records([_with_conf(text, {"074176000111"}, 89.0)], "phu-loi", REG, TODAY)
    assert r.status is Status.NEEDS_REVIEW


def test_marks_of_the_paper_dropped_from_an_address_are_no_doubt_in_it() -> None:
    """`thành v phố`, `tỉnh £ỉ Bình Dương` (security paper's pattern read at 0-30 %): the
    repaired address no longer holds them, so their confidence holds nothing back; a word
    of the address itself read that low still does."""
    text = DC01.replace("thành phố Thủ Dầu Một, tỉnh Bình",
                        "thành v phố Thủ Dầu Một, tỉnh £ỉ Bình")
    assert "tỉnh £ỉ Bình" in text
    [r] = read_records([_with_conf(text, {"v", "£ỉ"}, 10.0)], "phu-loi", REG, TODAY)
    assert r.fields["permanent_address"] == ("Khu phố 1, phường Phú Lợi, thành phố Thủ Dầu Một, "
                                            "tỉnh Bình Dương")
    assert r.status is Status.DIGITIZED, r.reasons
    [r] = read_records([_with_conf(text, {"phường"}, 10.0)], "phu-loi", REG, TODAY)
    assert r.status is Status.NEEDS_REVIEW


def test_a_name_word_its_letters_alone_spell_needs_no_confidence() -> None:
    """`NGUYỄN VĂN TUYẾT` with `TUYẾT` at 9 %: no other common name is `tuyet` with other
    marks, so the doubt Tesseract had (about its marks) leaves nothing to check. A word
    another name shares letters with (`THỦY`, `THÙY`; `HOA`, `HÒA`) or a two-letter one
    (`VY`) still waits."""
    def status(name: str, low: str) -> Status:
        text = BIRTH.replace("NGUYỄN VĂN AN", name)
        [r] = read_records([_with_conf(text, {low}, 9.0)], "phu-tan", REG, TODAY)
        return r.status
    assert status("NGUYỄN VĂN TUYẾT", "TUYẾT") is Status.DIGITIZED
    assert status("NGUYỄN THỊ THỦY", "THỦY") is Status.NEEDS_REVIEW
    assert status("NGUYỄN VĂN HẢI", "HẢI") is Status.DIGITIZED
    assert status("NGUYỄN THỊ HOA", "HOA") is Status.NEEDS_REVIEW
    assert status("NGUYỄN THẢO VY", "VY") is Status.NEEDS_REVIEW
    # a surname likewise, from three letters: `BÙI` stands at 9 %, `VÕ` waits
    assert status("BÙI NGỌC NGHĨA", "BÙI") is Status.DIGITIZED
    assert status("VÕ XUÂN NGHĨA", "VÕ") is Status.NEEDS_REVIEW


def test_a_word_of_a_place_term_needs_no_confidence() -> None:
    # `viện` of `Bệnh viện` at 30 %: the term gives its words their marks; `tỉnh` is no term
    [r] = read_records([_with_conf(BIRTH, {"viện"}, 30.0)], "phu-tan", REG, TODAY)
    assert r.status is Status.DIGITIZED, r.reasons
    [r] = read_records([_with_conf(BIRTH, {"tỉnh"}, 30.0)], "phu-tan", REG, TODAY)
    assert r.status is Status.NEEDS_REVIEW


def test_a_registration_number_or_a_unit_number_a_display_face_broke_needs_review() -> None:
    """Two misreadings of a display face's hairlines that nothing doubted, counted once the
    ID's doubt was resolved: `Số: 472 2010` (the slash lost: the number kept was `472`) and
    `Tổ I` for `Tổ 1` in an address. (When the second number is the registration date's
    year, the slash is put back and the record counts: see test_extract_precision_fixes.)"""
    [r] = read(BIRTH.replace("Số: 123/2018", "Số: 123 2017"))
    assert r.status is Status.NEEDS_REVIEW
    assert any("đọc được hai số cách nhau" in m for m in r.reasons), r.reasons
    [r] = read(BIRTH.replace("Số: 123/2018", "Số: 123 2018"))
    assert r.status is Status.DIGITIZED and r.fields["registration_number"] == "123/2018"
    form = DC01.replace("12. Nơi thường trú: khu phố 1,", "12. Nơi thường trú: Tổ I, khu phố 1,")
    [r] = read(form, folder="phu-loi")
    assert r.status is Status.NEEDS_REVIEW
    assert any("bị đọc thành chữ" in m for m in r.reasons), r.reasons
    [r] = read(DC01.replace("khu phố 1,", "Tổ 1, khu phố 1,"), folder="phu-loi")
    assert r.status is Status.DIGITIZED, r.reasons
    # `ấp II` for `ấp 11` (FreeSerif's 1, one word: held-out seed 58 had no message for it)
    [r] = read(DC01.replace("khu phố 1,", "ấp II, khu phố 1,"), folder="phu-loi")
    assert r.status is Status.NEEDS_REVIEW
    assert any("bị đọc thành chữ" in m for m in r.reasons), r.reasons


def test_a_letter_read_as_a_sign_where_an_optional_value_goes_is_held() -> None:
    """A blood type `A` read `^` left the optional field empty and the record was counted
    with no blood type; a blank field (leaders, a dash) is still simply absent."""
    [r] = read(DC01 + "9. Nhóm máu: ^\n", folder="phu-loi")
    assert r.status is Status.NEEDS_REVIEW
    assert any(m.startswith("Nhóm máu: có ký hiệu không đọc được") for m in r.reasons)
    # a value read as a row's numbering (`O` read `6)` at 61 %) at the end of its line: no
    # row begins there, so it is the value misread, not the next row's number
    [r] = read(DC01 + "9. Nhóm máu: 6)\n", folder="phu-loi")
    assert r.status is Status.NEEDS_REVIEW
    assert any(m.startswith("Nhóm máu: có ký hiệu không đọc được") for m in r.reasons)
    for blank in ("9. Nhóm máu: ..........\n", "9. Nhóm máu: —\n", "9. Nhóm máu:\n"):
        [r] = read(DC01 + blank, folder="phu-loi")
        assert r.status is Status.DIGITIZED, (blank, r.reasons)
        assert r.fields.get("blood_type") is None


def test_an_occupation_with_a_word_no_vietnamese_syllable_needs_review() -> None:
    """`Thợ may` read `Thợ mav` (a display face's `y` lost its tail) is no listed occupation
    and its marks are right: counted, it was a wrong record. A word of these fields with no
    mark and no capital is Vietnamese, and must be a syllable."""
    [r] = read(DC01 + "13. Nghề nghiệp: Thợ may\n", folder="phu-loi")
    assert r.status is Status.DIGITIZED, r.reasons
    assert r.fields["occupation"] == "Thợ may"
    [r] = read(DC01 + "13. Nghề nghiệp: Thợ mav\n", folder="phu-loi")
    assert r.status is Status.NEEDS_REVIEW
    assert any(m.startswith("Nghề nghiệp: có chữ không phải âm tiết") for m in r.reasons), \
        r.reasons
    # `Chị` read `Ch1` (a mono face, fresh seed 9001: held only by another field's doubt)
    [r] = read(DC01.replace("chủ hộ: Con", "chủ hộ: Ch1"), folder="phu-loi")
    assert r.status is Status.NEEDS_REVIEW
    assert any(m.startswith("Quan hệ với chủ hộ: có chữ cái liền với chữ số")
               for m in r.reasons), r.reasons
    [r] = read(DC01 + "13. Nghề nghiệp: Giáo viên cấp 2\n", folder="phu-loi")
    assert r.status is Status.DIGITIZED, r.reasons


def test_a_row_whose_label_a_surer_match_of_another_row_took_is_unclaimed() -> None:
    """The mother's label misread (`(ên người nìẹ:`) matched the father's at 85, and the
    father's own row, read surely, took the field back: the mother's row was dropped and
    the certificate counted without her name. Its row is now a row with no label, and the
    absent fields are named."""
    father = "Họ, chữ đệm, tên người cha: NGUYỄN QUỐC LỘC\n"
    [r] = read(BIRTH + "Họ, chữ đệm, tên người mẹ: NGUYỄN KHÁNH NGỌC\n" + father)
    assert r.status is Status.DIGITIZED, r.reasons
    [r] = read(BIRTH + "Họ, chữ đệm, (ên người nìẹ: NGUYÊN KHÁNH NGỌC\n" + father)
    assert r.status is Status.NEEDS_REVIEW
    assert r.fields.get("father_name") == "Nguyễn Quốc Lộc"
    assert any("Họ, chữ đệm, tên người mẹ" in m and "không tìm thấy nhãn" in m
               for m in r.reasons), r.reasons


def test_a_given_name_with_a_tone_twin_read_unsurely_needs_review() -> None:
    """`MỸ` at 64 % for a printed `My` (a heavy scan) was counted: both are names, and only
    the marks, read unsurely, tell them apart. A name word no other name shares its
    letters with (`LAN`) needs no more than any word."""
    twin = BIRTH.replace("NGUYỄN VĂN AN", "NGUYỄN MINH MỸ")
    [r] = read_records([_with_conf(twin, {"MỸ"}, 64.0)], "phu-tan", REG, TODAY)
    assert r.status is Status.NEEDS_REVIEW
    assert any("có thể đọc thành tên khác" in m for m in r.reasons), r.reasons
    [r] = read_records([_with_conf(twin, {"MỸ"}, 80.0)], "phu-tan", REG, TODAY)
    assert r.status is Status.DIGITIZED, r.reasons
    single = BIRTH.replace("NGUYỄN VĂN AN", "NGUYỄN THỊ LAN")
    [r] = read_records([_with_conf(single, {"LAN"}, 64.0)], "phu-tan", REG, TODAY)
    assert r.status is Status.DIGITIZED, r.reasons


def test_a_registration_number_with_a_lone_letter_needs_review() -> None:
    """`55` read `5B` at 88 %, the other models alike, was counted, and a display face's
    `134` read `J34` (held-out seed 7979); a code's run of letters (`KS0001`,
    `123/2017/KS`) is as printed."""
    for misread in ("5B", "J34"):
        [r] = read(BIRTH.replace("Số: 123/2018", f"Số: {misread}"))
        assert r.status is Status.NEEDS_REVIEW
        assert any(m.startswith("Số (đăng ký): có chữ cái liền với chữ số")
                   for m in r.reasons), r.reasons
    for code in ("KS0001", "123/2017/KS"):
        [r] = read(BIRTH.replace("Số: 123/2018", f"Số: {code}"))
        assert not any("chữ cái liền với chữ số" in m for m in r.reasons), (code, r.reasons)


def test_an_id_number_confirmed_at_the_floor_with_a_rival_digit_needs_review() -> None:
    """`034095595569` for a mono face's `034095393569`: `vie` read it at 76 % with the
    runner-up `034095395569` at 52 %, `eng` agreed at under 90, and the vote confirmed it at
    its floor (90 %). The ID's checks cannot see its last six digits: such a reading waits
    for a clerk. Read surely (96 %), the same runner-up is no sign."""
    def with_id(conf: float) -> PageText:
        page = PageText.from_text(BIRTH)
        for line in page.lines:
            for k, word in enumerate(line.words):
                if word.text == "074217001234":
                    line.words[k] = replace(word, conf=conf, confirmed=True,
                                            rivals=(("074217001294", 52.0),))
        return page

    [r] = read_records([with_id(90.0)], "phu-tan", REG, TODAY)
    assert r.status is Status.NEEDS_REVIEW
    assert any(m.startswith("Số định danh cá nhân: có chữ số có hai cách đọc")
               for m in r.reasons), r.reasons
    [r] = read_records([with_id(96.0)], "phu-tan", REG, TODAY)
    assert r.status is Status.DIGITIZED, r.reasons


def test_a_heads_id_number_read_otherwise_than_their_own_needs_review() -> None:
    """The person is the head: rows 4 and 17 print one number. Read with one digit apart
    (`074080...` for `074086...` in a photo's table, held only by another field's doubt),
    one of the two is misread, and nothing else could tell the head's."""
    from test_extract_precision_fixes import DC01_TEXT

    head = (DC01_TEXT.format(religion="6. Tôn giáo: Không").replace("Nguyễn Hữu Tâm",
                                                                    "Nguyễn Thanh Khang")
            .replace("Cháu", "Chủ hộ"))
    [r] = read(head.replace("074080123456", "074214238913"))
    assert r.status is Status.DIGITIZED, r.reasons
    [r] = read(head.replace("074080123456", "074214238918"))
    assert r.status is Status.NEEDS_REVIEW
    assert any(why.startswith("Số định danh cá nhân của chủ hộ: khác") for why in r.reasons)
    # another head has their own number
    [r] = read(head.replace("Chủ hộ", "Cháu").replace("tên chủ hộ: Nguyễn Thanh Khang",
                                                     "tên chủ hộ: Nguyễn Hữu Tâm"))
    assert r.status is Status.DIGITIZED, r.reasons


def test_a_nationality_outside_the_list_needs_review() -> None:
    """`iệt Ninh` for `Việt Nam` (held-out seed 6464, held only by another field's doubt):
    nationalities are open, so no rule refused it; one outside the list is looked at."""
    [r] = read(BIRTH)
    assert r.status is Status.DIGITIZED, r.reasons
    [r] = read(BIRTH.replace("Quốc tịch: Việt Nam", "Quốc tịch: iệt Ninh"))
    assert r.status is Status.NEEDS_REVIEW
    assert any(why.startswith("Quốc tịch: không có trong danh sách") for why in r.reasons)
    [r] = read(BIRTH.replace("Quốc tịch: Việt Nam", "Quốc tịch: Lào"))
    assert r.status is Status.DIGITIZED, r.reasons


def test_a_date_read_without_its_slashes_needs_review() -> None:
    """`13 01 1941` for a display face's `13/04/1941` (held-out seed 8686: counted, the 4's
    hairline lost with the slashes): the date is read, and a clerk checks its digits."""
    [r] = read(DC01.replace("02/12/1976", "02 12 1976"))
    assert r.status is Status.NEEDS_REVIEW
    assert r.fields["date_of_birth"] == "1976-12-02"
    assert any("không có dấu /" in why for why in r.reasons), r.reasons
    [r] = read(DC01)
    assert not any("dấu /" in why for why in r.reasons), r.reasons


def test_a_place_word_the_list_lacks_read_with_other_marks_as_surely_needs_review() -> None:
    """`huyện Hưng Nhẫn` at 75 %, runners-up `Nhấn` at 76 and `Nhân` at 74 (fresh seed 6868:
    counted; Hưng Nhân, merged away in 1969, is not in the list of units): nothing but the
    marks Tesseract wavered on decides the name. A word the list knows (`Lợi`), or a
    runner-up well behind, is no such doubt."""
    def read_home_town(word: str, conf: float, rivals: tuple[tuple[str, float], ...]) -> list:
        text = PageText.from_text(DC01.replace(
            "11. Quê quán: tỉnh Bình Dương",
            "11. Quê quán: Xã Hưng Hà, huyện Hưng Nhân, tỉnh Thái Bình").replace("Nhân,", word))
        for line in text.lines:
            line.words = [replace(w, conf=conf, rivals=rivals) if w.text == word else w
                          for w in line.words]
        [r] = read_records([text], "phu-loi", REG, TODAY)
        return r

    wavering = "Quê quán: dấu của một chữ trong địa danh đọc không chắc chắn"
    r = read_home_town("Nhẫn,", 75.5, (("Nhấn,", 76.1), ("Nhân,", 74.0)))
    assert r.fields["home_town"] == "Xã Hưng Hà, huyện Hưng Nhẫn, tỉnh Thái Bình"
    assert r.status is Status.NEEDS_REVIEW
    assert any(why.startswith(wavering) for why in r.reasons), r.reasons
    r = read_home_town("Nhẫn,", 75.5, (("Nhấn,", 40.0),))
    assert r.status is Status.DIGITIZED, r.reasons
    r = read_home_town("Nhân,", 75.5, (("Nhấn,", 76.1),))  # a word of the list's names
    assert r.status is Status.DIGITIZED, r.reasons


def test_one_spouses_name_that_took_both_columns_needs_review_for_itself_too() -> None:
    """`NGUYÊN TUẤN PHÁT ˆ NGUYÊN MAIANH` (a photo: both columns read as one line, fresh
    seed 9191): the wife's name is empty, the husband's holds hers; both are said."""
    text = ("GIẤY CHỨNG NHẬN KẾT HÔN\nSố: 206/2007\n"
            "Họ, chữ đệm, tên chồng: NGUYỄN TUẤN PHÁT NGUYỄN MAI ANH\n"
            "Họ, chữ đệm, tên vợ:\n")
    [r] = read(text)
    assert any(why.startswith("Họ, chữ đệm, tên (chồng): có thể gồm cả tên của người kia")
               for why in r.reasons), r.reasons
    [r] = read(text.replace(" NGUYỄN MAI ANH", ""))
    assert not any("người kia" in why for why in r.reasons), r.reasons


def test_a_registration_number_with_a_mark_in_it_needs_review() -> None:
    """`232/200)` for `232/2000` (a heavy photo, held-out seed 4242): a mark in a number."""
    [r] = read(BIRTH.replace("Số: 123/2018", "Số: 123/201)"))
    assert r.status is Status.NEEDS_REVIEW
    assert any(why.startswith("Số (đăng ký): có ký tự lạ") for why in r.reasons), r.reasons
    [r] = read(BIRTH.replace("Số: 123/2018", "Số: 123/2018/KS"))
    assert not any("ký tự lạ" in why for why in r.reasons), r.reasons


def test_a_relation_the_list_repaired_whose_runner_up_is_another_relation_needs_review() -> None:
    """`chí` is no relation; the list puts it right as `Chị`, but Tesseract's runners-up
    `chà` and `cha` are `Cha`, the printed one (held-out seed 4848, held only by another
    field's doubt). Read as an entry letter for letter, a runner-up changes nothing."""
    from dataclasses import replace

    def with_rivals(value: str, rivals: tuple[tuple[str, float], ...]) -> object:
        page = PageText.from_text(DC01.replace("chủ hộ: Con", f"chủ hộ: {value}"), conf=95.0)
        for line in page.lines:
            line.words = [replace(w, rivals=rivals) if w.text == value else w
                          for w in line.words]
        [r] = read_records([page], "phu-loi", REG, TODAY)
        return r

    r = with_rivals("chí", (("chà", 60.2), ("cha", 59.0), ("chị", 38.4)))
    assert r.fields["relation_to_head"] == "Chị"
    assert r.status is Status.NEEDS_REVIEW
    assert any(m.startswith("Quan hệ với chủ hộ: đọc gần với hai giá trị trong danh sách "
                            "(Chị hoặc Cha)") for m in r.reasons), r.reasons
    r = with_rivals("Chị", (("Cha", 60.2),))
    assert r.status is Status.DIGITIZED, r.reasons


def test_a_listed_value_every_reading_of_which_gives_the_same_entry_is_sure() -> None:
    """`,.K1nh` at 38 % (a leader's dots glued on), runners-up `,.KInh`, `,.Kinh`, `,.Krnh`:
    every reading Tesseract hesitated between is `Kinh`, one of them letter for letter, so
    the ethnicity needs no word confidence (seed 6060: a clean scan held for it). A
    runner-up that is another entry, or none at all, leaves it to its confidence."""
    from dataclasses import replace

    def with_reading(word: str, conf: float, rivals: tuple[tuple[str, float], ...]) -> object:
        page = PageText.from_text(DC01.replace("Dân tộc: Kinh", f"Dân tộc: {word}"), conf=95.0)
        for line in page.lines:
            line.words = [replace(w, conf=conf, rivals=rivals) if w.text == word else w
                          for w in line.words]
        [r] = read_records([page], "phu-loi", REG, TODAY)
        return r

    r = with_reading(",.K1nh", 38.2, ((",.KInh", 48.7), (",.Kinh", 42.6), (",.Krnh", 40.3)))
    assert r.fields["ethnicity"] == "Kinh"
    assert r.status is Status.DIGITIZED, r.reasons
    for rivals in ((), ((",.Kinh", 48.7), (",.Thái", 42.6)), ((",.Krnh", 48.7),)):
        r = with_reading(",.K1nh", 38.2, rivals)
        assert r.fields["ethnicity"] == "Kinh"
        assert r.status is Status.NEEDS_REVIEW
        assert any(m.startswith("Dân tộc: đọc không chắc chắn") for m in r.reasons), r.reasons
