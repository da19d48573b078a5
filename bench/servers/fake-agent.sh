#!/usr/bin/env bash
# A fake agent CLI for the structural benchmark: shows AGENT's ready screen (from the
# test fixtures); each Enter switches at once between ready and busy (busy animates its
# spinner every 150 ms, like the real one).   fake-agent.sh AGENT
set -u
DIR=$(cd "$(dirname "$0")/../../test/fixtures/agents" && pwd)
# shellcheck source=/dev/null
. "$DIR/$1.screens.sh"
ready() { printf '\033[H\033[2J'; screen_ready; }
ready
state=ready
i=0
while :; do
  if [ "$state" = ready ]; then
    read -r _ || exit 0
    state=busy
    i=0
    printf '\033[H\033[2J'
    screen_busy 0
  elif read -r -t 0.15 _; then
    state=ready
    ready
  else
    i=$((i + 1))
    printf '\033[H'
    screen_busy "$i"
  fi
done
