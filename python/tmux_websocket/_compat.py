"""The one place that knows which ``websockets`` API is installed.

websockets >= 13 has the new asyncio implementation at ``websockets.asyncio.client``;
from 14 on the older ("legacy") one at ``websockets.client`` / ``websockets.legacy``
is deprecated. Debian 12 ships 10.4, which only has the legacy one. Both expose
``await connect(uri, ...)`` returning a connection with ``send``, ``recv``, ``close`` and
``transport``, and both raise ``websockets.exceptions.ConnectionClosed``; only the name
of the extra-headers argument differs.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

import websockets
from websockets.exceptions import ConnectionClosed

try:  # websockets >= 13
    from websockets.asyncio.client import connect as _connect

    HEADERS_ARG = "additional_headers"
    IMPLEMENTATION = "asyncio"
except ImportError:  # websockets 10 - 12: the legacy implementation is the only one
    from websockets.client import connect as _connect  # type: ignore[no-redef]

    HEADERS_ARG = "extra_headers"
    IMPLEMENTATION = "legacy"

WEBSOCKETS_VERSION: str = getattr(websockets, "__version__", "unknown")

__all__ = ["ConnectionClosed", "open_connection", "close_info", "IMPLEMENTATION", "WEBSOCKETS_VERSION"]


async def open_connection(
    url: str,
    *,
    headers: Optional[Mapping[str, str]] = None,
    open_timeout: Optional[float] = 10.0,
    max_size: Optional[int] = 2**24,
    ping_interval: Optional[float] = 20.0,
    ping_timeout: Optional[float] = 20.0,
) -> Any:
    kwargs: dict = {
        "open_timeout": open_timeout,
        "max_size": max_size,
        "ping_interval": ping_interval,
        "ping_timeout": ping_timeout,
        "close_timeout": 2,
    }
    if headers:
        kwargs[HEADERS_ARG] = dict(headers)
    return await _connect(url, **kwargs)


def close_info(exc: ConnectionClosed) -> tuple:
    """(code, reason) of the close frame received, (1006, '') when none was."""
    rcvd = getattr(exc, "rcvd", None)
    if rcvd is None:
        return 1006, ""
    return int(rcvd.code), str(rcvd.reason or "")
