"""PlainLines: a widget without borders, padding, outline, tint or opacity hands its lines to
the compositor as it draws them, and they are the lines Textual's styles layer would make."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from wallboard.ui.widgets.plain import PlainLines


class Lines(PlainLines):
    DEFAULT_CSS = "Lines { height: 4; background: #102030; color: #e0e0e0; }"

    def __init__(self) -> None:
        super().__init__()
        self.drawn: list[int] = []

    def render_line(self, y: int) -> Strip:
        self.drawn.append(y)
        if y == 3:  # a short line: padded to the width in the background's style
            return Strip([Segment("short", Style(bold=True))])
        return Strip([Segment(f"line {y} ", Style(color="red")), Segment("x" * 30, Style())])


class Board(App[None]):
    def compose(self) -> ComposeResult:
        yield Lines()


def styles_layer_must_not_draw(*_: object) -> Strip:
    raise AssertionError("a plain line went through Textual's styles layer")


def textual_lines(widget: Lines) -> list[Strip]:
    """What Textual's own path makes of the same widget."""
    widget._styles_cache.clear()
    return Widget.render_lines(widget, Region(0, 0, *widget.outer_size))


async def test_the_lines_are_textual_s_and_only_dirty_lines_are_drawn_again():
    app = Board()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        widget = app.query_one(Lines)
        region = Region(0, 0, 40, 4)
        widget._styles_cache.render_line = styles_layer_must_not_draw  # type: ignore[method-assign]
        ours = widget.render_lines(region)
        assert [s.text for s in ours] == ["line 0 " + "x" * 30 + "   ",
                                          "line 1 " + "x" * 30 + "   ",
                                          "line 2 " + "x" * 30 + "   ", "short" + " " * 35]
        widget.drawn.clear()
        widget.render_lines(region)
        assert widget.drawn == []  # nothing dirty: every line from the cache
        widget.refresh(Region(0, 2, 40, 1))
        cropped = widget.render_lines(Region(5, 0, 10, 4))
        assert widget.drawn == [2] and [s.text for s in cropped] == [
            "0 xxxxxxxx", "1 xxxxxxxx", "2 xxxxxxxx", "          "]
        del widget._styles_cache.render_line
        # a line in truecolor alone (the theme's colours) is handed on as drawn; one with an
        # ANSI colour ("red") goes through the app's ANSI-to-truecolor filter
        again = widget.render_lines(region)
        drawn = widget._styles_cache._cache
        assert again[3] is drawn[3] and again[0] is not drawn[0]
        assert list(again[0])[0].style.color.triplet is not None  # converted
        assert [list(s) for s in ours] == [list(s) for s in textual_lines(widget)]


async def test_with_padding_or_faded_it_is_textual_s_own_path():
    app = Board()
    async with app.run_test(size=(40, 6)) as pilot:
        widget = app.query_one(Lines)
        widget.styles.padding = (0, 2)
        await pilot.pause()
        region = Region(0, 0, 40, 4)
        widget._styles_cache.clear()
        ours = widget.render_lines(region)
        assert ours[0].text.startswith("  line 0 ")  # padded: Textual drew it
        assert [list(s) for s in ours] == [list(s) for s in textual_lines(widget)]
        widget.styles.padding = 0
        widget.styles.opacity = 0.5
        await pilot.pause()
        widget._styles_cache.clear()
        faded = widget.render_lines(region)
        assert faded[0].text.startswith("line 0 ")
        assert [list(s) for s in faded] == [list(s) for s in textual_lines(widget)]
        assert [list(s) for s in faded] != [list(s) for s in ours]
