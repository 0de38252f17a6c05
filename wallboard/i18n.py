"""Languages: which one, the translations (gettext catalogs that Babel extracts and compiles,
shipped in ``wallboard/locale``) and the locale's formats (Babel's CLDR data).

One language per process: the entry point chooses it (:func:`choose_language`) and the app
factory activates it (:func:`activate`); the screens say things with :func:`_`,
:func:`ngettext`, :func:`counted` and :func:`say`. Each ``wallboard web`` tab is a process
of its own, started with the same choice. ``wallboard.core`` imports nothing from here:
it marks its sentences (:func:`~wallboard.core.text.N_`, :class:`~wallboard.core.text.Sentence`)
and they are translated where they are shown. See docs/i18n.md.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from wallboard.core.text import N_, Sentence, fill

if TYPE_CHECKING:
    from babel import Locale

__all__ = ["C_", "LANGUAGES", "N_", "Sentence", "Translator", "activate", "choose_language",
           "counted", "current", "ngettext", "pgettext", "say", "_"]

LANGUAGES = {"en": "English", "pl": "Polski", "uk": "Українська"}
"""The languages the board speaks, by code (``ui.language``, ``--lang``)."""
DEFAULT = "en"
DOMAIN = "wallboard"
LOCALE_DIR = Path(__file__).with_name("locale")
"""``<language>/LC_MESSAGES/wallboard.po`` and its compiled ``.mo``, per language."""
ENVIRONMENT = ("LC_ALL", "LC_MESSAGES", "LANG")
"""Read in this order; the first one set decides (as POSIX has it)."""


def language_of(value: str | None) -> str | None:
    """Our language code in a locale name: ``pl_PL.UTF-8`` -> ``pl``, ``uk`` -> ``uk``,
    ``C`` or ``POSIX`` -> ``en``; None for a language we do not speak (``de_DE``)."""
    if not value:
        return None
    name = value.strip().split(".")[0].split("@")[0].replace("-", "_").casefold()
    if name in ("c", "posix"):
        return DEFAULT
    code = name.split("_")[0]
    return code if code in LANGUAGES else None


def choose_language(configured: str | None, flag: str | None,
                    environ: Mapping[str, str]) -> str:
    """``ui.language``, else ``--lang``, else LC_ALL, LC_MESSAGES or LANG, else English.

    The first environment variable that is set decides: ``LC_ALL=de_DE.UTF-8`` means
    English (we do not speak German), not a look at ``LANG``.
    """
    if configured:
        return configured
    if flag:
        return flag
    for name in ENVIRONMENT:
        value = environ.get(name, "").strip()
        if value:
            return language_of(value) or DEFAULT
    return DEFAULT


class Translator:
    """One language: its catalog and its locale's formats."""

    def __init__(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        self.language = language
        self.catalog: gettext.NullTranslations = (
            gettext.NullTranslations() if language == DEFAULT
            else gettext.translation(DOMAIN, LOCALE_DIR, [language]))

    @cached_property
    def locale(self) -> Locale:
        from babel import Locale

        return Locale.parse(self.language)

    # -- words ---------------------------------------------------------------------------
    def gettext(self, text: str) -> str:
        return self.catalog.gettext(text) if text else text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalog.ngettext(singular, plural, n)

    def pgettext(self, context: str, text: str) -> str:
        return self.catalog.pgettext(context, text)

    def counted(self, n: int, singular: str, plural: str) -> str:
        """``5 interwałów``: ``n`` (grouped) with its noun in the language's plural form.
        ``singular`` and ``plural`` carry ``{n}``: ``"{n} interval"``, ``"{n} intervals"``."""
        return fill(self.ngettext(singular, plural, n), {"n": self.number(n)})

    def say(self, text: str) -> str:
        """A sentence from the core or the service, in this language.

        A :class:`Sentence` is translated by its template, then filled (an argument that is
        a Sentence is said too); a plain string is looked up as it is (a fixed sentence that
        came through the feed, a term marked with ``N_``); unknown text is shown unchanged.
        """
        if isinstance(text, Sentence):
            args = {name: self.say(value) if isinstance(value, Sentence) else value
                    for name, value in text.args.items()}
            return fill(self.gettext(text.template), args)
        return self.gettext(text)

    # -- formats (CLDR, through Babel) -----------------------------------------------------
    def number(self, value: float) -> str:
        """``1,234`` (en), ``1 234`` (pl, uk: the space is a no-break space).

        A whole number under 1,000 is its digits in all our languages, and a whole number in
        English is Python's own grouping (Babel says so too, a test checks it): the board's
        counters do not load Babel's number data (13 ms the first time, and more with the
        profiler) on its first paint."""
        if isinstance(value, int):
            if 0 <= value < 1000:
                return str(value)
            if self.language == "en":
                return f"{value:,}"
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.locale)

    def decimal(self, value: float, places: int = 1) -> str:
        """``4.2`` (en), ``4,2`` (pl, uk)."""
        from babel.numbers import format_decimal

        return format_decimal(value, "0." + "0" * places if places else "0",
                              locale=self.locale)

    def day(self, day: date) -> str:
        """The weekday and the date: ``Thu 26.11``, ``czw. 26.11``, ``чт 26.11``."""
        return _day_format(self.language, day)

    @cached_property
    def day_width(self) -> int:
        """The widest :meth:`day` of this language (``niedz. 22.11``): columns of days
        are as wide as this, so they line up whatever the weekday."""
        return max(len(self.day(date(2026, 11, d))) for d in range(16, 23))

    def day_time(self, moment: datetime, seconds: bool = False) -> str:
        """``Thu 26.11 09:30`` (a moment already in the zone it is shown in)."""
        return f"{self.day(moment.date())} {moment:%H:%M:%S}" if seconds else \
            f"{self.day(moment.date())} {moment:%H:%M}"

    def hours(self, seconds: float) -> str:
        """A long total: ``3h 05m`` (en), ``3 h 05 min`` (pl), ``3 год 05 хв`` (uk)."""
        total = max(0, int(round(seconds / 60)))
        hours, minutes = divmod(total, 60)
        if hours:
            return fill(self.gettext(N_("{hours}h {minutes}m")),
                        {"hours": self.number(hours), "minutes": f"{minutes:02d}"})
        return fill(self.gettext(N_("{minutes}m")), {"minutes": str(minutes)})


@cache
def _day_format(language: str, day: date) -> str:
    from babel.dates import format_date

    return format_date(day, "EEE dd.MM", locale=language)


@cache
def translator(language: str) -> Translator:
    return Translator(language)


_active = translator(DEFAULT)


def activate(language: str | None) -> Translator:
    """Make ``language`` (None: English) the language of this process; returns it."""
    global _active
    _active = translator(language or DEFAULT)
    return _active


def current() -> Translator:
    return _active


def C_(context: str, text: str) -> str:  # noqa: N802
    """Mark ``text`` for the catalog with a ``context`` (one English word, two meanings:
    the counter "Waiting" counts calls, the column "Waiting" is a time); say it with
    :func:`pgettext` and the same context."""
    return text


def pgettext(context: str, text: str) -> str:
    """``text`` of ``context`` (see :func:`C_`) in the active language."""
    return _active.pgettext(context, text)


def _(text: str) -> str:
    """``text`` in the active language."""
    return _active.gettext(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active.ngettext(singular, plural, n)


def counted(n: int, singular: str, plural: str) -> str:
    """See :meth:`Translator.counted`."""
    return _active.counted(n, singular, plural)


def say(text: str) -> str:
    """See :meth:`Translator.say`."""
    return _active.say(text)
