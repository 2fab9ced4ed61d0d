import { type DynamicModule, Module } from '@nestjs/common';
import { MessagingModule } from '#libs/messaging';
import { DatabaseModule } from '#libs/persistence';
import { AUDIT_DATABASE } from './audit.database';
import type { ServiceRuntime } from '#libs/runtime';
import { HealthModule } from '#libs/telemetry';
import { AuditLogService } from './audit-log.service';
import { AuditQueryController } from './audit-query.controller';
import { AuditQueryService } from './audit-query.service';
import { AuditRecorderService } from './audit-recorder.service';
import { PipelineStatusController } from './pipeline-status.controller';
import { PipelineStatusService } from './pipeline-status.service';
import { ReadModelService } from './read-model.service';
import { RecordDeadLetterWhenPublished } from './record-dead-letter-when-published.handler';
import { AUDIT_HANDLERS } from './record-event-when-published.handler';
import { ReplayService } from './replay.service';

export { AUDIT_HANDLERS } from './record-event-when-published.handler';

/** Everything the audit service provides besides messaging. */
export const AUDIT_PROVIDERS = [
  AuditLogService,
  ReadModelService,
  AuditRecorderService,
  ReplayService,
  AuditQueryService,
  PipelineStatusService,
  RecordDeadLetterWhenPublished,
  ...AUDIT_HANDLERS,
];

/** The audit service: everything it does, hosted alone or inside the embedded process. */
@Module({})
export class AuditModule {
  static register(runtime: ServiceRuntime, options: { http: boolean }): DynamicModule {
    return {
      module: AuditModule,
      imports: [
        HealthModule.forService({ name: 'audit', version: runtime.version }, options),
        DatabaseModule.forService({ ...AUDIT_DATABASE, url: runtime.databaseUrl }),
        MessagingModule.forService({
          service: 'audit',
          runtime,
          handlers: AUDIT_HANDLERS,
          deadLetters: RecordDeadLetterWhenPublished,
        }),
      ],
      controllers: options.http ? [AuditQueryController, PipelineStatusController] : [],
      providers: AUDIT_PROVIDERS,
      // The embedded gateway answers queries by calling AuditQueryService in-process.
      exports: [AuditQueryService, PipelineStatusService, ReplayService],
    };
  }
}
