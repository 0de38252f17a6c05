"""Names of the demo's managers: Polish and Ukrainian, grammatical, and never twice the same.

A Polish surname in -ski, -cki or -dzki is an adjective and agrees with the person's gender
(Kowalski, Kowalska; Wysocki, Wysocka; Zawadzki, Zawadzka); any other Polish surname (Nowak,
Mazur, Wójcik) is the same for men and women. The Ukrainian ones follow the same rule in
their own spelling (Kovalskyi, Kovalska; Vysotskyi, Vysotska), and surnames in -enko, -uk,
-chuk or like Melnyk, Moroz are invariant. Ukrainian names are written as in their passports
(the official Latin transliteration), as a Polish company's records would have them. A
manager is Polish or Ukrainian through and through: first name and surname together.

:class:`NameBook` hands out full names, each once: when a drawn name is taken it draws again,
and only a crowded book (thousands of managers) gives a second initial, as the records of a
large company do (``Anna M. Nowak``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import Enum


class Gender(Enum):
    FEMALE = "female"
    MALE = "male"


@dataclass(frozen=True)
class Nation:
    name: str
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    """Masculine forms; the feminine is made by :func:`surname`."""
    share: float
    """The share of the demo's managers of this nation."""


POLISH = Nation(
    "Polish",
    female=tuple(
        "Anna Katarzyna Magdalena Agnieszka Joanna Monika Aleksandra Natalia Ewa Zofia Maria "
        "Julia Karolina Weronika Małgorzata Barbara Dorota Beata Justyna Paulina Marta Emilia "
        "Alicja Patrycja Kinga Sylwia Izabela Dominika Klaudia Elżbieta Renata Iwona Agata Hanna "
        "Gabriela Wiktoria Oliwia Marianna Urszula Edyta Ilona Zuzanna Martyna Jolanta Grażyna "
        "Danuta Lena Maja Kamila Teresa".split()),
    male=tuple(
        "Piotr Tomasz Michał Paweł Krzysztof Marcin Łukasz Jakub Kamil Bartosz Adam Dawid "
        "Grzegorz Szymon Mateusz Andrzej Jan Stanisław Marek Rafał Robert Mariusz Wojciech "
        "Sebastian Przemysław Damian Daniel Maciej Artur Jacek Dariusz Sławomir Arkadiusz Kacper "
        "Filip Wiktor Hubert Patryk Adrian Oskar Jerzy Zbigniew Ryszard Tadeusz Leszek Janusz "
        "Karol Igor Krystian Norbert".split()),
    surnames=tuple(
        # adjectival, agree in gender: -ski, -cki, -dzki
        "Kowalski Wiśniewski Lewandowski Zieliński Szymański Dąbrowski Kozłowski Jankowski "
        "Kwiatkowski Kamiński Piotrowski Grabowski Michalski Jabłoński Majewski Olszewski "
        "Malinowski Górski Jasiński Tomaszewski Ostrowski Zalewski Wróblewski Jakubowski "
        "Sadowski Czerwiński Kalinowski Borkowski Chmielewski Gajewski Krajewski Nowakowski "
        "Witkowski Brzeziński Wasilewski Szczepański Pawłowski Baranowski Rutkowski Sikorski "
        "Laskowski Kucharski Nowicki Wysocki Sawicki Górecki Zarzycki Czarnecki Bielecki "
        "Zawadzki Grodzki Brodzki "
        # invariant
        "Nowak Wójcik Woźniak Mazur Krawczyk Kaczmarek Zając Król Wieczorek Wróbel Stępień "
        "Dudek Adamczyk Pawlak Walczak Michalak Sikora Baran Szewczyk Pietrzak Marciniak Duda "
        "Włodarczyk Bąk Kowalczyk Kubiak Sobczak Kołodziej Wilk Kaczmarczyk Lis Mazurek Urban "
        "Cieślak Szulc Sienkiewicz Mazurkiewicz Adamowicz Jaworek Kaczor".split()),
    share=0.8,
)
UKRAINIAN = Nation(
    "Ukrainian",
    female=tuple(
        "Olena Iryna Oksana Nataliia Tetiana Yuliia Svitlana Kateryna Mariia Anastasiia "
        "Viktoriia Halyna Liudmyla Olha Khrystyna Daryna Sofiia Alina Yana Valentyna Larysa "
        "Nadiia Inna Zoriana Oleksandra".split()),
    male=tuple(
        "Oleksandr Andrii Serhii Dmytro Oleh Volodymyr Mykola Ivan Vasyl Yurii Taras Bohdan "
        "Maksym Ihor Roman Vitalii Petro Stepan Mykhailo Yaroslav Artem Denys Pavlo Viktor "
        "Oleksii".split()),
    surnames=tuple(
        # adjectival, agree in gender: -skyi / -ska, -tskyi / -tska
        "Kovalskyi Vysotskyi Savytskyi Lytvynskyi Zhytomyrskyi Bilotserkivskyi Zaporozhskyi "
        "Sokolskyi "
        # invariant
        "Shevchenko Bondarenko Kovalenko Tkachenko Kravchenko Boiko Melnyk Koval Oliinyk Moroz "
        "Lysenko Marchenko Rudenko Savchenko Petrenko Ponomarenko Kovalchuk Tkachuk Polishchuk "
        "Bondar Hnatiuk Levchenko Pavlenko Kuzmenko Ivanenko Romaniuk Kushnir Karpenko "
        "Danylchuk Yurchenko Klymenko Havryliuk Fedorenko Martyniuk Vasylenko".split()),
    share=0.2,
)
NATIONS = (POLISH, UKRAINIAN)


def surname(masculine: str, gender: Gender) -> str:
    """The surname as this person bears it: Kowalski → Kowalska, Kovalskyi → Kovalska.

    Polish -ski / -cki / -dzki become -ska / -cka / -dzka for a woman; Ukrainian -skyi /
    -tskyi become -ska / -tska; every other surname is the same for both.
    """
    if gender is Gender.MALE:
        return masculine
    if masculine.endswith("kyi"):
        return masculine[:-3] + "ka"
    if masculine.endswith("ki"):
        return masculine[:-2] + "ka"
    return masculine


_FORMS = {(nation.name, gender): tuple(surname(s, gender) for s in nation.surnames)
          for nation in NATIONS for gender in Gender}
"""Every nation's surnames as men and as women bear them."""


@dataclass
class NameBook:
    """Full names handed out once each, drawn from a seeded generator."""

    female_share: float = 0.55
    """Call centers employ somewhat more women than men."""
    retries: int = 4
    """Draws of a plain name before a second initial is added to tell two people apart."""
    taken: set[str] = field(default_factory=set)

    def draw(self, rng: random.Random) -> str:
        """A new full name, e.g. ``Katarzyna Wiśniewska`` or ``Oleh Shevchenko``."""
        attempt = 0
        while True:
            nation = POLISH if rng.random() < POLISH.share else UKRAINIAN
            gender = Gender.FEMALE if rng.random() < self.female_share else Gender.MALE
            firsts = nation.female if gender is Gender.FEMALE else nation.male
            first = rng.choice(firsts)
            last = rng.choice(_FORMS[nation.name, gender])
            name = f"{first} {last}"
            attempt += 1
            if name in self.taken and attempt > self.retries:
                # a crowded book: this name is taken, so add a second given name's initial
                second = rng.choice(firsts)
                if second != first:
                    name = f"{first} {second[0]}. {last}"
            if name not in self.taken:
                self.taken.add(name)
                return name
