import type { PipelineStatusService } from '../../apps/audit/src/pipeline-status.service';
import { type PipelineStatus, PipelineStatusPort } from '../../apps/gateway/src/observability/pipeline-status.port';

/** The gateway's /status view of the audit pipeline when both live in this process: the same answer as `/internal/status`. */
export class InProcessPipelineStatus extends PipelineStatusPort {
  constructor(private readonly audit: PipelineStatusService) {
    super();
  }

  pipelineStatus(windowHours: number): Promise<PipelineStatus> {
    return this.audit.status(windowHours);
  }
}
