"""Reconnect, resume and gaps; terminal close codes stop the client."""
import asyncio
import signal
import time
import unittest

from . import support
from .support import TIMEOUT, Collector, mint_token, wait_until
from tmux_websocket import AsyncTmuxMonitor, AuthError, ConnectionClosedError, ForbiddenError, TmuxMonitor

FAST = {"min_delay": 0.05, "max_delay": 0.3}


async def until_state(monitor, state, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while monitor.state != state:
        if time.monotonic() > deadline:
            raise AssertionError(f"state is {monitor.state}, not {state}")
        await asyncio.sleep(0.02)


def hold_reconnects(monitor):
    """Keep the client disconnected until the returned event is set (a network outage)."""
    gate = asyncio.Event()
    connect_once = monitor._connect_once

    async def gated(resume):
        await gate.wait()
        return await connect_once(resume)

    monitor._connect_once = gated
    return gate


class ResumeTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = support.env()

    def setUp(self):
        self.session = self.env.tmux.new_session()
        self.addCleanup(self.env.tmux.kill_session, self.session)

    async def rename(self, name, seen_by):
        """Rename the window and wait until ``seen_by`` got the event: renames in quick
        succession may reach the server as one change."""
        await asyncio.to_thread(self.env.tmux.run, "rename-window", "-t", f"{self.session}:0", name)
        await seen_by.until(lambda events: any(e.data.get("new_name") == name for e in events),
                            message=f"the rename to {name}")

    async def open_pair(self, url, **options):
        """A reference client that never drops, and the client under test."""
        token = mint_token("viewer")
        reference = AsyncTmuxMonitor(url, token)
        monitor = AsyncTmuxMonitor(url, token, **FAST, **options)
        for client in (reference, monitor):
            self.addAsyncCleanup(client.close)
            await client.connect()
            await client.subscribe(types=["window.renamed"], sessions=[self.session])
        return Collector(reference), Collector(monitor)

    async def test_a_dropped_connection_resumes_with_every_missed_event_once(self):
        resumes, gaps = [], []
        ref, got = await self.open_pair(self.env.url, on_resume=resumes.append, on_gap=gaps.append)
        monitor = got.monitor
        epoch = monitor.epoch
        for name in ("a1", "a2"):
            await self.rename(name, got)

        gate = hold_reconnects(monitor)
        monitor._drop_connection()  # the socket dies without a close frame
        await until_state(monitor, "reconnecting")
        for i in range(5):
            await self.rename(f"b{i}", ref)
        gate.set()
        await got.until(lambda events: len(events) == 7, message="the 5 missed renames")
        await self.rename("c1", got)
        await ref.until(lambda events: len(events) == 8, message="8 renames (reference)")

        self.assertEqual([e.seq for e in got.events], [e.seq for e in ref.events])
        self.assertEqual([e.data["new_name"] for e in got.events],
                         ["a1", "a2", "b0", "b1", "b2", "b3", "b4", "c1"])
        self.assertEqual(gaps, [])
        self.assertEqual(resumes, [{"epoch": epoch, "since": ref.events[1].seq, "replayed": 5, "complete": True}])
        self.assertEqual(monitor.epoch, epoch)
        self.assertEqual(monitor.reconnects, 1)
        self.assertEqual(monitor.state, "open")
        await ref.stop()
        await got.stop()

    async def test_events_no_longer_held_are_reported_as_a_gap(self):
        server = await asyncio.to_thread(self.env.server(args=["--history-size", "2"]).start)
        self.addCleanup(server.stop)
        await support.source_connected(server.url)
        resumes = []
        ref, got = await self.open_pair(server.url, on_resume=resumes.append)
        monitor = got.monitor
        await self.rename("before", got)

        gate = hold_reconnects(monitor)
        monitor._drop_connection()
        await until_state(monitor, "reconnecting")
        for i in range(5):
            await self.rename(f"missed{i}", ref)
        gate.set()
        # Other events of the session (output, agent status) share the 2-event history, so
        # how many renames are still held varies; a live rename after the resume marks the end.
        await got.until(lambda events: any(e.type == "gap" for e in events), message="the gap")
        await until_state(monitor, "open")
        await self.rename("after", ref)
        last = ref.events[-1].seq
        await got.until(lambda events: events[-1].seq == last, message="the live event after the gap")

        gap = got.events[1]
        self.assertEqual(gap.type, "gap")
        self.assertEqual(gap.data["reason"], "history-lost")
        self.assertEqual(gap.data["since"], got.events[0].seq)
        self.assertEqual(gap.data["epoch"], gap.data["previous_epoch"])
        # What follows the gap is what the server still held (at most 2 events) and then the
        # live rename: all of them events the reference client saw, in the same order.
        after = [e.seq for e in got.events[2:]]
        self.assertEqual(after[-1], last)
        self.assertLessEqual(len(after), 3, after)
        self.assertEqual(after, [e.seq for e in ref.events if e.seq in set(after)])
        self.assertEqual(resumes[0]["complete"], False)
        await ref.stop()
        await got.stop()


class RestartTest(unittest.TestCase):
    """The blocking client across server restarts: 1001 (SIGTERM) and 1006 (SIGKILL)."""

    def test_a_restarted_server_means_a_new_epoch_and_a_gap(self):
        env = support.env()
        session = env.tmux.new_session()
        self.addCleanup(env.tmux.kill_session, session)
        server = env.server().start()
        self.addCleanup(lambda: server.stop())
        port = server.port
        resumes = []
        monitor = TmuxMonitor(server.base_url, mint_token("viewer"), snapshot_on_gap=True,
                              on_resume=resumes.append, **FAST)
        self.addCleanup(monitor.close)

        def source_connected():
            # A new server attaches to tmux just after it starts listening: its first
            # event says so. Changes made before that are not seen by anyone.
            while True:
                event = monitor.next_event(TIMEOUT)
                self.assertIn(event.type, ("system.source", "window.renamed"), event)
                if event.type == "system.source" and event.data["state"] == "connected":
                    return

        def renamed(name):
            env.tmux.run("rename-window", "-t", f"{session}:0", name)
            event = monitor.next_event(TIMEOUT)
            self.assertEqual((event.type, event.data.get("new_name")), ("window.renamed", name))
            return event

        # since=0: the source's "connected" event is replayed if it came first.
        monitor.subscribe(types=["window.renamed", "system.source"], sessions=[session], since=0)
        source_connected()
        renamed("before")
        previous_epoch = monitor.epoch

        for how in (signal.SIGTERM, signal.SIGKILL):
            server.stop(how)
            wait_until(lambda: monitor.state == "reconnecting", message=f"reconnecting after {how.name}")
            server = env.server(port=port).start()
            gap = monitor.next_event(TIMEOUT)
            self.assertEqual(gap.type, "gap", gap)
            self.assertEqual(gap.data["reason"], "epoch-changed")
            self.assertEqual(gap.data["previous_epoch"], previous_epoch)
            self.assertNotEqual(gap.data["epoch"], previous_epoch)
            self.assertIn(session, [s["name"] for s in gap.snapshot["sessions"]])
            self.assertEqual(monitor.epoch, gap.data["epoch"])
            source_connected()  # replayed from the new server's history, or live
            event = renamed(f"after-{how.name}")
            self.assertEqual(monitor.last_seq, event.seq)
            previous_epoch = monitor.epoch
        self.assertEqual(monitor.state, "open")
        # One incomplete resume per restart. (A reconnect may also reach the old server
        # while it is still closing: that one resumes completely, in the same epoch.)
        self.assertEqual(len([r for r in resumes if not r["complete"]]), 2, resumes)


class TerminalCloseTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = support.env()

    async def test_an_expired_token_closes_with_4401_and_the_client_stops(self):
        monitor = AsyncTmuxMonitor(self.env.url, mint_token("viewer", ttl=2), **FAST)
        self.addAsyncCleanup(monitor.close)
        await monitor.subscribe(types=["*"])
        with self.assertRaises(AuthError) as caught:
            while True:
                await monitor.next_event(TIMEOUT)
        self.assertEqual(caught.exception.code, "TOKEN_EXPIRED")
        self.assertEqual(caught.exception.close_code, 4401)
        self.assertEqual(monitor.state, "failed")
        self.assertEqual(monitor.reconnects, 0)
        with self.assertRaises(AuthError):  # and it stays stopped
            await monitor.next_event(0.2)

    async def test_a_token_that_may_not_read_is_refused_with_4403_and_the_client_stops(self):
        monitor = AsyncTmuxMonitor(self.env.url, mint_token("viewer", permissions=["subscribe"]), **FAST)
        self.addAsyncCleanup(monitor.close)
        with self.assertRaises(ForbiddenError) as caught:
            await monitor.connect()
        self.assertEqual((caught.exception.code, caught.exception.close_code), ("FORBIDDEN", 4403))
        self.assertEqual(monitor.state, "failed")
        self.assertEqual(monitor.reconnects, 0)

    async def test_a_frame_over_64_kib_closes_with_1009_and_the_client_stops(self):
        session = await asyncio.to_thread(self.env.tmux.new_session)
        self.addCleanup(self.env.tmux.kill_session, session)
        monitor = AsyncTmuxMonitor(self.env.url, mint_token("operator"), **FAST)
        self.addAsyncCleanup(monitor.close)
        await monitor.connect()
        with self.assertRaises(ConnectionClosedError) as caught:
            await monitor.command("send", session, 0, text="x" * 70_000)
        self.assertEqual(caught.exception.close_code, 1009)
        await until_state(monitor, "failed")
        self.assertEqual(monitor.failure.close_code, 1009)
        self.assertEqual(monitor.reconnects, 0)


if __name__ == "__main__":
    unittest.main()
