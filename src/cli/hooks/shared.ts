/**
 * What every agent's hook set-up shares: the shell command a hook runs to set the pane's
 * `@agent_state`, and editing a Claude-style `settings.json` hooks section
 * (`{"hooks": {"Event": [{"matcher": "...", "hooks": [{"type": "command", "command": "..."}]}]}}`),
 * which Claude Code, Gemini CLI and Qwen Code all read. Our entries are found by a marker at
 * the end of their command; everything else in the file is left as it was.
 */

/**
 * What a hook sets. `ready-unless-error` keeps an `error` set earlier in the turn. `unset`
 * removes the option, handing the status back to the screen: used
 * where an agent has an event for the start of something but none for its end (a permission
 * prompt: no event says it was answered, and the approved tool may then run for minutes).
 */
export type HookState = 'ready' | 'busy' | 'waiting' | 'error' | 'exited' | 'unset' | 'ready-unless-error';

/** The end of every command we write: how `status` and `uninstall` recognise ours. */
export const HOOK_MARKER = '# tmux-monitor';

/**
 * The command a hook runs. Only inside tmux (TMUX_PANE and TMUX set; tmux then talks to the
 * server named in $TMUX, the one the pane belongs to), with no output (hooks' stdout is read
 * by some agents) and always exit 0, so a missing tmux never fails or blocks the agent's turn.
 * Plain POSIX sh, as the agents run hooks with `sh -c`/`bash -c`. It reads the agent's JSON on
 * stdin only for `when`.
 */
export function stateCommand(state: HookState, when?: string): string {
  const set =
    state === 'unset'
      ? 'set-option -p -u -t "$TMUX_PANE" @agent_state'
      : state === 'ready-unless-error'
        ? // A turn that ended on an error stays `error` until the next prompt (some agents fire
          // their "turn ended" event after the error event too, or an idle reminder later).
          `if-shell -F -t "$TMUX_PANE" '#{!=:#{@agent_state},error}' "set-option -p -t '$TMUX_PANE' @agent_state ready"`
        : `set-option -p -t "$TMUX_PANE" @agent_state ${state}`;
  const run = `[ -n "$TMUX_PANE" ] && [ -n "$TMUX" ] && tmux ${set} >/dev/null 2>&1`;
  // `when`: only if the event's JSON (stdin) contains this text.
  if (when !== undefined) return `case "$(cat)" in *'${when}'*) ${run};; esac; exit 0 ${HOOK_MARKER}`;
  return `${run}; exit 0 ${HOOK_MARKER}`;
}

export function isOurCommand(command: unknown): boolean {
  return typeof command === 'string' && command.includes('@agent_state') && command.trimEnd().endsWith(HOOK_MARKER);
}

/** One hook we install: on `event` (only when `matcher` matches, if given), set `state`. */
export interface HookSpec {
  event: string;
  matcher?: string;
  state: HookState;
  /** Only when the event's JSON on stdin contains this text (no single quotes). */
  when?: string;
}

export type JsonObject = Record<string, unknown>;

export class ConfigError extends Error {}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A change to one config file: its new text and the lines that say what changed. */
export interface Edit {
  text: string;
  lines: string[];
}

/** How a settings.json hooks section is written for one agent. */
export interface JsonHooksFormat {
  specs: readonly HookSpec[];
  /** Fields added to each hook entry besides type and command (e.g. a name). */
  extra?: JsonObject;
}

export function parseSettings(text: string | null, path: string): JsonObject {
  if (text === null || text.trim() === '') return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${path} is not valid JSON (${(e as Error).message}); not changed`);
  }
  if (!isObject(doc)) throw new ConfigError(`${path} does not hold a JSON object; not changed`);
  if (doc.hooks !== undefined && !isObject(doc.hooks)) throw new ConfigError(`${path}: "hooks" is not an object; not changed`);
  return doc;
}

/** The indentation the file already uses (two spaces for a new file). */
function indentOf(text: string | null): string | number {
  const m = text ? /\n([ \t]+)"/.exec(text) : null;
  return m ? m[1]! : 2;
}

function groupFor(spec: HookSpec, format: JsonHooksFormat): JsonObject {
  const hook: JsonObject = { type: 'command', command: stateCommand(spec.state, spec.when), ...format.extra };
  return spec.matcher === undefined ? { hooks: [hook] } : { matcher: spec.matcher, hooks: [hook] };
}

const key = (event: string, matcher: string | undefined, command: string): string => `${event}\u0000${matcher ?? ''}\u0000${command}`;

/** Our hook entries in a parsed file, as event/matcher/command keys. */
function ourEntries(doc: JsonObject): string[] {
  const out: string[] = [];
  const hooks = isObject(doc.hooks) ? doc.hooks : {};
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) continue;
    for (const g of groups) {
      if (!isObject(g) || !Array.isArray(g.hooks)) continue;
      for (const h of g.hooks) {
        if (!isObject(h) || !isOurCommand(h.command)) continue;
        out.push(key(event, typeof g.matcher === 'string' ? g.matcher : undefined, h.command as string));
      }
    }
  }
  return out;
}

export type InstallState = 'installed' | 'outdated' | 'not installed';

export function jsonStatus(doc: JsonObject, format: JsonHooksFormat): InstallState {
  const have = ourEntries(doc).sort();
  if (have.length === 0) return 'not installed';
  const want = format.specs.map((s) => key(s.event, s.matcher, stateCommand(s.state, s.when))).sort();
  return have.length === want.length && have.every((k, i) => k === want[i]) ? 'installed' : 'outdated';
}

/** Remove our entries (only ours: a group that also holds the user's hooks keeps those). */
function removeOurs(doc: JsonObject, lines: string[]): void {
  if (!isObject(doc.hooks)) return;
  const hooks = doc.hooks;
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) continue;
    let removed = false;
    const kept = groups.filter((g) => {
      if (!isObject(g) || !Array.isArray(g.hooks)) return true;
      const mine = g.hooks.filter((h) => isObject(h) && isOurCommand(h.command));
      if (mine.length === 0) return true;
      removed = true;
      for (const h of mine) {
        const entry = g.matcher === undefined ? { hooks: [h] } : { matcher: g.matcher, hooks: [h] };
        lines.push(`- hooks.${event}: ${JSON.stringify(entry)}`);
      }
      g.hooks = g.hooks.filter((h) => !(isObject(h) && isOurCommand(h.command)));
      return (g.hooks as unknown[]).length > 0;
    });
    if (!removed) continue;
    if (kept.length > 0) hooks[event] = kept;
    else delete hooks[event];
  }
  if (Object.keys(hooks).length === 0) delete doc.hooks;
}

function serialize(doc: JsonObject, original: string | null): string {
  return JSON.stringify(doc, null, indentOf(original)) + '\n';
}

/** The file with our hooks in it (null: already installed as they would be written). */
export function jsonInstall(text: string | null, path: string, format: JsonHooksFormat): Edit | null {
  const doc = parseSettings(text, path);
  if (jsonStatus(doc, format) === 'installed') return null;
  const lines: string[] = [];
  removeOurs(doc, lines);
  const hooks: JsonObject = isObject(doc.hooks) ? doc.hooks : {};
  for (const spec of format.specs) {
    const list = Array.isArray(hooks[spec.event]) ? (hooks[spec.event] as unknown[]) : [];
    const group = groupFor(spec, format);
    list.push(group);
    hooks[spec.event] = list;
    lines.push(`+ hooks.${spec.event}: ${JSON.stringify(group)}`);
  }
  doc.hooks = hooks;
  return { text: serialize(doc, text), lines };
}

/** The file without our hooks (null: none there). */
export function jsonUninstall(text: string | null, path: string): Edit | null {
  if (text === null) return null;
  const doc = parseSettings(text, path);
  const lines: string[] = [];
  removeOurs(doc, lines);
  if (lines.length === 0) return null;
  return { text: serialize(doc, text), lines };
}
