/**
 * `@apexseo/worker-sdk/testing`: test LLM activities and workflows the way `@temporalio/testing` tests Temporal code,
 * against the SDK's real code paths. Needs the optional peer dependency `@temporalio/testing` and a Temporal CLI
 * (`TEMPORAL_CLI_PATH` or `temporal` on `PATH`).
 *
 * @example
 * ```ts
 * import { createTestEnvironment } from '@apexseo/worker-sdk/testing';
 *
 * const env = await createTestEnvironment();
 * env.keys.putKey('acme', 'openai', 'sk-test-acme');
 * env.llm.script('sk-test-acme', { kind: 'ok', json: { score: 80, reason: 'cites sources' } });
 * await env.startWorker({ activities, workflowsPath });
 * const handle = await env.startWorkflow('scoreTextWorkflow', { tenantId: 'acme', args: [{ ... }] });
 * await handle.result();
 * await env.teardown();
 * ```
 */
export { createTestEnvironment, findTemporalCli, TestEnvironment } from './testing/test-environment.js';
export type {
  StartTestWorkflowOptions,
  TemporalServerOption,
  TestEnvironmentOptions,
  WaitOptions,
} from './testing/test-environment.js';
export { LocalKeyService } from './testing/local-key-service.js';
export type {
  KeyStatusView,
  LocalKeyServiceOptions,
  RecordedKeyCall,
  RecordedTrip,
} from './testing/local-key-service.js';
export { startLlmStandIn } from './testing/llm-stand-in.js';
export type {
  AnswerFn,
  LlmApi,
  LlmStandIn,
  RecordedRequest,
  ScriptedAnswer,
  StartLlmStandInOptions,
} from './testing/llm-stand-in.js';
export { DEV_TOKEN_ISSUER, DevTokenIssuer } from './testing/dev-token.js';
