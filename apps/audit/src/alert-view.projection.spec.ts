import {
  emptyAlertView,
  isNewerMeetingVersion,
  withAlertFacts,
  withAnalysis,
  withMeeting,
} from './alert-view.projection';
import { alertAnalyzed, alertReceived, aMeeting, anAlert } from './testing/audit-events.factory';

const FIRST_SEEN = new Date('2026-12-03T12:00:00.000Z');

describe('alert view projection', () => {
  const alert = anAlert({ severity: 'high' });

  it('ignores alert facts older than the revision the view holds, but keeps the earliest sighting', () => {
    const escalated = withAlertFacts(
      emptyAlertView(alert.alert_id, FIRST_SEEN),
      alertReceived({ ...alert, severity: 'critical' }, { revision: 2, received_at: '2026-12-03T11:00:00.000Z' }).data,
      'b'.repeat(32),
    );

    const stale = withAlertFacts(
      escalated,
      alertReceived(alert, { revision: 1, received_at: '2026-12-03T10:00:00.000Z' }).data,
      'a'.repeat(32),
    );

    expect(stale).toMatchObject({ severity: 'critical', alert_revision: 2, trace_id: 'b'.repeat(32) });
    expect(stale.created_at).toEqual(new Date('2026-12-03T10:00:00.000Z'));
  });

  it('applies an analysis only when its revision is newer than the last one applied', () => {
    const second = withAnalysis(
      emptyAlertView(alert.alert_id, FIRST_SEEN),
      alertAnalyzed(alert, { revision: 2, level: 'CRITICAL' }).data,
    );

    const afterStale = withAnalysis(second, alertAnalyzed(alert, { revision: 1, level: 'HIGH' }).data);

    expect(afterStale).toMatchObject({ urgency_level: 'CRITICAL', analysis_revision: 2 });
  });

  it('flattens compliance violations into framework and violation pairs', () => {
    const analyzed = withAnalysis(
      emptyAlertView(alert.alert_id, FIRST_SEEN),
      alertAnalyzed(alert, { violations: { GDPR: ['art. 33 late'], SOX: [] } }).data,
    );

    expect(analyzed.compliance_violations).toEqual([{ framework: 'GDPR', violation: 'art. 33 late' }]);
  });

  it('marks the alert as having a meeting and keeps the later meeting version', () => {
    const meeting = aMeeting(alert.alert_id, { sequence: 2 });
    const current = withMeeting(emptyAlertView(alert.alert_id, FIRST_SEEN), meeting, FIRST_SEEN);

    const stale = withMeeting(current, { ...meeting, invite: { ...meeting.invite, sequence: 1 } }, FIRST_SEEN);

    expect(stale).toMatchObject({ meeting_created: true, meeting_id: meeting.meeting_id, meeting_sequence: 2 });
  });

  it('lets a cancellation win over a scheduled version of the same sequence, and not the other way round', () => {
    const meeting = aMeeting(alert.alert_id, { sequence: 3 });

    expect(isNewerMeetingVersion({ sequence: 3, status: 'scheduled' }, { ...meeting, status: 'cancelled' })).toBe(true);
    expect(isNewerMeetingVersion({ sequence: 3, status: 'cancelled' }, meeting)).toBe(false);
    expect(isNewerMeetingVersion(null, meeting)).toBe(true);
  });
});
