// Small helpers shared by the walks in this folder (not a walk: the leading `_` keeps record.mjs and
// live.mjs from loading it).
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export { sleep };

/** Wrap `lab.at` so that `LAB_DEBUG=1` prints each captured screen (useful while writing a walk). */
export function instrument(lab) {
  const at = lab.at.bind(lab);
  lab.at = async (status, label, opts = {}) => {
    if (process.env.LAB_DEBUG) {
      const f = await lab.facts();
      console.log(`\n=== ${status} ${label} [${f.pane_current_command} | ${f.pane_title} | alt=${f.alternate_on}]`);
      console.log((await lab.screen()).replace(/\n\s*$/g, ''));
    }
    return at(status, label, opts);
  };
  return lab;
}

/** Wait until the screen has not changed for `quietMs` (a TUI finished redrawing), at most `timeout`. */
export async function settle(lab, { quietMs = 800, timeout = 10_000 } = {}) {
  const deadline = Date.now() + timeout;
  let last = await lab.screen();
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(150);
    const s = await lab.screen();
    if (s !== last) {
      last = s;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return s;
    }
  }
  return last;
}

/** The last `n` non-empty lines of a screen (where the prompt and status rows are). */
export function tail(screen, n = 8) {
  return screen
    .split('\n')
    .filter((l) => l.trim())
    .slice(-n)
    .join('\n');
}
