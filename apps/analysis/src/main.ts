import './instrument';
import 'reflect-metadata';
import { runServiceProcess } from '#libs/runtime';
import { ANALYSIS_DATABASE } from './analysis.database';
import { AnalysisModule } from './analysis.module';

void runServiceProcess('analysis', (runtime, options) => AnalysisModule.register(runtime, options), {
  database: ANALYSIS_DATABASE,
}).catch((error: unknown) => {
  process.stderr.write(`analysis failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
