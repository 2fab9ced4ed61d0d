import { type DynamicModule, Module } from '@nestjs/common';
import { MessagingModule } from '#libs/messaging';
import { DatabaseModule } from '#libs/persistence';
import { ANALYSIS_DATABASE, ANALYSIS_ENTITIES } from './analysis.database';
import type { ServiceRuntime } from '#libs/runtime';
import { HealthModule } from '#libs/telemetry';
import { AnalysisAgentsService } from './agents/analysis-agents.service';
import { AlertAnalysisService } from './alert-analysis.service';
import { AnalyzeAlertWhenReceived } from './analyze-alert-when-received.handler';
import { AuthoritiesConfigService } from './authorities/authorities-config.service';

/** Tables of the analysis schema. */

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
        DatabaseModule.forService({ ...ANALYSIS_DATABASE, url: runtime.databaseUrl }),
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

export { ANALYSIS_ENTITIES };
