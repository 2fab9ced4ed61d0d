import type { AlertDetail, AuditQueryPort, MeetingView } from '../query/audit-query.port';
import { MeetingWaitService, pollDelayMs, preferredWaitSeconds } from './meeting-wait.service';

describe('preferredWaitSeconds', () => {
  it.each([
    [undefined, undefined],
    ['respond-async', undefined],
    ['wait=5', 5],
    ['respond-async, wait=12', 12],
    ['wait=600', 30],
    ['wait=abc', undefined],
    [['handling=lenient', 'wait=3'], 3],
  ])('reads %p as %p', (header, seconds) => {
    expect(preferredWaitSeconds(header)).toBe(seconds);
  });
});

describe('pollDelayMs', () => {
  it('doubles from 20 ms and stays at 250 ms from the fifth pause on', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map(pollDelayMs)).toEqual([20, 40, 80, 160, 250, 250, 250]);
  });
});

describe('MeetingWaitService.waitForMeeting', () => {
  const alert = { alert_id: 'ALERT-1', meeting_id: 'mtg_1' } as AlertDetail;
  const meeting = { meeting_id: 'mtg_1', meeting_url: 'https://meet.example/1', urgency_level: 'HIGH' } as MeetingView;

  /** An audit whose read model shows the meeting from the `visibleFrom`-th look on. */
  function auditShowingMeetingAt(visibleFrom: number): { port: AuditQueryPort; looks: () => number } {
    let looks = 0;
    const port = {
      alert: () => {
        looks += 1;
        return Promise.resolve(looks >= visibleFrom ? alert : { ...alert, meeting_id: null });
      },
      meeting: () => Promise.resolve(meeting),
    } as unknown as AuditQueryPort;
    return { port, looks: () => looks };
  }

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answers after 20 + 40 ms of pauses when the meeting shows on the third look', async () => {
    const audit = auditShowingMeetingAt(3);
    let answer: unknown;
    const waiting = new MeetingWaitService(audit.port).waitForMeeting('ALERT-1', 5).then((found) => {
      answer = found;
    });

    await jest.advanceTimersByTimeAsync(59);
    expect(answer).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    await waiting;

    expect(audit.looks()).toBe(3);
    expect(answer).toMatchObject({ status: 'success', data: { alert_id: 'ALERT-1', meeting_id: 'mtg_1' } });
  });

  it('gives up at the deadline when no meeting appears, looking less often as it waits', async () => {
    const audit = auditShowingMeetingAt(Infinity);
    const waiting = new MeetingWaitService(audit.port).waitForMeeting('ALERT-1', 2);

    await jest.advanceTimersByTimeAsync(2_000);

    await expect(waiting).resolves.toBeUndefined();
    // Looks at 0, 20, 60, 140, 300, 550, 800, 1050, 1300, 1550, 1800 and the last at 2000 ms.
    expect(audit.looks()).toBe(12);
  });
});
