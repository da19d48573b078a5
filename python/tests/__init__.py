"""Tests of the tmux_websocket client (stdlib unittest; see support.py for the environment)."""
