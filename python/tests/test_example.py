"""The spec's example, as written, runs in its own process and prints events."""
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from . import support
from .support import PYTHON_DIR, TIMEOUT, LineReader, mint_token, retry_until, stop_process

# Verbatim from the spec (and python/README.md); only the port and token are filled in.
EXAMPLE = '''\
from tmux_websocket import TmuxMonitor
monitor = TmuxMonitor('ws://localhost:8765')
monitor.authenticate('your-token')
monitor.subscribe(types=['agent.status'])
for event in monitor.events():
    print(f"Event: {event.type} - {event.data}")
'''


class SpecExampleTest(unittest.TestCase):
    def test_the_readme_shows_the_example_as_written(self):
        readme = (PYTHON_DIR / "README.md").read_text()
        self.assertIn(EXAMPLE, readme)

    def test_the_example_prints_agent_status_events(self):
        env = support.env()
        # A URL with no path, as in the example: the server takes upgrades at / too.
        script = (EXAMPLE.replace("ws://localhost:8765", f"ws://localhost:{env.port}")
                  .replace("your-token", mint_token("viewer")))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "example.py"
            path.write_text(script)
            process = subprocess.Popen(
                [sys.executable, "-u", str(path)],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                env=dict(os.environ, PYTHONPATH=str(PYTHON_DIR)),
            )
            out = LineReader(process.stdout)
            try:
                def new_pane():
                    # A new session's pane gets its first agent.status soon after.
                    self.addCleanup(env.tmux.kill_session, env.tmux.new_session())

                # The example subscribes at a moment this process cannot see: make new
                # panes until it prints an event.
                lines = retry_until(
                    new_pane,
                    lambda: out.matching(lambda line: line.startswith("Event: agent.status - {")
                                         and "'agent_type'" in line),
                    timeout=TIMEOUT * 2, every=1.0, message=f"the example to print an event; it printed:\n{out.text()}",
                )
                self.assertRegex(lines[0], r"^Event: agent\.status - \{'status': '\w+'")
                self.assertIsNone(process.poll(), out.text())
            finally:
                stop_process(process, out)


if __name__ == "__main__":
    unittest.main()
