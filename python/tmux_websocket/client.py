"""The asyncio client: :class:`AsyncTmuxMonitor`.

One background task owns the connection. It opens the WebSocket, waits for
``connection.established``, authenticates, re-subscribes (resuming from the last ``seq``
and ``epoch`` seen) and then reads until the connection closes; unless the close code is
terminal (4401, 4403, 1009) it waits an exponential, fully jittered delay and starts
again. Requests (``subscribe``, ``snapshot``, ...) wait for that handshake, carry an
``id`` and are matched with the reply that echoes it. Events go to a queue that
``events()`` / ``next_event()`` read.

Delivery guarantee across reconnects: every event the server still holds is delivered
once, in ``seq`` order; events with ``seq`` not above the last one delivered in the same
epoch are dropped as a safety net. When the server cannot replay everything (its history
no longer reaches back far enough, or it restarted: a new ``epoch``) a :class:`Gap` is
delivered first.
"""
from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Dict, Iterable, List, Optional, Union

from . import _compat
from .backoff import Backoff
from .errors import (
    TERMINAL_CLOSE_CODES,
    AuthError,
    ClientClosedError,
    ConnectionClosedError,
    ForbiddenError,
    MonitorTimeoutError,
    TmuxMonitorError,
    error_from_close,
    error_from_message,
)
from .events import Event, Gap

log = logging.getLogger("tmux_websocket")
log.addHandler(logging.NullHandler())  # a library: the application decides what is shown

DEFAULT_URL = "ws://127.0.0.1:8765"

# Server messages that are not events (protocol.md, "Server → client").
_CONTROL_TYPES = frozenset({
    "connection.established", "auth.response", "subscription.confirmed", "unsubscribe.confirmed",
    "replay.complete", "snapshot.acknowledged", "snapshot.data", "command.result", "pong", "error",
    "ack.result",
})

# v1.1: what an ``agent.attention`` event's ``data["attention"]`` may say (None: cleared).
ATTENTION_STATES = ("waiting", "error", "done")

# Wakes readers of the event queue so they notice that the client closed or failed.
_WAKE = object()

FilterValue = Union[str, int]
FilterArg = Union[None, str, int, Iterable[FilterValue]]
Callback = Optional[Callable[..., Any]]


@dataclass
class _Pending:
    future: "asyncio.Future[dict]"
    expect: str  # the reply type that answers the request


@dataclass
class _Subscription:
    filters: dict
    server_id: str


@dataclass
class _Replay:
    """One ``subscribe`` with ``since`` whose ``replay.complete`` is awaited."""

    future: "asyncio.Future[dict]"
    subscription: Optional[str] = None


@dataclass
class _ReplayOutcome:
    completes: List[dict] = field(default_factory=list)


def _as_list(value: FilterArg) -> Optional[list]:
    if value is None:
        return None
    if isinstance(value, (str, int)):
        return [value]
    return list(value)


def build_filters(
    types: FilterArg = None,
    sessions: FilterArg = None,
    windows: FilterArg = None,
    panes: FilterArg = None,
    hosts: FilterArg = None,
) -> dict:
    """The ``filters`` object of a ``subscribe``; omitted lists match everything."""
    filters = {}
    for key, value in (("types", types), ("sessions", sessions), ("hosts", hosts), ("windows", windows), ("panes", panes)):
        items = _as_list(value)
        if items is not None:
            filters[key] = items
    return filters


class AsyncTmuxMonitor:
    """asyncio client for a tmux-monitor server.

    ``url`` is used as given: ``ws://host:8765`` (no path) and ``ws://host:8765/monitor``
    both work. With ``token`` the client authenticates on every (re)connect; otherwise
    call :meth:`authenticate`. ``token`` may also be a function returning one (or an
    awaitable of one), called on every connect: a way to hand out fresh tokens.

    Options:
      reconnect: reconnect after a non-terminal close (default True).
      min_delay, max_delay: bounds of the exponential backoff with full jitter (seconds).
      max_retries: give up after this many failed attempts in a row (None: never).
      request_timeout: seconds to wait for the reply to a request.
      connect_timeout: seconds a request waits for a connection to be (re)established.
      open_timeout: seconds for the WebSocket opening handshake.
      snapshot_on_gap: after a gap, re-read the state with ``snapshot()`` and attach it to
        the :class:`Gap` (``gap.snapshot``).
      on_gap(gap): called (in the event loop) when a gap is detected, beside the Gap that
        ``events()`` yields.
      on_state(state): called on every state change: ``connecting``, ``open``,
        ``reconnecting``, ``failed``, ``closed``.
      on_resume(info): called after each reconnect that re-subscribed, with ``{epoch,
        since, replayed, complete}`` (``complete`` is False when a gap came first).
      on_error(error): called with a :class:`TmuxMonitorError` for ``error`` messages that
        answer no request (e.g. ``RATE_LIMIT``, ``TOKEN_EXPIRED``).
      headers: extra HTTP headers for the upgrade request.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        token: Union[None, str, Callable[[], Any]] = None,
        *,
        reconnect: bool = True,
        min_delay: float = 0.5,
        max_delay: float = 20.0,
        max_retries: Optional[int] = None,
        request_timeout: float = 10.0,
        connect_timeout: float = 30.0,
        open_timeout: float = 10.0,
        snapshot_on_gap: bool = False,
        on_gap: Callback = None,
        on_state: Callback = None,
        on_resume: Callback = None,
        on_error: Callback = None,
        headers: Optional[Dict[str, str]] = None,
        ping_interval: Optional[float] = 20.0,
    ) -> None:
        self.url = url
        self.reconnect = reconnect
        self.max_retries = max_retries
        self.request_timeout = request_timeout
        self.connect_timeout = connect_timeout
        self.open_timeout = open_timeout
        self.snapshot_on_gap = snapshot_on_gap
        self.on_gap = on_gap
        self.on_state = on_state
        self.on_resume = on_resume
        self.on_error = on_error
        self.headers = dict(headers or {})
        self.ping_interval = ping_interval
        self._backoff = Backoff(min_delay, max_delay)

        self._token: Union[None, str, Callable[[], Any]] = token
        self._state = "idle"
        self._closed = False
        self._failure: Optional[TmuxMonitorError] = None
        self._task: Optional[asyncio.Task] = None
        self._ws: Any = None
        self._ready: Optional[asyncio.Event] = None
        self._queue: Optional[asyncio.Queue] = None
        self._replay_lock: Optional[asyncio.Lock] = None
        self._established_future: Optional[asyncio.Future] = None
        self._ids = itertools.count(1)
        self._pending: "OrderedDict[int, _Pending]" = OrderedDict()
        self._replays_by_request: Dict[int, _Replay] = {}
        self._replays_by_subscription: Dict[str, _Replay] = {}
        self._subs: "OrderedDict[str, _Subscription]" = OrderedDict()
        self._buffering = 0
        self._buffer: List[Event] = []
        self._last_error: Optional[dict] = None

        self._established: Optional[dict] = None
        self._auth: Optional[dict] = None
        self._authed_token: Optional[str] = None
        self._epoch: Optional[str] = None
        self._seq: Optional[int] = None
        self.dropped_duplicates = 0
        self.reconnects = 0  # reconnect attempts made (successful or not)

    # ----------------------------------------------------------------- properties

    @property
    def state(self) -> str:
        """``idle``, ``connecting``, ``open``, ``reconnecting``, ``failed`` or ``closed``."""
        return self._state

    @property
    def epoch(self) -> Optional[str]:
        """The server epoch of the events delivered so far."""
        return self._epoch

    @property
    def last_seq(self) -> Optional[int]:
        """The position to resume from: the last ``seq`` delivered (or subscribed at)."""
        return self._seq

    @property
    def client_id(self) -> Optional[str]:
        return (self._established or {}).get("client_id")

    @property
    def established(self) -> Optional[dict]:
        """The last ``connection.established`` message."""
        return self._established

    @property
    def auth_info(self) -> Optional[dict]:
        """The last ``auth.response`` message."""
        return self._auth

    @property
    def subscriptions(self) -> List[str]:
        """Ids of this client's subscriptions (stable across reconnects)."""
        return list(self._subs)

    @property
    def failure(self) -> Optional[TmuxMonitorError]:
        """Why the client stopped (state ``failed``), if it did."""
        return self._failure

    # ----------------------------------------------------------------- public API

    async def connect(self) -> dict:
        """Open the connection (and authenticate with the constructor's token).

        Returns the ``connection.established`` message. Raises on failure.
        """
        await self._ensure_ready()
        assert self._established is not None
        return self._established

    async def authenticate(self, token: str) -> dict:
        """Authenticate with ``token`` (kept for reconnects). Returns the ``auth.response``.

        Raises :class:`AuthError` (``code`` ``AUTH_FAILED`` / ``TOKEN_EXPIRED``) on a bad token.
        """
        previous = self._token
        self._token = token
        try:
            await self._ensure_ready()
            if self._authed_token == token and self._auth is not None:
                return self._auth  # the connection handshake just used this token
            response = await self._request({"action": "auth", "token": token}, "auth.response")
        except AuthError:
            self._token = previous  # reconnects keep using the last good token
            raise
        self._auth = response
        self._authed_token = token
        return response

    async def subscribe(
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
        """Subscribe to events matching the filters; returns the subscription id.

        ``types`` entries may be exact (``agent.status``), a family (``pane.*``) or ``*``.
        ``sessions``/``windows``/``panes`` take names, ids, indexes or targets; ``hosts``
        takes host names (several machines on a NATS bus; protocol v1.1). With
        ``since`` (and optionally ``epoch``) the server first replays the held events after
        that ``seq``; this call returns once the replay is complete, and a :class:`Gap` is
        queued first if it could not be complete.
        """
        filters = build_filters(types, sessions, windows, panes, hosts)
        await self._ensure_ready()
        if since is None:
            response = await self._request({"action": "subscribe", "filters": filters}, "subscription.confirmed")
            seq = response.get("seq")
            if isinstance(seq, int):
                self._seq = seq if self._seq is None else max(self._seq, seq)
            ids = [response["subscription"]]
        else:
            ids = await self._subscribe_with_replay([filters], since, epoch, reason_epoch=epoch)
        sub_id = ids[0]
        self._subs[sub_id] = _Subscription(filters=filters, server_id=sub_id)
        return sub_id

    async def unsubscribe(self, subscription: Optional[str] = None) -> List[str]:
        """Remove one subscription (or all); returns the ids left."""
        await self._ensure_ready()
        message: dict = {"action": "unsubscribe"}
        if subscription is not None:
            sub = self._subs.get(subscription)
            message["subscription"] = sub.server_id if sub else subscription
        await self._request(message, "unsubscribe.confirmed")
        if subscription is None:
            self._subs.clear()
        else:
            self._subs.pop(subscription, None)
        return list(self._subs)

    async def snapshot(
        self,
        session: Optional[str] = None,
        window: Optional[Union[str, int]] = None,
        pane: Optional[Union[str, int]] = None,
        *,
        lines: Optional[int] = None,
        host: Optional[str] = None,
        escapes: Optional[bool] = None,
    ) -> dict:
        """The current state: ``{seq, sessions: [...]}`` (the ``data`` of ``snapshot.data``).

        ``host`` narrows it to one machine (needed only when a session name is used on
        more than one; otherwise the server answers ``AMBIGUOUS_TARGET``). ``escapes=True``
        keeps colours (SGR sequences) in each pane's ``content`` (v1.1)."""
        await self._ensure_ready()
        return await self._snapshot(session, window, pane, lines, host, escapes)

    async def ack(
        self,
        session: Optional[str] = None,
        window: Optional[Union[str, int]] = None,
        pane: Optional[Union[str, int]] = None,
        *,
        host: Optional[str] = None,
        target: Optional[dict] = None,
    ) -> dict:
        """Acknowledge a pane's attention (v1.1; ``agent.attention`` events say which panes
        need a person): it no longer needs anyone. Without ``pane``, every pane of the window.
        Needs ``read``. Returns the ``ack.result`` (``cleared``: how many panes)."""
        if target is None:
            target = {"session": session, "window": window}
            if pane is not None:
                target["pane"] = pane
            if host is not None:
                target["host"] = host
        await self._ensure_ready()
        return await self._request({"action": "ack", "target": target}, "ack.result")

    async def command(
        self,
        command: str,
        session: Optional[str] = None,
        window: Optional[Union[str, int]] = None,
        pane: Optional[Union[str, int]] = None,
        *,
        text: Optional[str] = None,
        enter: Optional[bool] = None,
        target: Optional[dict] = None,
        host: Optional[str] = None,
    ) -> dict:
        """Run ``send`` (type ``text``, then Enter unless ``enter=False``) or ``interrupt`` (C-c)
        in a pane. Needs the ``write`` permission. Returns the ``command.result``."""
        if target is None:
            target = {"session": session, "window": window}
            if pane is not None:
                target["pane"] = pane
        if host is not None:
            target = {"host": host, **target}
        message: dict = {"action": "command", "command": command, "target": target}
        if text is not None:
            message["text"] = text
        if enter is not None:
            message["enter"] = enter
        await self._ensure_ready()
        return await self._request(message, "command.result")

    async def send_text(self, session: str, window: Union[str, int], pane: Optional[Union[str, int]] = None,
                        text: str = "", *, enter: bool = True) -> dict:
        """Type ``text`` into a pane (and press Enter unless ``enter=False``)."""
        return await self.command("send", session, window, pane, text=text, enter=enter)

    async def interrupt(self, session: str, window: Union[str, int], pane: Optional[Union[str, int]] = None) -> dict:
        """Send C-c to a pane."""
        return await self.command("interrupt", session, window, pane)

    async def ping(self) -> float:
        """Round trip of a protocol ``ping`` in seconds."""
        await self._ensure_ready()
        started = time.monotonic()
        await self._request({"action": "ping"}, "pong")
        return time.monotonic() - started

    async def next_event(self, timeout: Optional[float] = None) -> Event:
        """The next :class:`Event` (or :class:`Gap`).

        Raises :class:`MonitorTimeoutError` after ``timeout`` seconds without one, the
        failure if the client stopped (e.g. :class:`AuthError` on a 4401 close), or
        :class:`ClientClosedError` once :meth:`close` was called.
        """
        self._init_loop_objects()
        if self._task is None and not self._closed:
            self._start()
        assert self._queue is not None
        while True:
            if self._queue.empty():
                self._raise_if_stopped()
            try:
                item = await asyncio.wait_for(self._queue.get(), timeout)
            except asyncio.TimeoutError:
                raise MonitorTimeoutError("TIMEOUT", f"no event within {timeout} s") from None
            if item is _WAKE:
                if self._closed or self._failure is not None:
                    self._queue.put_nowait(_WAKE)  # for any other reader
                    self._raise_if_stopped()
                continue
            return item

    async def events(self, timeout: Optional[float] = None) -> AsyncIterator[Event]:
        """Yield events (and gaps) as they arrive.

        Ends when :meth:`close` is called, or after ``timeout`` seconds without an event
        (when given); raises the failure if the client stops (terminal close code,
        reconnects exhausted).
        """
        while True:
            try:
                event = await self.next_event(timeout)
            except (ClientClosedError, MonitorTimeoutError):
                return
            yield event

    def __aiter__(self) -> AsyncIterator[Event]:
        return self.events()

    async def close(self) -> None:
        """Close the connection for good; ``events()`` then ends."""
        if self._closed:
            return
        self._closed = True
        self._set_state("closed")
        ws = self._ws
        if ws is not None:
            try:
                await asyncio.wait_for(ws.close(1000, "client closed"), 3)
            except Exception:  # already gone: nothing to do
                pass
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except BaseException:  # cancelled or failed: either way it is over
                pass
        self._reject_pending(ClientClosedError("CLIENT_CLOSED", "client closed"))
        if self._queue is not None:
            self._queue.put_nowait(_WAKE)

    async def __aenter__(self) -> "AsyncTmuxMonitor":
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    # ----------------------------------------------------------------- lifecycle

    def _init_loop_objects(self) -> None:
        # Created on first use inside the running loop (never in __init__, which may run
        # in another thread or before any loop exists).
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._ready = asyncio.Event()
            self._replay_lock = asyncio.Lock()

    def _start(self) -> None:
        self._init_loop_objects()
        assert self._queue is not None
        if self._failure is not None:
            # A restart after a failure (e.g. authenticate() with a fresh token after a
            # 4401): forget the failure and the wake-ups queued for it.
            self._failure = None
            kept = []
            while not self._queue.empty():
                item = self._queue.get_nowait()
                if item is not _WAKE:
                    kept.append(item)
            for item in kept:
                self._queue.put_nowait(item)
        self._task = asyncio.ensure_future(self._run())

    async def _ensure_ready(self) -> None:
        if self._closed:
            raise ClientClosedError("CLIENT_CLOSED", "client closed")
        self._init_loop_objects()
        assert self._ready is not None
        if self._task is None or self._task.done():
            self._start()
        if self._ready.is_set():
            return
        assert self._task is not None
        ready = asyncio.ensure_future(self._ready.wait())
        try:
            done, _ = await asyncio.wait({ready, self._task}, timeout=self.connect_timeout,
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
        if self._ready.is_set():
            return
        self._raise_if_stopped()
        raise MonitorTimeoutError("TIMEOUT", f"not connected within {self.connect_timeout} s")

    def _raise_if_stopped(self) -> None:
        if self._closed:
            raise ClientClosedError("CLIENT_CLOSED", "client closed")
        if self._failure is not None:
            raise self._failure

    def _set_state(self, state: str) -> None:
        if state == self._state:
            return
        self._state = state
        self._callback(self.on_state, state)

    def _fail(self, error: TmuxMonitorError) -> None:
        self._failure = error
        self._set_state("failed")
        self._reject_pending(error)
        assert self._queue is not None
        self._queue.put_nowait(_WAKE)

    async def _run(self) -> None:
        """The connection loop (one per start)."""
        assert self._ready is not None
        ready_once = False
        failures = 0
        while not self._closed:
            self._set_state("reconnecting" if ready_once else "connecting")
            error, close_code = await self._connect_once(resume=bool(self._subs))
            if self._closed:
                return
            if error is None:
                # It was ready, then closed with a non-terminal code: reconnect.
                ready_once = True
                failures = 0
                if not self.reconnect:
                    self._fail(error_from_close(close_code, "", self._last_error))
                    return
            else:
                terminal = close_code in TERMINAL_CLOSE_CODES or isinstance(error, (AuthError, ForbiddenError))
                failures += 1
                if terminal or not self.reconnect or not ready_once:
                    # Terminal codes never reconnect; and a first connection that fails
                    # is reported at once rather than retried in the background.
                    self._fail(error)
                    return
                if self.max_retries is not None and failures > self.max_retries:
                    self._fail(error)
                    return
            delay = self._backoff.next_delay()
            if close_code == 4429:  # rate limited: wait the longest delay
                delay = max(delay, self._backoff.max_delay)
            log.info("tmux-monitor: %s; reconnecting in %.2f s", error, delay)
            self._set_state("reconnecting")
            await asyncio.sleep(delay)
            self.reconnects += 1

    async def _connect_once(self, resume: bool) -> tuple:
        """Open, handshake and read one connection until it closes.

        Returns ``(None, code)`` when the connection was ready and later closed with a
        non-terminal code, else ``(error, close_code_or_None)``.
        """
        assert self._ready is not None
        loop = asyncio.get_running_loop()
        self._established_future = loop.create_future()
        self._last_error = None
        self._authed_token = None
        try:
            ws = await _compat.open_connection(
                self.url, headers=self.headers, open_timeout=self.open_timeout,
                ping_interval=self.ping_interval, ping_timeout=self.ping_interval,
            )
        except Exception as exc:
            return ConnectionClosedError("CONNECTION_FAILED", f"cannot connect to {self.url}: {exc}"), None
        self._ws = ws
        reader = asyncio.ensure_future(self._read(ws))
        handshake_error: Optional[TmuxMonitorError] = None
        try:
            await self._handshake(resume)
        except TmuxMonitorError as exc:
            handshake_error = exc
        except asyncio.CancelledError:
            reader.cancel()
            raise
        was_ready = False
        if handshake_error is None and not reader.done():
            self._backoff.reset()
            self._ready.set()
            was_ready = True
            self._set_state("open")
        elif not reader.done():
            try:
                await asyncio.wait_for(ws.close(1000, "handshake failed"), 3)
            except Exception:
                pass
        code, reason = await reader
        if was_ready and code not in TERMINAL_CLOSE_CODES:
            log.info("tmux-monitor: connection closed (%s %s)", code, reason)
            return None, code
        if handshake_error is not None:
            if handshake_error.close_code is None and code in TERMINAL_CLOSE_CODES:
                handshake_error.close_code = code  # e.g. AUTH_FAILED, then the 4401 close
            return handshake_error, code
        return error_from_close(code, reason, self._last_error), code

    async def _handshake(self, resume: bool) -> None:
        assert self._established_future is not None
        try:
            established = await asyncio.wait_for(asyncio.shield(self._established_future), self.request_timeout)
        except asyncio.TimeoutError:
            raise MonitorTimeoutError("TIMEOUT", "no connection.established from the server") from None
        self._established = established
        previous_epoch = self._epoch
        epoch = established.get("epoch")
        epoch_changed = previous_epoch is not None and epoch != previous_epoch
        token = self._token
        if callable(token):
            token = token()
            if inspect.isawaitable(token):
                token = await token
        if token:
            self._auth = await self._request({"action": "auth", "token": token}, "auth.response")
            self._authed_token = token
        if not (resume and self._subs):
            if epoch_changed:
                self._seq = None  # sequence numbers of the old epoch mean nothing here
            self._epoch = epoch
            return
        # Resume: subscribe again with the same filters from the last seq seen. After a
        # server restart (new epoch) ask for everything the new server holds (since 0):
        # the old epoch's numbers do not apply, and passing the old epoch makes the
        # server report the replay incomplete.
        since = 0 if epoch_changed or self._seq is None else self._seq
        entries = list(self._subs.items())
        ids = await self._subscribe_with_replay(
            [sub.filters for _, sub in entries], since, previous_epoch,
            new_epoch=epoch, epoch_changed=epoch_changed,
        )
        for (_, sub), server_id in zip(entries, ids):
            sub.server_id = server_id

    async def _subscribe_with_replay(
        self,
        filter_sets: List[dict],
        since: int,
        epoch: Optional[str],
        *,
        new_epoch: Optional[str] = None,
        epoch_changed: bool = False,
        reason_epoch: Optional[str] = None,
    ) -> List[str]:
        """Subscribe with ``since`` for each filter set, and deliver what is replayed.

        Events are held back until every ``replay.complete`` has arrived, then delivered
        sorted by ``seq`` with duplicates dropped: with several subscriptions the replays
        overlap and live events of one interleave with the replay of the next. A Gap goes
        first when any replay was incomplete.
        """
        assert self._replay_lock is not None
        async with self._replay_lock:
            loop = asyncio.get_running_loop()
            self._buffering += 1
            flushed = False
            replays: List[_Replay] = []
            ids: List[str] = []
            last_seq = self._seq
            try:
                for filters in filter_sets:
                    message: dict = {"action": "subscribe", "filters": filters, "since": since}
                    if epoch is not None:
                        message["epoch"] = epoch
                    replay = _Replay(loop.create_future())
                    replays.append(replay)
                    response = await self._request(message, "subscription.confirmed", replay=replay)
                    ids.append(response["subscription"])
                completes = []
                for replay in replays:
                    try:
                        completes.append(await asyncio.wait_for(asyncio.shield(replay.future), self.request_timeout))
                    except asyncio.TimeoutError:
                        raise MonitorTimeoutError("TIMEOUT", "no replay.complete from the server") from None
                if new_epoch is not None:
                    if epoch_changed:
                        self._seq = None
                    self._epoch = new_epoch
                elif self._epoch is None and self._established is not None:
                    self._epoch = self._established.get("epoch")
                incomplete = [c for c in completes if not c.get("complete", True)]
                gap: Optional[Gap] = None
                if epoch_changed or incomplete:
                    changed = epoch_changed or (
                        reason_epoch is not None and self._established is not None
                        and reason_epoch != self._established.get("epoch")
                    )
                    data = {
                        "reason": "epoch-changed" if changed else "history-lost",
                        "since": last_seq,
                        "epoch": self._epoch,
                        "previous_epoch": epoch,
                        "replay_from": min((c.get("from", 0) for c in completes), default=None),
                        "replay_to": max((c.get("to", 0) for c in completes), default=None),
                        "replayed": sum(int(c.get("count", 0) or 0) for c in completes),
                    }
                    snapshot = None
                    if self.snapshot_on_gap:
                        try:
                            snapshot = await self._snapshot(None, None, None, None)
                        except TmuxMonitorError as exc:
                            data["snapshot_error"] = exc.code
                    gap = Gap.create(data, snapshot)
                held = sorted(self._buffer, key=lambda e: e.seq or 0)
                self._buffer = []
                self._buffering -= 1
                flushed = True
                if gap is not None:
                    self._emit_gap(gap)
                delivered = sum(1 for event in held if self._deliver(event))
                if new_epoch is not None:
                    self._callback(self.on_resume, {
                        "epoch": self._epoch, "since": 0 if epoch_changed else since,
                        "replayed": delivered, "complete": gap is None,
                    })
                return ids
            finally:
                for replay in replays:
                    if replay.subscription is not None:
                        self._replays_by_subscription.pop(replay.subscription, None)
                if not flushed:
                    # Failed midway: what was held will be replayed again on resume.
                    self._buffering = max(0, self._buffering - 1)
                    if self._buffering == 0:
                        self._buffer = []

    async def _snapshot(self, session: Any, window: Any, pane: Any, lines: Optional[int], host: Optional[str] = None,
                        escapes: Optional[bool] = None) -> dict:
        message: dict = {"action": "snapshot"}
        target = {k: v for k, v in (("host", host), ("session", session), ("window", window), ("pane", pane)) if v is not None}
        if target:
            message["target"] = target
        if lines is not None:
            message["lines"] = lines
        if escapes is not None:
            message["escapes"] = escapes
        response = await self._request(message, "snapshot.data")
        return response.get("data") or {}

    # ----------------------------------------------------------------- wire

    async def _request(self, message: dict, expect: str, replay: Optional[_Replay] = None) -> dict:
        ws = self._ws
        if ws is None:
            raise ConnectionClosedError("CONNECTION_CLOSED", "not connected")
        request_id = next(self._ids)
        message = dict(message, id=request_id)
        future = asyncio.get_running_loop().create_future()
        self._pending[request_id] = _Pending(future, expect)
        if replay is not None:
            self._replays_by_request[request_id] = replay
        try:
            await ws.send(json.dumps(message))
            return await asyncio.wait_for(future, self.request_timeout)
        except asyncio.TimeoutError:
            raise MonitorTimeoutError("TIMEOUT", f"no reply to {message['action']} within {self.request_timeout} s") from None
        except _compat.ConnectionClosed as exc:
            raise error_from_close(*_compat.close_info(exc), self._last_error) from None
        finally:
            self._pending.pop(request_id, None)
            self._replays_by_request.pop(request_id, None)

    def _reject_pending(self, error: TmuxMonitorError) -> None:
        for pending in list(self._pending.values()):
            if not pending.future.done():
                pending.future.set_exception(error)
        for replay in list(self._replays_by_request.values()) + list(self._replays_by_subscription.values()):
            if not replay.future.done():
                replay.future.set_exception(error)
                replay.future.exception()  # retrieved: no "never retrieved" warning
        self._replays_by_subscription.clear()
        if self._established_future is not None and not self._established_future.done():
            self._established_future.set_exception(error)
            self._established_future.exception()

    async def _read(self, ws: Any) -> tuple:
        """Read and dispatch until the connection closes; returns (close code, reason).

        On close it fails the requests in flight at once (the handshake may be waiting on
        one) and makes new requests wait for the next connection.
        """
        code, reason = await self._read_frames(ws)
        assert self._ready is not None
        self._ready.clear()
        if self._ws is ws:
            self._ws = None
        self._reject_pending(error_from_close(code, reason, self._last_error))
        return code, reason

    async def _read_frames(self, ws: Any) -> tuple:
        try:
            while True:
                raw = await ws.recv()
                if isinstance(raw, bytes):
                    raw = raw.decode("utf-8", "replace")
                try:
                    message = json.loads(raw)
                except ValueError:
                    log.warning("tmux-monitor: ignoring a frame that is not JSON")
                    continue
                if isinstance(message, dict):
                    try:
                        self._dispatch(message)
                    except Exception:
                        log.exception("tmux-monitor: failed to handle %r", message.get("type"))
        except _compat.ConnectionClosed as exc:
            return _compat.close_info(exc)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a transport error other than a close
            log.warning("tmux-monitor: connection error: %s", exc)
            return 1006, str(exc)

    def _dispatch(self, message: dict) -> None:
        kind = message.get("type")
        request_id = message.get("id")
        if kind == "connection.established":
            future = self._established_future
            if future is not None and not future.done():
                future.set_result(message)
            return
        if kind == "error":
            pending = self._pending.get(request_id) if request_id is not None else None
            error = error_from_message(message)
            if pending is not None and not pending.future.done():
                pending.future.set_exception(error)
                return
            self._last_error = message
            if self.on_error is not None:
                self._callback(self.on_error, error)
            else:
                log.warning("tmux-monitor: server error %s", error)
            return
        if kind == "replay.complete":
            self._on_replay_complete(message, request_id)
            return
        if kind in _CONTROL_TYPES:
            pending = self._find_pending(request_id, kind)
            if pending is None:
                return  # e.g. snapshot.acknowledged, or auth.response for a header token
            if kind == "subscription.confirmed":
                replay = self._replays_by_request.get(request_id) if request_id is not None else None
                if replay is not None:
                    replay.subscription = message.get("subscription")
                    self._replays_by_subscription[str(replay.subscription)] = replay
            if not pending.future.done():
                pending.future.set_result(message)
            return
        event = Event.from_message(message)
        # Per-connection notices (system.lagged) carry no seq: nothing to order them by.
        if self._buffering and event.seq is not None:
            self._buffer.append(event)
        else:
            self._deliver(event)

    def _find_pending(self, request_id: Any, kind: str) -> Optional[_Pending]:
        if request_id is not None:
            pending = self._pending.get(request_id)
            return pending if pending is not None and pending.expect == kind else None
        # A reply without the id echoed: the oldest request waiting for this type.
        for pending in self._pending.values():
            if pending.expect == kind and not pending.future.done():
                return pending
        return None

    def _on_replay_complete(self, message: dict, request_id: Any) -> None:
        replay = self._replays_by_subscription.pop(str(message.get("subscription")), None)
        if replay is None and request_id is not None:
            replay = self._replays_by_request.get(request_id)
        if replay is not None and not replay.future.done():
            replay.future.set_result(message)

    def _deliver(self, event: Event) -> bool:
        """Queue an event unless its seq was already delivered (the resume safety net)."""
        assert self._queue is not None
        if event.seq is not None and self._seq is not None and event.seq <= self._seq:
            self.dropped_duplicates += 1
            return False
        if event.seq is not None:
            self._seq = event.seq
        self._queue.put_nowait(event)
        return True

    def _emit_gap(self, gap: Gap) -> None:
        assert self._queue is not None
        self._queue.put_nowait(gap)
        self._callback(self.on_gap, gap)

    @staticmethod
    def _callback(callback: Callback, argument: Any) -> None:
        if callback is None:
            return
        try:
            callback(argument)
        except Exception:
            log.exception("tmux-monitor callback failed")

    def _drop_connection(self) -> None:
        """Abort the transport without a close frame (a network failure), for tests."""
        ws = self._ws
        if ws is not None:
            ws.transport.abort()
