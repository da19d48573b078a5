/**
 * A small flag parser for the CLI: `--name value`, `--name=value`, boolean flags, and
 * short aliases (`-L`, `-S`). Errors name the flag, for a one-line message and exit 2.
 */
export interface FlagSpec {
  name: string;
  alias?: string;
  type: 'string' | 'boolean';
  help: string;
  placeholder?: string;
  /** May be given more than once: the values are kept in order (read with `multiFlag`). */
  repeatable?: boolean;
}

export class UsageError extends Error {}

export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const flags: ParsedFlags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = specs.find((s) => `--${s.name}` === name || (s.alias !== undefined && `-${s.alias}` === name));
    if (!spec) throw new UsageError(`unknown flag ${name}`);
    if (spec.type === 'boolean') {
      if (eq > 0) throw new UsageError(`flag --${spec.name} takes no value`);
      flags[spec.name] = true;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`flag --${spec.name} needs a value`);
    if (spec.repeatable) {
      const earlier = flags[spec.name];
      flags[spec.name] = [...(Array.isArray(earlier) ? earlier : []), value];
    } else {
      flags[spec.name] = value;
    }
  }
  return flags;
}

export function intFlag(flags: ParsedFlags, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`flag --${name} must be a whole number from ${min} to ${max}, not "${String(raw)}"`);
  }
  return value;
}

export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const raw = flags[name];
  return typeof raw === 'string' ? raw : undefined;
}

/** Every value of a repeatable flag, in order. */
export function multiFlag(flags: ParsedFlags, name: string): string[] {
  const raw = flags[name];
  return Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
}

/** A comma list; a repeatable flag's values add up (`--public-host a --public-host b,c`). */
export function listFlag(flags: ParsedFlags, name: string): string[] | undefined {
  const raw = flags[name];
  const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : undefined;
  if (values === undefined) return undefined;
  return values
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `90`, `90s`, `30m`, `1h`, `7d` → seconds. */
export function durationFlag(flags: ParsedFlags, name: string, fallbackSec: number): number {
  const raw = stringFlag(flags, name);
  if (raw === undefined) return fallbackSec;
  const match = /^(\d+)([smhd]?)$/.exec(raw.trim());
  if (!match) throw new UsageError(`flag --${name} must be a duration like 90s, 30m, 1h or 7d, not "${raw}"`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

export function helpText(usage: string, summary: string, specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const names = (s.alias ? `-${s.alias}, ` : '    ') + `--${s.name}` + (s.type === 'string' ? ` ${s.placeholder ?? 'VALUE'}` : '');
    return `  ${names.padEnd(34)} ${s.help}`;
  });
  return `Usage: ${usage}\n\n${summary}\n\nOptions:\n${rows.join('\n')}\n`;
}
