/**
 * What a pane's foreground program is running: the names of its child processes (a tool
 * an agent runs, the native binary behind an npm shim). Read only when a pane's status is
 * read (after output), never on a timer. On Linux it reads /proc (no subprocess): the
 * pane's first process's `tpgid` names the terminal's foreground process group, whose
 * leader is the program in front; its descendants come from `/proc/PID/task/TID/children`.
 * Elsewhere one `ps` lists the processes. `node:fs/promises` works under Node, Bun and Deno.
 */
import { run } from './index.ts';

/** At most this many names, and this many levels below the foreground process. */
const MAX_NAMES = 16;
const MAX_DEPTH = 3;

type Fs = typeof import('node:fs/promises');
let fsModule: Promise<Fs | null> | undefined;

function fs(): Promise<Fs | null> {
  fsModule ??= import('node:fs/promises').then(
    (m) => m,
    () => null,
  );
  return fsModule;
}

/**
 * Names (`comm`) of the processes below the foreground program of the terminal that
 * `panePid` (the pane's first process) runs in, nearest first; [] when none or unknown.
 */
export async function foregroundChildren(panePid: number): Promise<string[]> {
  if (!Number.isInteger(panePid) || panePid <= 0) return [];
  const f = await fs();
  if (f) {
    const stat = await f.readFile(`/proc/${panePid}/stat`, 'utf8').catch(() => null);
    if (stat !== null) return fromProc(f, panePid, stat);
  }
  return fromPs(panePid);
}

/** `/proc/PID/stat` after the `(comm)`: state ppid pgrp session tty_nr tpgid … */
function tpgidOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[5]);
}

async function fromProc(f: Fs, panePid: number, stat: string): Promise<string[]> {
  const tpgid = tpgidOf(stat);
  const front = Number.isInteger(tpgid) && tpgid > 0 ? tpgid : panePid;
  const names: string[] = [];
  let level = [front];
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0 && names.length < MAX_NAMES; depth++) {
    const next: number[] = [];
    for (const pid of level) next.push(...(await childPids(f, pid)));
    for (const pid of next) {
      if (names.length >= MAX_NAMES) break;
      const comm = await f.readFile(`/proc/${pid}/comm`, 'utf8').catch(() => null);
      if (comm !== null) names.push(comm.trim());
    }
    level = next;
  }
  return names;
}

async function childPids(f: Fs, pid: number): Promise<number[]> {
  const tasks = await f.readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const out: number[] = [];
  for (const tid of tasks) {
    const text = await f.readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '');
    for (const c of text.split(' ')) if (c.trim() !== '') out.push(Number(c));
  }
  return out;
}

/** Without /proc (macOS, BSD): one `ps` over all processes. */
async function fromPs(panePid: number): Promise<string[]> {
  const r = await run('ps', ['-A', '-o', 'pid=,ppid=,tpgid=,comm='], { timeoutMs: 2000 });
  if (r.code !== 0) return [];
  const byParent = new Map<number, { pid: number; comm: string }[]>();
  let front = panePid;
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(-?\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    const ppid = Number(m[2]);
    if (pid === panePid && Number(m[3]) > 0) front = Number(m[3]);
    const comm = m[4]!.trim().split('/').pop() ?? '';
    const list = byParent.get(ppid) ?? [];
    list.push({ pid, comm });
    byParent.set(ppid, list);
  }
  const names: string[] = [];
  let level = [front];
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
    const next: number[] = [];
    for (const pid of level) {
      for (const c of byParent.get(pid) ?? []) {
        if (names.length < MAX_NAMES) names.push(c.comm);
        next.push(c.pid);
      }
    }
    level = next;
  }
  return names;
}
