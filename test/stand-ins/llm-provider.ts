/**
 * The LLM provider stand-in is part of the SDK's testing kit (`@apexseo/worker-sdk/testing`); the repository's
 * tests import it from here.
 */
export { startLlmStandIn } from '../../packages/worker-sdk/src/testing/llm-stand-in.js';
export type {
  AnswerFn,
  LlmApi,
  LlmStandIn,
  RecordedRequest,
  ScriptedAnswer,
  StartLlmStandInOptions,
} from '../../packages/worker-sdk/src/testing/llm-stand-in.js';
