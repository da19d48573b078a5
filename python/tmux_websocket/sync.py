"""The blocking client: :class:`TmuxMonitor`.

It runs an :class:`AsyncTmuxMonitor` on an event loop in a daemon thread and waits for
each call's result, so it behaves exactly like the asyncio client (reconnects, resume,
gaps) while the caller's thread blocks. Callbacks (``on_gap``, ``on_state``,
``on_error``) run in that background thread.
"""
from __future__ import annotations

import asyncio
import threading
from typing import Any, Coroutine, Iterator, List, Optional, TypeVar, Union

from .client import DEFAULT_URL, AsyncTmuxMonitor, FilterArg
from .errors import ClientClosedError, MonitorTimeoutError
from .events import Event

T = TypeVar("T")


class TmuxMonitor:
    """Blocking client::

        monitor = TmuxMonitor('ws://localhost:8765')
        monitor.authenticate('your-token')
        monitor.subscribe(types=['agent.status'])
        for event in monitor.events():
            print(f"Event: {event.type} - {event.data}")

    Takes the same options as :class:`AsyncTmuxMonitor`. Nothing connects until the first
    call (``authenticate``, ``subscribe``, ``connect``, ...).
    """

    def __init__(self, url: str = DEFAULT_URL, token: Any = None, **options: Any) -> None:
        self._client = AsyncTmuxMonitor(url, token, **options)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tmux-monitor", daemon=True)
        self._thread.start()
        self._lock = threading.Lock()
        self._closed = False

    @property
    def client(self) -> AsyncTmuxMonitor:
        """The asyncio client underneath (it lives on the background loop)."""
        return self._client

    def __getattr__(self, name: str) -> Any:
        # Read-only state (state, epoch, last_seq, client_id, subscriptions, auth_info,
        # established, failure, url, ...) comes from the asyncio client.
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._client, name)
        if callable(value):
            raise AttributeError(name)
        return value

    def _call(self, coro: "Coroutine[Any, Any, T]") -> T:
        if self._closed:
            coro.close()
            raise ClientClosedError("CLIENT_CLOSED", "client closed")
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()  # e.g. KeyboardInterrupt while blocked
            raise

    def connect(self) -> dict:
        """Connect now; returns ``connection.established``."""
        return self._call(self._client.connect())

    def authenticate(self, token: str) -> dict:
        """Returns the ``auth.response``; raises :class:`AuthError` (``.code == 'AUTH_FAILED'``)."""
        return self._call(self._client.authenticate(token))

    def subscribe(
        self,
        types: FilterArg = None,
        sessions: FilterArg = None,
        windows: FilterArg = None,
        panes: FilterArg = None,
        *,
        since: Optional[int] = None,
        epoch: Optional[str] = None,
        hosts: FilterArg = None,
    ) -> str:
        """Returns the subscription id."""
        return self._call(self._client.subscribe(types, sessions, windows, panes, since=since, epoch=epoch, hosts=hosts))

    def unsubscribe(self, subscription: Optional[str] = None) -> List[str]:
        return self._call(self._client.unsubscribe(subscription))

    def snapshot(self, session: Optional[str] = None, window: Optional[Union[str, int]] = None,
                 pane: Optional[Union[str, int]] = None, *, lines: Optional[int] = None, host: Optional[str] = None,
                 escapes: Optional[bool] = None) -> dict:
        return self._call(self._client.snapshot(session, window, pane, lines=lines, host=host, escapes=escapes))

    def ack(self, session: Optional[str] = None, window: Optional[Union[str, int]] = None,
            pane: Optional[Union[str, int]] = None, *, host: Optional[str] = None, target: Optional[dict] = None) -> dict:
        """Acknowledge a pane's attention (see AsyncTmuxMonitor.ack)."""
        return self._call(self._client.ack(session, window, pane, host=host, target=target))

    def command(self, command: str, session: Optional[str] = None, window: Optional[Union[str, int]] = None,
                pane: Optional[Union[str, int]] = None, *, text: Optional[str] = None,
                enter: Optional[bool] = None, target: Optional[dict] = None, host: Optional[str] = None) -> dict:
        return self._call(self._client.command(command, session, window, pane, text=text, enter=enter, target=target, host=host))

    def send_text(self, session: str, window: Union[str, int], pane: Optional[Union[str, int]] = None,
                  text: str = "", *, enter: bool = True) -> dict:
        return self._call(self._client.send_text(session, window, pane, text, enter=enter))

    def interrupt(self, session: str, window: Union[str, int], pane: Optional[Union[str, int]] = None) -> dict:
        return self._call(self._client.interrupt(session, window, pane))

    def ping(self) -> float:
        return self._call(self._client.ping())

    def next_event(self, timeout: Optional[float] = None) -> Event:
        """Block for the next event; raises :class:`MonitorTimeoutError` after ``timeout`` s."""
        return self._call(self._client.next_event(timeout))

    def events(self, timeout: Optional[float] = None) -> Iterator[Event]:
        """Blocking generator of events (and :class:`Gap` objects, ``type == 'gap'``).

        Ends on :meth:`close`, or after ``timeout`` seconds without an event when given;
        raises the failure if the client stops (e.g. :class:`AuthError` on a 4401 close).
        """
        while True:
            try:
                event = self.next_event(timeout)
            except (ClientClosedError, MonitorTimeoutError):
                return
            yield event

    def __iter__(self) -> Iterator[Event]:
        return self.events()

    def close(self) -> None:
        """Close the connection and stop the background thread (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(self._client.close(), self._loop).result(10)
            except Exception:
                pass
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        if not self._thread.is_alive():
            self._loop.close()

    def __enter__(self) -> "TmuxMonitor":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
