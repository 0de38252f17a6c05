"""The AMI framing: greeting, blocks, lists, ActionID correlation, Follows, split reads.

The byte strings are written as main/manager.c writes them (asterisk@f0c1c1a7); the
connection tests run over a real loopback socket that sends them in scripted pieces.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from wallboard.sources.ami.connection import AmiActionError, AmiClosed, AmiConnection
from wallboard.sources.ami.protocol import (
    AmiMessage,
    AmiParser,
    AmiProtocolError,
    encode_action,
    parse_message,
)

BANNER = b"Asterisk Call Manager/13.0.0\r\n"
NEWCHANNEL = (
    b"Event: Newchannel\r\nPrivilege: call,all\r\nChannel: PJSIP/1001-00000001\r\n"
    b"ChannelState: 0\r\nChannelStateDesc: Down\r\nCallerIDNum: 1001\r\n"
    b"CallerIDName: Anna W\xc3\xb3jcik\r\nUniqueid: 1.1\r\nLinkedid: 1.1\r\n"
    b"ChanVariable: FROM_DID=+48221002030\r\nChanVariable: __WALLBOARD_SCHEME=Main: line\r\n"
    b"\r\n"
)


def test_the_greeting_gives_the_version_and_messages_follow_in_the_same_read():
    parser = AmiParser()
    messages = parser.feed(BANNER + b"Response: Success\r\nMessage: Authentication accepted"
                           b"\r\n\r\n" + NEWCHANNEL)
    assert parser.version == "13.0.0"
    assert [m.response for m in messages] == ["Success", None]
    event = messages[1]
    assert event.event == "Newchannel" and event["CallerIDName"] == "Anna Wójcik"
    assert event.variables == {"FROM_DID": "+48221002030", "__WALLBOARD_SCHEME": "Main: line"}


def test_every_split_of_the_stream_gives_the_same_messages():
    stream = BANNER + NEWCHANNEL + b"Response: Success\r\nActionID: 7\r\nPing: Pong\r\n\r\n"
    whole = AmiParser().feed(stream)
    for cut in range(1, len(stream)):
        parser = AmiParser()
        pieces = parser.feed(stream[:cut]) + parser.feed(stream[cut:])
        assert pieces == whole, cut
    one_by_one = AmiParser()
    assert [m for i in range(len(stream)) for m in one_by_one.feed(stream[i:i + 1])] == whole


def test_a_burst_of_many_messages_in_one_read():
    parser = AmiParser()
    parser.feed(BANNER)
    messages = parser.feed(NEWCHANNEL * 500)
    assert len(messages) == 500 and all(m.event == "Newchannel" for m in messages)


def test_unwanted_events_are_dropped_unparsed_but_never_a_reply():
    parser = AmiParser(keep=frozenset({"Newchannel"}))
    messages = parser.feed(
        BANNER + b"Event: MusicOnHoldStart\r\nChannel: PJSIP/1001-1\r\n\r\n" + NEWCHANNEL
        + b"Event: BridgeCreate\r\nBridgeUniqueid: b1\r\n\r\n"
        + b"Event: CoreShowChannel\r\nActionID: wb-4\r\nChannel: x\r\n\r\n"
        + b"Response: Success\r\nActionID: wb-5\r\n\r\n")
    assert [m.event or m.response for m in messages] == [
        "Newchannel", "CoreShowChannel", "Success"]
    assert parser.skipped == 2


def test_a_port_that_does_not_greet_like_asterisk_is_refused():
    with pytest.raises(AmiProtocolError):
        AmiParser().feed(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    with pytest.raises(AmiProtocolError):
        AmiParser().feed(b"SSH-2.0-OpenSSH_9.6\r\n")


def test_response_follows_keeps_the_raw_output_even_lines_like_headers():
    parser = AmiParser()
    parser.feed(BANNER)
    raw = (b"Response: Follows\r\nPrivilege: Command\r\nActionID: 3\r\n"
           b"Channel              Location\nPJSIP/1001-0001      s@from-internal:1\n"
           b"Name: not a header\n\n1 active channel\n--END COMMAND--\r\n\r\n")
    assert parser.feed(raw[:60]) == []
    (message,) = parser.feed(raw[60:] + b"Event: FullyBooted\r\n\r\n")[:1]
    assert message.headers == {"Response": "Follows", "Privilege": "Command", "ActionID": "3"}
    assert message.output == ["Channel              Location",
                              "PJSIP/1001-0001      s@from-internal:1", "Name: not a header",
                              "", "1 active channel"]


def test_output_lines_of_a_modern_command_are_kept_in_order():
    message = parse_message("Response: Success\r\nMessage: Command output follows\r\n"
                            "Output: line one\r\nOutput: line two")
    assert message.output == ["line one", "line two"] and message["Message"].startswith("Comm")


def test_actions_are_encoded_and_line_breaks_refused():
    assert encode_action("QueuePause", "wb-1", {"Interface": "PJSIP/1001", "Paused": "true"}) == (
        b"Action: QueuePause\r\nActionID: wb-1\r\nInterface: PJSIP/1001\r\nPaused: true\r\n\r\n")
    assert encode_action("Originate", "wb-2", {"Variable": ["A=1", "B=2"]}).count(b"Variable") == 2
    for bad in ("Lunch\r\nAction: Hangup", "x\ny", "x\r"):
        with pytest.raises(ValueError):
            encode_action("QueuePause", "wb-3", {"Reason": bad})


# -- the connection over a real socket ------------------------------------------------------
Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def serve(script: Script) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(script, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def read_action(reader: asyncio.StreamReader) -> dict[str, str]:
    block = await reader.readuntil(b"\r\n\r\n")
    return dict(line.split(": ", 1) for line in block.decode().strip().split("\r\n"))


async def test_replies_are_matched_by_action_id_not_by_order():
    async def script(reader, writer):
        writer.write(BANNER)
        first = await read_action(reader)
        second = await read_action(reader)
        writer.write(f"Response: Success\r\nActionID: {second['ActionID']}\r\nPing: Pong\r\n"
                     f"\r\n".encode())
        writer.write(NEWCHANNEL)
        writer.write(f"Response: Error\r\nActionID: {first['ActionID']}\r\nMessage: "
                     f"Permission denied\r\n\r\n".encode())
        await reader.read()

    server, port = await serve(script)
    events: list[AmiMessage] = []
    connection = await AmiConnection.open("127.0.0.1", port, events.append)
    try:
        denied = asyncio.create_task(connection.action("CoreShowChannels"))
        await asyncio.sleep(0.01)
        pong = await connection.action("Ping")
        assert pong["Ping"] == "Pong"
        with pytest.raises(AmiActionError, match="Permission denied"):
            await denied
        assert [e.event for e in events] == ["Newchannel"]
        assert connection.version == "13.0.0"
    finally:
        await connection.close()
        server.close()


async def test_an_event_list_is_collected_between_start_and_complete():
    async def script(reader, writer):
        writer.write(BANNER)
        action = await read_action(reader)
        aid = action["ActionID"]
        data = (f"Response: Success\r\nActionID: {aid}\r\nEventList: start\r\nMessage: Queue "
                f"status will follow\r\n\r\n"
                f"Event: QueueParams\r\nQueue: sales\r\nMax: 0\r\nActionID: {aid}\r\n\r\n"
                f"Event: QueueMember\r\nQueue: sales\r\nName: Anna\r\nLocation: PJSIP/1001\r\n"
                f"ActionID: {aid}\r\n\r\n").encode() + NEWCHANNEL + (
                f"Event: QueueStatusComplete\r\nActionID: {aid}\r\nEventList: Complete\r\n"
                f"ListItems: 2\r\n\r\n"
                f"Event: OriginateResponse\r\nActionID: {aid}\r\nResponse: Success\r\n\r\n"
                ).encode()
        for i in range(0, len(data), 7):  # in small pieces, as a slow link delivers them
            writer.write(data[i:i + 7])
            await writer.drain()
            await asyncio.sleep(0)
        await reader.read()

    server, port = await serve(script)
    events: list[AmiMessage] = []
    connection = await AmiConnection.open("127.0.0.1", port, events.append)
    try:
        items = await connection.action_list("QueueStatus")
        assert [i.event for i in items] == ["QueueParams", "QueueMember"]
        assert items[1]["Location"] == "PJSIP/1001"
        await asyncio.sleep(0.05)
        assert [e.event for e in events] == ["Newchannel", "OriginateResponse"], (
            "a live event inside a listing, and one carrying an old ActionID, are events")
    finally:
        await connection.close()
        server.close()


async def test_a_closed_connection_fails_every_waiting_action():
    async def script(reader, writer):
        writer.write(BANNER)
        await read_action(reader)
        writer.close()

    server, port = await serve(script)
    connection = await AmiConnection.open("127.0.0.1", port, lambda m: None)
    try:
        with pytest.raises(AmiClosed):
            await connection.action_list("CoreShowChannels")
        await asyncio.wait_for(connection.closed, 1)
        with pytest.raises(AmiClosed):
            await connection.action("Ping")
    finally:
        await connection.close()
        server.close()


async def test_a_silent_peer_times_the_action_out():
    async def script(reader, writer):
        writer.write(BANNER)
        await reader.read()

    server, port = await serve(script)
    connection = await AmiConnection.open("127.0.0.1", port, lambda m: None)
    try:
        with pytest.raises(TimeoutError):
            await connection.action("Ping", timeout=0.1)
    finally:
        await connection.close()
        server.close()


async def test_a_waiter_cancelled_as_its_reply_arrives_is_cancelled():
    """A watcher told to stop must stop even if its reply came in the same instant (on
    Python 3.11, ``asyncio.wait_for`` returned the reply and swallowed the cancellation,
    so a session giving up waited forever for its Ping watcher)."""
    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    waiter = asyncio.create_task(AmiConnection._wait(future, 5.0))  # noqa: SLF001
    await asyncio.sleep(0)  # it waits for the reply
    future.set_result("Response: Success")
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter


async def test_a_reply_in_time_is_returned():
    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    waiter = asyncio.create_task(AmiConnection._wait(future, 5.0))  # noqa: SLF001
    await asyncio.sleep(0)
    future.set_result("Response: Success")
    assert await waiter == "Response: Success"
