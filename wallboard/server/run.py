"""``wallboard serve``: the configured source, served over HTTP by uvicorn."""

from __future__ import annotations

import logging
import socket
import sys

import uvicorn
from starlette.applications import Starlette

from wallboard.config import Config
from wallboard.core.clock import SystemClock
from wallboard.logs import configure_logging
from wallboard.net import is_loopback
from wallboard.server.app import create_server_app
from wallboard.server.auth import server_tokens
from wallboard.server.hub import Hub


class FeedServer(uvicorn.Server):
    """uvicorn, ending the event streams first so a shutdown does not wait on them."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        hub = getattr(getattr(self.config.app, "state", None), "hub", None)
        if isinstance(hub, Hub):
            hub.close()
        await super().shutdown(sockets)


def build_server(app: Starlette, host: str, port: int, log_level: str = "info") -> FeedServer:
    config = uvicorn.Config(
        app, host=host, port=port, log_level=log_level, access_log=False,
        lifespan="on", timeout_graceful_shutdown=3, server_header=False,
    )
    return FeedServer(config)


def serve_main(config: Config, host: str | None = None, port: int | None = None, *,
               bus: bool = False) -> int:
    """Run the feed server until interrupted; the process exit code. ``bus``: a replica,
    its board built from the streams of [bus] (docs/scale-out.md) instead of a source."""
    settings = config.server
    host = host or settings.host
    port = settings.port if port is None else port
    tokens = server_tokens(settings)
    if not is_loopback(host) and not tokens:
        print(
            f"wallboard serve: refusing to listen on {host} without a token; set [server] "
            "token in the config or $WALLBOARD_TOKEN (or bind to 127.0.0.1).",
            file=sys.stderr,
        )
        return 2
    from wallboard.factory import create_server_service

    # ours at INFO, never third parties' URLs; $WALLBOARD_LOG_LEVEL / _FILE change that
    level = configure_logging(fmt="%(levelname)s:     %(message)s")
    # History answers are built in worker threads: hand the interpreter back to the event
    # loop every millisecond (not every 5), so /healthz and the streams stay quick meanwhile.
    sys.setswitchinterval(0.001)
    clock = SystemClock()
    hub_type: type[Hub] = Hub
    if bus:
        from wallboard.bus.run import bus_replica

        found = bus_replica(config, clock)
        if found is None:
            return 2
        service, hub_type = found
    else:
        service = create_server_service(config, clock)
    app = create_server_app(
        service=service, tokens=tokens, listen_without_token=settings.listen_without_token,
        replay=settings.replay, client_queue=settings.client_queue,
        heartbeat_seconds=settings.heartbeat_seconds, hub_type=hub_type,
    )
    names = ", ".join(f"{t.name} ({t.role.value})" for t in tokens)
    auth = f"tokens: {names}" if tokens else "no token; viewers only"
    print(f"wallboard serve: {service.title} on http://{host}:{port} ({auth})", file=sys.stderr)
    server = build_server(app, host, port, log_level=logging.getLevelName(level).lower())
    try:
        server.run()
    except SystemExit as exc:  # uvicorn exits when it cannot bind
        if exc.code:
            print(f"wallboard serve: cannot listen on {host}:{port}; is the port in use?",
                  file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        pass
    return 0
