import type { Alert } from '#libs/contracts';
import { contentHash, reviseAlert } from './alert-revision';

const alert: Alert = {
  alert_id: 'A-1',
  alert_type: 'security_incident',
  severity: 'high',
  description: 'd',
  affected_systems: ['db'],
  detected_at: '2025-11-28T10:00:00Z',
  context: { b: 1, a: { y: 2, x: 1 } },
  compliance_frameworks: [],
  status: 'firing',
};
const current = { severity: alert.severity, status: alert.status, content_hash: contentHash(alert) };

describe('reviseAlert', () => {
  it('calls identical content a duplicate', () => {
    expect(reviseAlert(current, { ...alert }, contentHash({ ...alert }))).toEqual({ kind: 'duplicate' });
  });

  it('escalates on a higher severity while firing', () => {
    const critical = { ...alert, severity: 'critical' as const };
    expect(reviseAlert(current, critical, contentHash(critical))).toEqual({ kind: 'changed', change: 'escalated' });
  });

  it('only records a lower severity', () => {
    const low = { ...alert, severity: 'low' as const };
    expect(reviseAlert(current, low, contentHash(low))).toEqual({ kind: 'recorded' });
  });

  it('only records a changed description at the same severity', () => {
    const edited = { ...alert, description: 'other' };
    expect(reviseAlert(current, edited, contentHash(edited))).toEqual({ kind: 'recorded' });
  });

  it('resolves on status resolved, even with a higher severity', () => {
    const resolved = { ...alert, severity: 'critical' as const, status: 'resolved' as const };
    expect(reviseAlert(current, resolved, contentHash(resolved))).toEqual({ kind: 'changed', change: 'resolved' });
  });

  it('keeps a resolved alert resolved', () => {
    const firing = { ...alert, severity: 'critical' as const };
    const resolvedCurrent = { ...current, status: 'resolved' as const };
    expect(reviseAlert(resolvedCurrent, firing, contentHash(firing))).toEqual({ kind: 'recorded' });
  });
});

describe('contentHash', () => {
  it('ignores key order at every depth', () => {
    const reordered = { ...alert, context: { a: { x: 1, y: 2 }, b: 1 } };
    expect(contentHash(reordered)).toBe(contentHash(alert));
  });

  it('changes with any value', () => {
    expect(contentHash({ ...alert, affected_systems: ['db', 'api'] })).not.toBe(contentHash(alert));
  });
});
