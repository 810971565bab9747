/**
 * Exit 0 when node_modules already holds exactly what package-lock.json pins, 1 otherwise.
 *
 * npm records what it installed in node_modules/.package-lock.json (the "hidden lockfile"). The tree matches
 * when every installed package is in the lock at the same version, and every locked package is installed
 * unless npm may leave it out (optional packages for other platforms). Run by Node 24 directly (type stripping).
 */
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  optional?: boolean;
  devOptional?: boolean;
  link?: boolean;
  resolved?: string;
}
interface Lockfile {
  packages?: Record<string, LockEntry>;
}

function read(path: string): Lockfile | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Lockfile;
  } catch {
    return undefined;
  }
}

const wanted = read('package-lock.json')?.packages;
const installed = read('node_modules/.package-lock.json')?.packages;
if (wanted === undefined || installed === undefined) process.exit(1);

const mismatches: string[] = [];
for (const [path, entry] of Object.entries(wanted)) {
  if (path === '' || !path.includes('node_modules/')) continue; // the root and workspace folders
  const have = installed[path];
  if (have === undefined) {
    if (entry.optional !== true && entry.devOptional !== true) mismatches.push(`missing ${path}`);
  } else if (have.version !== entry.version || have.link !== entry.link) {
    mismatches.push(`${path}: ${have.version ?? 'link'} installed, ${entry.version ?? 'link'} locked`);
  }
}
for (const path of Object.keys(installed)) {
  if (path.includes('node_modules/') && wanted[path] === undefined) mismatches.push(`extraneous ${path}`);
}
if (mismatches.length > 0) {
  process.stderr.write(
    `node_modules differs from package-lock.json (${mismatches.length}): ${mismatches.slice(0, 5).join('; ')}\n`,
  );
  process.exit(1);
}
