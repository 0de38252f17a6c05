"""The AMI wire format: the greeting, messages as ``Key: value`` lines, actions out.

What Asterisk sends (main/manager.c at asterisk/asterisk@f0c1c1a7):

- on connect, one line ``Asterisk Call Manager/<version>\\r\\n`` (no blank line after);
- then messages, each a block of ``Key: value\\r\\n`` lines ended by an empty line;
  a response starts with ``Response:``, an event with ``Event:``;
- lists (``EventList: start`` ... an event with ``EventList: Complete``) are ordinary
  messages tied together by the ``ActionID`` we sent;
- repeated keys are legal: ``ChanVariable: NAME=value`` (manager.conf channelvars) and
  ``Output:`` lines (a Command's output since Asterisk 14);
- before Asterisk 14 a Command answered ``Response: Follows`` and raw text up to
  ``--END COMMAND--``, which may hold lines without a colon.

Bytes are decoded per complete message (never per TCP read, which can split a UTF-8
character), with bad bytes replaced. Values we send are checked for CR/LF, so nothing
from a config or a screen can smuggle a second action into the stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BANNER_PREFIX = "Asterisk Call Manager/"
END = b"\r\n\r\n"
FOLLOWS = b"Response: Follows"
END_COMMAND = b"--END COMMAND--"
MAX_MESSAGE = 4 * 1024 * 1024
"""A block bigger than this without an end is not AMI (or is broken): the link is dropped."""


class AmiProtocolError(Exception):
    """The peer does not speak AMI (no greeting, a runaway message)."""


@dataclass(slots=True)
class AmiMessage:
    """One response or event: its headers, its channel variables, its output lines."""

    headers: dict[str, str]
    variables: dict[str, str] = field(default_factory=dict)
    """``ChanVariable: NAME=value`` lines (and ``DestChanVariable``), by name."""
    output: list[str] = field(default_factory=list)
    """``Output:`` lines, or the raw text of a ``Response: Follows``."""

    @property
    def event(self) -> str | None:
        return self.headers.get("Event")

    @property
    def response(self) -> str | None:
        return self.headers.get("Response") if "Event" not in self.headers else None

    @property
    def action_id(self) -> str | None:
        return self.headers.get("ActionID")

    def get(self, key: str, default: str = "") -> str:
        return self.headers.get(key, default)

    def __getitem__(self, key: str) -> str:
        return self.headers[key]

    def __contains__(self, key: str) -> bool:
        return key in self.headers


def parse_message(text: str) -> AmiMessage:
    """One block (without its ending blank line) into a message."""
    if text.startswith("Response: Follows"):
        return _parse_follows(text)
    headers: dict[str, str] = {}
    variables: dict[str, str] = {}
    output: list[str] = []
    for line in text.split("\r\n"):
        key, sep, value = line.partition(": ")
        if sep and key != "ChanVariable" and key != "Output":
            headers[key] = value  # AMI repeats only ChanVariable and Output lines
        elif key == "ChanVariable":
            name, _, var = value.partition("=")
            variables[name] = var
        elif key == "Output":
            output.append(value)
            headers.setdefault(key, value)
        elif line:  # ``Key:`` with nothing after it
            key, sep, value = line.partition(":")
            if sep:
                headers[key] = value.lstrip(" ")
    return AmiMessage(headers, variables, output)


def _parse_follows(text: str) -> AmiMessage:
    """Before Asterisk 14: header lines end in CRLF, then raw text (LF lines) up to the
    end marker; a raw line may look like a header, so the first line that is not a
    CRLF header starts the text."""
    headers: dict[str, str] = {}
    segments = text.split("\r\n")
    n = 0
    for n, segment in enumerate(segments):  # noqa: B007 - n is used after the loop
        key, sep, value = segment.partition(": ")
        if not sep or "\n" in segment or " " in key:
            break
        headers.setdefault(key, value)
    else:
        n = len(segments)
    raw = "\n".join(segments[n:]).split("\n")
    while raw and raw[-1].strip() in ("", END_COMMAND.decode()):
        raw.pop()
    return AmiMessage(headers, {}, raw)


class AmiParser:
    """Feed it bytes as they arrive; it returns the complete messages so far.

    ``keep`` names the events someone reads: any other unsolicited event (one without
    an ActionID) is dropped before it is parsed, the cheapest way through a busy PBX's
    traffic (music on hold, Local optimizations, bridge bookkeeping ...). None keeps all.
    """

    def __init__(self, keep: frozenset[str] | None = None) -> None:
        self.banner: str | None = None
        self._buffer = bytearray()
        self._keep = None if keep is None else frozenset(f"Event: {name}" for name in keep)
        self.skipped = 0

    @property
    def version(self) -> str:
        return (self.banner or "").removeprefix(BANNER_PREFIX)

    def feed(self, data: bytes) -> list[AmiMessage]:
        buffer = self._buffer
        buffer += data
        if self.banner is None and not self._greeting(buffer):
            return []
        end = buffer.rfind(END)
        if end < 0:
            if len(buffer) > MAX_MESSAGE:
                raise AmiProtocolError("a message without an end")
            return []
        if FOLLOWS in buffer:  # raw output may hold blank lines: block by block
            return self._feed_slowly(buffer)
        text = buffer[:end].decode("utf-8", "replace")  # whole messages: no split character
        del buffer[: end + 4]
        keep = self._keep
        messages = []
        for block in text.split("\r\n\r\n"):
            if keep is not None and block.startswith("Event: ") and (
                    block.partition("\r\n")[0] not in keep and "ActionID: " not in block):
                self.skipped += 1
                continue
            block = block.lstrip("\r\n")
            if block:
                messages.append(parse_message(block))
        return messages

    def _greeting(self, buffer: bytearray) -> bool:
        end = buffer.find(b"\r\n")
        if end < 0:
            if len(buffer) > 200 or (buffer and not BANNER_PREFIX.encode().startswith(
                    bytes(buffer[: len(BANNER_PREFIX)]))):
                raise AmiProtocolError("no Asterisk Call Manager greeting")
            return False
        line = buffer[:end].decode("utf-8", "replace")
        if not line.startswith(BANNER_PREFIX):
            raise AmiProtocolError("no Asterisk Call Manager greeting")
        self.banner = line
        del buffer[: end + 2]
        return True

    def _feed_slowly(self, buffer: bytearray) -> list[AmiMessage]:
        messages: list[AmiMessage] = []
        start = 0
        while True:
            end = buffer.find(END, start)
            if end < 0:
                break
            if buffer.startswith(FOLLOWS, start):
                marker = buffer.find(END_COMMAND, start)
                if marker < 0:
                    break  # the raw output goes on: wait for its end marker
                end = buffer.find(END, marker)
                if end < 0:
                    break
            block = bytes(buffer[start:end])
            start = end + 4
            if block.strip():
                messages.append(parse_message(block.decode("utf-8", "replace").lstrip("\r\n")))
        if start:
            del buffer[:start]
        if len(buffer) > MAX_MESSAGE:
            raise AmiProtocolError("a message without an end")
        return messages


def encode_action(name: str, action_id: str, fields: dict[str, str | list[str]]) -> bytes:
    """``Action: name`` with its ActionID and fields; a list value repeats the key
    (``Variable``). A CR or LF in any part is refused (header injection)."""
    lines = [("Action", name), ("ActionID", action_id)]
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            lines.append((key, item))
    for key, value in lines:
        if _BREAKS.intersection(key) or _BREAKS.intersection(value):
            raise ValueError(f"a line break inside the {name} action's {key}")
    return ("".join(f"{k}: {v}\r\n" for k, v in lines) + "\r\n").encode("utf-8")


_BREAKS = frozenset("\r\n")
