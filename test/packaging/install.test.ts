/**
 * Packaging (issue 12): after `npm install` / `npm ci` in a checkout, the package's own
 * exports resolve (`prepare` builds dist/lib as well as the bundle), and npm 11 has no
 * unreviewed install scripts to warn about (package.json `allowScripts`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/runtimes.ts';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('a checkout after npm install', () => {
  it('has every file the exports point at', () => {
    for (const [name, conditions] of Object.entries<Record<string, string> | string>(pkg.exports)) {
      const targets = typeof conditions === 'string' ? [conditions] : Object.values(conditions);
      for (const target of targets) expect(existsSync(join(ROOT, target)), `${name} → ${target}`).toBe(true);
    }
    expect(pkg.scripts.prepare).toContain('build-lib');
  });

  it('imports tmux-monitor and tmux-monitor/client by name under Node', () => {
    const script =
      "const c = await import('tmux-monitor/client'); const s = await import('tmux-monitor'); console.log(typeof c.TmuxMonitor, typeof s.createMonitor);";
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(out.trim()).toBe('function function');
  });

  it('leaves no install script unreviewed (npm install prints no install-scripts warning)', () => {
    const out = execFileSync('npm', ['install-scripts', 'ls'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).not.toMatch(/not yet covered/);
    expect(Object.keys(pkg.allowScripts).sort()).toEqual(['bun', 'deno', 'esbuild']);
  });
});
