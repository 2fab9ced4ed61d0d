import { metricsExposition } from '#libs/telemetry';
import type { DataSource } from 'typeorm';
import { observeHandling, observeMessaging, recordDeadLetter } from './messaging.metrics';
import type { BusTransport } from './transport';

function stubDataSource(unsent: number, oldestSeconds: number | null): DataSource {
  return {
    isInitialized: true,
    query: jest.fn().mockResolvedValue([{ unsent: String(unsent), oldest: oldestSeconds }]),
  } as unknown as DataSource;
}

function stubTransport(lag: Record<string, number>): BusTransport {
  return { lag: jest.fn().mockResolvedValue(lag) } as unknown as BusTransport;
}

describe('messaging metrics', () => {
  it('reads the outbox backlog and consumer lag of each observed service when scraped', async () => {
    const stop = observeMessaging({
      service: 'analysis',
      group: 'convene-analysis',
      dataSource: stubDataSource(3, 42.5),
      transport: stubTransport({ 'alert.received': 7 }),
      topics: ['alert.received'],
    });

    const { body } = await metricsExposition();
    stop();

    expect(body).toContain('convene_outbox_unsent_messages{service="analysis"} 3');
    expect(body).toContain('convene_outbox_oldest_unsent_age_seconds{service="analysis"} 42.5');
    expect(body).toContain('convene_consumer_lag_messages{group="convene-analysis",topic="alert.received"} 7');
  });

  it('drops a service from the gauges once it stops being observed', async () => {
    observeMessaging({
      service: 'scheduling',
      group: 'convene-scheduling',
      dataSource: stubDataSource(1, 0),
      transport: stubTransport({}),
      topics: [],
    })();

    const { body } = await metricsExposition();

    expect(body).not.toContain('service="scheduling"');
  });

  it('shows no backlog sample rather than failing the scrape when the database does not answer', async () => {
    const failing = { isInitialized: true, query: jest.fn().mockRejectedValue(new Error('down')) };
    const stop = observeMessaging({
      service: 'audit',
      group: 'convene-audit',
      dataSource: failing as unknown as DataSource,
      transport: stubTransport({}),
      topics: [],
    });

    const { body } = await metricsExposition();
    stop();

    expect(body).toContain('# TYPE convene_outbox_unsent_messages gauge');
    expect(body).not.toContain('convene_outbox_unsent_messages{service="audit"}');
  });

  it('counts handler attempts by outcome and dead letters by error code', async () => {
    observeHandling('convene-audit', 'meeting.scheduled', 'retried', performance.now());
    recordDeadLetter('convene-audit', 'meeting.scheduled', 'AUDIT.INVALID');

    const { body } = await metricsExposition();

    expect(body).toMatch(
      /convene_consumer_handling_duration_seconds_count\{group="convene-audit",topic="meeting.scheduled",outcome="retried"\} 1/,
    );
    expect(body).toContain(
      'convene_dead_letters_total{group="convene-audit",topic="meeting.scheduled",code="AUDIT.INVALID"} 1',
    );
  });
});
