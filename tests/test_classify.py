from __future__ import annotations

import pytest

from schemas.classify import classify
from schemas.records import DocType

HEAD = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEAD + "GIẤY KHAI SINH\nHọ, chữ đệm, tên: NGUYỄN VĂN AN", DocType.BIRTH_CERTIFICATE),
        (HEAD + "GIAY KHAI SlNH\nHo, chu dem, ten: NGUYEN VAN AN", DocType.BIRTH_CERTIFICATE),
        ("BẢN SAO\n" + HEAD + "GIẤY KHAI SINH\nSao từ Sổ đăng ký khai sinh",
         DocType.BIRTH_CERTIFICATE),
        (HEAD + "PHIẾU THU THẬP THÔNG TIN DÂN CƯ\n1. Họ, chữ đệm và tên khai sinh: LÊ THỊ CÚC",
         DocType.RESIDENT_INFO_FORM),
        ("Mẫu DC01\nPHIEU THU THAP THONG TIN DAN CU\n1. Ho, chu dem va ten khai sinh: LE VAN A",
         DocType.RESIDENT_INFO_FORM),
        (HEAD + "GIẤY CHỨNG NHẬN KẾT HÔN\n Chồng   Vợ\nHọ, chữ đệm, tên",
         DocType.MARRIAGE_CERTIFICATE),
        (HEAD + "GIAY CHUNG NHAN KET H0N\n", DocType.MARRIAGE_CERTIFICATE),
        # a red title broken by the security pattern: `GIẤY` alone is not `GIẤY MỜI`
        (HEAD + "Số: 464\nGIẤY\nI SINH\nHọ, chữ đệm, tên: TRẦN THANH AN\nNơi sinh: Bệnh viện\n"
         "Họ, chữ đệm, tên người mẹ: NGUYỄN HỒNG LINH\nHọ, chữ đệm, tên người cha: TRẦN VĂN LỘC\n"
         "Họ, chữ đệm, tên người đi khai sinh: TRẦN VĂN LỘC\nNơi đăng ký khai sinh: UBND",
         DocType.BIRTH_CERTIFICATE),
        # a DC01 whose title OCR lost: its row `10. Nơi đăng ký khai sinh:` is no birth
        # certificate's title, its labels say what it is
        ("Mẫu DC01\n" + HEAD + "1. Họ, chữ đệm và tên khai sinh: Hà Khánh Nhi\n"
         "6. Tôn giáo: Không\n8. Tình trạng hôn nhân: Đã kết hôn 9. Nhóm máu:\n"
         "10. Nơi đăng ký khai sinh:\n12. Nơi thường trú: Tổ 19, ấp 1\n"
         "13. Nơi ở hiện tại: Tổ 19, ấp 1\n15. Họ, chữ đệm và tên chủ hộ: Nguyễn Tuấn Khang\n"
         "16. Quan hệ với chủ hộ: Con", DocType.RESIDENT_INFO_FORM),
        # the first page of a two-page DC01 whose title OCR lost (fresh seed 8080; seed 0
        # too): its code and its first rows, three of the later rows only
        ("Mẫu DC01\nTỉnh/TP: Bình Dương " + HEAD + "Huyện/quận/thị xã/TP: Thuận An\n"
         "Xã/phường/thị trấn: Bình Hòa\n1. Họ, chữ đệm và tên khai sinh: NGUYỄN CHÂU HUYỀN\n"
         "2. Ngày, tháng, năm sinh: 12/06/1967 3. Giới tính: Nữ\n"
         "4. Số định danh cá nhân: 074167006800\n5. Dân tộc: Kinh\n6. Tôn giáo: Không\n"
         "7. Quốc tịch: Việt Nam\n8. Tình trạng hôn nhân: Đã kết hôn 9. Nhóm máu: AB\n"
         "10. Nơi đăng ký khai sinh:", DocType.RESIDENT_INFO_FORM),
        # a faxed birth certificate whose title lost `KHAI` and whose fax header's noise
        # holds `V/V` (held-out seed 8686: rejected); its labels say what it is
        ("04/11/2019 14:28 FAX 0274 3876192 P.001\nV28 22V 4À KH ae V/V 2À VÀ th TÂY CV\n"
         + HEAD + "Số: 1-40\nGIẦY SINH\nHọ, chữ đệm, tên: Hồ Ánh Trang\n"
         "Ngày tháng, năm sinh: ngày 28 tháng 06 năm 1982\nNơi sinh: Trung tâm Y tế\n"
         "Họ, chữ đệm, tên người mẹ: Lê Diệu Oanh\nHọ, chữ đệm, tên người cha: Hồ Anh Tuấn\n"
         "Họ, chữ đệm, tên người di khai sinh: Hồ Anh Tuấn\n"
         "Nơi đăng ký Khai sinh: Ủy ban nhân dân phường Tân Bình", DocType.BIRTH_CERTIFICATE),
        (HEAD + "GIẤY MỜI\nKính mời ông bà đến dự họp tổ dân phố", None),
        ("UBND THÀNH PHỐ ĐÀ NẴNG\nSỞ GIÁO DỤC VÀ ĐÀO TẠO\nSố: 1595/SGDĐT-CTrTT\n"
         "V/v bảo đảm TTATGT cho HS, SV trong dịp nghỉ hè\nKính gửi: Các trường", None),
        ("VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO\nSố 286/QĐ-VKSTC\nQUYẾT ĐỊNH\nBan hành Quy định về "
         "quy trình kiểm sát việc giải quyết các vụ án hành chính", None),
        ("", None),
        ("   \n . , \n", None),
        ("The quick brown fox jumps over the lazy dog, again and again and again.", None),
    ],
)
def test_classify(text: str, expected: DocType | None) -> None:
    assert classify(text) == expected
