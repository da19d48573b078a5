#!/usr/bin/env python3
"""A client written the way the first Python implementation's clients are written.

It does what that implementation's `websocket_client_example.py` does, step by step and
message by message: connect to ws://HOST:PORT with no path, read the welcome, send `auth`
and read exactly one reply, `subscribe` with its list of types (including its own
`pane.command`) and read exactly one reply, then read events with `recv()` and ignore
errors. Like its CLI monitor it then leaves with `unsubscribe` by `filters`.

It prints one JSON object per line on stdout (for the test to check):
  {"step": "welcome" | "auth" | "subscribed" | "event" | "unsubscribed", "message": {...}}
Usage: first_client.py URL TOKEN MODE   (MODE: example | monitor)
"""
import asyncio
import json
import sys

import websockets

EXAMPLE_TYPES = [
    "session.created", "session.removed",
    "window.created", "window.removed", "window.renamed",
    "pane.output", "pane.command", "pane.error",
]
MONITOR_TYPES = ["agent.status", "pane.output", "pane.command", "test.event"]


def emit(step, message):
    print(json.dumps({"step": step, "message": message}), flush=True)


async def run(url, token, mode):
    types = EXAMPLE_TYPES if mode == "example" else MONITOR_TYPES
    filters = {"types": types}
    async with websockets.connect(url) as websocket:
        emit("welcome", json.loads(await websocket.recv()))

        await websocket.send(json.dumps({"action": "auth", "token": token}))
        emit("auth", json.loads(await websocket.recv()))

        await websocket.send(json.dumps({"action": "subscribe", "filters": filters}))
        emit("subscribed", json.loads(await websocket.recv()))

        # Read events until the test has seen enough (it closes stdin) or a minute passes.
        stop = asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        deadline = asyncio.get_running_loop().time() + 60
        while not stop.done() and asyncio.get_running_loop().time() < deadline:
            try:
                message = await asyncio.wait_for(websocket.recv(), timeout=0.5)
            except asyncio.TimeoutError:
                continue
            data = json.loads(message)
            if data.get("type") in ("error", "pong"):
                continue  # as the first implementation's clients do: errors are only logged
            emit("event", data)

        await websocket.send(json.dumps({"action": "unsubscribe", "filters": filters}))
        while True:
            data = json.loads(await websocket.recv())
            if data.get("type") in ("unsubscribe.confirmed", "error"):
                emit("unsubscribed", data)
                break


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1], sys.argv[2], sys.argv[3]))
