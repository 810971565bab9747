/**
 * A separate client process for fleet tests: waits for a shared start time, fires all its requests
 * at once and prints `[{status, json}]`. Several of these stand in for several worker pods.
 * Usage: node --import tsx fire-requests.ts '<json job>'
 */
import { z } from 'zod';

const job = z
  .object({
    startAt: z.number(),
    requests: z.array(z.object({ url: z.string(), path: z.string(), token: z.string(), body: z.unknown() })),
  })
  .parse(JSON.parse(process.argv[2] ?? '{}'));

await new Promise((resolve) => setTimeout(resolve, Math.max(0, job.startAt - Date.now())));
const results = await Promise.all(
  job.requests.map(async (r) => {
    const response = await fetch(`${r.url}${r.path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(r.body),
    });
    return { status: response.status, json: (await response.json()) as unknown };
  }),
);
process.stdout.write(JSON.stringify(results));
