import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TOPICS } from '#libs/contracts';
import type { EventHandler } from '#libs/messaging';
import { DataSource } from 'typeorm';
import { openTestServiceDatabase } from '../../../test/support/database';
import { AUDIT_PROVIDERS } from './audit.module';
import { AUDIT_MIGRATIONS } from './migrations';
import { AUDIT_HANDLERS, RecordAlertWhenReceived } from './record-event-when-published.handler';
import { alertReceived, anAlert } from './testing/audit-events.factory';

describe('audit handlers wired by Nest', () => {
  let database: { dataSource: DataSource; close(): Promise<void> };

  beforeAll(async () => {
    Logger.overrideLogger(['error', 'warn']);
    database = await openTestServiceDatabase({ service: 'audit', entities: [], migrations: AUDIT_MIGRATIONS });
  });

  afterAll(async () => {
    await database.close();
  });

  async function compile() {
    return Test.createTestingModule({
      providers: [...AUDIT_PROVIDERS, { provide: DataSource, useValue: database.dataSource }],
    }).compile();
  }

  it('registers exactly one handler for every topic in the catalogue', async () => {
    const moduleRef = await compile();

    const topics = AUDIT_HANDLERS.map((type) => moduleRef.get<EventHandler>(type).topic);

    expect([...topics].sort()).toEqual([...TOPICS].sort());
  });

  it('records an event handed to a handler inside the caller transaction', async () => {
    const handler = (await compile()).get(RecordAlertWhenReceived);
    const event = alertReceived(anAlert());

    await database.dataSource.transaction((tx) => handler.handle(event, tx));

    expect(await database.dataSource.query('SELECT event_id FROM audit_log')).toEqual([{ event_id: event.id }]);
    expect(await database.dataSource.query('SELECT alert_id FROM alerts_view')).toEqual([
      { alert_id: event.data.alert.alert_id },
    ]);
  });
});
