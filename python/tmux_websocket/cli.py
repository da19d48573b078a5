"""Command line: ``python -m tmux_websocket --url ... --token ... --types ... [--json]``.

Prints one event a line until interrupted (or ``--count`` events, or ``--timeout``
seconds without one). The token may come from ``$TMUX_MONITOR_TOKEN`` and the URL from
``$TMUX_MONITOR_URL``. Exit status: 0 when done or interrupted, 1 when the client stops
on an error (bad token, terminal close code, server unreachable), 2 on bad usage.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import List, Optional, Sequence

from .client import DEFAULT_URL, AsyncTmuxMonitor
from .errors import TmuxMonitorError
from .events import Event


def _split(values: Optional[List[str]]) -> Optional[List[str]]:
    """Accept ``--types a b`` as well as ``--types a,b``."""
    if values is None:
        return None
    return [item for value in values for item in value.split(",") if item]


def _window_or_pane(values: Optional[List[str]]) -> Optional[list]:
    items = _split(values)
    if items is None:
        return None
    return [int(item) if item.isdigit() else item for item in items]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tmux_websocket",
        description="Print tmux-monitor events, one a line.",
    )
    parser.add_argument("--url", default=os.environ.get("TMUX_MONITOR_URL", DEFAULT_URL),
                        help="server URL (default $TMUX_MONITOR_URL or %(default)s)")
    parser.add_argument("--token", default=os.environ.get("TMUX_MONITOR_TOKEN"),
                        help="JWT (default $TMUX_MONITOR_TOKEN)")
    parser.add_argument("--types", nargs="+", action="extend", metavar="TYPE",
                        help="event types: agent.status, pane.* or * (space or comma separated)")
    parser.add_argument("--sessions", nargs="+", action="extend", metavar="SESSION")
    parser.add_argument("--hosts", nargs="+", action="extend", metavar="HOST",
                        help="host names (several machines on a NATS bus)")
    parser.add_argument("--windows", nargs="+", action="extend", metavar="WINDOW")
    parser.add_argument("--panes", nargs="+", action="extend", metavar="PANE")
    parser.add_argument("--since", type=int, help="first replay the held events after this seq")
    parser.add_argument("--json", action="store_true", help="print each event as one JSON object")
    parser.add_argument("--count", type=int, help="exit after this many events")
    parser.add_argument("--timeout", type=float, help="exit after this many seconds without an event")
    parser.add_argument("--no-reconnect", action="store_true", help="exit instead of reconnecting")
    return parser


def format_event(event: Event, as_json: bool) -> str:
    if as_json:
        return json.dumps(event.raw, ensure_ascii=False, separators=(",", ":"))
    if event.is_gap:
        return f"-- gap ({event.data.get('reason')}): events after seq {event.data.get('since')} may be missing"
    where = ""
    if event.session is not None:
        where = event.session
        if event.window is not None:
            where += f":{event.window}"
            if event.pane is not None:
                where += f".{event.pane}"
    data = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"))
    parts = [event.timestamp or "", f"#{event.seq}" if event.seq is not None else "", event.type, where, data]
    return " ".join(part for part in parts if part)


async def run(args: argparse.Namespace) -> int:
    monitor = AsyncTmuxMonitor(args.url, args.token, reconnect=not args.no_reconnect)
    printed = 0
    try:
        await monitor.connect()
        await monitor.subscribe(types=_split(args.types), sessions=_split(args.sessions),
                                windows=_window_or_pane(args.windows), panes=_window_or_pane(args.panes),
                                since=args.since, hosts=_split(args.hosts))
        async for event in monitor.events(timeout=args.timeout):
            print(format_event(event, args.json), flush=True)
            printed += 1
            if args.count is not None and printed >= args.count:
                break
    except TmuxMonitorError as exc:
        print(f"tmux-monitor: {exc}", file=sys.stderr)
        return 1
    finally:
        await monitor.close()
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:  # e.g. piped into head
        return 0
