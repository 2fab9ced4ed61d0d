import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  alertBody,
  gatewayDatabase,
  type RunningGateway,
  signedHeaders,
  startGateway,
} from './support/gateway-harness';

jest.setTimeout(240_000);

let database: Awaited<ReturnType<typeof gatewayDatabase>>;
let gateway: RunningGateway;

beforeAll(async () => {
  database = await gatewayDatabase();
  gateway = await startGateway(database.database.url);
});

afterAll(async () => {
  await gateway?.close();
  await database?.close();
});

const anyJson = fc.jsonValue({ maxDepth: 4 });
const notAString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(anyJson),
  fc.dictionary(fc.string(), anyJson),
);
const notAStringList = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.string(),
  fc.dictionary(fc.string(), anyJson),
  fc
    .tuple(
      fc.array(fc.string({ minLength: 1, maxLength: 10 })),
      fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant('')),
    )
    .map(([list, bad]) => [...list, bad]),
);

/** A valid alert with exactly one field made wrong in a way the contract forbids. */
const brokenAlert = fc
  .oneof(
    fc.record({
      field: fc.constantFrom('alert_id', 'alert_type', 'severity', 'description', 'detected_at'),
      value: fc.option(notAString, { nil: undefined }),
    }),
    fc.record({
      field: fc.constant('severity'),
      value: fc.string().filter((s) => !['critical', 'high', 'medium', 'low'].includes(s)),
    }),
    fc.record({
      field: fc.constant('detected_at'),
      value: fc.string().filter((s) => Number.isNaN(Date.parse(s)) || !/^\d{4}/.test(s)),
    }),
    fc.record({ field: fc.constant('affected_systems'), value: fc.option(notAStringList, { nil: undefined }) }),
    fc.record({ field: fc.constant('compliance_frameworks'), value: notAStringList }),
    fc.record({
      field: fc.constant('context'),
      value: fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.array(anyJson)),
    }),
    fc.record({
      field: fc.constant('status'),
      value: fc.oneof(
        fc.integer(),
        fc.string().filter((s) => s !== 'firing' && s !== 'resolved'),
      ),
    }),
  )
  .map(({ field, value }) => JSON.stringify(alertBody({ [field]: value })));

/** Bodies that are not an alert object at all: other JSON, broken JSON, random text and bytes. */
const notAnAlert = fc.oneof(
  fc
    .oneof(fc.array(anyJson), fc.integer(), fc.string(), fc.constant(null), fc.boolean())
    .map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }).filter((text) => !text.trim().startsWith('{')),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.dictionary(fc.string(), anyJson, { minKeys: 1 }).map((value) => JSON.stringify(value).slice(0, -1)),
);

it('answers 1,000 malformed, signed bodies with a 4xx problem+json and never a 5xx', async () => {
  const unexpected: string[] = [];
  await fc.assert(
    fc.asyncProperty(fc.oneof(brokenAlert, notAnAlert), async (body) => {
      const response = await fetch(`${gateway.url}/webhooks/chainsync/alert`, {
        method: 'POST',
        body,
        headers: signedHeaders(body),
      });
      const text = await response.text();
      let problem: { status?: number; code?: string } = {};
      try {
        problem = JSON.parse(text) as typeof problem;
      } catch {
        // reported below as unexpected
      }
      const ok =
        response.status >= 400 &&
        response.status < 500 &&
        (response.headers.get('content-type') ?? '').startsWith('application/problem+json') &&
        problem.status === response.status &&
        typeof problem.code === 'string';
      if (!ok) unexpected.push(`${response.status} ${text.slice(0, 200)} for ${body.slice(0, 200)}`);
      return ok;
    }),
    { numRuns: 1000, seed: 4242, endOnFailure: true },
  );
  expect(unexpected).toEqual([]);
});

const boundedText = (max: number): fc.Arbitrary<string> =>
  fc.string({ minLength: 1, maxLength: max, unit: 'grapheme' });

/** Alerts inside every bound of the contract, with unusual but legal content. */
const validAlert = fc.record({
  alert_id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,40}$/),
  alert_type: boundedText(100).filter((s) => s.trim().length > 0),
  severity: fc.constantFrom('critical', 'high', 'medium', 'low'),
  description: boundedText(500),
  affected_systems: fc.array(boundedText(50), { maxLength: 10 }),
  detected_at: fc
    .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date(), noInvalidDate: true })
    .map((date) => date.toISOString()),
  context: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
  compliance_frameworks: fc.array(boundedText(50), { maxLength: 5 }),
  status: fc.constantFrom('firing', 'resolved'),
});

it('accepts 300 generated valid alerts with 202', async () => {
  const refused: string[] = [];
  await fc.assert(
    fc.asyncProperty(validAlert, async (alert) => {
      const body = JSON.stringify({ ...alert, alert_id: `${alert.alert_id}-${randomUUID()}` });
      const response = await fetch(`${gateway.url}/webhooks/chainsync/alert`, {
        method: 'POST',
        body,
        headers: signedHeaders(body),
      });
      const text = await response.text();
      if (response.status !== 202) refused.push(`${response.status} ${text.slice(0, 300)}`);
      return response.status === 202;
    }),
    { numRuns: 300, seed: 4243, endOnFailure: true },
  );
  expect(refused).toEqual([]);
});
