import { Injectable } from '@nestjs/common';
import type { ConveneEvent } from '#libs/messaging';
import type { DataSource, EntityManager } from 'typeorm';
import { type AuditRecordContent, chainHash, GENESIS_HASH, traceIdOf } from './audit-chain';
import { alertIdOf, asAuditedEvent, meetingIdOf, type RecordedEvent, serviceOf } from './audit-event';

export type BrokenLinkProblem = 'prev_hash_mismatch' | 'hash_mismatch' | 'head_mismatch';

export interface BrokenLink {
  seq: number;
  event_id: string | null;
  problem: BrokenLinkProblem;
  expected: string;
  actual: string;
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  last_seq: number;
  first_broken: BrokenLink | null;
  /** Every broken link found, oldest first, at most MAX_REPORTED_BREAKS. */
  broken: BrokenLink[];
}

export interface TimelineEntry {
  seq: number;
  event_id: string;
  topic: string;
  type: string;
  service: string;
  time: string;
  received_at: string;
  trace_id: string | null;
  meeting_id: string | null;
}

/** Which engine wrote each AI agent's part of the latest analysis (from its alert.analyzed event). */
export interface AnalysisAgentJson {
  agent: string;
  source: string;
  model: string | null;
  fallback_reason: string | null;
}

interface AuditLogRow extends AuditRecordContent {
  seq: string;
  prev_hash: string;
  hash: string;
}

const VERIFY_BATCH = 2000;
const MAX_REPORTED_BREAKS = 100;
const MAX_TIMELINE = 500;

/** The append-only, hash-chained log of every event the audit service consumed. */
@Injectable()
export class AuditLogService {
  /** The head's hash per transaction that holds its lock: the chain cannot move under that transaction. */
  private readonly headsHeld = new WeakMap<EntityManager, string>();

  /**
   * Appends `event` as the next link, or returns null when the log already holds it. Locks the
   * chain head first, so concurrent appenders take turns and each links to the one before.
   */
  async append(tx: EntityManager, published: ConveneEvent): Promise<RecordedEvent | null> {
    const event = asAuditedEvent(published);
    const lastHash = await this.lockedHead(tx);
    const content = contentOf(event, new Date());
    const hash = chainHash(lastHash, content);

    // The link and the head move in one statement: one round trip less per audited event.
    const inserted = await tx.query<{ seq: string }[]>(
      `WITH link AS (
         INSERT INTO audit_log (event_id, topic, type, source, event_time, alert_id, meeting_id, trace_id, payload,
                                received_at, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (event_id) DO NOTHING
         RETURNING seq, hash
       )
       UPDATE audit_chain_head SET last_seq = link.seq, last_hash = link.hash FROM link WHERE id = 1
       RETURNING last_seq AS seq`,
      [...contentParams(content), lastHash, hash],
    );
    if (inserted.length === 0) return null;

    this.headsHeld.set(tx, hash);
    const seq = Number(inserted[0].seq);
    return { seq, event, trace_id: content.trace_id, received_at: content.received_at };
  }

  /**
   * The chain head's hash, locked for the rest of the transaction. On Kafka one transaction audits
   * a run of events: after its first append it holds the lock and knows the head it wrote itself.
   */
  private async lockedHead(tx: EntityManager): Promise<string> {
    const held = this.headsHeld.get(tx);
    if (held !== undefined) return held;
    const [head] = await tx.query<{ last_hash: string }[]>(
      'SELECT last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE',
    );
    this.headsHeld.set(tx, head.last_hash);
    return head.last_hash;
  }

  // TODO(#8): a full walk reads every row (about 5k rows/s on a loaded machine); keep signed checkpoints
  // so the endpoint can verify from the last one instead of from the genesis link.
  /** Walks the chain in seq order on one snapshot and reports every link that does not hold. */
  verify(dataSource: DataSource): Promise<ChainVerification> {
    return dataSource.transaction('REPEATABLE READ', async (manager) => {
      const broken: BrokenLink[] = [];
      let expectedPrev = GENESIS_HASH;
      let lastSeq = 0;
      let checked = 0;
      for (;;) {
        const rows = await manager.query<AuditLogRow[]>(
          'SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2',
          [lastSeq, VERIFY_BATCH],
        );
        if (rows.length === 0) break;
        for (const row of rows) {
          broken.push(...checkLink(row, expectedPrev));
          expectedPrev = row.hash;
          lastSeq = Number(row.seq);
        }
        checked += rows.length;
      }
      broken.push(...(await checkHead(manager, lastSeq, expectedPrev)));
      return {
        ok: broken.length === 0,
        checked,
        last_seq: lastSeq,
        first_broken: broken[0] ?? null,
        broken: broken.slice(0, MAX_REPORTED_BREAKS),
      };
    });
  }

  /** The events about an alert, and about the meetings it belongs to, in the order they were recorded. */
  async timeline(manager: EntityManager, alertId: string, meetingIds: string[]): Promise<TimelineEntry[]> {
    const rows = await manager.query<
      (Omit<TimelineEntry, 'service' | 'time'> & { source: string; event_time: string })[]
    >(
      `SELECT seq::int AS seq, event_id, topic, type, source, event_time, to_json(received_at) #>> '{}' AS received_at,
              trace_id, meeting_id
       FROM audit_log
       WHERE alert_id = $1 OR meeting_id = ANY($2::text[])
       ORDER BY seq
       LIMIT $3`,
      [alertId, meetingIds, MAX_TIMELINE],
    );
    return rows.map(({ source, event_time, ...row }) => ({
      ...row,
      service: serviceOf(source),
      time: event_time,
    }));
  }

  /** The agent runs of the alert's latest analysis, or an empty list before it is analysed. */
  async analysisAgents(manager: EntityManager, alertId: string): Promise<AnalysisAgentJson[]> {
    const rows = await manager.query<AnalysisAgentJson[]>(
      `SELECT agent->>'agent' AS agent, agent->>'source' AS source, agent->>'model' AS model,
              agent->>'fallback_reason' AS fallback_reason
       FROM (SELECT payload FROM audit_log
              WHERE alert_id = $1 AND topic = 'alert.analyzed'
              ORDER BY seq DESC LIMIT 1) latest
       CROSS JOIN LATERAL jsonb_array_elements(latest.payload->'agents') AS agent`,
      [alertId],
    );
    return rows;
  }
}

function contentOf(event: RecordedEvent['event'], receivedAt: Date): AuditRecordContent {
  return {
    event_id: event.id,
    topic: event.topic,
    type: event.type,
    source: event.source,
    event_time: event.time,
    alert_id: alertIdOf(event),
    meeting_id: meetingIdOf(event),
    trace_id: traceIdOf(event.traceparent),
    // Hash exactly what jsonb will hand back: JSON values, without undefined properties.
    payload: JSON.parse(JSON.stringify(event.data)) as unknown,
    received_at: receivedAt,
  };
}

function contentParams(content: AuditRecordContent): unknown[] {
  return [
    content.event_id,
    content.topic,
    content.type,
    content.source,
    content.event_time,
    content.alert_id,
    content.meeting_id,
    content.trace_id,
    JSON.stringify(content.payload),
    content.received_at,
  ];
}

function checkLink(row: AuditLogRow, expectedPrev: string): BrokenLink[] {
  const seq = Number(row.seq);
  const broken: BrokenLink[] = [];
  if (row.prev_hash !== expectedPrev) {
    broken.push({
      seq,
      event_id: row.event_id,
      problem: 'prev_hash_mismatch',
      expected: expectedPrev,
      actual: row.prev_hash,
    });
  }
  const recomputed = chainHash(row.prev_hash, {
    event_id: row.event_id,
    topic: row.topic,
    type: row.type,
    source: row.source,
    event_time: row.event_time,
    alert_id: row.alert_id,
    meeting_id: row.meeting_id,
    trace_id: row.trace_id,
    payload: row.payload,
    received_at: row.received_at,
  });
  if (recomputed !== row.hash) {
    broken.push({ seq, event_id: row.event_id, problem: 'hash_mismatch', expected: recomputed, actual: row.hash });
  }
  return broken;
}

/** The head must name the last row; otherwise rows were removed from the end of the log. */
async function checkHead(manager: EntityManager, lastSeq: number, lastHash: string): Promise<BrokenLink[]> {
  const [head] = await manager.query<{ last_seq: string; last_hash: string }[]>(
    'SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1',
  );
  if (Number(head.last_seq) === lastSeq && head.last_hash === lastHash) return [];
  return [
    {
      seq: Number(head.last_seq),
      event_id: null,
      problem: 'head_mismatch',
      expected: head.last_hash,
      actual: lastHash,
    },
  ];
}
