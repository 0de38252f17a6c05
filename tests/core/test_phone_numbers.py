"""Phone numbers grouped and masked by their country's rules (phonenumbers), and the
documented rule for extensions and short numbers."""

from __future__ import annotations

import pytest

from wallboard.core.format import format_number, mask_number


@pytest.mark.parametrize(("number", "masked"), [
    # Poland: mobile, Warsaw landline, with and without spaces, with 00
    ("+48 501 234 123", "+48 *** *** 123"),
    ("+48501234123", "+48 *** *** 123"),
    ("0048501234123", "+48 *** *** 123"),
    ("+48221001234", "+48 ** *** *2 34"),
    # Ukraine: the country code has three digits, not two
    ("+380501234567", "+380 ** *** *567"),
    ("+380 44 123 4567", "+380 ** *** *567"),
    # Germany: Berlin landline, mobile
    ("+49 30 123456", "+49 ** ***456"),
    ("+4915123456789", "+49 **** ****789"),
    # United States: the country code is one digit
    ("+12125550100", "+1 ***-***-*100"),
    ("+1 (650) 253-0000", "+1 ***-***-*000"),
    # United Kingdom: London landline, mobile
    ("+442079460958", "+44 ** **** *958"),
    ("+44 7911 123456", "+44 **** ***456"),
    # a short national significant number keeps 2 digits
    ("+3725123456", "+372 *** **56"),
    # a range the metadata does not know keeps the separators it came with
    ("+49 1512 345 678", "+49 **** *** 678"),
    # an extension after the number is hidden whole
    ("+48 22 123 45 67 ext. 123", "+48 ** *** *5 67 ext. ***"),
])
def test_international_numbers_keep_the_country_code_and_the_last_digits(number, masked):
    assert mask_number(number) == masked


@pytest.mark.parametrize(("number", "masked"), [
    ("12345", "***45"),           # a 5-digit extension: last 2 kept
    ("1001", "**01"),             # a 4-digit extension
    ("123456", "****56"),         # 6 digits: still an extension or a short number
    ("112", "112"),               # 3 digits or fewer: a service code, nothing to hide
    ("0501 234 123", "**** *** 123"),  # national, no country code: last 3 kept
    ("501234123", "******123"),
    ("+999123", "+****23"),       # not a real country code: the digit rule applies
    ("anonymous", "anonymous"),   # no digits
    ("", ""),
])
def test_extensions_short_and_national_numbers_follow_the_digit_rule(number, masked):
    assert mask_number(number) == masked


@pytest.mark.parametrize(("number", "grouped"), [
    ("+48501234123", "+48 501 234 123"),
    ("+380501234567", "+380 50 123 4567"),
    ("+4930123456", "+49 30 123456"),
    ("+12125550100", "+1 212-555-0100"),
    ("+442079460958", "+44 20 7946 0958"),
    ("0048221001234", "+48 22 100 12 34"),
    ("12345", "12345"),
    (" 0501 234 123 ", "0501 234 123"),
])
def test_numbers_are_grouped_for_display(number, grouped):
    assert format_number(number) == grouped
