"""Wrapped values stop at page boundaries, form headers, garbage and far-away text."""

from __future__ import annotations

from ocr.text import Line, PageText, Word
from schemas.extract import extract_fields
from schemas.normalize import normalize_blood_type, repair_place_names
from schemas.records import DocType

DC01 = DocType.RESIDENT_INFO_FORM


def values(doc_type: DocType, *pages: PageText) -> dict[str, str]:
    return {k: v.value for k, v in extract_fields(doc_type, list(pages)).items()}


PAGE1 = """PHIẾU THU THẬP THÔNG TIN DÂN CƯ
1. Họ, chữ đệm và tên khai sinh: NGUYỄN VĂN AN
2. Ngày, tháng, năm sinh: 01/02/1990
11. Nơi thường trú: Tổ 3, khu phố 2, phường Phú Tân,
thành phố Thủ Dầu Một, tỉnh Bình Dương"""
PAGE2 = """Mẫu DC01 (tiếp theo)
15. Quan hệ với chủ hộ: Con"""


def test_value_does_not_continue_across_pages() -> None:
    v = values(DC01, PageText.from_text(PAGE1), PageText.from_text(PAGE2))
    assert v["permanent_address"] == ("Tổ 3, khu phố 2, phường Phú Tân, thành phố Thủ Dầu Một, "
                                      "tỉnh Bình Dương")
    assert v["relation_to_head"] == "Con"


def test_form_header_on_same_page_is_not_a_continuation() -> None:
    v = values(DC01, PageText.from_text(PAGE1 + "\nMẫu DC01 (tiếp theo)\n"
                                        "15. Quan hệ với chủ hộ: Con"))
    assert v["permanent_address"].endswith("tỉnh Bình Dương")


def test_garbage_line_is_not_a_continuation() -> None:
    for junk in ("ễ | ee ồ ~ 4", "=—= 2 ;: _ 1", "3 1 ồ ả ẽ"):
        v = values(DC01, PageText.from_text(PAGE1 + "\n" + junk))
        assert v["permanent_address"].endswith("tỉnh Bình Dương"), junk


def test_low_confidence_line_is_not_a_continuation() -> None:
    page = PageText.from_text(PAGE1)
    junk = [Word("Mnnmn", 20.0, 0, 400, 100, 30, (0, 0, 9)),
            Word("ruuwm", 15.0, 120, 400, 100, 30, (0, 0, 9))]
    page.lines.append(Line(junk))
    assert values(DC01, page)["permanent_address"].endswith("tỉnh Bình Dương")


def test_far_right_text_is_not_a_continuation() -> None:
    page = PageText.from_text(PAGE1)
    stamp = [Word("Xác", 90.0, 2000, 400, 60, 30, (0, 0, 9)),
             Word("nhận", 90.0, 2080, 400, 80, 30, (0, 0, 9))]
    page.lines.append(Line(stamp))
    assert values(DC01, page)["permanent_address"].endswith("tỉnh Bình Dương")


def test_blood_type_zero_read_for_o() -> None:
    assert normalize_blood_type("0") == "O"
    assert normalize_blood_type("0O") == "O"
    assert normalize_blood_type("AB") == "AB"
    assert normalize_blood_type("A0B") == "A0B"  # not guessed
    # another digit beside the letters was a letter (`3B` for `AB`, held-out fonts: counted
    # `B`): left as read, which validation refuses
    assert normalize_blood_type("3B") == "3B"
    assert normalize_blood_type("A8") == "A8"
    # so was a stroke glued to the letter (`.\B` for `AB`, a held-out face's hairlines at
    # 90 %), which cleaning would drop; a table's rule or a bracket is no letter
    assert normalize_blood_type(".\\B") == ".\\B"
    assert normalize_blood_type("|B") == "B"
    assert normalize_blood_type("Ó)") == "O"


def test_a_blood_type_with_a_speck_for_a_mark_is_its_letter() -> None:
    """`Õ`, `Ọ`, `Ầ`: a dot of the leader or the paper read as a mark over or under the
    letter (four records of the nine sets held for it, `phải là A, B, AB hoặc O`); the
    letter is the type. A letter that is no type stays as read (`Đ` is no `B`)."""
    for read, blood in (("Õ", "O"), ("Ọ", "O"), ("Ö", "O"), ("Ầ", "A"), ("ÀB", "AB")):
        assert normalize_blood_type(read) == blood, read
    assert normalize_blood_type("Đ") == "Đ"


def test_place_name_digit_repair_only_when_unambiguous() -> None:
    names = ["Dĩ An", "Hòa Phú", "Thủ Dầu Một", "Bình Dương"]
    assert (repair_place_names("phường D1 An, thành phố D1 An, tỉnh Bình Dương", names)
            == "phường Dĩ An, thành phố Dĩ An, tỉnh Bình Dương")
    assert repair_place_names("Đường D1, phường H0a Phú.", names) == "Đường D1, phường Hòa Phú."
    assert repair_place_names("Tổ 10, ấp 1", names) == "Tổ 10, ấp 1"


def test_security_pattern_debris_between_value_and_its_rest_is_skipped() -> None:
    # Tesseract reads the guilloche between two lines of an address as letters
    text = ("11. Nơi thường trú: Số 202/38, đường Trần Hưng Đạo, ấp 10, phường Tân Bình,\n"
            "tr§ểtt VẾ tIỆ Ð đi7Ði\n"
            "thành phố Dĩ An, tỉnh Bình Dương")
    v = values(DC01, PageText.from_text(text))
    assert v["permanent_address"] == ("Số 202/38, đường Trần Hưng Đạo, ấp 10, phường Tân Bình, "
                                      "thành phố Dĩ An, tỉnh Bình Dương")


def test_marks_around_known_place_names_are_dropped_and_others_kept() -> None:
    from schemas.normalize import drop_debris_by_place_names

    names = ["Thuận An", "Bình Dương", "Bình Chuẩn", "Thủ Dầu Một"]
    read = 'Ấp 2, phường Bình " Chuẩn, thành phố .„ Thuận An, „tỉnh Bình .Dương'
    assert drop_debris_by_place_names(read, names) == (
        "Ấp 2, phường Bình Chuẩn, thành phố Thuận An, tỉnh Bình Dương")
    assert drop_debris_by_place_names("phường Bình, Chuẩn, thành phố Thuận An", names) == (
        "phường Bình Chuẩn, thành phố Thuận An")
    # beside a street name nothing tells a mark from a lost word: it stays for review
    assert drop_debris_by_place_names("Số 317, đường Thích „ Quảng Đức", names) == (
        "Số 317, đường Thích „ Quảng Đức")
    # symbols, and a small letter that is no word: the security paper's pattern
    assert drop_debris_by_place_names("Khu phố 1, =¡ phường s Bình Chuẩn, thành phố Thuận An",
                                      names) == "Khu phố 1, phường Bình Chuẩn, thành phố Thuận An"
    assert drop_debris_by_place_names("Số 5, đường s 7, phường Bình Chuẩn", names) == (
        "Số 5, đường s 7, phường Bình Chuẩn")
    # inside a unit's two words, and a short token holding a symbol before a known name
    assert drop_debris_by_place_names("khu v phố 2, thành v phố Thuận An, tỉnh £ỉ Bình Dương",
                                      names) == "khu phố 2, thành phố Thuận An, tỉnh Bình Dương"
    # a dot inside a known name, a mark glued to a unit's second word
    assert drop_debris_by_place_names("khu „phố 2, thành phố Thuận. An, tỉnh Bình- Dương",
                                      names) == "khu phố 2, thành phố Thuận An, tỉnh Bình Dương"
    # not before a street's name, nor a number's dot
    assert drop_debris_by_place_names("Số 5. đường Lê Hồng .Phong, phường Bình Chuẩn",
                                      names) == "Số 5. đường Lê Hồng .Phong, phường Bình Chuẩn"


def _line_at(text: str, left: int, top: int, conf: float = 95.0) -> Line:
    """One OCR line placed on the page: 20 px per character, 30 px high."""
    words: list[Word] = []
    x = left
    for token in text.split(" "):
        words.append(Word(token, conf, x, top, 20 * len(token), 30, (0, 0, top)))
        x += 20 * (len(token) + 1)
    return Line(words)


def _page(*lines: Line) -> PageText:
    return PageText(lines=list(lines), mean_conf=95.0, quality=0.95, width=2480, height=3508)


def test_table_cell_wrapped_lines_read_after_all_labels_join_their_value() -> None:
    # Tesseract reads a bordered table's label column, then the value column as a block of
    # its own: a cell's second and third lines sit level with no label and come last
    page = _page(
        _line_at("PHIẾU THU THẬP THÔNG TIN DÂN CƯ", 600, 100),
        _line_at("12. Nơi thường trú", 250, 390),  # centred in its three-line cell
        _line_at("13. Nơi ở hiện tại", 250, 600),
        _line_at("14. Nghề nghiệp", 250, 700),
        _line_at("Số 226, đường Huỳnh Văn Lũy, ấp 2, phường", 1100, 380),
        _line_at("Hòa Phú, thành phố Thủ Dầu Một, tỉnh Bình", 1100, 440),
        _line_at("Dương", 1100, 500),
        _line_at("khu phố 12, phường An Thạnh, thành phố", 1100, 600),
        _line_at("Thuận An, tỉnh Bình Dương", 1100, 650),
        _line_at("Tài xế", 1100, 700),
    )
    v = values(DC01, page)
    assert v["permanent_address"] == ("Số 226, đường Huỳnh Văn Lũy, ấp 2, phường Hòa Phú, "
                                      "thành phố Thủ Dầu Một, tỉnh Bình Dương")
    assert v["current_address"] == ("khu phố 12, phường An Thạnh, thành phố Thuận An, "
                                    "tỉnh Bình Dương")
    assert v["occupation"] == "Tài xế"


def test_two_letter_word_wrapped_alone_ends_the_value() -> None:
    text = ("10. Nơi đăng ký khai sinh: Ủy ban nhân dân Xã Tân Phú, huyện Đức Hòa, tỉnh Long\n"
            "An\n"
            "11. Quê quán: Xã Tân Phú, huyện Đức Hòa, tỉnh Long An")
    v = values(DC01, PageText.from_text(text))
    assert v["birth_registration_place"] == ("Ủy ban nhân dân Xã Tân Phú, huyện Đức Hòa, "
                                             "tỉnh Long An")


def test_label_with_its_last_letter_lost_is_still_the_label() -> None:
    # `Nơi ở hiện tạ`: no other label starts like it, so its short last word need not be exact
    text = ("12. Nơi thường trú: Tổ 3, khu phố 2, phường Phú Tân\n"
            "13. Nơi ở hiện tạ Số 218/17, đường Huỳnh Văn Lũy, khu phố 4\n"
            "14. Nghề nghiệp: Nội trợ")
    v = values(DC01, PageText.from_text(text))
    assert v["permanent_address"] == "Tổ 3, khu phố 2, phường Phú Tân"
    assert v["current_address"] == "Số 218/17, đường Huỳnh Văn Lũy, khu phố 4"


def test_stamp_letters_after_a_wrapped_value_are_not_joined() -> None:
    text = ("10. Nơi đăng ký khai sinh: Ủy ban nhân dân Xã Thạnh Phú, huyện Cờ\n"
            "Đỏ, thành phố Cần Thơ\n"
            "tO Œœ ¬i Œ CỚIút +> (CG) 2\n"
            "11. Quê quán: Xã Thạnh Phú, huyện Cờ Đỏ, thành phố Cần Thơ")
    v = values(DC01, PageText.from_text(text))
    assert v["birth_registration_place"] == ("Ủy ban nhân dân Xã Thạnh Phú, huyện Cờ Đỏ, "
                                             "thành phố Cần Thơ")


def _marriage_with_wife_residence(first: str, second: str, third: str) -> PageText:
    """Two-column marriage certificate; the husband's residence blank, the wife's in three
    lines (`Nơi cư trú: <first>`, then `second` and `third` wrapped under it)."""
    return _page(
        _line_at("GIẤY CHỨNG NHẬN KẾT HÔN", 700, 100),
        _line_at("Họ, chữ đệm, tên chồng: Họ, chữ đệm, tên vợ:", 260, 200),
        _line_at("Ngô Văn Phúc", 360, 250),
        _line_at("Hoàng Kim An", 1360, 250),
        _line_at("Nơi cư trú:", 260, 300),
        _line_at(f"Nơi cư trú: {first}", 1260, 300),
        _line_at(second, 1340, 350),
        _line_at(third, 1360, 400),
        _line_at("Số định danh cá nhân: 074089346677", 260, 450),
        _line_at("Số định danh cá nhân: 092191363090", 1260, 450),
    )


def test_wife_address_wraps_beside_a_blank_husband_address() -> None:
    page = _marriage_with_wife_residence("Số 243, đường Yersin, ấp 8,",
                                         "phường Bình Hòa, thành phố Thuận An,",
                                         "tỉnh Bình Dương")
    v = values(DocType.MARRIAGE_CERTIFICATE, page)
    assert v["wife_residence"] == ("Số 243, đường Yersin, ấp 8, phường Bình Hòa, "
                                   "thành phố Thuận An, tỉnh Bình Dương")
    assert v.get("husband_residence", "") == ""
    assert v["wife_id"] == "092191363090"


def test_a_lone_letter_in_a_speck_sized_box_does_not_end_the_value() -> None:
    # Tesseract read an `A` 3 px high, at 93 %, over the `A` of `An,`: a lone letter in a
    # speck's box is a speck however sure, and the value goes on to `An`
    line = _line_at("Quê quán: Xã Quỳnh Lưu, huyện Quỳnh Lưu, tỉnh Nghệ", 260, 400)
    x = line.words[-1].right
    line.words += [Word("A", 93.0, x + 28, 380, 20, 3, (0, 0, 400)),
                   Word("An,", 74.0, x + 17, 400, 60, 30, (0, 0, 400))]
    v = values(DocType.BIRTH_CERTIFICATE, _page(_line_at("GIẤY KHAI SINH", 900, 100), line))
    assert v["home_town"] == "Xã Quỳnh Lưu, huyện Quỳnh Lưu, tỉnh Nghệ An"


def test_a_leader_dot_glued_before_a_wrap_is_not_kept_in_the_value() -> None:
    # measured: `khu .` (the first dot of the line's leader, a letter width after the word)
    # read `khu.`, and `Trần.`, `Thị.`: the value ran on to the next line, so no sentence
    # ended there; the record was held for a stray dot in an address read right
    text = ("11. Nơi thường trú: Số 133, đường Phú Lợi, khu.\n"
            "phố 11, phường Thới Hòa, thành phố Bến Cát, tỉnh Bình Dương")
    v = values(DC01, PageText.from_text(text))
    assert v["permanent_address"] == ("Số 133, đường Phú Lợi, khu phố 11, phường Thới Hòa, "
                                      "thành phố Bến Cát, tỉnh Bình Dương")
    page = _marriage_with_wife_residence("Số 72, đường Võ Thị.",
                                         "Sáu, phường Hòa Phú, thành phố",
                                         "Thủ Dầu Một, tỉnh Bình Dương")
    v = values(DocType.MARRIAGE_CERTIFICATE, page)
    assert v["wife_residence"] == ("Số 72, đường Võ Thị Sáu, phường Hòa Phú, "
                                   "thành phố Thủ Dầu Một, tỉnh Bình Dương")


def test_an_abbreviation_before_a_wrap_keeps_its_dot() -> None:
    text = ("11. Nơi thường trú: Tổ 3, khu phố 2, phường Phú Tân, Tp.\n"
            "Thủ Dầu Một, tỉnh Bình Dương")
    v = values(DC01, PageText.from_text(text))
    assert v["permanent_address"] == ("Tổ 3, khu phố 2, phường Phú Tân, Tp. Thủ Dầu Một, "
                                      "tỉnh Bình Dương")
