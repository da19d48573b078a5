"""Exceptions raised by the client.

Every exception carries ``code``: the protocol's error code (``AUTH_FAILED``,
``FORBIDDEN``, ...) when the server reported one, or a client-side code
(``CONNECTION_FAILED``, ``CONNECTION_CLOSED``, ``TIMEOUT``, ``CLIENT_CLOSED``,
``PROTOCOL_ERROR``) when the
failure happened on this side. ``close_code`` is the WebSocket close code where a
closed connection is the cause.
"""
from __future__ import annotations

from typing import Any, Optional

# Close codes after which the client must not reconnect on its own (protocol.md,
# "Close codes"): the same set the server and the JS client use.
TERMINAL_CLOSE_CODES = frozenset({4401, 4403, 1009})

CLOSE_CODE_MEANINGS = {
    1000: "normal closure",
    1001: "server shutting down",
    1006: "connection lost",
    1009: "message too large",
    4401: "authentication failed or token expired",
    4403: "forbidden",
    4408: "no auth within the auth timeout",
    4429: "rate limit exceeded",
    4503: "too slow to read",
}


class TmuxMonitorError(Exception):
    """Base class: a failure with a protocol (or client-side) error code."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        details: Any = None,
        close_code: Optional[int] = None,
        response: Optional[dict] = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details
        self.close_code = close_code
        self.response = response


class AuthError(TmuxMonitorError):
    """AUTH_FAILED, AUTH_REQUIRED or TOKEN_EXPIRED, or a 4401 close."""


class ForbiddenError(TmuxMonitorError):
    """FORBIDDEN, or a 4403 close: the token may not do this."""


class InvalidRequestError(TmuxMonitorError):
    """INVALID_MESSAGE, INVALID_JSON, INVALID_FILTER or UNKNOWN_ACTION."""


class RateLimitError(TmuxMonitorError):
    """RATE_LIMIT (or a 4429 close)."""


class NotFoundError(TmuxMonitorError):
    """NOT_FOUND: the target session, window or pane does not exist."""


class ConnectionClosedError(TmuxMonitorError):
    """The connection closed (``close_code`` says how) or could not be opened."""


class MonitorTimeoutError(TmuxMonitorError, TimeoutError):
    """Nothing arrived in time (code ``TIMEOUT``): a reply, the connection, or an event."""


class ClientClosedError(TmuxMonitorError):
    """The client was closed by its user (code ``CLIENT_CLOSED``)."""


_BY_CODE = {
    "AUTH_REQUIRED": AuthError,
    "AUTH_FAILED": AuthError,
    "TOKEN_EXPIRED": AuthError,
    "FORBIDDEN": ForbiddenError,
    "INVALID_JSON": InvalidRequestError,
    "INVALID_MESSAGE": InvalidRequestError,
    "INVALID_FILTER": InvalidRequestError,
    "UNKNOWN_ACTION": InvalidRequestError,
    "RATE_LIMIT": RateLimitError,
    "NOT_FOUND": NotFoundError,
}


def error_from_message(msg: dict) -> TmuxMonitorError:
    """The exception for a server ``error`` message."""
    code = str(msg.get("code") or "INTERNAL_ERROR")
    cls = _BY_CODE.get(code, TmuxMonitorError)
    return cls(code, str(msg.get("message") or code), details=msg.get("details"), response=msg)


def error_from_close(close_code: int, reason: str = "", last_error: Optional[dict] = None) -> TmuxMonitorError:
    """The exception for a closed connection.

    ``last_error`` is the last unsolicited ``error`` message received on that connection:
    the server sends ``TOKEN_EXPIRED`` just before closing with 4401, and that code says
    more than the close code alone.
    """
    meaning = reason or CLOSE_CODE_MEANINGS.get(close_code, "connection closed")
    message = f"connection closed with {close_code} ({meaning})"
    if close_code == 4401:
        code = "AUTH_FAILED"
        if last_error and last_error.get("code") in ("TOKEN_EXPIRED", "AUTH_FAILED", "AUTH_REQUIRED"):
            code = last_error["code"]
        return AuthError(code, message, close_code=close_code, response=last_error)
    if close_code == 4403:
        return ForbiddenError("FORBIDDEN", message, close_code=close_code, response=last_error)
    if close_code == 4429:
        return RateLimitError("RATE_LIMIT", message, close_code=close_code, response=last_error)
    return ConnectionClosedError("CONNECTION_CLOSED", message, close_code=close_code, response=last_error)
