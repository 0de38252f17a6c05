"""The demo's managers are named as real Polish and Ukrainian people are, each name once."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest

from wallboard.sources.demo import DemoCallCenter
from wallboard.sources.demo.names import POLISH, UKRAINIAN, Gender, NameBook, surname

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
F, M = Gender.FEMALE, Gender.MALE
MALE_NAMES_IN_A = {"Mykola"}
"""The book's only man's name ending in -a (every woman's name there ends in -a)."""


@pytest.mark.parametrize(("masculine", "gender", "expected"), [
    ("Kowalski", F, "Kowalska"), ("Kowalski", M, "Kowalski"),
    ("Wysocki", F, "Wysocka"), ("Wysocki", M, "Wysocki"),
    ("Zawadzki", F, "Zawadzka"), ("Zawadzki", M, "Zawadzki"),
    ("Wiśniewski", F, "Wiśniewska"),
    ("Nowak", F, "Nowak"), ("Mazur", F, "Mazur"), ("Sienkiewicz", F, "Sienkiewicz"),
    ("Kovalskyi", F, "Kovalska"), ("Kovalskyi", M, "Kovalskyi"),
    ("Vysotskyi", F, "Vysotska"),
    ("Shevchenko", F, "Shevchenko"), ("Shevchenko", M, "Shevchenko"),
    ("Melnyk", F, "Melnyk"), ("Kovalchuk", F, "Kovalchuk"),
])
def test_a_surname_agrees_with_the_gender_only_where_the_language_says_so(
        masculine, gender, expected):
    assert surname(masculine, gender) == expected


def split(name: str) -> tuple[str, str]:
    parts = name.split()
    assert len(parts) == 2 or (len(parts) == 3 and re.fullmatch(r"\w\.", parts[1])), name
    return parts[0], parts[-1]


def check_name(name: str) -> None:
    first, last = split(name)
    female = first.endswith("a") and first not in MALE_NAMES_IN_A
    if female:
        assert not re.search(r"(ski|cki|dzki|skyi)$", last), f"{name}: a woman's masculine surname"
    else:
        assert not re.search(r"(ska|cka|dzka)$", last), f"{name}: a man's feminine surname"
    nation = UKRAINIAN if first in UKRAINIAN.female + UKRAINIAN.male else POLISH
    assert first in nation.female + nation.male, name
    forms = {surname(s, g) for s in nation.surnames for g in Gender}
    assert last in forms, f"{name}: a {nation.name} first name with a foreign surname"


def test_the_demo_s_managers_are_named_grammatically_and_never_twice():
    center = DemoCallCenter(T0, seed=11)
    names = [a.employee.name for a in center.agents.values()]
    for name in names:
        check_name(name)
    assert len(set(names)) == len(names)
    assert not any("." in n for n in names), "initials where no name was taken"
    assert any(n.split()[0] in UKRAINIAN.female + UKRAINIAN.male for n in names)
    assert {n.split()[-1][-3:] for n in names} & {"ska", "cka"}  # women with -ska / -cka


def test_6500_managers_all_have_different_names_initials_only_to_tell_two_apart():
    center = DemoCallCenter(T0, seed=7, calls=5000)
    names = [a.employee.name for a in center.agents.values()]
    assert len(names) == 6500
    assert len(set(names)) == 6500
    for name in names:
        check_name(name)
    plain = set(names)
    initialled = [n for n in names if "." in n]
    assert 0 < len(initialled) < 0.05 * len(names)
    for name in initialled:  # "Anna M. Nowak" exists only because "Anna Nowak" does
        first, last = split(name)
        assert f"{first} {last}" in plain, name


def test_the_name_book_never_runs_out_even_at_the_largest_demo():
    book = NameBook()
    rng = random.Random(3)
    names = [book.draw(rng) for _ in range(130_000)]  # 100,000 calls need 130,000 managers
    assert len(set(names)) == 130_000


def test_a_book_of_names_is_the_same_for_the_same_seed():
    a = [NameBook().draw(random.Random(5)) for _ in range(3)]
    assert a[0] == a[1] == a[2]
    book = NameBook()
    rng = random.Random(5)
    assert book.draw(rng) == a[0]
    assert book.draw(rng) != a[0]
