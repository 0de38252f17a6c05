"""Just enough of the Chrome DevTools Protocol to open a page and read an xterm.js terminal."""

from __future__ import annotations

import itertools
import json
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from websockets.sync.client import ClientConnection, connect

# xterm.js keeps its Terminal object private to the page's bundle. Every Terminal sets
# ``this._core`` in its constructor; a setter on Object.prototype sees that assignment and
# keeps a reference, so the test can read the terminal's buffer: the text as rendered.
CAPTURE_TERMINALS = """
(() => {
  const terminals = [];
  window.__terminals = terminals;
  Object.defineProperty(Object.prototype, "_core", {
    configurable: true,
    set(value) {
      Object.defineProperty(this, "_core",
        {value, writable: true, configurable: true, enumerable: true});
      if (typeof this.write === "function" && typeof this.open === "function") {
        terminals.push(this);
      }
    },
  });
})();
"""

SCREEN_TEXT = """
(() => {
  const terminal = (window.__terminals || [])[0];
  if (!terminal) return "";
  const buffer = terminal.buffer.active, lines = [];
  for (let row = 0; row < buffer.length; row++) {
    const line = buffer.getLine(row);
    if (line) lines.push(line.translateToString(true));
  }
  return lines.join("\\n");
})()
"""


class Page:
    """One browser tab driven over its DevTools websocket."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.recv(timeout=30))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def open(self, url: str) -> None:
        self.call("Page.enable")
        self.call("Page.addScriptToEvaluateOnNewDocument", source=CAPTURE_TERMINALS)
        self.call("Page.navigate", url=url)

    def screen_text(self) -> str:
        return self.evaluate(SCREEN_TEXT) or ""

    def wait_for_text(self, *needles: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen_text()
            if all(needle in text for needle in needles):
                return text
            time.sleep(0.5)
        raise AssertionError(f"{needles} not on the page after {timeout} s; it shows:\n{text}")



@contextmanager
def open_page(debugging_port: int, timeout: float = 20.0) -> Iterator[Page]:
    """The first tab of the Chromium listening on ``debugging_port``."""
    url = _page_websocket_url(debugging_port, timeout)
    with connect(url, max_size=None, open_timeout=timeout) as ws:
        yield Page(ws)


def _page_websocket_url(port: int, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                targets = json.load(r)
            for target in targets:
                if target.get("type") == "page":
                    return target["webSocketDebuggerUrl"]
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"Chromium's DevTools did not answer on port {port}")
        time.sleep(0.2)
