"""`python -m tmux_websocket` prints events, one a line."""
import json
import os
import subprocess
import sys
import unittest

from . import support
from .support import PYTHON_DIR, TIMEOUT, LineReader, mint_token, retry_until, stop_process


class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = support.env()

    def setUp(self):
        self.session = self.env.tmux.new_session()
        self.addCleanup(self.env.tmux.kill_session, self.session)

    def run_cli(self, *args, token=None):
        environ = dict(os.environ, PYTHONPATH=str(PYTHON_DIR))
        environ.pop("TMUX_MONITOR_TOKEN", None)
        if token is not None:
            environ["TMUX_MONITOR_TOKEN"] = token
        process = subprocess.Popen(
            [sys.executable, "-u", "-m", "tmux_websocket", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=environ,
        )
        out = LineReader(process.stdout)
        self.addCleanup(stop_process, process, out)
        return process, out

    def renames_until_printed(self, out, count=1):
        names = iter(f"cli-{i}" for i in range(1000))
        retry_until(lambda: self.env.tmux.run("rename-window", "-t", f"{self.session}:0", next(names)),
                    lambda: len(out.lines) >= count, message=f"{count} printed lines")

    def test_json_lines_with_the_token_from_the_environment(self):
        process, out = self.run_cli("--url", self.env.base_url, "--types", "window.renamed,session.renamed",
                               "--sessions", self.session, "--json", "--count", "2", token=mint_token("viewer"))
        self.renames_until_printed(out, 2)
        self.assertEqual(process.wait(TIMEOUT), 0, process.stderr.read())
        events = [json.loads(line) for line in out.lines]
        self.assertEqual([e["type"] for e in events], ["window.renamed", "window.renamed"])
        self.assertEqual({e["session"] for e in events}, {self.session})
        self.assertLess(events[0]["seq"], events[1]["seq"])

    def test_human_readable_lines(self):
        process, out = self.run_cli("--url", self.env.url, "--token", mint_token("viewer"),
                               "--types", "window.renamed", "--sessions", self.session, "--count", "1")
        self.renames_until_printed(out)
        self.assertEqual(process.wait(TIMEOUT), 0, process.stderr.read())
        self.assertRegex(out.lines[0], rf"#\d+ window\.renamed {self.session}:0(\.\d+)? \{{.*\"new_name\":\"cli-\d+\"")

    def test_a_bad_token_exits_1_with_the_error_code(self):
        process, out = self.run_cli("--url", self.env.url, "--token", mint_token("viewer", secret="wrong"),
                               "--types", "*")
        self.assertEqual(process.wait(TIMEOUT), 1)
        self.assertIn("AUTH_FAILED", process.stderr.read())


if __name__ == "__main__":
    unittest.main()
