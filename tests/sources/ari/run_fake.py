"""The fake ARI as a process of its own, with N concurrent calls at a given event rate.

    python -m tests.sources.ari.run_fake --calls 500 --rate 200 [--port 0] [--seed 7]
        [--dir DIR] [--seconds S] [--password PW] [--supervisor PJSIP/1900] [--answer]

Prints one JSON line once it listens: ``{"url", "port", "username", "password", "app",
"employees_csv", "config"}``. ``config`` is a wallboard config file (``[source] kind =
"ari"``) written into ``--dir`` with the endpoint map of the load's agents, so
``wallboard --config`` or ``wallboard serve --config`` can follow the fake at once.
``GET /fake/stats`` says how many events were sent so far. Ends after ``--seconds``
(default: never) or on SIGTERM / SIGINT.

For runs that join calls: ``--supervisor`` adds a supervisor's endpoint (online), and
``--answer`` answers every originated channel half a second after it rings, as a
supervisor picking up would. SIGUSR1 changes the password (to one nobody was told) and
drops the event sockets, so a client reconnects with a password that is now wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import secrets
import signal
import sys
import tempfile
import time
from pathlib import Path

from tests.sources.ari.fake_ari import FakeAri
from tests.sources.ari.load import CallLoad

APP = "wallboard-load"


def write_files(folder: Path, load: CallLoad, fake: FakeAri) -> tuple[Path, Path]:
    csv = folder / "agents.csv"
    csv.write_text(load.employees_csv(), encoding="utf-8")
    config = folder / "wallboard.toml"
    config.write_text(
        "[source]\n"
        'kind = "ari"\n'
        f'url = "{fake.url}"\n'
        f'username = "{fake.username}"\n'
        f"password = {json.dumps(fake.password)}\n"
        f'app = "{APP}"\n'
        f'employees_csv = "{csv}"\n',
        encoding="utf-8",
    )
    return csv, config


async def pump(load: CallLoad, rate: float, stop: asyncio.Event) -> None:
    """Advance calls so that the fake sends ``rate`` events per second on average."""
    fake = load.fake
    start, base = time.monotonic(), fake.events_sent
    while not stop.is_set():
        target = base + (time.monotonic() - start) * rate
        while fake.events_sent < target:
            await load.step()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.01)


async def answer_originated(fake: FakeAri, stop: asyncio.Event) -> None:
    """Answer each originated channel (a supervisor's phone) half a second after it rings."""
    answered: set[str] = set()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)
        for channel_id in list(fake.originated):
            if channel_id not in answered and channel_id in fake.channels:
                answered.add(channel_id)
                await fake.answer(channel_id)


async def change_password(fake: FakeAri) -> None:
    fake.password = secrets.token_urlsafe(12)
    await fake.drop_sockets()


async def main_async(args: argparse.Namespace) -> None:
    fake = FakeAri(password=args.password) if args.password else FakeAri()
    fake.app = APP
    fake.keep_sent = False
    load = CallLoad(fake, args.calls, seed=args.seed)
    load.add_endpoints()
    for endpoint in args.supervisor:
        fake.add_endpoint(endpoint)
    await fake.start(args.port)
    await load.fill()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="fake-ari-"))
    folder.mkdir(parents=True, exist_ok=True)
    csv, config = write_files(folder, load, fake)
    print(json.dumps({"url": fake.url, "port": fake.port, "username": fake.username,
                      "password": fake.password, "app": APP, "employees_csv": str(csv),
                      "config": str(config)}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tasks = {asyncio.create_task(answer_originated(fake, stop))} if args.answer else set()
    loop.add_signal_handler(
        signal.SIGUSR1, lambda: tasks.add(asyncio.create_task(change_password(fake))))
    if args.seconds:
        loop.call_later(args.seconds, stop.set)
    try:
        await pump(load, args.rate, stop)
        await asyncio.gather(*tasks)
    finally:
        await fake.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500, help="concurrent calls")
    parser.add_argument("--rate", type=float, default=200, help="ARI events per second")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", help="where to write agents.csv and wallboard.toml")
    parser.add_argument("--seconds", type=float, default=0, help="stop after this (0: never)")
    parser.add_argument("--password", default="", help="the ARI password (default: s3cret)")
    parser.add_argument("--supervisor", action="append", default=[], metavar="ENDPOINT",
                        help="a supervisor's endpoint to add, e.g. PJSIP/1900 (repeatable)")
    parser.add_argument("--answer", action="store_true",
                        help="answer originated channels (a supervisor picking up)")
    args = parser.parse_args(argv)
    if args.calls < 1 or args.rate <= 0:
        print("--calls must be at least 1 and --rate above 0.", file=sys.stderr)
        return 2
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
