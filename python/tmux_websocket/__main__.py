"""``python -m tmux_websocket``: print events, one a line."""
import sys

from .cli import main

sys.exit(main())
