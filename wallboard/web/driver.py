"""The Textual driver of one browser session's app process (``wallboard web`` starts it).

Textual's ``WebDriver`` talks to textual-serve over stdin/stdout. When stdin closes it only
stops reading, and the app goes on running — rendering into a pipe nobody reads, for ever.
This driver makes the process end whenever its server is gone:

* stdin reaches end of file (the server closed the pipe or died): the app exits;
* the server process dies (Linux): the kernel sends SIGTERM (``PR_SET_PDEATHSIG``);
* either way the WebDriver's SIGTERM handler exits the app cleanly, and if the app is still
  alive ``HARD_EXIT_SECONDS`` later the process ends regardless.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

from textual.drivers.web_driver import WebDriver

PARENT_ENV = "WALLBOARD_WEB_PARENT"
"""The server's pid, set by the server in the environment of each app process."""
HARD_EXIT_SECONDS = 5.0
PR_SET_PDEATHSIG = 1


class BoardWebDriver(WebDriver):
    """WebDriver that ends the app when its server connection goes away."""

    def start_application_mode(self) -> None:
        super().start_application_mode()  # installs the SIGTERM handler first
        watch_parent()

    def run_input_thread(self) -> None:
        try:
            super().run_input_thread()
        finally:
            if not self.exit_event.is_set():  # input ended, yet nobody asked us to stop
                end_this_process()


def watch_parent() -> None:
    """Ask Linux for SIGTERM when the server dies; exit now if it already has."""
    expected = os.environ.get(PARENT_ENV)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if expected and os.getppid() != int(expected):  # died before prctl took effect
        end_this_process()


def end_this_process() -> None:
    """Exit the app through its SIGTERM handler; force it if that takes too long."""

    def force() -> None:
        time.sleep(HARD_EXIT_SECONDS)
        os._exit(1)

    threading.Thread(target=force, name="wallboard-hard-exit", daemon=True).start()
    os.kill(os.getpid(), signal.SIGTERM)
