"""Pure unit tests: backoff, filters, events, errors (no server needed)."""
import unittest

from . import support  # noqa: F401  (puts the package on sys.path)
from tmux_websocket import (
    AuthError,
    Backoff,
    ConnectionClosedError,
    Event,
    ForbiddenError,
    Gap,
    InvalidRequestError,
    TmuxMonitorError,
    build_filters,
)
from tmux_websocket.errors import error_from_close, error_from_message


class BackoffTest(unittest.TestCase):
    def test_caps_grow_exponentially_to_the_maximum(self):
        backoff = Backoff(0.5, 20.0)
        caps = []
        for _ in range(8):
            caps.append(backoff.cap())
            backoff.next_delay()
        self.assertEqual(caps, [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0])

    def test_full_jitter_draws_between_zero_and_the_cap(self):
        draws = []
        backoff = Backoff(0.5, 20.0, rand=lambda lo, hi: draws.append((lo, hi)) or hi / 2)
        self.assertEqual(backoff.next_delay(), 0.25)
        self.assertEqual(backoff.next_delay(), 0.5)
        self.assertEqual(draws, [(0.0, 0.5), (0.0, 1.0)])
        for _ in range(100):
            self.assertTrue(0.0 <= Backoff(0.5, 20.0).next_delay() <= 0.5)

    def test_reset_starts_over(self):
        backoff = Backoff(0.5, 20.0)
        for _ in range(5):
            backoff.next_delay()
        backoff.reset()
        self.assertEqual(backoff.cap(), 0.5)


class FiltersTest(unittest.TestCase):
    def test_omitted_lists_are_left_out_and_scalars_become_lists(self):
        self.assertEqual(build_filters(), {})
        self.assertEqual(build_filters(types="agent.status"), {"types": ["agent.status"]})
        self.assertEqual(
            build_filters(types=["pane.*"], sessions=("a", "b"), windows=[0, "main"], panes="%3"),
            {"types": ["pane.*"], "sessions": ["a", "b"], "windows": [0, "main"], "panes": ["%3"]},
        )

    def test_hosts(self):
        self.assertEqual(build_filters(hosts="devbox"), {"hosts": ["devbox"]})
        self.assertEqual(Event.from_message({"type": "system.host", "host": "vm-1", "data": {"host": "vm-1", "state": "lost"}}).host, "vm-1")
        self.assertIsNone(Event.from_message({"type": "system.source", "data": {}}).host)


class EventTest(unittest.TestCase):
    def test_reads_the_flat_wire_fields(self):
        raw = {"type": "agent.status", "seq": 1042, "timestamp": "2026-11-28T12:00:00.123Z",
               "session": "ai-chat", "window": 0, "pane": 0, "pane_id": "%3", "window_name": "main",
               "data": {"status": "busy", "previous": "ready", "agent_type": "claude"}}
        event = Event.from_message(raw)
        self.assertEqual((event.type, event.seq, event.session, event.window, event.pane, event.pane_id),
                         ("agent.status", 1042, "ai-chat", 0, 0, "%3"))
        self.assertEqual(event.data["status"], "busy")
        self.assertEqual(event.get("window_name"), "main")
        self.assertIs(event.raw, raw)
        self.assertFalse(event.is_gap)

    def test_system_events_have_no_location(self):
        event = Event.from_message({"type": "system.source", "seq": 1, "timestamp": "t",
                                    "data": {"state": "connected", "message": ""}})
        self.assertIsNone(event.session)
        self.assertIsNone(event.pane_id)

    def test_gap_is_an_event_of_type_gap(self):
        gap = Gap.create({"reason": "epoch-changed", "since": 5})
        self.assertEqual(gap.type, "gap")
        self.assertTrue(gap.is_gap)
        self.assertIsNone(gap.seq)
        self.assertEqual(gap.raw["type"], "gap")
        self.assertEqual(gap.raw["data"]["since"], 5)


class ErrorsTest(unittest.TestCase):
    def test_error_messages_map_to_exception_classes_with_the_code(self):
        cases = {"AUTH_FAILED": AuthError, "TOKEN_EXPIRED": AuthError, "FORBIDDEN": ForbiddenError,
                 "INVALID_FILTER": InvalidRequestError, "INTERNAL_ERROR": TmuxMonitorError}
        for code, cls in cases.items():
            error = error_from_message({"type": "error", "code": code, "message": "m", "details": [1]})
            self.assertIsInstance(error, cls)
            self.assertEqual(error.code, code)
            self.assertEqual(error.details, [1])

    def test_close_codes_map_to_exceptions(self):
        expired = error_from_close(4401, "", {"type": "error", "code": "TOKEN_EXPIRED", "message": "m"})
        self.assertIsInstance(expired, AuthError)
        self.assertEqual((expired.code, expired.close_code), ("TOKEN_EXPIRED", 4401))
        self.assertIsInstance(error_from_close(4403), ForbiddenError)
        too_large = error_from_close(1009)
        self.assertIsInstance(too_large, ConnectionClosedError)
        self.assertEqual(too_large.close_code, 1009)


if __name__ == "__main__":
    unittest.main()
