import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { format, resolveConfig } from 'prettier';
import { parse, stringify } from 'yaml';
import { buildAsyncApiDocument } from './asyncapi';
import { deadLetterTopic, EVENT_CATALOGUE, TOPICS } from './events';
import { EXAMPLE_PAYLOADS } from './examples';

const DOCUMENT_PATH = join(__dirname, '../../../docs/asyncapi.yaml');
const HEADER =
  '# Generated from libs/contracts (buildAsyncApiDocument). Regenerate with:\n' +
  '#   UPDATE_ASYNCAPI=1 NODE_OPTIONS=--experimental-vm-modules ./scripts/node24.sh npx jest libs/contracts/src/asyncapi.spec.ts --selectProjects unit\n';

describe('docs/asyncapi.yaml', () => {
  beforeAll(async () => {
    if (process.env.UPDATE_ASYNCAPI !== '1') return;
    const yaml = HEADER + stringify(buildAsyncApiDocument(), { aliasDuplicateObjects: false, lineWidth: 0 });
    const options = (await resolveConfig(DOCUMENT_PATH)) ?? {};
    writeFileSync(DOCUMENT_PATH, await format(yaml, { ...options, parser: 'yaml' }));
  });

  it('equals the document built from the event catalogue, so the two cannot drift', () => {
    const onDisk: unknown = parse(readFileSync(DOCUMENT_PATH, 'utf8'));

    expect(onDisk).toEqual(buildAsyncApiDocument());
  });

  it('is a valid AsyncAPI 3.0 document according to @asyncapi/parser', async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(DOCUMENT_PATH, 'utf8'));

    // Severity 0 is an error in the Spectral diagnostics the parser returns (1 warning, 2 info, 3 hint).
    const errors = diagnostics.filter((diagnostic) => Number(diagnostic.severity) === 0);
    expect(errors.map((error) => `${error.path.join('.')}: ${error.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it('describes every catalogue topic and its dead-letter topic as channels', async () => {
    const { document } = await new Parser().parse(readFileSync(DOCUMENT_PATH, 'utf8'));

    const addresses =
      document
        ?.channels()
        .all()
        .map((channel) => channel.address()) ?? [];
    expect(addresses.sort()).toEqual([...TOPICS, ...TOPICS.map(deadLetterTopic)].sort());
  });

  it('carries an example of meeting.scheduled whose headers name the catalogue type', async () => {
    const { document } = await new Parser().parse(readFileSync(DOCUMENT_PATH, 'utf8'));

    const message = document
      ?.messages()
      .all()
      .find((candidate) => candidate.name() === EVENT_CATALOGUE['meeting.scheduled'].type);
    const example = message?.examples().all()[0];
    expect(example?.headers() as unknown).toMatchObject({ ce_type: 'com.convene.meeting.scheduled.v1' });
    expect(example?.payload() as unknown).toEqual(EXAMPLE_PAYLOADS['meeting.scheduled']);
  });
});
