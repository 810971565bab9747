import { keysBreakersAudit } from './0001-keys-breakers-audit.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Applied in order; a released migration is never edited (its checksum is verified), only followed. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'keys-breakers-audit', sql: keysBreakersAudit },
];
