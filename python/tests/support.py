"""Test support: the real server, a private tmux, tokens.

Environment contract (set by test/client/python.test.ts; see the comment at its top):

  TMUX_MONITOR_URL     URL of a running server (as it printed it, .../monitor) that
                       watches the tmux server TMUX_SOCKET
  TMUX_MONITOR_SECRET  that server's HS256 secret, to mint tokens
  TMUX_SOCKET          socket name (tmux -L) of the private tmux server it watches
  TMUX_MONITOR_BIN     path to dist/tmux-monitor.mjs, to start more servers (restart tests)
  TMUX_MONITOR_NODE    the node binary (default: node on PATH)

Without TMUX_MONITOR_URL the tests start their own tmux server and tmux-monitor server
(from TMUX_MONITOR_BIN, default ../dist/tmux-monitor.mjs beside this package) and stop
them at exit, so `python3 -m unittest discover -s python/tests -t python` also works by
hand after `npm run build`.
"""
from __future__ import annotations

import asyncio
import atexit
import base64
import hashlib
import hmac
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, List, Optional

PYTHON_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PYTHON_DIR.parent
if str(PYTHON_DIR) not in sys.path:
    sys.path.insert(0, str(PYTHON_DIR))

from tmux_websocket import AsyncTmuxMonitor, Event  # noqa: E402

TIMEOUT = 15.0  # seconds to wait for something that should happen


# ------------------------------------------------------------------------- tokens

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint_token(
    role: str = "admin",
    *,
    sub: str = "python-tests",
    ttl: float = 3600,
    sessions: Optional[List[str]] = None,
    secret: Optional[str] = None,
    **claims: Any,
) -> str:
    """An HS256 JWT signed with the server's secret (stdlib only)."""
    now = int(time.time())
    payload = {"sub": sub, "role": role, "iat": now, "exp": int(now + ttl)}
    if sessions is not None:
        payload["sessions"] = sessions
    payload.update(claims)
    header = {"alg": "HS256", "typ": "JWT"}
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(payload).encode())
    key = (secret or env().secret).encode()
    signature = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


# ------------------------------------------------------------------------- tmux

def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Tmux:
    """A private tmux server (never the user's default one)."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True, text=True, timeout=10,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    # Panes run a shell without rc files: a user's .bashrc (pyenv, nvm, ...) can take
    # seconds to start, and typed commands wait for it.
    SHELL = "bash --norc --noprofile"

    @staticmethod
    def unique_name(prefix: str = "py") -> str:
        return f"{prefix}-{secrets.token_hex(3)}"

    def new_session(self, name: Optional[str] = None) -> str:
        """Create a session (a new pane: the server reports its agent.status soon after)."""
        name = name or self.unique_name()
        # A named window keeps its name (tmux turns automatic-rename off for it): the tests'
        # renames are then the only ones. (Left on, tmux may rename a new window once more
        # after the tests start watching, passing through the forking server's name.)
        self.run("new-session", "-d", "-s", name, "-n", "shell", "-x", "120", "-y", "30", self.SHELL)
        return name

    def kill_session(self, name: str) -> None:
        self.run("kill-session", "-t", name, check=False)

    def start_server(self) -> None:
        # A parked session keeps the server alive while tests create and kill theirs.
        self.run("new-session", "-d", "-s", "keepalive", "cat")

    def kill_server(self) -> None:
        # tmux leaves its socket file behind: remove it too, but only once the server is
        # gone (a server whose socket is removed can no longer be reached, nor killed by
        # name: one was seen left running after a kill-server that did not take).
        # A tmux 3.3a server can also wait forever for control clients whose reader died:
        # after 5 s it and its clients are killed outright.
        found = self.run("display-message", "-p", "#{pid} #{socket_path}", check=False).strip().split(" ", 1)
        clients = self.run("list-clients", "-F", "#{client_pid}", check=False).split()
        self.run("kill-server", check=False)
        if len(found) != 2 or not found[0].isdigit():
            return
        pid, socket_path = int(found[0]), found[1]
        deadline = time.monotonic() + 5
        while _alive(pid):
            if time.monotonic() > deadline:
                for stuck in [pid, *(int(c) for c in clients if c.isdigit())]:
                    try:
                        os.kill(stuck, signal.SIGKILL)
                    except OSError:
                        pass
                break
            time.sleep(0.05)
        try:
            os.unlink(socket_path)
        except OSError:
            pass


# ------------------------------------------------------------------------- server

class ServerProcess:
    """`node dist/tmux-monitor.mjs serve` as a child process."""

    def __init__(self, bin_path: str, secret: str, tmux_socket: str, *, port: int = 0,
                 args: Optional[List[str]] = None) -> None:
        self.bin_path = bin_path
        self.secret = secret
        self.tmux_socket = tmux_socket
        self.port = port
        self.args = list(args or [])
        self.url: Optional[str] = None
        self.process: Optional[subprocess.Popen] = None
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.output: List[str] = []
        self._pump_thread: Optional[threading.Thread] = None

    def start(self, timeout: float = TIMEOUT) -> "ServerProcess":
        node = os.environ.get("TMUX_MONITOR_NODE") or shutil.which("node") or "node"
        env = dict(os.environ, TMUX_MONITOR_SECRET=self.secret)
        self.process = subprocess.Popen(
            [node, self.bin_path, "serve", "--port", str(self.port), "-L", self.tmux_socket, *self.args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=env,
        )
        self._pump_thread = threading.Thread(target=self._pump, args=(self.process,), daemon=True)
        self._pump_thread.start()
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = self.lines.get(timeout=max(0.01, remaining))
            except queue.Empty:
                line = ""
            if line and "listening on" in line:
                self.url = line.split("listening on", 1)[1].strip()
                self.port = int(self.url.split(":")[2].split("/")[0])
                return self
            if line is None or remaining <= 0:  # exited, or too slow
                self.stop()
                raise RuntimeError("tmux-monitor did not start:\n" + "".join(self.output))

    def _pump(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put(None)  # type: ignore[arg-type]

    @property
    def base_url(self) -> str:
        """ws://127.0.0.1:PORT with no path (the old clients' form)."""
        return f"ws://127.0.0.1:{self.port}"

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if self._pump_thread is not None:
            self._pump_thread.join(5)
        if process.stdout is not None:
            process.stdout.close()


# ------------------------------------------------------------------------- environment

class Env:
    def __init__(self) -> None:
        self.owned: List[Callable[[], None]] = []
        try:
            self._start()
        except BaseException:
            self.cleanup()
            raise

    def _start(self) -> None:
        self.secret = os.environ.get("TMUX_MONITOR_SECRET") or secrets.token_hex(16)
        self.bin_path = os.environ.get("TMUX_MONITOR_BIN") or str(REPO_DIR / "dist" / "tmux-monitor.mjs")
        socket = os.environ.get("TMUX_SOCKET")
        if not socket:
            socket = f"test-py-{secrets.token_hex(4)}"
            tmux = Tmux(socket)
            tmux.start_server()
            self.owned.append(tmux.kill_server)
        self.tmux = Tmux(socket)
        url = os.environ.get("TMUX_MONITOR_URL")
        if not url:
            if not os.path.exists(self.bin_path):
                raise RuntimeError(f"{self.bin_path} is missing: run `npm run build` first")
            server = ServerProcess(self.bin_path, self.secret, socket).start()
            self.owned.append(server.stop)
            url = server.url
        assert url is not None
        self.url = url

    @property
    def port(self) -> int:
        return int(self.url.split(":")[2].split("/")[0])

    @property
    def base_url(self) -> str:
        """The shared server's URL without a path."""
        return f"ws://127.0.0.1:{self.port}"

    def server(self, *, port: int = 0, args: Optional[List[str]] = None) -> ServerProcess:
        """A new server process on the same tmux server (the caller stops it)."""
        return ServerProcess(self.bin_path, self.secret, self.tmux.socket, port=port, args=args)

    def cleanup(self) -> None:
        for stop in reversed(self.owned):
            try:
                stop()
            except Exception:
                pass
        self.owned.clear()


_env: Optional[Env] = None
_env_error: Optional[BaseException] = None


def env() -> Env:
    """The shared test environment, set up on first use (once: a failure is kept)."""
    global _env, _env_error
    if _env_error is not None:
        raise _env_error
    if _env is None:
        try:
            _env = Env()
        except BaseException as exc:
            _env_error = exc
            raise
        atexit.register(_env.cleanup)
    return _env


# ------------------------------------------------------------------------- waiting

def wait_until(predicate: Callable[[], Any], timeout: float = TIMEOUT, message: str = "condition") -> Any:
    """Poll ``predicate`` until it is truthy (for state that has no event to wait on)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(0.02)


class Collector:
    """Reads an AsyncTmuxMonitor's events into a list in a background task."""

    def __init__(self, monitor: AsyncTmuxMonitor) -> None:
        self.monitor = monitor
        self.events: List[Event] = []
        self.error: Optional[BaseException] = None
        self._changed = asyncio.Event()
        self._task = asyncio.ensure_future(self._collect())

    async def _collect(self) -> None:
        try:
            async for event in self.monitor.events():
                self.events.append(event)
                self._changed.set()
        except Exception as exc:  # the test inspects it
            self.error = exc
            self._changed.set()

    async def until(self, predicate: Callable[[List[Event]], Any], timeout: float = TIMEOUT,
                    message: str = "events") -> Any:
        """Wait until ``predicate(events)`` is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate(self.events)
            if value:
                return value
            if self.error is not None:
                raise AssertionError(f"client failed while waiting for {message}: {self.error!r}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {message}; got {[(e.type, e.seq) for e in self.events]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def stop(self) -> None:
        self._task.cancel()
        try:
            await self._task
        except BaseException:
            pass

    def of_type(self, kind: str) -> List[Event]:
        return [e for e in self.events if e.type == kind]


def stop_process(process: subprocess.Popen, *readers: "LineReader") -> None:
    """Kill a child process and close its pipes."""
    if process.poll() is None:
        process.kill()
    process.wait(10)
    for reader in readers:
        reader.close()
    for stream in (process.stdout, process.stderr):
        if stream is not None and not stream.closed:
            stream.close()


def retry_until(action: Callable[[], None], done: Callable[[], Any], timeout: float = TIMEOUT,
                every: float = 0.5, message: str = "result") -> Any:
    """Repeat ``action`` until ``done()`` is truthy: for a subscriber in another process,
    whose moment of subscribing this process cannot see."""
    deadline = time.monotonic() + timeout
    while True:
        action()
        step_end = min(deadline, time.monotonic() + every)
        while time.monotonic() < step_end:
            value = done()
            if value:
                return value
            time.sleep(0.02)
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out waiting for {message}")


class LineReader:
    """Reads a child process's output lines in a thread, so tests can wait with a timeout."""

    def __init__(self, stream: Any) -> None:
        self.lines: List[str] = []
        self._lock = threading.Lock()
        self._stream = stream
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        """After the process has exited: finish reading and close the pipe."""
        self._thread.join(5)
        self._stream.close()

    def _pump(self, stream: Any) -> None:
        for line in stream:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def matching(self, predicate: Callable[[str], Any]) -> List[str]:
        with self._lock:
            return [line for line in self.lines if predicate(line)]

    def text(self) -> str:
        with self._lock:
            return "\n".join(self.lines)


async def source_connected(url: str, timeout: float = TIMEOUT) -> None:
    """Wait until a (new) server has attached to tmux: its `system.source` event says so.
    Changes made before that are seen by nobody."""
    async with AsyncTmuxMonitor(url, mint_token("viewer")) as monitor:
        await monitor.subscribe(types=["system.source"], since=0)  # replayed if already sent
        while True:
            event = await monitor.next_event(timeout)
            if event.data.get("state") == "connected":
                return
