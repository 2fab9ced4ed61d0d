import { type DynamicModule, Module } from '@nestjs/common';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, MessagingModule } from '#libs/messaging';
import { DatabaseModule } from '#libs/persistence';
import type { ServiceRuntime } from '#libs/runtime';
import { HealthModule } from '#libs/telemetry';
import { AnalysisAgentsService } from './agents/analysis-agents.service';
import { AlertAnalysisService } from './alert-analysis.service';
import { AnalyzeAlertWhenReceived } from './analyze-alert-when-received.handler';
import { AuthoritiesConfigService } from './authorities/authorities-config.service';
import { ANALYSIS_MIGRATIONS } from './migrations';
import { AnalysisEntity } from './persistence/analysis.entity';
import { LlmCallEntity } from './persistence/llm-call.entity';

/** Tables of the analysis schema. */
export const ANALYSIS_ENTITIES = [AnalysisEntity, LlmCallEntity];

/** Consumers the messaging layer subscribes for this service. */
export const ANALYSIS_HANDLERS = [AnalyzeAlertWhenReceived];

/** The analysis service: everything it does, hosted alone or inside the embedded process. */
@Module({})
export class AnalysisModule {
  static register(runtime: ServiceRuntime, options: { http: boolean }): DynamicModule {
    const { env } = runtime;
    // Loaded before Nest builds the module, so an invalid file stops the service with its file, line and key.
    const authorities = AuthoritiesConfigService.open(env.AUTHORITIES_CONFIG, { watchSignals: true });
    return {
      module: AnalysisModule,
      imports: [
        HealthModule.forService({ name: 'analysis', version: runtime.version }, options),
        DatabaseModule.forService({
          service: 'analysis',
          url: runtime.databaseUrl,
          entities: [...MESSAGING_ENTITIES, ...ANALYSIS_ENTITIES],
          migrations: [...MESSAGING_MIGRATIONS, ...ANALYSIS_MIGRATIONS],
        }),
        MessagingModule.forService({ service: 'analysis', runtime, handlers: ANALYSIS_HANDLERS }),
      ],
      providers: [
        { provide: AuthoritiesConfigService, useValue: authorities },
        {
          provide: AnalysisAgentsService,
          useFactory: () =>
            new AnalysisAgentsService({
              apiKey: env.OPENAI_API_KEY,
              baseURL: env.OPENAI_BASE_URL,
              model: env.OPENAI_MODEL,
            }),
        },
        AlertAnalysisService,
        ...ANALYSIS_HANDLERS,
      ],
      exports: [AlertAnalysisService, AuthoritiesConfigService],
    };
  }
}
