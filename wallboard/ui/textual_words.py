"""Textual's own words that reach the screen: its command palette's system commands and
the descriptions of its own key bindings (in help, the palette and the footer).

Textual has no catalog of its own; these are its English words, marked here so that
``pybabel extract`` puts them in ours (the app translates them where it shows them). Keep
them equal to the installed Textual's; tests/test_i18n.py checks that every word Textual
shows on our screens is in the catalog.
"""

from wallboard.i18n import N_

SYSTEM_COMMANDS = (
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)
BINDINGS = (
    N_("Focus Next"),
    N_("Focus Previous"),
    N_("Copy selected text"),
    N_("palette"),
)
