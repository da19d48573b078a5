"""The blocking API (TmuxMonitor) against the real server and a private tmux."""
import unittest

from . import support
from .support import TIMEOUT, mint_token, wait_until
from tmux_websocket import AuthError, InvalidRequestError, TmuxMonitor


class SyncApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = support.env()
        cls.token = mint_token("admin")

    def setUp(self):
        self.session = self.env.tmux.new_session()
        self.addCleanup(self.env.tmux.kill_session, self.session)

    def monitor(self, url=None, **options):
        monitor = TmuxMonitor(url or self.env.url, **options)
        self.addCleanup(monitor.close)
        return monitor

    def next_of(self, monitor, kind, timeout=TIMEOUT):
        """The next event of type ``kind`` (others are skipped)."""
        while True:
            event = monitor.next_event(timeout)
            if event.type == kind:
                return event

    def test_authenticate_on_a_url_without_path_returns_the_auth_response(self):
        monitor = self.monitor(self.env.base_url)  # ws://127.0.0.1:PORT, no /monitor
        info = monitor.authenticate(self.token)
        self.assertEqual(info["type"], "auth.response")
        self.assertTrue(info["success"])
        self.assertEqual(info["role"], "admin")
        self.assertEqual(info["subject"], "python-tests")
        self.assertIn("write", info["permissions"])
        self.assertEqual(monitor.state, "open")
        self.assertEqual(monitor.client_id, info["client_id"])
        self.assertEqual(monitor.auth_info, info)

    def test_a_forged_token_raises_auth_failed_and_the_client_stops(self):
        monitor = self.monitor()
        forged = mint_token("admin", secret="not-the-server-secret")
        with self.assertRaises(AuthError) as caught:
            monitor.authenticate(forged)
        self.assertEqual(caught.exception.code, "AUTH_FAILED")
        wait_until(lambda: monitor.state == "failed", message="state failed")
        self.assertEqual(monitor.failure.close_code, 4401)
        self.assertEqual(monitor.reconnects, 0)
        with self.assertRaises(AuthError):
            next(monitor.events())
        # A good token afterwards starts a fresh connection.
        self.assertEqual(monitor.authenticate(self.token)["role"], "admin")
        self.assertEqual(monitor.state, "open")
        # A bad token on an open connection: the same error, the server closes with 4401,
        # and the client stops rather than reconnect.
        sub = monitor.subscribe(types=["window.renamed"], sessions=[self.session])
        with self.assertRaises(AuthError) as caught:
            monitor.authenticate(forged)
        self.assertEqual(caught.exception.code, "AUTH_FAILED")
        wait_until(lambda: monitor.state == "failed", message="state failed")
        self.assertEqual(monitor.failure.close_code, 4401)
        self.assertEqual(monitor.reconnects, 0)
        # Re-authenticating resumes the subscription on a new connection.
        monitor.authenticate(self.token)
        self.assertEqual(monitor.subscriptions, [sub])
        self.env.tmux.run("rename-window", "-t", f"{self.session}:0", "back")
        self.assertEqual(self.next_of(monitor, "window.renamed").data["new_name"], "back")

    def test_subscribe_returns_the_id_and_events_carry_the_flat_fields(self):
        monitor = self.monitor()
        monitor.authenticate(self.token)
        session = self.env.tmux.unique_name()
        sub = monitor.subscribe(types=["agent.status"], sessions=[session])
        self.assertTrue(sub.startswith("sub-"), sub)
        self.assertEqual(monitor.subscriptions, [sub])
        self.env.tmux.new_session(session)  # its pane's first status: a shell at its prompt
        self.addCleanup(self.env.tmux.kill_session, session)
        event = self.next_of(monitor, "agent.status")
        self.assertIn(event.data["status"], ("ready", "busy", "unknown"))
        self.assertEqual(event.data["agent_type"], "shell")
        self.assertEqual((event.session, event.window, event.pane), (session, 0, 0))
        self.assertTrue(event.pane_id.startswith("%"), event.pane_id)
        self.assertIsInstance(event.seq, int)
        self.assertIsInstance(event.timestamp, str)
        self.assertEqual(event.raw["type"], "agent.status")
        self.assertEqual(monitor.last_seq, event.seq)

    def test_type_and_session_filters(self):
        other = self.env.tmux.new_session()
        self.addCleanup(self.env.tmux.kill_session, other)
        everything = self.monitor()
        everything.authenticate(self.token)
        everything.subscribe(sessions=[self.session, other])
        renames = self.monitor()
        renames.authenticate(self.token)
        renames.subscribe(types=["window.*"], sessions=[self.session])

        # Events that the filtered client must not get: another type in its session, and
        # its type in another session.
        self.env.tmux.run("split-window", "-t", f"{self.session}:0", self.env.tmux.SHELL)
        self.env.tmux.run("rename-window", "-t", f"{other}:0", "elsewhere")
        seen = []
        while not ({"pane.created", "window.renamed"} <= {e.type for e in seen}):
            seen.append(everything.next_event(TIMEOUT))
        last = max(e.seq for e in seen)
        # A marker it must get, published after all of those: the server sends a
        # client's events in seq order, so anything wrongly let through came first.
        self.env.tmux.run("rename-window", "-t", f"{self.session}:0", "marker")
        got = []
        while not any(e.type == "window.renamed" and e.seq > last for e in got):
            got.append(renames.next_event(TIMEOUT))
        for event in got:
            self.assertTrue(event.type.startswith("window."), event)
            self.assertEqual(event.session, self.session)
        self.assertEqual(got[-1].data["new_name"], "marker")

    def test_an_invalid_filter_raises_with_the_protocol_code(self):
        monitor = self.monitor()
        monitor.authenticate(self.token)
        with self.assertRaises(InvalidRequestError) as caught:
            monitor.subscribe(types=["not a type!"])
        self.assertEqual(caught.exception.code, "INVALID_FILTER")
        self.assertEqual(monitor.state, "open")  # the connection stays up

    def test_snapshot_lists_the_session_its_windows_and_panes(self):
        monitor = self.monitor()
        monitor.authenticate(self.token)
        state = monitor.snapshot()
        self.assertIsInstance(state["seq"], int)
        names = [s["name"] for s in state["sessions"]]
        self.assertIn(self.session, names)
        only = monitor.snapshot(session=self.session)
        self.assertEqual([s["name"] for s in only["sessions"]], [self.session])
        pane = only["sessions"][0]["windows"][0]["panes"][0]
        self.assertTrue(pane["id"].startswith("%"))
        self.assertIn("status", pane["agent"])

    def test_command_send_types_into_the_pane(self):
        monitor = self.monitor()
        monitor.authenticate(self.token)
        monitor.subscribe(types=["pane.output"], sessions=[self.session])
        result = monitor.command("send", self.session, 0, 0, text="echo py-$((6*7))-marker")
        self.assertEqual(result["type"], "command.result")
        self.assertTrue(result["success"])
        while True:
            event = self.next_of(monitor, "pane.output")
            if "py-42-marker" in event.data["content"]:
                break

    def test_events_with_a_timeout_end_when_nothing_comes(self):
        monitor = self.monitor()
        monitor.authenticate(self.token)
        monitor.subscribe(types=["window.renamed"], sessions=[self.session])
        self.assertEqual(list(monitor.events(timeout=0.3)), [])

    def test_unsubscribe_and_ping(self):
        monitor = self.monitor()
        monitor.authenticate(self.token)
        first = monitor.subscribe(types=["agent.status"])
        second = monitor.subscribe(types=["window.*"])
        self.assertEqual(monitor.unsubscribe(first), [second])
        self.assertEqual(monitor.unsubscribe(), [])
        self.assertLess(monitor.ping(), TIMEOUT)

    def test_the_context_manager_closes_the_client(self):
        with TmuxMonitor(self.env.url, mint_token("viewer")) as monitor:
            self.assertEqual(monitor.connect()["type"], "connection.established")
            self.assertEqual(monitor.auth_info["role"], "viewer")
        self.assertEqual(monitor.state, "closed")
        self.assertEqual(list(monitor.events()), [])


if __name__ == "__main__":
    unittest.main()
