import { DEFAULT_WORKER_SETTINGS, type NotificationSettings } from '../notification.config';
import { buildMeeting, withChannels } from '../testing/meeting.factory';
import { planDeliveries } from './delivery-plan';
import { backoffDelay } from './delivery.worker';

const CONFIGURED: NotificationSettings = {
  smtpUrl: undefined,
  from: 'Convene <convene@localhost>',
  outboxDir: '/tmp/outbox',
  slackWebhookUrl: 'https://hooks.slack.test/x',
  chainsyncApiUrl: 'https://chainsync.test',
  chainsyncApiKey: 'k',
  worker: DEFAULT_WORKER_SETTINGS,
};

describe('planDeliveries', () => {
  it('plans an email per distinct attendee address, one Slack post and a ChainSync update per alert', () => {
    const meeting = buildMeeting({ alert_ids: ['a-1', 'a-2'] });

    const plan = planDeliveries(meeting, CONFIGURED).map((d) => `${d.channel}:${d.recipient}:${d.status}`);

    expect(plan).toEqual([
      'email:dana@example.com:pending',
      'email:lee@example.com:pending',
      'email:sam@example.com:pending',
      'slack:webhook:pending',
      'chainsync:a-1:pending',
      'chainsync:a-2:pending',
    ]);
  });

  it('uses only the channels the urgency level asks for', () => {
    const plan = planDeliveries(withChannels(buildMeeting(), ['slack']), CONFIGURED);

    expect(plan.map((d) => d.channel)).toEqual(['slack']);
  });

  it('skips Slack and ChainSync, saying why, when they have no URL; email falls back to files', () => {
    const plan = planDeliveries(buildMeeting(), {
      ...CONFIGURED,
      slackWebhookUrl: undefined,
      chainsyncApiUrl: undefined,
    });

    expect(plan.filter((d) => d.status === 'skipped').map((d) => [d.channel, d.last_error])).toEqual([
      ['slack', 'SLACK_WEBHOOK_URL is not set'],
      ['chainsync', 'CHAINSYNC_API_URL is not set'],
    ]);
    expect(plan.filter((d) => d.channel === 'email').every((d) => d.status === 'pending')).toBe(true);
  });
});

describe('backoffDelay', () => {
  it('doubles with each attempt, stays within half and all of the ceiling, and stops at the maximum', () => {
    for (let i = 0; i < 50; i += 1) {
      const first = backoffDelay(1, 1_000, 60_000);
      const third = backoffDelay(3, 1_000, 60_000);
      const tenth = backoffDelay(10, 1_000, 60_000);
      expect(first).toBeGreaterThanOrEqual(500);
      expect(first).toBeLessThanOrEqual(1_000);
      expect(third).toBeGreaterThanOrEqual(2_000);
      expect(third).toBeLessThanOrEqual(4_000);
      expect(tenth).toBeGreaterThanOrEqual(30_000);
      expect(tenth).toBeLessThanOrEqual(60_000);
    }
  });
});
