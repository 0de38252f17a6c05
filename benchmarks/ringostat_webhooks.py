"""Benchmark of the Ringostat webhook receiver of `wallboard serve`, on loopback.

    python benchmarks/ringostat_webhooks.py [--calls 400] [--rate 40]

A real `wallboard serve --source ringostat` (a subprocess) polls the fake Ringostat of the
tests and receives webhooks: each call rings, is answered and ends (3 webhooks), at about
--rate webhooks per second. A board (the real FeedClient) follows the feed.

- Answer time of a webhook (POST to 200), p50 / p95, against the same server's cheapest
  route (`GET /healthz`) asked side by side, one after each webhook: the budget is a ratio
  (the machine's speed drifts between days), webhook p95 < 3x healthz p95.
- Webhook to the board's state: from just before the POST to the moment the follower has
  applied the change, p50 / p95; budget < 300 ms (the feed's own budget).
- The server process's CPU over the run.

Exits 1 when a budget is missed. Every loop is bounded; the server is ended at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.sources.ringostat.conftest import staff  # noqa: E402
from tests.sources.ringostat.fake_ringostat import KEY, PROJECT, FakeRingostat  # noqa: E402
from wallboard.config import FeedSource  # noqa: E402
from wallboard.core.state import LiveState  # noqa: E402
from wallboard.sources.feed import FeedClient  # noqa: E402

SECRET = "bench-secret-0123456789"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def start_server(fake: FakeRingostat, port: int, folder: Path) -> subprocess.Popen:
    config = folder / "ringostat.toml"
    config.write_text(f'[source]\nkind = "ringostat"\nproject_id = {PROJECT}\n'
                      f'api_url = "{fake.url}"\ntimezone = "UTC"\nwebhook_secret = "{SECRET}"\n')
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RINGOSTAT_AUTH_KEY": KEY}
    env.pop("WALLBOARD_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "wallboard", "--config", str(config), "serve", "--source",
         "ringostat", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    async with httpx.AsyncClient() as http:
        for _ in range(400):
            try:
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).json()["ready"]:
                    return proc
            except (httpx.HTTPError, ValueError):
                pass
            await asyncio.sleep(0.05)
    proc.kill()
    raise SystemExit("wallboard serve did not start")


async def run(calls: int, rate: float) -> int:
    fake = staff(FakeRingostat())
    await fake.start()
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        proc = await start_server(fake, port, Path(folder))
        state = LiveState()
        follower = FeedClient(FeedSource(url=url), environ={})

        async def follow() -> None:
            async for batch in follower.events():
                state.apply_all(batch)

        task = asyncio.create_task(follow())
        answers: list[float] = []
        baseline: list[float] = []
        delays: list[float] = []
        cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
        hook = f"{url}/v1/hooks/ringostat/{SECRET}"
        async with httpx.AsyncClient(timeout=10) as http:
            for n in range(calls):
                call_id = f"bench-{n}"
                for moment in ("before", "answer", "after"):
                    params = {"uniqueid": call_id, "sip": f"m{n % 16 + 1}", "caller": "+3805011",
                              "call_type": "in"}
                    started = time.perf_counter()
                    response = await http.post(hook, params={"event": moment}, data=params)
                    answers.append(time.perf_counter() - started)
                    if response.status_code != 200:
                        raise SystemExit(f"webhook answered {response.status_code}")
                    started_b = time.perf_counter()
                    await http.get(f"{url}/healthz")
                    baseline.append(time.perf_counter() - started_b)

                    def seen(moment: str = moment, call_id: str = call_id) -> bool:
                        call = state.calls.get(call_id)
                        return (call is None if moment == "after" else
                                call is not None and (moment == "before" or
                                                      call.answered_at is not None))

                    for _ in range(2000):
                        if seen():
                            break
                        await asyncio.sleep(0.001)
                    delays.append(time.perf_counter() - started)
                    await asyncio.sleep(max(0.0, 1 / rate - (time.perf_counter() - started)))
        elapsed = time.monotonic() - t0
        cpu = (cpu_seconds(proc.pid) - cpu0) / elapsed * 100
        await follower.aclose()
        task.cancel()
        proc.terminate()
        proc.wait(10)
    await fake.stop()
    ms = 1000
    a50, a95, b95 = pct(answers, 0.5) * ms, pct(answers, 0.95) * ms, pct(baseline, 0.95) * ms
    d50, d95 = pct(delays, 0.5) * ms, pct(delays, 0.95) * ms
    ratio = a95 / b95 if b95 else float("inf")
    print(f"webhooks: {len(answers)} ({calls} calls x 3) at ~{rate:g}/s over {elapsed:.1f} s")
    print(f"answer time: p50 {a50:.1f} ms, p95 {a95:.1f} ms; /healthz p95 {b95:.1f} ms "
          f"(median {statistics.median(baseline) * ms:.1f} ms); ratio {ratio:.2f} "
          "(budget < 3)")
    print(f"webhook to the board's state: p50 {d50:.0f} ms, p95 {d95:.0f} ms (budget < 300)")
    print(f"server CPU: {cpu:.1f} % of a core")
    ok = ratio < 3 and d95 < 300
    print("OK" if ok else "BUDGET MISSED")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--rate", type=float, default=40.0)
    args = parser.parse_args()
    return asyncio.run(run(args.calls, args.rate))


if __name__ == "__main__":
    raise SystemExit(main())
