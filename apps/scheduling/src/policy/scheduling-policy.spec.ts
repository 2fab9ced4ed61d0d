import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_SCHEDULING_POLICY,
  loadSchedulingPolicy,
  parseSchedulingPolicy,
  SchedulingPolicyError,
} from './scheduling-policy';

function fileWith(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'scheduling-policy-')), 'alert_authorities.yaml');
  writeFileSync(path, text);
  return path;
}

describe('loadSchedulingPolicy', () => {
  it('reads the scheduling section and the notification sender as organizer', () => {
    const path = fileWith(`
roles: {}
scheduling:
  timezone: Europe/Berlin
  business_hours: { start: '08:30', end: '18:00', days: [mon, tue, wed, thu] }
  critical_overrides_business_hours: false
  minimum_notice_minutes: { CRITICAL: 5, HIGH: 30, MEDIUM: 60, LOW: 120 }
  maximum_advance_days: 14
  correlation_window_minutes: 20
  conference_link_template: 'https://meet.example.com/convene/{meeting_id}'
notifications:
  email: { from: 'Convene Bot <convene@example.com>' }
integrations:
  calendar_provider: slotify
`);

    expect(loadSchedulingPolicy(path)).toEqual({
      timezone: 'Europe/Berlin',
      businessHours: { openMinute: 510, closeMinute: 1080, days: [1, 2, 3, 4] },
      ignoresBusinessHours: [],
      minimumNoticeMinutes: { CRITICAL: 5, HIGH: 30, MEDIUM: 60, LOW: 120 },
      maximumAdvanceMinutes: 14 * 1440,
      correlationWindowMinutes: 20,
      conferencingLinkTemplate: 'https://meet.example.com/convene/{meeting_id}',
      organizer: { name: 'Convene Bot', email: 'convene@example.com' },
      calendarProvider: 'slotify',
    });
  });

  it('falls back to the defaults when the file or the section is absent', () => {
    expect(loadSchedulingPolicy(join(tmpdir(), 'no-such-dir', 'missing.yaml'))).toEqual(DEFAULT_SCHEDULING_POLICY);
    expect(loadSchedulingPolicy(fileWith('roles: {}\n'))).toEqual(DEFAULT_SCHEDULING_POLICY);
  });

  it('keeps the default of every key left out', () => {
    const policy = parseSchedulingPolicy({ minimum_notice_minutes: { high: 10 } });

    expect(policy.minimumNoticeMinutes).toEqual({ ...DEFAULT_SCHEDULING_POLICY.minimumNoticeMinutes, HIGH: 10 });
    expect(policy.timezone).toBe('America/New_York');
    expect(policy.ignoresBusinessHours).toEqual(['CRITICAL']);
    expect(policy.correlationWindowMinutes).toBe(15);
  });

  it.each([
    [{ timezone: 'Mars/Olympus' }, 'scheduling.timezone'],
    [{ business_hours: { start: '9am' } }, 'scheduling.business_hours.start'],
    [{ business_hours: { start: '17:00', end: '09:00' } }, 'scheduling.business_hours'],
    [{ business_hours: { days: ['funday'] } }, 'scheduling.business_hours.days'],
    [{ minimum_notice_minutes: { URGENT: 5 } }, 'scheduling.minimum_notice_minutes'],
    [{ correlation_window_minutes: -1 }, 'scheduling.correlation_window_minutes'],
    [{ critical_overrides_business_hours: 'yes' }, 'scheduling.critical_overrides_business_hours'],
  ])('rejects %j naming %s', (section, key) => {
    expect(() => parseSchedulingPolicy(section)).toThrow(SchedulingPolicyError);
    expect(() => parseSchedulingPolicy(section)).toThrow(new RegExp(`^${key.replaceAll('.', '\\.')}`));
  });
});

describe('the repository configuration', () => {
  it('parses config/alert_authorities.yaml with the scheduling reader', () => {
    const policy = loadSchedulingPolicy(join(__dirname, '../../../../config/alert_authorities.yaml'));

    expect(policy).not.toBe(DEFAULT_SCHEDULING_POLICY);
    expect(policy.organizer.email).toMatch(/@/);
    expect(policy.correlationWindowMinutes).toBeGreaterThan(0);
  });
});
