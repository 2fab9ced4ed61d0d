import { counter, metricsExposition, observeHttpRequest } from './metrics';

describe('metrics', () => {
  it('returns the registered counter when a name is asked for again instead of failing on the duplicate', () => {
    const config = { name: 'convene_test_things_total', help: 'Things.', labelNames: ['kind'] as const };

    const first = counter(config);
    const second = counter(config);
    second.inc({ kind: 'a' });

    expect(second).toBe(first);
  });

  it('labels HTTP requests by route template and status, never by the raw URL', async () => {
    observeHttpRequest('GET', '/alerts/:alert_id', 404, 0.012);

    const { body, contentType } = await metricsExposition();

    expect(contentType).toContain('text/plain');
    expect(body).toMatch(/http_requests_total\{method="GET",route="\/alerts\/:alert_id",status="404"\} 1/);
    expect(body).toMatch(
      /http_request_duration_seconds_bucket\{le="0.025",method="GET",route="\/alerts\/:alert_id",status="404"\} 1/,
    );
  });
});
