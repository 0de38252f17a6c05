"""Line widgets whose lines go to the compositor as they draw them.

Textual passes every line a widget renders through its styles layer, which draws borders,
padding and outlines around it and applies tint and opacity, then keeps the line until the
widget refreshes it. The board's busiest widgets (the call table, the queue strip's columns,
the counters) have none of those styles, and a busy board redraws some 80 of their lines a
second. :class:`PlainLines` keeps the styles layer's cache of lines, its dirty lines and the
app's line filters, and skips the rest while the widget's styles stay plain; with any of
those styles set (the faded figures of held data have opacity) it is Textual's own path.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rich.style import Style
from textual.filter import ANSIToTruecolor
from textual.geometry import Region, Spacing
from textual.strip import Strip
from textual.widget import Widget

NO_SPACING = Spacing(0, 0, 0, 0)


@lru_cache(maxsize=1024)
def _truecolor_already(style: Style | None) -> bool:
    """True if :class:`ANSIToTruecolor` leaves ``style`` as it is: its colours are
    truecolor (the theme's always are) and it is not dimmed."""
    if style is None:
        return True
    color, bgcolor = style.color, style.bgcolor
    return ((color is None or color.triplet is not None)
            and (bgcolor is None or bgcolor.triplet is not None)
            and not (style.dim and color is not None))


class PlainLines(Widget):
    """A line-API widget (``render_line``) drawn without Textual's styles layer while it
    has no border, padding, outline, tint, opacity, hatch or border title."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._truecolor_lines: dict[int, Strip] = {}
        """The lines last found to need no ANSI-to-truecolor conversion, by y."""

    def _plain(self) -> bool:
        styles = self.styles
        return (styles.gutter == NO_SPACING and not styles.outline_top[0]
                and not styles.outline_bottom[0] and not styles.outline_left[0]
                and not styles.outline_right[0] and not styles.tint.a
                and self.opacity == 1.0 and styles.text_opacity == 1.0
                and not (styles.has_rule("hatch") and styles.hatch != "none")
                and self._border_title is None and self._border_subtitle is None
                and not (self.auto_links and self.hover_style._link_id))

    def render_lines(self, crop: Region) -> list[Strip]:
        if self.BLANK or not self._plain():
            return super().render_lines(crop)
        cache = self._styles_cache  # Textual's: refresh() marks its lines dirty
        width = self.size.width
        if width != cache._width:
            cache.clear()
            cache._width = width
        drawn, dirty = cache._cache, cache._dirty_lines
        plain = self._truecolor_lines
        base_background, background = self.background_colors
        filters = self.get_line_filters()
        pad: Style | None = None
        strips = []
        for y in crop.line_range:
            strip = drawn.get(y)
            if strip is None or y in dirty:
                strip = self.render_line(y)
                if strip.cell_length != width:  # as the styles layer pads a short line
                    if pad is None:
                        pad = Style(bgcolor=(base_background + background).rich_color)
                    strip = strip.adjust_cell_length(width, pad)
                drawn[y] = strip
            for line_filter in filters:
                # the theme's colours are truecolor already: converting a line that has
                # no ANSI colour copied each of its segments into a new strip, for nothing
                if isinstance(line_filter, ANSIToTruecolor):
                    if plain.get(y) is strip:
                        continue
                    if all(_truecolor_already(segment.style) for segment in strip):
                        plain[y] = strip
                        continue
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        dirty.difference_update(crop.line_range)
        if crop.column_span != (0, width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips
