import pytest

from wangge.residents.masking import mask_name, mask_phone, normalise_phone, valid_phone


@pytest.mark.parametrize("raw, expected", [
    ("+86 138-1234-1234", "13812341234"),
    ("138 1234 1234", "13812341234"),
    ("(010) 6234-5678", "01062345678"),
    ("（010）62345678", "01062345678"),
    ("", ""),
    (None, ""),
])
def test_normalise_phone(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw, ok", [
    ("13812341234", True), ("+8613812341234", True), ("010-62345678", True), ("62345678", True),
    ("12812341234", False), ("1381234123", False), ("不详", False), ("", False), ("12345", False),
])
def test_valid_phone(raw, ok):
    assert valid_phone(raw) is ok


def test_masks():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("62345678") == "623*5678"
    assert mask_phone("1234567") == "1*****7"
    assert mask_phone("") == ""
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("张") == "张*"
    assert mask_name("") == ""
