import { CreateAnalyses1764800000000 } from './1764800000000-create-analyses';

/** Migrations of the analysis schema, oldest first. */
export const ANALYSIS_MIGRATIONS = [CreateAnalyses1764800000000];
