"""Python client for tmux-monitor: stream tmux and AI-agent events over WebSocket.

    from tmux_websocket import TmuxMonitor
    monitor = TmuxMonitor('ws://localhost:8765')
    monitor.authenticate('your-token')
    monitor.subscribe(types=['agent.status'])
    for event in monitor.events():
        print(f"Event: {event.type} - {event.data}")

:class:`AsyncTmuxMonitor` is the asyncio client; :class:`TmuxMonitor` wraps it for
blocking code. Both reconnect with backoff and resume without loss or duplicates; a
:class:`Gap` (``type == 'gap'``) marks events that could not be replayed.
"""
from ._compat import IMPLEMENTATION as WEBSOCKETS_IMPLEMENTATION
from ._compat import WEBSOCKETS_VERSION
from .backoff import Backoff
from .client import ATTENTION_STATES, DEFAULT_URL, AsyncTmuxMonitor, build_filters
from .errors import (
    TERMINAL_CLOSE_CODES,
    AuthError,
    ClientClosedError,
    ConnectionClosedError,
    ForbiddenError,
    InvalidRequestError,
    MonitorTimeoutError,
    NotFoundError,
    RateLimitError,
    TmuxMonitorError,
)
from .events import Event, Gap
from .sync import TmuxMonitor

__version__ = "0.1.0"

__all__ = [
    "TmuxMonitor",
    "AsyncTmuxMonitor",
    "Event",
    "Gap",
    "TmuxMonitorError",
    "AuthError",
    "ForbiddenError",
    "InvalidRequestError",
    "RateLimitError",
    "NotFoundError",
    "ConnectionClosedError",
    "MonitorTimeoutError",
    "ClientClosedError",
    "TERMINAL_CLOSE_CODES",
    "Backoff",
    "build_filters",
    "DEFAULT_URL",
    "ATTENTION_STATES",
    "WEBSOCKETS_VERSION",
    "WEBSOCKETS_IMPLEMENTATION",
    "__version__",
]
