"""The board's terminal driver: Textual's Linux driver, with an input thread that sleeps
while nobody types, and output without the styles the terminal already has
(:mod:`wallboard.ui.compact_output`: 4.0 KB/s became 1.6 KB/s on the live board).

Textual reads keys on a thread that wakes ten times a second whether a key came or not, to
time out a lone escape (is it the Esc key, or the start of a longer sequence?). A wall TV's
board is not typed at for hours, and on a virtual machine a wake-up of an otherwise idle
thread is not free: ten a second measured 2 ms of CPU a second here, a tenth of what the
whole live board uses. This driver's input thread blocks until a key comes or the driver
stops; for :data:`AWAKE_SECONDS` after a key it polls as Textual does, so an escape still
times out at Textual's pace.

Only Textual's own Linux driver is replaced (:func:`quiet`): the browser's, the headless
one of the tests and any driver named in ``TEXTUAL_DRIVER`` are left as they are, and so is
Textual's driver if its key parser cannot be found.
"""

from __future__ import annotations

import os
import selectors
import threading
import time
from codecs import getincrementaldecoder

from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver

from wallboard.ui.compact_output import CompactOutput

try:  # the parser Textual's own driver uses; without it, Textual's driver is used
    from textual._xterm_parser import XTermParser
except ImportError:  # pragma: no cover - a Textual that moved it
    XTermParser = None  # type: ignore[assignment,misc]

AWAKE_SECONDS = 1.0
"""After a key, the thread polls this long, as Textual's does, before it sleeps again."""
POLL_SECONDS = 0.1
"""Textual's own polling interval, for timing out a lone escape."""


class _WakingEvent(threading.Event):
    """The driver's ``exit_event``, which also wakes the sleeping input thread when set:
    Textual's driver sets it and waits for the thread to end."""

    def __init__(self) -> None:
        super().__init__()
        self.read_fd, self._write_fd = os.pipe()
        os.set_blocking(self.read_fd, False)
        os.set_blocking(self._write_fd, False)

    def set(self) -> None:
        super().set()
        if self._write_fd < 0:
            return  # closed: no thread left to wake
        try:
            os.write(self._write_fd, b"!")
        except BlockingIOError:
            pass  # already woken: the pipe holds bytes

    def clear(self) -> None:
        super().clear()
        if self.read_fd < 0:
            return
        try:
            while os.read(self.read_fd, 64):
                pass
        except BlockingIOError:
            pass

    def close(self) -> None:
        """Close the pipe (the driver closes; its input thread has ended)."""
        for fd in (self.read_fd, self._write_fd):
            if fd >= 0:
                os.close(fd)
        self.read_fd = self._write_fd = -1


class QuietLinuxDriver(LinuxDriver):
    """Textual's Linux driver whose input thread does not wake up while no key comes, and
    whose output leaves out the styles the terminal already has (ui/compact_output.py)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self._compact = CompactOutput()
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.exit_event = _WakingEvent()

    def write(self, data: str) -> None:
        if compacted := self._compact(data):
            super().write(compacted)

    def run_input_thread(self) -> None:
        """Wait for input and dispatch its events (keys, mouse, resizes, pastes)."""
        exit_event = self.exit_event
        assert isinstance(exit_event, _WakingEvent)
        fileno = self.fileno
        selector = selectors.SelectSelector()
        selector.register(fileno, selectors.EVENT_READ)
        selector.register(exit_event.read_fd, selectors.EVENT_READ)
        parser = XTermParser()
        decode = getincrementaldecoder("utf-8")().decode
        last_key = -AWAKE_SECONDS
        try:
            while not exit_event.is_set():
                awake = time.monotonic() - last_key < AWAKE_SECONDS
                for key, _mask in selector.select(POLL_SECONDS if awake else None):
                    if key.fd != fileno:
                        continue  # the exit event: the loop's test ends it
                    data = os.read(fileno, 4096)
                    if not data:  # standard input closed (piped): nothing more will come
                        selector.unregister(fileno)
                        continue
                    last_key = time.monotonic()
                    # a character split between two reads decodes to nothing until its end,
                    # and the parser takes an empty text for the end of input
                    if text := decode(data):
                        for event in parser.feed(text):
                            self.process_message(event)
                for event in parser.tick():
                    self.process_message(event)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except Exception:  # the parser's end-of-input errors, as Textual ignores them
                pass

    def close(self) -> None:
        super().close()
        exit_event = self.exit_event
        if isinstance(exit_event, _WakingEvent):
            exit_event.close()


def quiet(driver: type[Driver]) -> type[Driver]:
    """The driver to use instead of ``driver``: the quiet one for Textual's Linux driver,
    unless ``TEXTUAL_DRIVER`` named that one itself."""
    if driver is LinuxDriver and XTermParser is not None and not os.environ.get(
            "TEXTUAL_DRIVER"):
        return QuietLinuxDriver
    return driver
