// Small helpers shared by the OpenAI-protocol walks (codex, qwen, opencode), kept beside lab.mjs
// rather than in it.
//
// - debugAt(lab): with LAB_DEBUG=1 every `lab.at()` also prints the screen and the pane's facts
//   (title, alternate screen, cursor) to stderr, so a walk can be tuned in drive mode.
// - step(lab, fn): runs an optional part of a walk; in record mode a failure is reported and the
//   walk goes on (a screen we could not reach is missing from the corpus, not a lost run), while in
//   live mode it throws.

export function debugAt(lab) {
  if (!process.env.LAB_DEBUG) return lab;
  const at = lab.at.bind(lab);
  lab.at = async (status, label, opts) => {
    const [screen, facts] = await Promise.all([lab.screen(), lab.facts()]);
    process.stderr.write(
      `\n=== ${lab.agent} ${lab.cols}x${lab.rows} ${status} ${label} | cmd=${facts.pane_current_command} ` +
        `title=${JSON.stringify(facts.pane_title)} alt=${facts.alternate_on} cursor=${facts.cursor}\n` +
        `${screen.replace(/\n+$/, '')}\n`,
    );
    return at(status, label, opts);
  };
  return lab;
}

/** An optional part of a record walk: failures are logged, and the walk goes on. */
export async function optional(lab, name, fn) {
  if (lab.mode === 'live') return fn();
  try {
    await fn();
    return true;
  } catch (err) {
    process.stderr.write(`${lab.agent} ${lab.cols}x${lab.rows}: skipped "${name}": ${String(err.message ?? err).split('\n')[0]}\n`);
    return false;
  }
}

/** Wait until the screen no longer matches (e.g. a spinner row went away). */
export function waitGone(lab, pattern, opts) {
  const test = typeof pattern === 'string' ? (s) => s.includes(pattern) : (s) => pattern.test(s);
  return lab.waitFor((s) => !test(s), opts);
}

/**
 * Press `keys` until `pattern` shows (a loaded machine sometimes loses a key press sent while a TUI is
 * still redrawing): up to `tries` presses, each followed by a wait of `timeout` ms.
 */
export async function pressUntil(lab, keys, pattern, { tries = 3, timeout = 10_000 } = {}) {
  const list = Array.isArray(keys) ? keys : [keys];
  for (let i = 1; ; i++) {
    await new Promise((r) => setTimeout(r, 300));
    await lab.keys(...list);
    try {
      return await lab.waitFor(pattern, { timeout });
    } catch (err) {
      if (i >= tries) throw err;
    }
  }
}
