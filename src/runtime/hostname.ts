/**
 * The machine's name, for the `host` field when no `--host` is given. Reached through
 * the runtime's own API at call time (Deno.hostname, or node:os via
 * process.getBuiltinModule on Node and Bun), so importing this touches nothing.
 */
export function machineName(): string {
  const g = globalThis as {
    Deno?: { hostname?: () => string };
    process?: { getBuiltinModule?: (id: string) => { hostname?: () => string } | undefined };
  };
  try {
    const name = g.Deno?.hostname?.() ?? g.process?.getBuiltinModule?.('node:os')?.hostname?.();
    if (name) return name;
  } catch {
    // Deno without --allow-sys: fall through.
  }
  return 'localhost';
}
