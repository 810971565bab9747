/**
 * `bindActivities` keeps each activity's call signature (checked by the type checker over this file), binds LLM
 * activities, passes other functions through and refuses what is not a function.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  bindActivities,
  defineLlmActivity,
  type BoundActivities,
  type LlmActivityInput,
  type SdkRuntime,
} from '../../src/index.js';

const rateInput = z.object({ text: z.string() });
const rate = defineLlmActivity({
  input: rateInput,
  run: (_ctx, { text }) => Promise.resolve({ length: text.length }),
});
const ping = (name: string): Promise<string> => Promise.resolve(`pong ${name}`);
const activities = { rate, ping };
/** Binding reads nothing from the runtime until an LLM activity runs. */
const runtime = {} as SdkRuntime;

describe('bindActivities', () => {
  it('should keep the activities’ types', () => {
    expectTypeOf<BoundActivities<typeof activities>['rate']>().toEqualTypeOf<
      (input: LlmActivityInput<typeof rateInput>) => Promise<{ length: number }>
    >();
    expectTypeOf(bindActivities(activities, runtime).ping).toEqualTypeOf<(name: string) => Promise<string>>();
    // The workflow passes only the tenant: `provider` is optional (the key service knows it).
    expectTypeOf<{ text: string; tenantId: string; plan: 'mrr' }>().toExtend<
      LlmActivityInput<typeof rateInput>
    >();
  });

  it('should bind LLM activities, pass other functions through and refuse anything else', async () => {
    const bound = bindActivities(activities, runtime);
    expect(bound.ping).toBe(ping);
    expect(bound.rate).not.toBe(rate);
    expect(typeof bound.rate).toBe('function');
    await expect(bound.ping('x')).resolves.toBe('pong x');
    expect(() => bindActivities({ notAFunction: 42 }, runtime)).toThrow(
      'activities.notAFunction is not a function',
    );
  });
});
