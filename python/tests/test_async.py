"""The asyncio API (AsyncTmuxMonitor) against the real server and a private tmux."""
import asyncio
import unittest

from . import support
from .support import TIMEOUT, Collector, mint_token
import tmux_websocket
from tmux_websocket import AsyncTmuxMonitor, ForbiddenError


class AsyncApiTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = support.env()

    def setUp(self):
        self.session = self.env.tmux.new_session()
        self.addCleanup(self.env.tmux.kill_session, self.session)

    async def test_async_with_and_async_for(self):
        states = []
        async with AsyncTmuxMonitor(self.env.base_url, mint_token("viewer"), on_state=states.append) as monitor:
            self.assertEqual(monitor.auth_info["role"], "viewer")
            session = self.env.tmux.unique_name()
            sub = await monitor.subscribe(types=["agent.*"], sessions=session)
            self.assertEqual(monitor.subscriptions, [sub])
            await asyncio.to_thread(self.env.tmux.new_session, session)
            self.addCleanup(self.env.tmux.kill_session, session)

            async def first_status():
                async for event in monitor:
                    if event.type == "agent.status":
                        return event

            event = await asyncio.wait_for(first_status(), TIMEOUT)
            self.assertEqual((event.session, event.pane), (session, 0))
        self.assertEqual(states, ["connecting", "open", "closed"])
        self.assertEqual(monitor.state, "closed")

    async def test_subscribe_since_replays_held_events_in_order(self):
        token = mint_token("admin")
        async with AsyncTmuxMonitor(self.env.url, token) as live:
            await live.subscribe(types=["window.renamed"], sessions=[self.session])
            watched = Collector(live)
            for name in ("one", "two", "three"):
                await asyncio.to_thread(self.env.tmux.run, "rename-window", "-t", f"{self.session}:0", name)
                await watched.until(lambda events, n=name: any(e.data.get("new_name") == n for e in events),
                                    message=f"rename to {name}")
            await watched.stop()
            seqs = [e.seq for e in watched.events]
            async with AsyncTmuxMonitor(self.env.url, token) as late:
                await late.subscribe(types=["window.renamed"], sessions=[self.session], since=seqs[0] - 1)
                replayed = [await late.next_event(TIMEOUT) for _ in seqs]
                self.assertEqual([e.seq for e in replayed], seqs)
                self.assertEqual([e.data["new_name"] for e in replayed], ["one", "two", "three"])
                self.assertEqual(late.last_seq, seqs[-1])

    async def test_snapshot_command_ping_unsubscribe(self):
        async with AsyncTmuxMonitor(self.env.url, mint_token("operator")) as monitor:
            state = await monitor.snapshot(session=self.session)
            self.assertEqual([s["name"] for s in state["sessions"]], [self.session])
            await monitor.subscribe(types=["pane.output"], sessions=[self.session])
            collected = Collector(monitor)
            result = await monitor.send_text(self.session, 0, 0, "echo async-$((40+2))")
            self.assertTrue(result["success"])
            await collected.until(lambda events: any("async-42" in e.data.get("content", "") for e in events),
                                  message="the command's output")
            self.assertIsInstance(await monitor.ping(), float)
            self.assertEqual(await monitor.unsubscribe(), [])
            await collected.stop()

    async def test_a_viewer_may_not_send_commands(self):
        async with AsyncTmuxMonitor(self.env.url, mint_token("viewer")) as monitor:
            with self.assertRaises(ForbiddenError) as caught:
                await monitor.command("send", self.session, 0, text="echo no")
            self.assertEqual(caught.exception.code, "FORBIDDEN")
            self.assertEqual(monitor.state, "open")


if __name__ == "__main__":
    unittest.main()


class AttentionTest(unittest.IsolatedAsyncioTestCase):
    """v1.1: agent.attention events and ack(), with a fake agent screen (test/fixtures/agents)."""

    @classmethod
    def setUpClass(cls):
        cls.env = support.env()

    async def test_attention_event_and_ack(self):
        run = support.REPO_DIR / "test" / "fixtures" / "agents" / "run.sh"
        session = self.env.tmux.unique_name("attn")
        async with AsyncTmuxMonitor(self.env.url, mint_token("viewer")) as monitor:
            await monitor.subscribe(types=["agent.*"], sessions=[session])
            await asyncio.to_thread(
                self.env.tmux.run, "new-session", "-d", "-s", session, "-x", "160", "-y", "40", f"bash {run} claude busy waiting")
            self.addCleanup(self.env.tmux.kill_session, session)

            async def until(predicate):
                async for event in monitor:
                    if predicate(event):
                        return event

            await asyncio.wait_for(until(lambda e: e.type == "agent.status" and e.data["status"] == "busy"), TIMEOUT)
            await asyncio.to_thread(self.env.tmux.run, "send-keys", "-t", session, "Enter")
            event = await asyncio.wait_for(until(lambda e: e.type == "agent.attention"), TIMEOUT)
            self.assertEqual(event.data["attention"], "waiting")
            self.assertIn(event.data["attention"], tmux_websocket.ATTENTION_STATES)
            self.assertIsNone(event.data["previous"])
            result = await monitor.ack(session, event.window, event.pane)
            self.assertEqual((result["type"], result["cleared"]), ("ack.result", 1))
            cleared = await asyncio.wait_for(until(lambda e: e.type == "agent.attention"), TIMEOUT)
            self.assertIsNone(cleared.data["attention"])
            self.assertEqual(cleared.data["previous"], "waiting")
