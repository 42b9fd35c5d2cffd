"""ocr.clean: each stage alone, on real images and synthetic transforms of them.

The synthetic copies (rotations, warps, shadows) are made here from the real
files in tests/data, so the expected geometry is known exactly.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr import clean
from ocr.read import read_page

DATA = Path(__file__).parent / "data"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BIRTH = DATA / "vn_birth_cert_filled_sample_govtrust.jpg"
MARRIAGE = DATA / "vn_marriage_cert_filled_sample_govtrust.jpg"


@pytest.fixture(scope="module")
def birth_bgr() -> np.ndarray:
    return cv2.imread(str(BIRTH))


@pytest.fixture(scope="module")
def birth_gray300(birth_bgr: np.ndarray) -> np.ndarray:
    g = clean.to_grayscale(birth_bgr)
    g, dpi = clean.normalize_resolution(g, 150)
    assert dpi == pytest.approx(300)
    return clean.flatten_illumination(g, dpi)


def render_lines(lines: list[str], size: int = 46, width: int = 2480, pad: int = 120) -> np.ndarray:
    """White page with black DejaVu text, ~300 DPI scale (46 px ~ 11 pt)."""
    font = ImageFont.truetype(FONT, size)
    height = pad * 2 + len(lines) * int(size * 1.9)
    im = Image.new("L", (width, height), 255)
    d = ImageDraw.Draw(im)
    for i, text in enumerate(lines):
        d.text((pad, pad + i * int(size * 1.9)), text, font=font, fill=0)
    return np.asarray(im).copy()


def rotate_content(image: np.ndarray, degrees_cw: float) -> np.ndarray:
    """Turn content clockwise by `degrees_cw` (lines then slope down to the right)."""
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -degrees_cw, 1.0)
    return cv2.warpAffine(image, m, (w, h), borderValue=255, flags=cv2.INTER_LINEAR)


# ------------------------------------------------------------------ colour


def test_security_paper_pattern_goes_white_and_text_stays(birth_bgr: np.ndarray) -> None:
    gray = clean.to_grayscale(birth_bgr)
    # Typed black values stay black: the name row "ĐÀO THỊ TRÀ GIANG".
    assert gray[400:440, 350:650].min() < 80
    # Red title (GIẤY KHAI SINH) stays dark enough to read.
    title = gray[310:350, 430:820]
    assert (title < 100).mean() > 0.15
    # After the whole chain, a pattern-only band (no text) is almost pure paper.
    g, dpi = clean.normalize_resolution(gray, 150)
    binary = clean.binarize(clean.flatten_illumination(g, dpi), dpi)
    h, w = binary.shape
    band = binary[int(0.9 * h) : int(0.95 * h), int(0.1 * w) : int(0.9 * w)]
    assert (band == 0).mean() < 0.01


def test_colour_swatches() -> None:
    swatches = {  # BGR
        "pale green guilloche": ((200, 230, 190), 200, 255),
        "pink guilloche": ((175, 160, 230), 200, 255),
        "black ink": ((30, 30, 30), 0, 60),
        "dark blue ink": ((140, 40, 20), 0, 150),
        "red title": ((45, 35, 210), 0, 60),
    }
    for name, (bgr, lo, hi) in swatches.items():
        img = np.full((4, 4, 3), bgr, np.uint8)
        v = int(clean.to_grayscale(img)[0, 0])
        assert lo <= v <= hi, (name, v)


def test_red_mask_catches_title_not_pink_pattern() -> None:
    img = np.zeros((10, 30, 3), np.uint8)
    img[:, :10] = (45, 35, 210)  # title red (BGR)
    img[:, 10:20] = (175, 160, 230)  # pink guilloche
    img[:, 20:] = (30, 30, 30)  # black ink
    m = clean.strong_red_mask(img)
    assert m[:, :10].all() and not m[:, 10:].any()


# ------------------------------------------------------------------ resolution


def test_normalize_resolution() -> None:
    page = np.full((1755, 1241), 255, np.uint8)  # A4 at 150 DPI
    out, dpi = clean.normalize_resolution(page, None)  # estimated from A4
    assert abs(out.shape[0] - 3508) <= 3 and abs(out.shape[1] - 2480) <= 3
    assert dpi == pytest.approx(300, rel=0.01)
    out, dpi = clean.normalize_resolution(page, 300.0)  # the file knows better
    assert out is page and dpi == 300
    big = np.full((7016, 4960), 255, np.uint8)  # 600 DPI
    out, dpi = clean.normalize_resolution(big, 600)
    assert out.shape == (3508, 2480)


# ------------------------------------------------------------------ orientation


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tess_phototest.tif", 0),
        ("tess_phototest-rotated-L.png", 90),  # content turned CCW: turn 90 CW
        ("tess_phototest-rotated-R.png", 270),
        ("tess_phototest-rotated-180.png", 180),
    ],
)
def test_detect_orientation_real(name: str, expected: int) -> None:
    img = cv2.imread(str(DATA / name), cv2.IMREAD_GRAYSCALE)
    assert clean.detect_orientation(img) == expected
    if expected:
        upright = clean.rotate_quadrant(img, expected)
        assert clean.detect_orientation(upright) == 0


@pytest.mark.parametrize("turn", [cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180])
def test_detect_orientation_on_certificate(birth_gray300: np.ndarray, turn: int) -> None:
    img = cv2.rotate(birth_gray300, turn)
    fix = {cv2.ROTATE_90_CLOCKWISE: 270, cv2.ROTATE_180: 180}[turn]
    assert clean.detect_orientation(img) == fix


def test_detect_orientation_blank_page_is_zero() -> None:
    assert clean.detect_orientation(np.full((1200, 900), 255, np.uint8)) == 0


def test_a_bordered_table_is_not_taken_for_a_page_turned_a_quarter() -> None:
    # Measured: a clean bordered DC01 form (Liberation Serif) scored 1.15 columns/rows on
    # its ink profiles (the grid's vertical rules), was turned 90 degrees when OSD was
    # unsure, and lost most of its fields. Without the grid it scores 0.16.
    import random

    from samples.people import make_record
    from samples.render import render_record
    from schemas.wards import WardRegistry

    reg = WardRegistry.load(None)
    rec = make_record(random.Random(0), reg.get("binh-thang"), "resident_info_form", reg)
    page = render_record(rec, random.Random(0), layout="table", font="Liberation Serif",
                         security=False).pages[0]
    gray = np.asarray(page.convert("L"))
    assert not clean.is_sideways(gray)
    assert clean.is_sideways(clean.rotate_quadrant(gray, 90))
    assert clean.clean_page(gray, 300, use_osd=False).rotation == 0


# ------------------------------------------------------------------ skew


@pytest.mark.parametrize("angle", [-12.0, -4.3, -0.7, 0.0, 1.6, 7.25, 14.0])
def test_estimate_skew_on_certificate(birth_gray300: np.ndarray, angle: float) -> None:
    skewed = rotate_content(birth_gray300, angle)
    est = clean.estimate_skew(skewed)
    assert abs(est - angle) < 0.2, (est, angle)
    # Deskewing leaves < 0.2 deg residual and a white (not black) border.
    straight = clean.deskew(skewed, est)
    assert abs(clean.estimate_skew(straight)) < 0.2
    assert straight[:5, :5].mean() > 200


def test_estimate_skew_on_small_real_scan() -> None:
    img = cv2.imread(str(DATA / "tess_phototest.tif"), cv2.IMREAD_GRAYSCALE)
    for angle in (-3.0, 5.5):
        est = clean.estimate_skew(rotate_content(img, angle))
        assert abs(est - angle) < 0.2, (est, angle)


def test_estimate_skew_blank_page() -> None:
    assert clean.estimate_skew(np.full((500, 400), 255, np.uint8)) == 0.0


# ------------------------------------------------------------------ perspective


def _photo_of(page: np.ndarray, corners: np.ndarray, size: tuple[int, int],
              desk_levels: tuple[int, int] = (30, 70)) -> np.ndarray:
    h, w = page.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    rng = np.random.default_rng(1)
    # a dark wooden desk by default
    desk = rng.integers(*desk_levels, (size[1], size[0], 3), dtype=np.uint8)
    return cv2.warpPerspective(page, m, size, dst=desk, borderMode=cv2.BORDER_TRANSPARENT)


def _assert_quad_found(photo: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The sheet's corners found within 1 % of the page size of where they are."""
    quad = clean.find_page_quad(clean.to_grayscale(photo))
    assert quad is not None
    page_size = max(np.ptp(corners[:, 0]), np.ptp(corners[:, 1]))
    err = np.hypot(*(quad - corners).T)
    assert err.max() < 0.01 * page_size, err
    return quad


def test_find_page_quad_and_correct_perspective(birth_bgr: np.ndarray) -> None:
    corners = np.array([[260, 180], [1480, 260], [1620, 2150], [170, 2040]], np.float32)
    photo = _photo_of(birth_bgr, corners, (1800, 2300))
    quad = _assert_quad_found(photo, corners)
    upright = clean.correct_perspective(clean.to_grayscale(photo), quad)
    assert upright.shape == (3508, 2480)  # A4 portrait at 300 DPI
    # The corrected page matches the original sheet.
    ref = cv2.resize(clean.to_grayscale(birth_bgr), (620, 877), interpolation=cv2.INTER_AREA)
    got = cv2.resize(upright, (620, 877), interpolation=cv2.INTER_AREA)
    assert np.corrcoef(ref.ravel(), got.ravel())[0, 1] > 0.8


PHOTO_NAMES = ["ĐỖ THÙY TRÂM", "NGUYỄN HỮU HẰNG", "TRẦN THỊ MỸ", "LÊ THỦY TIÊN", "PHẠM NGỌC HUYỀN",
               "VŨ HOÀNG YẾN", "Đỗ Thùy Trâm", "Nguyễn Hữu Hằng", "Trần Thị Mỹ", "Lê Thủy Tiên",
               "Phạm Ngọc Huyền", "Vũ Hoàng Yến", "Hồ Quỳnh Chi", "Đặng Thu Thảo", "Ngô Bảo Ngân",
               "Bùi Thị Hương"]


def test_keep_ink_shading_keeps_grey_ink_and_what_cleaning_removed_stays_removed() -> None:
    flat = np.full((40, 60), 250, np.uint8)
    flat[10:30, 20:24] = 40  # a stroke
    flat[10:30, 19] = flat[10:30, 24] = 150  # its soft edges
    flat[5, 50] = 60  # a speck the cleaning removed
    binary = np.full_like(flat, 255)
    binary[10:30, 20:24] = 0
    out = clean.keep_ink_shading(binary, flat)
    assert (out[10:30, 20:24] == 40).all()
    assert (out[10:30, 19] == 150).all() and (out[10:30, 24] == 150).all()  # grey edges kept
    assert out[5, 50] == 255 and out[0, 0] == 255  # speck and paper white


def test_phone_photo_names_keep_their_marks() -> None:
    """A phone photo's letters are a few soft pixels wide: read from the page as thresholded,
    Tesseract took marks for others (`NGUYÊN`, `ĐỒ`, `Ngàn`: 10 of 16 names right); from the
    ink's own grey levels (`keep_ink_shading`), 14 of 16."""
    page = cv2.cvtColor(render_lines(PHOTO_NAMES, size=44), cv2.COLOR_GRAY2BGR)
    h, w = page.shape[:2]
    s = 0.4
    corners = np.array([[150, 120], [150 + w * s, 150], [140 + w * s, 140 + h * s],
                        [160, 120 + h * s]], np.float32)
    photo = cv2.GaussianBlur(_photo_of(page, corners, (int(w * s) + 300, int(h * s) + 300)),
                             (3, 3), 0)
    cleaned = clean.clean_page(photo)
    assert cleaned.quad is not None and len(np.unique(cleaned.image)) > 2
    text = read_page(cleaned.image).text
    assert sum(name in text for name in PHOTO_NAMES) >= 13, text


def test_flatbed_scan_has_no_quad(birth_bgr: np.ndarray) -> None:
    assert clean.find_page_quad(clean.to_grayscale(birth_bgr)) is None
    img = cv2.imread(str(DATA / "tess_phototest.tif"), cv2.IMREAD_GRAYSCALE)
    assert clean.find_page_quad(img) is None


# ------------------------------------------------------------------ background, binarize


def test_flatten_illumination_removes_shadow() -> None:
    page = render_lines(["Nơi cư trú: Xã Thụy Khuê"] * 8, width=1600)
    h, w = page.shape
    shadow = np.tile(np.linspace(0.45, 1.0, w, dtype=np.float32), (h, 1))  # dark left edge
    shaded = (page.astype(np.float32) * shadow).astype(np.uint8)
    flat = clean.flatten_illumination(shaded)
    paper = page == 255
    assert shaded[paper].std() > 25
    assert flat[paper].std() < 8
    binary = clean.binarize(flat)
    # Ink found where the text is, paper stays white even in the shadow.
    assert (binary[paper] == 255).mean() > 0.99
    assert (binary[page < 100] == 0).mean() > 0.9


SHAKE_LINES = ["Họ, chữ đệm, tên: NGUYỄN VĂN AN", "Quốc tịch: Việt Nam   Dân tộc: Kinh",
               "Nơi cư trú: Số 7, đường Võ Văn Tần, phường Võ Thị Sáu"] * 6


ALONG_LINES_9PX = np.zeros((9, 9), np.float32)
ALONG_LINES_9PX[4, :] = 1


def _smear(page: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return cv2.filter2D(page, -1, kernel / kernel.sum())


def test_shake_ratio_tells_camera_shake_from_a_sharp_or_evenly_blurred_page() -> None:
    page = render_lines(SHAKE_LINES)
    assert clean.shake_ratio(page) >= 0.68
    assert clean.shake_ratio(cv2.GaussianBlur(page, (0, 0), 2.2)) >= 0.68  # defocus: no shake
    assert clean.shake_ratio(_smear(page, ALONG_LINES_9PX)) < 0.45
    assert clean.shake_ratio(_smear(page, np.eye(7, dtype=np.float32))) < 0.5


def test_ink_cap_rises_on_a_shaken_page_only() -> None:
    """The thin strokes across a shake keep a third of their contrast: the cap that keeps
    pale pattern out must let them in there, and nowhere else."""
    page = render_lines(SHAKE_LINES)
    shaken = _smear(page, ALONG_LINES_9PX)
    assert clean.ink_cap(page, clean.shake_ratio(page)) == clean.ink_cap(page)
    assert clean.ink_cap(shaken, clean.shake_ratio(shaken)) >= clean.ink_cap(shaken) + 15
    # what the cap now lets in is the smeared strokes, not the paper
    binary = clean.binarize(shaken, cap=clean.ink_cap(shaken, clean.shake_ratio(shaken)))
    assert (binary[page == 255] == 0).mean() < 0.05
    assert (binary == 0).sum() > (clean.binarize(shaken) == 0).sum()


def _dates_with_hairline_slashes() -> tuple[np.ndarray, np.ndarray]:
    """Dates whose `/` are 2 px grey hairlines between black digits, softened like a scan
    (a display face scanned at 200 DPI), and the mask of those slashes."""
    lines = ["Họ, chữ đệm, tên: PHẠM HOÀI CHÂU", "27 07 1969   14 04 2017",
             "Nơi sinh: Bệnh viện Phụ sản Trung ương", "27 07 1969   14 04 2017",
             "Quê quán: Phường Hòa Phú, tỉnh Bình Dương", "27 07 1969   14 04 2017"]
    page = render_lines(lines, size=60, width=1600)
    date = lines[1]
    font = ImageFont.truetype(FONT, 60)
    gaps = [120 + font.getlength(date[:i]) for i, c in enumerate(date)
            if c == " " and date[i - 1] != " " and date[i + 1] != " "]  # one slash per gap
    slashes = np.zeros_like(page)
    for row in (1, 3, 5):
        top = 120 + row * int(60 * 1.9)
        for x in gaps:
            cv2.line(slashes, (int(x) + 24, top + 8), (int(x) + 4, top + 62), 255, 2)
    page = page.copy()
    page[slashes > 0] = np.minimum(page[slashes > 0], 170)
    scanned = cv2.GaussianBlur(page, (0, 0), 0.8).astype(np.float32) * (225 / 255) + 30
    return scanned.astype(np.uint8), slashes  # ink 30 as a scanner sees it, never pure black


def test_restore_hairlines_gives_back_the_grey_slash_of_a_date() -> None:
    page, slashes = _dates_with_hairline_slashes()
    binary = clean.binarize(page)
    assert (binary[slashes > 0] == 0).mean() < 0.5  # the threshold loses them
    restored = clean.restore_hairlines(binary, page)
    assert (restored[slashes > 0] == 0).mean() > 0.9
    # and nothing else: the paper stays paper
    assert (restored[(slashes == 0) & (page == 255)] == 0).mean() < 0.001


def test_restore_hairlines_stands_back_on_a_background_of_fine_lines() -> None:
    """Guilloche left grey by the colour separation is fine lines too: where most of them
    lie away from the letters, the page keeps its threshold."""
    page, _ = _dates_with_hairline_slashes()
    h, w = page.shape
    for k in range(0, h + w, 14):  # a diagonal pattern over the whole sheet
        cv2.line(page, (k, 0), (k - h, h), 195, 1)
    binary = clean.binarize(page)
    assert np.array_equal(clean.restore_hairlines(binary, page), binary)


def test_restore_hairlines_leaves_a_resampled_fax_alone() -> None:
    """A fax put in a PDF comes back two-tone resampled: pure black cores, grey rims, and
    specks and stair-steps as thin as any hairline. Nothing there is a hairline."""
    page, _ = _dates_with_hairline_slashes()
    rng = np.random.default_rng(3)
    fax = np.where(cv2.resize(page, None, fx=0.5, fy=0.5) < 150, 0, 255).astype(np.uint8)
    specks = rng.random(fax.shape) < 0.002
    fax[specks] = 0
    resampled = cv2.resize(fax, (page.shape[1], page.shape[0]), interpolation=cv2.INTER_LINEAR)
    binary = clean.binarize(resampled)
    assert np.array_equal(clean.restore_hairlines(binary, resampled), binary)


def test_a_display_face_reads_with_its_hairlines() -> None:
    """Noto Serif Display (`make bench-fonts`), scanned: its `/`, the leg of `A`, the bar of
    `H` are 1 px hairlines lighter than the ink cap. Without the stage the date loses its
    slashes and the name its dot below; with it the first reading has them."""
    scan = cv2.imread(str(DATA / "hairline-serif-display.jpg"))
    text = read_page(clean.clean_page(scan, 300, hairlines=True).image, dpi=300).text
    assert "30/03/2000" in text
    assert "PHẠM HOÀI CHÂU" in text
    assert "074300502445" in text
    without = read_page(clean.clean_page(scan, 300).image, dpi=300).text
    assert "30/03/2000" not in without


def test_denoise_drops_specks_keeps_diacritic_dots() -> None:
    page = render_lines(["Nguyễn Thị Hạnh, ịạệọ"], width=1400)
    binary = clean.binarize(page)
    noisy = binary.copy()
    rng = np.random.default_rng(2)
    ys, xs = rng.integers(0, page.shape[0], 300), rng.integers(0, page.shape[1], 300)
    noisy[ys, xs] = 0  # single-pixel dust
    out = clean.denoise(noisy)
    assert (out == 0).sum() == pytest.approx((binary == 0).sum(), rel=0.01)


# ------------------------------------------------------------------ dotted leaders


def test_dotted_leader_removed_diacritics_kept() -> None:
    leader = render_lines(["Họ, chữ đệm, tên: ............................ NGUYỄN VĂN AN"])
    binary = clean.binarize(leader)
    removed = clean.find_dotted_leaders(binary)
    n, _ = cv2.connectedComponents(removed.astype(np.uint8))
    assert n - 1 >= 20  # the dots of the leader (label 0 is the background)
    # Nothing removed right of the leader, where the name with its diacritics is.
    cols = np.nonzero(removed.any(axis=0))[0]
    name_left = int(cols.max()) + 10
    assert not removed[:, name_left:].any()
    # A line with only diacritic dots (dot below, dot on i) loses nothing.
    marks = clean.binarize(render_lines(["Thị Hạnh Nguyệt ịạệọụỵ Kiểm Lý Bình Tịnh"]))
    assert not clean.find_dotted_leaders(marks).any()


def test_short_leader_stub_after_a_value_removed() -> None:
    """A value that nearly fills its line leaves a stub of three or four dots, which
    Tesseract glued to the value (`Tân.,.`); the dots go, the letters' dots stay."""
    line = clean.binarize(render_lines(["ngày 11 .... tháng 09 năm 1993  Tân ...",
                                        "Thị Hạnh Nguyệt Kiểm Lý Bình Tịnh Việt"]))
    removed = clean.find_dotted_leaders(line)
    n, _ = cv2.connectedComponents(removed.astype(np.uint8))
    assert n - 1 == 7  # the four dots after `11` and the three after `Tân`
    second_row = slice(line.shape[0] // 2, line.shape[0])
    assert not removed[second_row].any()
    assert "." not in read_page(clean.remove_dotted_leaders(line)).text


def test_dotted_leader_page_reads_name_after_cleaning() -> None:
    page = render_lines(
        [
            "Họ, chữ đệm, tên: ........................ NGUYỄN VĂN AN",
            "Ngày, tháng, năm sinh: ................. 12/11/2021",
            "Quốc tịch: .............................. Việt Nam",
        ]
    )
    cleaned = clean.clean_page(cv2.cvtColor(page, cv2.COLOR_GRAY2BGR), dpi=300)
    assert cleaned.rotation == 0 and abs(cleaned.skew_degrees) < 0.2
    text = read_page(cleaned.image).text
    assert "NGUYỄN VĂN AN" in text
    assert "Việt Nam" in text
    assert "...." not in text


# ------------------------------------------------------------------ whole page


def test_clean_page_birth_certificate_reads_labels_and_values(birth_bgr: np.ndarray) -> None:
    cleaned = clean.clean_page(birth_bgr, dpi=150)
    assert cleaned.rotation == 0 and abs(cleaned.skew_degrees) < 0.2
    assert cleaned.image.shape == (3510, 2482)
    assert set(np.unique(cleaned.image)) <= {0, 255}
    assert list(cleaned.timings)[0] == "to_grayscale"
    text = read_page(cleaned.image).text
    for label in ("Giới tính", "Dân tộc", "Quốc tịch", "Số định danh cá nhân", "Nơi cư trú"):
        assert label in text, label
    assert "THỊ TRÀ GIANG" in text
    assert "0236545689" in text
    assert "KHAI SINH" in text


def test_clean_page_marriage_certificate(birth_bgr: np.ndarray) -> None:
    scan = cv2.imread(str(MARRIAGE))
    # The raw reading (the slower one: Tesseract wades through the pattern) runs
    # in a second Tesseract process while this one cleans and reads the page.
    with ThreadPoolExecutor(1) as pool:
        raw = pool.submit(read_page, scan)
        text = read_page(clean.clean_page(scan, dpi=200).image).text
        raw_text = raw.result().text
    for want in (
        "GIẤY CHỨNG NHẬN KẾT HÔN",
        "Quốc tịch",
        "ĐINH NGỌC ANH",
        "HOÀNG",
        "THÁI",
        "Hưng Hà",
        "1856321456",
        "06/09/2002",
    ):
        assert want in text, want
        assert want not in raw_text or want == "Quốc tịch", want  # raw OCR misses them


def test_specks_and_leaders_in_one_pass_match_the_two_stages() -> None:
    page = render_lines(["Họ, chữ đệm, tên: ........................ NGUYỄN VĂN AN"])
    binary = clean.binarize(page)
    rng = np.random.default_rng(3)
    ys, xs = rng.integers(0, page.shape[0], 200), rng.integers(0, page.shape[1], 200)
    binary[ys, xs] = 0  # single-pixel dust, some of it between the leader's dots
    two = clean.remove_dotted_leaders(clean.denoise(binary))
    one = clean.remove_specks_and_leaders(binary)
    assert np.array_equal(one, two)
    # Reference: every component under 4 px whitened, pixel by pixel.
    _, labels, stats, _ = cv2.connectedComponentsWithStats(255 - binary, connectivity=8)
    speck = stats[:, cv2.CC_STAT_AREA] < 4
    speck[0] = False
    ref = binary.copy()
    ref[speck[labels]] = 255
    assert np.array_equal(clean.denoise(binary), ref)


def test_long_rules_removed_text_and_bars_kept() -> None:
    page = render_lines(["Nơi cư trú: Xã Thụy Khuê"], width=1600)
    binary = clean.binarize(page)
    ruled = binary.copy()
    ruled[195:198, 101:1499] = 0  # a 3 px form line under the text, 12 cm long
    ruled[20:80, 200:1400] = 0  # a 5 mm thick bar: not a rule
    ruled[240:243, 300:500] = 0  # a 1.7 cm underline: shorter than a rule
    out = clean.remove_long_rules(ruled)
    assert (out[190:203, :] == 255).all()  # the whole rule, ends included
    assert (out[20:80, 200:1400] == 0).all()
    assert (out[240:243, 300:500] == 0).all()
    assert np.array_equal(out[90:190], binary[90:190])  # the text is untouched
    # the same down the page: a table's column rule goes, a thick bar stays
    tall = np.full((1400, 600), 255, np.uint8)
    tall[100:1300, 100:103] = 0  # 3 px, 10 cm
    tall[100:1300, 300:360] = 0  # 5 mm thick
    out = clean.remove_long_rules(tall)
    assert (out[:, 95:110] == 255).all()
    assert (out[100:1300, 300:360] == 0).all()


def test_ruled_table_cells_read_as_printed() -> None:
    """A bordered table's column rules, cut into row-high bars once the row rules are
    gone, were read as `|` glued to each cell and made Tesseract read the column's
    values in the wrong size and case (`|z2⁄o4⁄2o0oo`, `o7420oa6a287`, `nam`). Fixture:
    the binarized rows of a generated resident information form (DC01), before the
    rules were removed."""
    cells = cv2.imread(str(DATA / "ruled-table-cells.png"), cv2.IMREAD_GRAYSCALE)
    page = np.full((cells.shape[0] + 200, cells.shape[1] + 200), 255, np.uint8)
    page[100:-100, 100:-100] = cells
    lines = read_page(clean.remove_long_rules(page)).text.splitlines()
    for value in ("Võ Quốc Trí", "22/04/2000", "Nam", "074200866287", "Kinh", "Việt Nam"):
        assert value in lines
    assert not any("|" in line for line in lines)


# ------------------------------------------------------------------ bilevel (fax)


def _fax_of(page: np.ndarray, speckle: float, seed: int = 4) -> np.ndarray:
    """A 200 DPI two-tone copy of a 300 DPI page with salt-and-pepper speckle."""
    h, w = page.shape
    small = cv2.resize(page, (w * 2 // 3, h * 2 // 3), interpolation=cv2.INTER_AREA)
    binary = np.where(small > 150, 255, 0).astype(np.uint8)
    flip = np.random.default_rng(seed).random(binary.shape) < speckle
    binary[flip] = 255 - binary[flip]
    return binary


def test_is_bilevel() -> None:
    page = render_lines(["Nguyễn Thị Hạnh"], width=900)
    assert not clean.is_bilevel(page)  # anti-aliased gray edges
    assert clean.is_bilevel(_fax_of(page, 0.002))
    assert clean.is_bilevel(cv2.cvtColor(_fax_of(page, 0.0), cv2.COLOR_GRAY2BGR))
    assert not clean.is_bilevel(np.full((300, 300), 128, np.uint8))


def test_remove_speckle_flips_isolated_pixels_only() -> None:
    b = np.full((40, 40), 255, np.uint8)
    b[5, 5] = 0  # isolated black pixel: speckle
    b[20:23, 20:23] = 0
    b[21, 21] = 255  # pin hole in a stroke
    b[30:32, 30:32] = 0  # a 2x2 dot (a diacritic at fax resolution) stays
    out = clean.remove_speckle(b)
    assert out[5, 5] == 255
    assert out[21, 21] == 0
    assert (out[30:32, 30:32] == 0).all()
    assert int((out == 0).sum()) == 9 + 4


def test_upscale_bilevel_stays_two_tone() -> None:
    fax = _fax_of(render_lines(["Nguyễn Thị Hạnh"], width=900), 0.0)
    up, dpi = clean.upscale_bilevel(fax, 200)
    assert dpi == pytest.approx(300)
    assert up.shape[0] == pytest.approx(fax.shape[0] * 1.5, abs=1)
    assert set(np.unique(up)) <= {0, 255}
    # Ink area scales with the resolution (no thinning, no bloating).
    ratio = (up == 0).sum() / (fax == 0).sum()
    assert 1.9 < ratio < 2.6


def test_fax_page_skips_flattening_and_reads_as_well_as_raw() -> None:
    page = render_lines(
        [
            "Họ, chữ đệm, tên: NGUYỄN VĂN AN",
            "Ngày, tháng, năm sinh: 12/11/2021",
            "Nơi cư trú: Xã Thụy Khuê, quận Tây Hồ",
        ],
        width=1800,
    )
    fax = _fax_of(page, 0.004)
    cleaned = clean.clean_page(fax, dpi=200)
    assert "flatten_illumination" not in cleaned.timings
    assert "soften_bilevel" in cleaned.timings
    assert cleaned.dpi == pytest.approx(300)

    # Speckle gone: far fewer tiny components than on the fax.
    def specks(b: np.ndarray) -> int:
        _, _, stats, _ = cv2.connectedComponentsWithStats((b < 128).astype(np.uint8))
        return int((stats[1:, cv2.CC_STAT_AREA] <= 4).sum())

    assert specks(cleaned.image) < 0.1 * specks(fax)
    text = read_page(cleaned.image).text
    for want in ("NGUYỄN VĂN AN", "12/11/2021", "Thụy Khuê"):
        assert want in text, want


def test_soften_bilevel_gives_edges_grey_and_keeps_strokes_ink() -> None:
    """A fax's strokes get grey edges (what Tesseract's recognizer was trained on); a
    stroke 2 px wide or more stays ink (< 128) for the stages that look for ink after."""
    page = np.full((60, 60), 255, np.uint8)
    page[10:50, 20:23] = 0  # a 3 px stroke
    page[10:50, 40:42] = 0  # a 2 px stroke
    soft = clean.soften_bilevel(page)
    assert soft[30, 21] < 128 and soft[30, 40] < 128 and soft[30, 41] < 128
    assert 0 < soft[30, 19] < 255 and 0 < soft[30, 23] < 255  # grey rims
    assert soft[30, 5] == 255 and soft[55, 30] == 255  # paper stays white
    # the sigma follows the resolution: at 600 DPI the rims are twice as wide
    assert clean.soften_bilevel(page, 600)[30, 17] < clean.soften_bilevel(page)[30, 17]


def test_find_page_quad_sheet_running_off_the_frame(birth_bgr: np.ndarray) -> None:
    # The top-right corner and the bottom-left corner lie outside the photo.
    corners = np.array([[240, 160], [1590, -40], [1700, 2150], [-30, 2080]], np.float32)
    _assert_quad_found(_photo_of(birth_bgr, corners, (1800, 2300)), corners)


def test_find_page_quad_refuses_corners_guessed_far_outside_the_frame(
        birth_bgr: np.ndarray) -> None:
    """A corner found 20 % outside the frame is a guess (a skewed scan's sheet running off
    the glass, a stain taken for its edge): the warp sheared the page. Within 5 %, as on
    the generated phone photos, the corners are still found."""
    far = np.array([[240, 160], [2100, 300], [1700, 2150], [-30, 2080]], np.float32)
    assert clean.find_page_quad(clean.to_grayscale(_photo_of(birth_bgr, far, (1800, 2300)))) \
        is None
    near = np.array([[240, 160], [1850, 120], [1700, 2150], [-60, 2080]], np.float32)
    _assert_quad_found(_photo_of(birth_bgr, near, (1800, 2300)), near)


def test_find_page_quad_under_a_shadow_darker_than_the_lit_desk() -> None:
    """A generated heavy phone photo (bench-ocr p063, 0.4x, JPEG): a shadow over the top
    right makes the sheet there (130-140) darker than the lit desk elsewhere (up to 133),
    so the brightness mask cut the sheet's top edge short: a corner 3.6 % of the long
    side off. The edge is then moved to the line where the sheet really ends."""
    photo = cv2.imread(str(DATA / "photo-shadow-over-corner.jpg"))
    corners = np.array([[30.6, -2.4], [726.1, 30.3], [861.0, 1106.2], [170.3, 1262.6]],
                       np.float32)
    _assert_quad_found(photo, corners)


def test_find_page_quad_takes_the_sheet_edge_not_a_printed_frame(
        birth_bgr: np.ndarray) -> None:
    """A thick dark frame printed just inside the sheet, on a light desk: the frame's
    inner side is a far stronger step than the sheet's edge, but paper lies beyond it."""
    framed = birth_bgr.copy()
    h, w = framed.shape[:2]
    m = int(0.02 * h)
    cv2.rectangle(framed, (m, m), (w - m, h - m), (20, 20, 20), int(0.008 * h))
    corners = np.array([[260, 180], [1480, 260], [1620, 2150], [170, 2040]], np.float32)
    _assert_quad_found(_photo_of(framed, corners, (1800, 2300), desk_levels=(160, 190)), corners)


def test_find_page_quad_refuses_an_edge_with_paper_on_both_sides() -> None:
    """A generated flatbed scan of security paper, medium degradation (fresh seed 4242, 0.5x,
    JPEG): the brightness mask's largest blob ended along a diagonal through the text, and
    the page was "straightened" to that wedge, its top third lost (every field unread). No
    desk lies beyond that edge: the paper just outside is as bright as just inside."""
    scan = cv2.imread(str(DATA / "flatbed-uneven-security.jpg"))
    assert clean.find_page_quad(clean.to_grayscale(scan)) is None


def test_find_page_quad_survives_a_blob_whose_corners_lean_far() -> None:
    """A generated flatbed scan of a marriage certificate (heldout seed 21, 800 px, JPEG):
    its shading made a four-sided blob leaning so far that two corners were both taken
    for the top left, and the cleaning died on a zero-length edge (the file stayed in
    the inbox, failing on every run). No sheet lies on a desk here: nothing to warp."""
    scan = cv2.imread(str(DATA / "flatbed-shading-leaning-blob.jpg"), cv2.IMREAD_GRAYSCALE)
    assert clean.find_page_quad(scan) is None


def test_find_page_quad_refuses_a_torn_sheet() -> None:
    photo = np.full((2300, 1800), 50, np.uint8)  # dark desk
    torn = np.array([[200, 150], [1600, 150], [1600, 1200], [900, 1200], [900, 2150], [200, 2150]])
    cv2.fillPoly(photo, [torn.astype(np.int32)], 235)  # an L, not a quadrilateral
    assert clean.find_page_quad(photo) is None


def test_estimate_skew_ignores_fax_streaks(birth_gray300: np.ndarray) -> None:
    # Line streaks of a fax are horizontal in the image whatever the page's skew;
    # one full-width black row outweighs every text line in a projection profile.
    skewed = rotate_content(birth_gray300, -2.4)
    h = skewed.shape[0]
    for y in (h // 5, h // 2, 4 * h // 5):
        skewed[y : y + 3, :] = 0
    assert abs(clean.estimate_skew(skewed) + 2.4) < 0.2


def test_dot_inside_a_zero_is_removed_and_words_in_a_cell_are_kept() -> None:
    """A dotted zero (monospace fonts) is read as 9, 6 or 8: the dot goes. Words inside a
    table cell are inside a hole too, but a cell is no character's counter."""
    im = Image.new("L", (900, 300), 255)
    d = ImageDraw.Draw(im)
    mono = ImageFont.truetype("/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf",
                              50)
    d.text((20, 20), "074207458194", font=mono, fill=0)
    d.rectangle((20, 120, 700, 260), outline=0, width=3)
    d.text((40, 160), "Nơi sinh: Phú Lợi", font=mono, fill=0)
    page = np.where(np.asarray(im) < 128, 0, 255).astype(np.uint8)

    out = clean.remove_marks_in_counters(page)
    top, cell = slice(0, 110), slice(110, 300)
    removed = int((out[top] == 255).sum() - (page[top] == 255).sum())
    assert 0 < removed < 0.1 * int((page[top] == 0).sum())  # the dots, not the digits
    assert np.array_equal(out[cell], page[cell])
    assert read_page(out[top], psm=7).text.strip() == "074207458194"


def _ragged_table(rows: list[tuple[str, str]]) -> tuple[np.ndarray, list[int]]:
    """Bordered two-column rows whose rules have a ragged edge, as a thresholded scan of a
    printed table has: a 3 px rule plus 1 px slivers along it. Returns the page and the
    rules' top rows."""
    size, pitch, pad = 40, 90, 120
    font = ImageFont.truetype(FONT, size)
    im = Image.new("L", (2000, pad * 2 + pitch * len(rows)), 255)
    d = ImageDraw.Draw(im)
    for i, (label, value) in enumerate(rows):
        d.text((pad + 20, pad + i * pitch + 20), label, font=font, fill=0)
        d.text((1000, pad + i * pitch + 20), value, font=font, fill=0)
    page = np.asarray(im).copy()
    rng = np.random.default_rng(7)
    tops = [pad + i * pitch for i in range(len(rows) + 1)]
    for y in tops:
        page[y : y + 3, pad : 2000 - pad] = 0
        for x in rng.integers(pad, 2000 - pad - 60, 25):  # slivers above and below
            edge = y - 1 if rng.random() < 0.5 else y + 3
            page[edge, x : x + rng.integers(10, 60)] = 0
    return page, tops


def test_long_rules_go_with_their_ragged_edges() -> None:
    page, tops = _ragged_table([("3. Giới tính", "Nữ"), ("5. Dân tộc", "Kinh")])
    out = clean.remove_long_rules(page)
    for y in tops:
        assert (out[y - 2 : y + 5, :] == 255).all()  # the rule and its slivers
    text_rows = slice(tops[0] + 8, tops[1] - 4)
    assert np.array_equal(out[text_rows], page[text_rows])  # the text is untouched


def test_ragged_table_rows_read_word_by_word() -> None:
    """Slivers left beside a table's rules made Tesseract read a row squeezed, without its
    spaces (`Tìnhtrạnghônnhn`); with them gone the words come out as printed."""
    rows = [("8. Tình trạng hôn nhân", "Chưa kết hôn"), ("6. Tôn giáo", "Không"),
            ("7. Quốc tịch", "Việt Nam"), ("3. Giới tính", "Nữ")]
    page, _ = _ragged_table(rows)
    text = read_page(clean.remove_long_rules(page)).text
    for label, value in rows:
        assert label.split(" ", 1)[1] in text
        assert value in text


def test_a_rule_too_thin_to_survive_the_row_check_leaves_the_page_as_it_was() -> None:
    """A 2-row edge of a page's frame (a strip cut from a generated fax, where it raised
    an IndexError and failed the page): found by the opening, gone after the row check."""
    strip = cv2.imread(str(DATA / "thin-rule-strip.png"), cv2.IMREAD_GRAYSCALE)
    page = np.full((120, 1600), 255, np.uint8)
    page[50:56, 100:1300] = strip
    out = clean.remove_long_rules(page)
    assert out.shape == page.shape
    assert (out[50:56] == 255).sum() >= (page[50:56] == 255).sum()
