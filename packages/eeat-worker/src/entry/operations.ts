/**
 * `@apexseo/eeat-worker/operations`: what the benchmarks use to run audits on a real stack: starting an audit and
 * following its progress, start admission, the result stores and the graph rows they write.
 *
 * A private workspace entry, resolved to the TypeScript source (run with `node --import tsx`); the worker binary
 * and the CLI do not use it.
 */
export { startAudit, type StartedAudit } from '../routing/start-audit.js';
export { SharedStartAdmission } from '../routing/shared-start-admission.js';
export { StartAdmission, type Admission } from '../routing/start-admission.js';
export type { AuditScope } from '../storage/audit-scope.js';
export { pageGraphRow } from '../storage/neo4j/graph-rows.js';
export { openStoreClients, type StoreClients } from '../worker/store-clients.js';
export { progressQuery } from '../workflows/audit-queries.js';
