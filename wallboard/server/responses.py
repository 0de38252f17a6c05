"""JSON error answers: one sentence in ``{"message": ...}``."""

from __future__ import annotations

from starlette.responses import Response

from wallboard.wire import ErrorBody


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        ErrorBody(message=message).model_dump_json(), status_code=status,
        media_type="application/json", headers=headers,
    )
