/** Queries of the audit workflows, importable by clients (CLI, demo) without the workflow code. */
import { defineQuery } from '@temporalio/workflow';
import type { AuditProgress } from './audit-workflow-types.js';

/** Pages done / failed / skipped / total and the current phase. */
export const progressQuery = defineQuery<AuditProgress>('progress');
