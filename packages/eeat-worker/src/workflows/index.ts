/** Workflow entry point bundled for the worker: every workflow type this worker runs, and their queries. */
export { auditSite, progressQuery } from './audit-site-workflow.js';
export { auditPage } from './audit-page-workflow.js';
