import pytest

from wangge.residents.masking import mask_name, mask_phone, normalise_phone, valid_phone


@pytest.mark.parametrize("raw, expected", [
    ("+86 138-1234-1234", "13812341234"),
    ("138 1234 1234", "13812341234"),
    ("(010) 6234-5678", "01062345678"),
    ("（010）62345678", "01062345678"),
    # A Chinese input method in full-width mode: digits, ＋, －, brackets and the ideographic space.
    ("１３８１２３４１２３４", "13812341234"),
    ("＋８６　１３８－１２３４－１２３４", "13812341234"),
    ("（０１０）６２３４５６７８", "01062345678"),
    ("138—1234—1234", "13812341234"),
    ("", ""),
    (None, ""),
])
def test_normalise_phone(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw, ok", [
    ("13812341234", True), ("+8613812341234", True), ("010-62345678", True), ("62345678", True),
    ("１３８１２３４１２３４", True), ("＋８６ １３８－１２３４－１２３４", True),
    ("١٣٨١٢٣٤١٢٣٤", False), ("13٨12341234", False),  # other scripts' digits are not a number we can dial
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


@pytest.mark.parametrize("typed", ["１３８１２３４１２３４", "＋８６ １３８－１２３４－１２３４", "138 1234 1234"])
def test_the_phone_field_gives_the_stored_digits(typed):
    from django import forms

    from wangge.residents.forms import PhoneField

    class Form(forms.Form):
        phone = PhoneField(required=False)

    form = Form({"phone": typed})
    assert form.is_valid() and form.cleaned_data["phone"] == "13812341234"
    refused = Form({"phone": "１２３４５"})
    assert not refused.is_valid() and refused.errors["phone"] == ["请输入有效的电话号码。"]
