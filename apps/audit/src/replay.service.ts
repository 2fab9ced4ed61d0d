import { Injectable, Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { asAuditedEvent, type RecordedEvent } from './audit-event';
import { ReadModelService } from './read-model.service';

const REPLAY_BATCH = 1000;

interface LoggedEvent {
  seq: string;
  event_id: string;
  topic: string;
  type: string;
  source: string;
  event_time: string;
  alert_id: string;
  trace_id: string | null;
  payload: unknown;
  received_at: Date;
}

/** Rebuilds the read models from the audit log alone: the log is the source of truth, the views a cache. */
@Injectable()
export class ReplayService {
  private readonly logger = new Logger(ReplayService.name);

  constructor(private readonly readModels: ReadModelService) {}

  /**
   * Empties the views and re-projects every logged event in seq order, in one transaction that
   * holds the chain head, so no event is appended half-way through. Returns how many were replayed.
   */
  rebuild(dataSource: DataSource): Promise<number> {
    return dataSource.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM audit_chain_head WHERE id = 1 FOR UPDATE');
      await this.readModels.clear(tx);
      const replayed = await this.replayAll(tx);
      this.logger.log({ msg: 'read models rebuilt from the audit log', events: replayed });
      return replayed;
    });
  }

  // TODO(#8): projects one event at a time (a few hundred per second); batch per alert for large logs.
  private async replayAll(tx: EntityManager): Promise<number> {
    let lastSeq = 0;
    let replayed = 0;
    for (;;) {
      const rows = await tx.query<LoggedEvent[]>(
        `SELECT seq, event_id, topic, type, source, event_time, alert_id, trace_id, payload, received_at
         FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [lastSeq, REPLAY_BATCH],
      );
      if (rows.length === 0) return replayed;
      for (const row of rows) await this.readModels.project(tx, recordedEventOf(row));
      lastSeq = Number(rows[rows.length - 1].seq);
      replayed += rows.length;
    }
  }
}

function recordedEventOf(row: LoggedEvent): RecordedEvent {
  const event = asAuditedEvent({
    id: row.event_id,
    topic: row.topic as RecordedEvent['event']['topic'],
    type: row.type,
    source: row.source,
    time: row.event_time,
    subject: row.alert_id,
    traceparent: null,
    tracestate: null,
    data: row.payload as RecordedEvent['event']['data'],
  });
  return { seq: Number(row.seq), event, trace_id: row.trace_id, received_at: row.received_at };
}
