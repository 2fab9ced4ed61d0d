import 'reflect-metadata';
import { runAuditCommand } from './audit-database.cli';
import { ReadModelService } from './read-model.service';
import { ReplayService } from './replay.service';

// Rebuilds the audit read models from the log and prints how many events were replayed.
void runAuditCommand('audit replay', async (dataSource) => {
  const started = performance.now();
  const replayed = await new ReplayService(new ReadModelService()).rebuild(dataSource);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`${JSON.stringify({ replayed, seconds: Number(seconds) })}\n`);
  return true;
});
