// Runs inside a tmux pane: prints `L<n> T<ms>` lines at a steady rate, stamped with the
// bench's clock (wall clock, microsecond resolution) the moment each is written, then
// idles until killed.   node pane-printer.mjs RATE COUNT [START_DELAY_MS]
import { now } from '../lib/clock.mjs';

const [rate = 100, count = 1000, delay = 300] = process.argv.slice(2).map(Number);
const interval = 1000 / rate;
let n = 0;
let start = 0;
function tick() {
  const due = Math.min(count, Math.floor((now() - start) / interval) + 1);
  for (; n < due; n++) process.stdout.write(`L${n} T${now().toFixed(3)}\n`);
  if (n < count) setTimeout(tick, Math.max(0, start + n * interval - now()));
  else setTimeout(() => process.exit(0), 120_000); // idle (keeps the pane), bounded
}
setTimeout(() => {
  start = now();
  tick();
}, delay);
