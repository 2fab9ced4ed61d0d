import { type AlertAnalyzedV1, payloadProblems, type Severity } from '#libs/contracts';
import { AnalysisAgentsService } from './agents/analysis-agents.service';
import { AlertAnalysisService } from './alert-analysis.service';
import type { AuthoritiesConfigService } from './authorities/authorities-config.service';
import type { AuthoritiesConfig } from './authorities/authorities.types';
import { aReceivedAlert, shippedAuthorities } from './testing/analysis.fixtures';

function serviceWith(config: AuthoritiesConfig): AlertAnalysisService {
  const authorities = { current: () => config } as unknown as AuthoritiesConfigService;
  return new AlertAnalysisService(authorities, new AnalysisAgentsService({ model: 'unused' }));
}

const NOW = () => new Date('2025-11-28T10:00:07Z');

describe('AlertAnalysisService', () => {
  const config = shippedAuthorities();
  const types = [...Object.keys(config.alert_types), ...Object.keys(config.custom_alert_types), 'unlisted_type'];
  const severities: Severity[] = ['critical', 'high', 'medium', 'low'];
  const cases = types.flatMap((alertType) => severities.map((severity) => ({ alertType, severity })));

  it.each(cases)('$alertType at $severity produces an alert.analyzed payload the contract accepts', async (c) => {
    const payload = await serviceWith(config).analyze(
      aReceivedAlert({ alert_type: c.alertType, severity: c.severity }),
      NOW,
    );

    expect(payloadProblems('alert.analyzed', payload)).toEqual([]);
    expect(payload.known_type).toBe(c.alertType !== 'unlisted_type');
    expect(payload.analyzed_at).toBe('2025-11-28T10:00:07.000Z');
  });

  it('takes books_meeting and notification channels from the level in the configuration', async () => {
    const notifyOnly = structuredClone(config);
    notifyOnly.urgency.levels.LOW.books_meeting = false;
    notifyOnly.urgency.levels.LOW.notification_channels = ['slack'];

    const low = await serviceWith(notifyOnly).analyze(
      aReceivedAlert({ alert_type: 'capacity_warning', severity: 'low' }),
    );
    const critical = await serviceWith(notifyOnly).analyze(aReceivedAlert({ severity: 'critical' }));

    expect([low.urgency.level, low.books_meeting, low.notification_channels]).toEqual(['LOW', false, ['slack']]);
    expect([critical.books_meeting, critical.notification_channels]).toEqual([true, ['email', 'slack', 'chainsync']]);
  });

  it('passes an earlier analysis through on resolution, with the new revision and change', async () => {
    const service = serviceWith(config);
    const first: AlertAnalyzedV1 = await service.analyze(aReceivedAlert({}, 1), NOW);

    const resolved = service.passResolved(
      first,
      aReceivedAlert({ status: 'resolved' }, 2),
      new Date('2025-11-28T11:00:00Z'),
    );

    expect(resolved).toEqual({
      ...first,
      alert: { ...first.alert, status: 'resolved' },
      change: 'resolved',
      revision: 2,
      analyzed_at: '2025-11-28T11:00:00.000Z',
    });
  });

  it('analyses a resolution it never saw by rules and templates, marked resolved', () => {
    const payload = serviceWith(config).resolvedWithoutHistory(aReceivedAlert({ status: 'resolved' }, 4));

    expect(payload.change).toBe('resolved');
    expect(payload.agents.map((run) => [run.source, run.fallback_reason])).toEqual([
      ['template', 'resolved'],
      ['template', 'resolved'],
      ['template', 'resolved'],
    ]);
    expect(payloadProblems('alert.analyzed', payload)).toEqual([]);
  });
});
