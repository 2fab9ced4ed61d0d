import type { ConveneEvent } from '#libs/messaging';
import type { DataSource } from 'typeorm';
import { AuditLogService } from '../audit-log.service';
import { AuditQueryService } from '../audit-query.service';
import { AuditRecorderService } from '../audit-recorder.service';
import { ReadModelService } from '../read-model.service';
import { ReplayService } from '../replay.service';

/** The audit services wired by hand on one data source, and a way to deliver events as the messaging layer would. */
export function auditHarness(dataSource: DataSource) {
  const log = new AuditLogService();
  const readModels = new ReadModelService();
  const recorder = new AuditRecorderService(log, readModels);
  return {
    log,
    readModels,
    replay: new ReplayService(readModels),
    queries: new AuditQueryService(dataSource, log),
    /** Delivers one event in its own transaction, as a consumer would. */
    deliver: (event: ConveneEvent): Promise<void> => dataSource.transaction((tx) => recorder.record(event, tx)),
    deliverAll: async (events: ConveneEvent[]): Promise<void> => {
      for (const event of events) await dataSource.transaction((tx) => recorder.record(event, tx));
    },
    /** Delivers a run of events in one transaction, as the consumer does on Kafka. */
    deliverRun: (events: ConveneEvent[]): Promise<void> =>
      dataSource.transaction(async (tx) => {
        for (const event of events) await recorder.record(event, tx);
      }),
  };
}
