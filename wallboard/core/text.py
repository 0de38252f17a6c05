"""Sentences the core and the service say, kept translatable and language-neutral.

The core names no language: what it says is English, marked so that ``pybabel extract``
finds it, and carried as a :class:`Sentence` that remembers its template and arguments.
Where the sentence is shown (the board), :func:`wallboard.i18n.say` translates the template
and fills the arguments in; where it is logged, audited or sent over the feed, it is the
plain English string it also is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

FIELD = re.compile(r"\{(\w+)\}")
"""``{name}``: an argument. ``{key:listen.end}`` (a key placeholder) is not one."""


def N_(text: str) -> str:
    """Mark ``text`` for the catalog without translating it here."""
    return text


def fill(template: str, args: Mapping[str, object]) -> str:
    """``template`` with each ``{name}`` replaced by ``args[name]``.

    Only plain names are filled (no ``str.format`` attribute or index lookups, so a
    translation cannot reach into the objects); anything else is left as it is.
    """
    return FIELD.sub(lambda m: str(args[m[1]]) if m[1] in args else m[0], template)


class Sentence(str):
    """An English sentence that can still be said in another language.

    It *is* its English text (logs, the audit trail, JSON), and it keeps the ``template``
    it was filled from and the ``args`` filled in, so the board can translate the template
    and fill the same arguments. An argument that is itself a Sentence is translated too.
    """

    template: str
    args: Mapping[str, object]

    def __new__(cls, template: str, /, **args: object) -> Sentence:
        self = super().__new__(cls, fill(template, args))
        self.template = template
        self.args = args
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.template, dict(self.args)))


def _rebuild(template: str, args: dict[str, object]) -> Sentence:
    return Sentence(template, **args)
