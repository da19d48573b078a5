# Replays one captured agent screen in a tmux pane (see test/helpers/replay.ts).
#   exec -a <pane_current_command> python3 replay.py PAYLOAD BINDIR [CHILD ...]
# Starts one idle child process per CHILD name (a `sleep` run through a symlink of that
# name, so that /proc/PID/comm shows it), writes PAYLOAD (title, screen mode, the screen,
# the cursor) to the terminal, then stays until the pane is killed.
import os
import signal
import subprocess
import sys

payload, bindir, *children = sys.argv[1:]
procs = []
for name in children:
    link = os.path.join(bindir, name[:15])
    if not os.path.exists(link):
        try:
            os.symlink('/bin/sleep', link)
        except FileExistsError:
            pass
    procs.append(subprocess.Popen([link, '100000'], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL))
with open(payload, 'rb') as f:
    data = f.read()
os.write(1, data)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while True:
    signal.pause()
