/**
 * Reading and writing an agent's config file without surprises: the file a symlink points to
 * is the one changed (dotfile managers link them), the old text is backed up first
 * (`<file>.tmux-monitor.bak`, or a timestamped name when that exists, so the first backup —
 * the file before tmux-monitor ever touched it — is never overwritten), the mode is kept
 * (a new file is 0644: it holds no secrets), and the new text replaces the old in one rename.
 */
import { chmod, copyFile, mkdir, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface ConfigFile {
  /** The path as given. */
  path: string;
  /** The file actually read and written (symlinks resolved). */
  real: string;
  text: string | null;
  mode: number | null;
}

export async function readConfig(path: string): Promise<ConfigFile> {
  const real = await realpath(path).catch(() => path);
  try {
    const [text, info] = await Promise.all([readFile(real, 'utf8'), stat(real)]);
    return { path, real, text, mode: info.mode & 0o7777 };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { path, real, text: null, mode: null };
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Copy the current file to its backup name; returns that name (null: no file yet). */
export async function backupConfig(file: ConfigFile, now = new Date()): Promise<string | null> {
  if (file.text === null) return null;
  let backup = `${file.real}.tmux-monitor.bak`;
  if (await exists(backup)) backup = `${file.real}.tmux-monitor.${now.toISOString().replace(/[:.]/g, '-')}.bak`;
  await copyFile(file.real, backup);
  await chmod(backup, file.mode ?? 0o600);
  return backup;
}

export async function writeConfig(file: ConfigFile, text: string): Promise<void> {
  await mkdir(dirname(file.real), { recursive: true, mode: 0o700 });
  const tmp = `${file.real}.tmux-monitor.tmp-${Math.random().toString(36).slice(2)}`;
  try {
    await writeFile(tmp, text, { mode: 0o600 });
    await chmod(tmp, file.mode ?? 0o644);
    await rename(tmp, file.real);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}
