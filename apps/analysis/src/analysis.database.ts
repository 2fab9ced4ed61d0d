import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '#libs/messaging';
import type { ServiceDataSourceOptions } from '#libs/persistence';
import { AnalysisEntity } from './persistence/analysis.entity';
import { LlmCallEntity } from './persistence/llm-call.entity';
import { ANALYSIS_MIGRATIONS } from './migrations';

export const ANALYSIS_ENTITIES = [AnalysisEntity, LlmCallEntity];

/** The analysis schema: its tables (entities) and how they came to be (migrations), used by the module and `main.js migrate`. */
export const ANALYSIS_DATABASE: Omit<ServiceDataSourceOptions, 'url'> = {
  service: 'analysis',
  entities: [...MESSAGING_ENTITIES, ...ANALYSIS_ENTITIES],
  migrations: [...MESSAGING_MIGRATIONS, ...ANALYSIS_MIGRATIONS],
};
