"""What ``events()`` yields: :class:`Event` for server events, :class:`Gap` for lost history."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional


@dataclass(frozen=True)
class Event:
    """One event from the server, as on the wire (protocol.md, "Events").

    ``session``, ``window`` (index), ``pane`` (index) and ``pane_id`` are ``None`` where
    they do not apply (system events). ``raw`` is the whole JSON object received,
    including extras such as ``session_id`` or ``window_name``.
    """

    type: str
    data: dict
    seq: Optional[int] = None
    timestamp: Optional[str] = None
    session: Optional[str] = None
    window: Optional[int] = None
    pane: Optional[int] = None
    pane_id: Optional[str] = None
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    #: The machine the event happened on (protocol v1.1; ``None`` from older servers).
    host: Optional[str] = None

    @classmethod
    def from_message(cls, msg: dict) -> "Event":
        data = msg.get("data")
        return cls(
            type=str(msg.get("type")),
            data=data if isinstance(data, dict) else {},
            seq=msg.get("seq"),
            timestamp=msg.get("timestamp"),
            session=msg.get("session"),
            window=msg.get("window"),
            pane=msg.get("pane"),
            pane_id=msg.get("pane_id"),
            raw=msg,
            host=msg.get("host"),
        )

    @property
    def is_gap(self) -> bool:
        return False

    def get(self, key: str, default: Any = None) -> Any:
        """A field of the raw message (``event.get('window_name')``)."""
        return self.raw.get(key, default)


@dataclass(frozen=True)
class Gap(Event):
    """Events were lost across a reconnect: re-read state (``snapshot()``) to be sure of it.

    Yielded by ``events()`` (``type == 'gap'``) before the events that could still be
    replayed. ``data`` holds:

    - ``reason``: ``"epoch-changed"`` (the server restarted: its history and sequence
      numbers start anew) or ``"history-lost"`` (the server no longer holds every event
      after the last one this client saw);
    - ``since``: the last sequence number seen before the gap (in ``previous_epoch``);
      ``epoch``: the server's epoch now;
    - ``replay_from`` / ``replay_to`` / ``replayed``: what the server could replay.

    The same fields as the JS client's ``gap`` event (snake_case).

    ``snapshot`` holds the state re-read after the gap when the client was created with
    ``snapshot_on_gap=True`` (``None`` otherwise).
    """

    snapshot: Optional[dict] = field(default=None, repr=False, compare=False)

    @classmethod
    def create(cls, data: dict, snapshot: Optional[dict] = None) -> "Gap":
        timestamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        raw = {"type": "gap", "timestamp": timestamp, "data": data}
        return cls(type="gap", data=data, timestamp=timestamp, raw=raw, snapshot=snapshot)

    @property
    def is_gap(self) -> bool:
        return True
