"""Real-style provincial and commune administrative text, read aloud: document symbols,
Roman numerals, the programme's abbreviations, the end mark, dates, ranges and decimals
leave nothing that espeak-ng would read as letters, digits or symbols."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from radio.domain.normalize import Lexicon, normalize
from tests.spoken import leftovers

REPO = Path(__file__).resolve().parent.parent
LEXICON = Lexicon.from_mapping(tomllib.loads((REPO / "radio" / "data" / "abbreviations.toml").read_text("utf-8")), "test")
SENTENCES = [
    line for line in (REPO / "tests" / "data" / "admin_sentences.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]  # fmt: skip


def test_the_set_is_forty_sentences_or_more():
    assert len(SENTENCES) >= 40


@pytest.mark.parametrize("sentence", SENTENCES, ids=[s[:40] for s in SENTENCES])
def test_nothing_is_left_to_be_read_as_letters_digits_or_symbols(sentence):
    spoken = normalize(sentence, LEXICON)
    assert leftovers(spoken) == [], spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Chỉ thị số 05-CT/TW", "Chỉ thị số năm, chỉ thị trung ương"),
        ("Kế hoạch 98/KH-UBND", "Kế hoạch chín mươi tám, kế hoạch ủy ban nhân dân"),
        ("Nghị quyết 12-NQ/TU", "Nghị quyết mười hai, nghị quyết tỉnh ủy"),
        ("Quyết định số 1719/QĐ-TTg", "Quyết định số một nghìn bảy trăm mười chín, quyết định thủ tướng"),
        ("Công văn 234/UBND-VX", "Công văn hai trăm ba mươi bốn, ủy ban nhân dân văn xã"),
        ("Hướng dẫn 08-HD/TTĐU", "Hướng dẫn tám, hướng dẫn thường trực đảng ủy"),
        ("Thông tư 39/2020/TT-BTTTT",
         "Thông tư ba mươi chín năm hai nghìn không trăm hai mươi, thông tư bộ thông tin và truyền thông"),
        ("Kế hoạch 15/KH-STTTT", "Kế hoạch mười lăm, kế hoạch sở thông tin và truyền thông"),
        ("Văn bản 3/QĐ-XYZ", "Văn bản ba, quyết định ích i dét"),  # unknown body: spelled, never English
        ("HĐND xã khóa XIII", "hội đồng nhân dân xã khóa mười ba"),
        ("khu vực III", "khu vực ba"),
        ("Chương II", "Chương hai"),
        ("quý IV", "quý bốn"),
        ("quý III/2026", "quý ba năm hai nghìn không trăm hai mươi sáu"),
        ("quý 3/2026", "quý ba năm hai nghìn không trăm hai mươi sáu"),
        ("Đại hội XXV", "Đại hội hai mươi lăm"),
        ("tia X", "tia X"),
        ("XỬ LÝ VI PHẠM HÀNH CHÍNH", "XỬ LÝ VI PHẠM HÀNH CHÍNH"),  # a heading: VI is a word
        ("GIÁ XI MĂNG", "GIÁ XI MĂNG"),
        ("ĐẠI HỘI LẦN THỨ XXV", "ĐẠI HỘI LẦN THỨ hai mươi lăm"),
        ("Vitamin A", "Vitamin A"),
        ("mục iv", "mục iv"),
        ("Chương trình MTQG giảm nghèo", "Chương trình mục tiêu quốc gia giảm nghèo"),
        ("nguồn NSNN", "nguồn ngân sách nhà nước"),
        ("tiếp sóng VOV1", "tiếp sóng vê ô vê một"),
        ("Đề nghị các thôn thực hiện./.", "Đề nghị các thôn thực hiện."),
        ("Đề nghị các thôn thực hiện ./.", "Đề nghị các thôn thực hiện."),
        ("giai đoạn 2021-2025", "giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm"),
        ("ngày 15/10/2026", "ngày mười lăm tháng mười năm hai nghìn không trăm hai mươi sáu"),
        ("đạt 12,5%", "đạt mười hai phẩy năm phần trăm"),
        ("từ 8-10 độ C", "từ tám đến mười độ xê"),
        ("Luật số 63/2020/QH14", "Luật số sáu mươi ba năm hai nghìn không trăm hai mươi, quốc hội mười bốn"),
        ("Quy định 08-QĐi/TW", "Quy định tám, quy định trung ương"),
        ("V/v tăng cường phòng chống SXH", "về việc tăng cường phòng chống sốt xuất huyết"),
        ("Đề nghị ông/bà có mặt", "Đề nghị ông hoặc bà có mặt"),
        ("các xã/phường/thị trấn", "các xã hoặc phường hoặc thị trấn"),
        ("60 km/h, 1.000 đồng/người", "sáu mươi ki lô mét một giờ, một nghìn đồng một người"),
        ("dọc QL1A, thôn 5B", "dọc quốc lộ một a, thôn năm bê"),
        ("* Lưu ý: mang theo CCCD (*)", "Lưu ý: mang theo căn cước công dân"),
        ("ngày 45/3", "ngày bốn mươi lăm trên ba"),
        ("Đ/c Nguyễn Văn An", "đồng chí Nguyễn Văn An"),
        ("I. MỤC ĐÍCH, YÊU CẦU", "một. MỤC ĐÍCH, YÊU CẦU"),
        ("1.1. Mục đích", "một chấm một. Mục đích"),
        ("1.5 triệu đồng là mức hỗ trợ", "một phẩy năm triệu đồng là mức hỗ trợ"),
        ("tại mục 2.1 và tiểu mục 2.1.3", "tại mục hai chấm một và tiểu mục hai chấm một chấm ba"),
        ("họp lúc 7.30 ngày 5/1", "họp lúc bảy giờ ba mươi phút ngày năm tháng một"),
        ("Đợt 1/2026", "Đợt một năm hai nghìn không trăm hai mươi sáu"),
        ("Website: dongtam.gov.vn", "oép sai: dong tam chấm gờ o vê chấm vê nờ"),
        ("Trường MN, TH xã; vốn NSTW", "Trường mầm non, tiểu học xã; vốn ngân sách trung ương"),
        ("mã QRX", "mã quy rờ ích"),  # unknown capitals: Vietnamese letter names
        ("Lưu: VT, VX.", "Lưu: văn thư, văn xã."),
        ("TM. ỦY BAN NHÂN DÂN", "thay mặt ỦY BAN NHÂN DÂN"),
        ("đạt ≥95%, sốt > 38,5°C, trẻ <6 tuổi",
         "đạt tối thiểu chín mươi lăm phần trăm, sốt trên ba mươi tám phẩy năm độ xê, trẻ dưới sáu tuổi"),
    ],
)  # fmt: skip
def test_administrative_forms(written, spoken):
    assert normalize(written, LEXICON) == spoken


TYPES = ["CT", "KH", "NQ", "QĐ", "TB", "BC", "HD", "KL", "CV"]
BODIES = ["UBND", "HĐND", "TW", "TU", "ĐU", "TTg", "BTTTT", "STTTT", "UBND-VX", "TTĐU", "CP"]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "IX", "X", "XII", "XIII", "XV", "XX", "XXV"]
ADMIN_FORMS = st.one_of(
    st.tuples(st.integers(1, 9999), st.sampled_from(TYPES), st.sampled_from(BODIES))
    .map(lambda t: f"Văn bản số {t[0]:02d}/{t[1]}-{t[2]}"),
    st.tuples(st.integers(1, 999), st.sampled_from(TYPES), st.sampled_from(BODIES))
    .map(lambda t: f"Văn bản số {t[0]:02d}-{t[1]}/{t[2]}"),
    st.tuples(st.integers(1, 999), st.integers(1990, 2030), st.sampled_from(TYPES), st.sampled_from(BODIES))
    .map(lambda t: f"Số {t[0]}/{t[1]}/{t[2]}-{t[3]}"),
    st.tuples(st.integers(1, 28), st.integers(1, 12), st.integers(1900, 2100), st.booleans())
    .map(lambda t: ("ngày %02d/%02d/%d" if t[3] else "ngày %d/%d/%d") % t[:3]),
    st.tuples(st.integers(1990, 2030), st.integers(1, 10), st.sampled_from(["-", " - ", "–"]))
    .map(lambda t: f"giai đoạn {t[0]}{t[2]}{t[0] + t[1]}"),
    st.tuples(st.integers(0, 100), st.integers(0, 99)).map(lambda t: f"đạt {t[0]},{t[1]}%"),
    st.tuples(st.integers(0, 10**6), st.integers(1, 999)).map(lambda t: f"{t[0]:,}".replace(",", ".") + f",{t[1]} ha"),
    st.tuples(st.sampled_from(["quý", "khóa", "Chương", "khu vực", "Phần", "lần thứ"]), st.sampled_from(ROMAN))
    .map(lambda t: f"{t[0]} {t[1]}"),
    st.tuples(st.sampled_from(ROMAN[:4]), st.integers(1990, 2030)).map(lambda t: f"quý {t[0]}/{t[1]}"),
    st.tuples(st.integers(1, 4), st.integers(1990, 2030)).map(lambda t: f"quý {t[0]}/{t[1]}"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ADMIN_FORMS, min_size=1, max_size=4).map(", ".join))
def test_no_digit_or_code_survives_administrative_forms(text):
    spoken = normalize(text + "./.", LEXICON)
    assert not any(c.isdigit() for c in spoken), (text, spoken)
    assert leftovers(spoken) == [], (text, spoken)
