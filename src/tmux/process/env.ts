import type { SpawnOptions } from './types.ts';

/** The child's environment: `base` with `options.env` merged in and `options.unsetEnv` removed. */
export function childEnv(base: Record<string, string | undefined>, options?: SpawnOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  Object.assign(env, options?.env ?? {});
  for (const k of options?.unsetEnv ?? []) delete env[k];
  return env;
}
