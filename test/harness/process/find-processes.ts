import { readdir, readFile } from 'node:fs/promises';

export interface ProcessInfo {
  pid: number;
  commandLine: string;
}

/**
 * Processes whose command line contains `text` (read from /proc, so it sees every user's processes, e.g.
 * PostgreSQL running as `postgres`). Used to prove that no server outlives the run that started it.
 */
export async function processesMentioning(text: string): Promise<ProcessInfo[]> {
  const found: ProcessInfo[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim();
      if (commandLine.includes(text)) found.push({ pid, commandLine });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
