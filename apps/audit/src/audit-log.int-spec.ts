import type { DataSource } from 'typeorm';
import { openTestServiceDatabase } from '../../../test/support/database';
import { AUDIT_MIGRATIONS } from './migrations';
import { auditHarness } from './testing/audit-harness';
import { alertAnalyzed, alertReceived, anAlert, newTraceparent } from './testing/audit-events.factory';

describe('AuditLogService on PostgreSQL', () => {
  let database: { dataSource: DataSource; close(): Promise<void> };
  let dataSource: DataSource;
  let audit: ReturnType<typeof auditHarness>;

  beforeEach(async () => {
    database = await openTestServiceDatabase({ service: 'audit', entities: [], migrations: AUDIT_MIGRATIONS });
    dataSource = database.dataSource;
    audit = auditHarness(dataSource);
  });

  afterEach(async () => {
    await database.close();
  });

  async function logRows(): Promise<
    { seq: string; event_id: string; prev_hash: string; hash: string; trace_id: string }[]
  > {
    return dataSource.query('SELECT seq, event_id, prev_hash, hash, trace_id FROM audit_log ORDER BY seq');
  }

  async function asSuperuser(sql: string): Promise<void> {
    await dataSource.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await dataSource.query(sql);
    await dataSource.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
  }

  it('links every appended event to the previous one and verifies the chain as intact', async () => {
    const alert = anAlert();
    const traceId = 'a'.repeat(32);
    await audit.deliverAll([
      alertReceived(alert, { traceparent: newTraceparent(traceId) }),
      alertAnalyzed(alert),
      alertReceived(anAlert()),
    ]);

    const rows = await logRows();
    expect(rows).toHaveLength(3);
    expect(rows[0].prev_hash).toBe('0'.repeat(64));
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    expect(rows[2].prev_hash).toBe(rows[1].hash);
    expect(rows[0].trace_id).toBe(traceId);
    await expect(audit.log.verify(dataSource)).resolves.toEqual({
      ok: true,
      checked: 3,
      last_seq: Number(rows[2].seq),
      first_broken: null,
      broken: [],
    });
  });

  it('records a redelivered event once and leaves the chain as it was', async () => {
    const event = alertReceived(anAlert());

    await audit.deliver(event);
    await audit.deliver(event);

    expect(await logRows()).toHaveLength(1);
    expect((await audit.log.verify(dataSource)).ok).toBe(true);
  });

  it('keeps one unbroken chain when many consumers append at the same time', async () => {
    const events = Array.from({ length: 24 }, () => alertReceived(anAlert()));

    await Promise.all(events.map((event) => audit.deliver(event)));

    const rows = await logRows();
    expect(rows).toHaveLength(24);
    expect(new Set(rows.map((row) => row.prev_hash)).size).toBe(24);
    expect(await audit.log.verify(dataSource)).toMatchObject({ ok: true, checked: 24 });
  });

  it('keeps one unbroken chain when runs of events share transactions while others append alone', async () => {
    const runs = Array.from({ length: 4 }, () => Array.from({ length: 6 }, () => alertReceived(anAlert())));
    const alone = Array.from({ length: 6 }, () => alertReceived(anAlert()));

    await Promise.all([...runs.map((run) => audit.deliverRun(run)), ...alone.map((event) => audit.deliver(event))]);

    const rows = await logRows();
    expect(rows).toHaveLength(30);
    for (const [index, row] of rows.entries()) {
      expect(row.prev_hash).toBe(index === 0 ? '0'.repeat(64) : rows[index - 1].hash);
    }
    expect(await audit.log.verify(dataSource)).toMatchObject({ ok: true, checked: 30 });
  });

  it('leaves the chain intact when a run is rolled back after appending', async () => {
    await audit.deliver(alertReceived(anAlert()));
    const rolledBack = audit.deliverRun([
      alertReceived(anAlert()),
      alertReceived(anAlert()),
      { id: 'not-an-event' } as never,
    ]);

    await expect(rolledBack).rejects.toThrow();
    await audit.deliverRun([alertReceived(anAlert()), alertReceived(anAlert())]);

    expect(await logRows()).toHaveLength(3);
    expect(await audit.log.verify(dataSource)).toMatchObject({ ok: true, checked: 3 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the log', async () => {
    await audit.deliver(alertReceived(anAlert()));

    await expect(dataSource.query(`UPDATE audit_log SET topic = 'x'`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(dataSource.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    expect(await logRows()).toHaveLength(1);
  });

  it('finds exactly the row whose payload was altered directly in PostgreSQL', async () => {
    await audit.deliverAll(Array.from({ length: 5 }, () => alertReceived(anAlert())));
    const rows = await logRows();
    const victim = rows[2];

    await asSuperuser(
      `UPDATE audit_log SET payload = jsonb_set(payload, '{alert,severity}', '"low"') WHERE seq = ${victim.seq}`,
    );

    const result = await audit.log.verify(dataSource);
    expect(result.ok).toBe(false);
    expect(result.broken).toEqual([
      expect.objectContaining({
        seq: Number(victim.seq),
        event_id: victim.event_id,
        problem: 'hash_mismatch',
        actual: victim.hash,
      }),
    ]);
    expect(result.first_broken).toEqual(result.broken[0]);
    expect(result.first_broken?.expected).not.toBe(victim.hash);
  });

  it('reports the broken link after a middle row was removed, and a head mismatch after the tail was cut', async () => {
    await audit.deliverAll(Array.from({ length: 4 }, () => alertReceived(anAlert())));
    const rows = await logRows();

    await asSuperuser(`DELETE FROM audit_log WHERE seq IN (${rows[1].seq}, ${rows[3].seq})`);

    const result = await audit.log.verify(dataSource);
    expect(result.broken.map(({ seq, problem }) => ({ seq, problem }))).toEqual([
      { seq: Number(rows[2].seq), problem: 'prev_hash_mismatch' },
      { seq: Number(rows[3].seq), problem: 'head_mismatch' },
    ]);
  });
});
