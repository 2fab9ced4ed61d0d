/** How many reached one stage: within the window and since the start. */
export interface StageCount {
  window: number;
  total: number;
}

export interface PipelineStages {
  received: StageCount;
  analyzed: StageCount;
  scheduled: StageCount;
  notified: StageCount;
  cancelled: StageCount;
  notification_failed: StageCount;
  dead_lettered: StageCount;
}

export interface LastError {
  at: string;
  code: string;
  message: string;
  source: 'dead_letter' | 'notification.failed';
  topic: string;
  alert_id: string;
}

export interface ServiceErrors {
  dead_letters: StageCount;
  last_error: LastError | null;
}

/** The audit service's answer at `/internal/status`. */
export interface PipelineStatus {
  as_of: string;
  window_hours: number;
  stages: PipelineStages;
  services: Record<string, ServiceErrors>;
}

/**
 * What the gateway asks the audit service about the pipeline: stage counts and per-service dead
 * letters and last errors, which audit derives from every topic and dead-letter topic it consumes.
 * HTTP in distributed mode, in-process in embedded mode; an unreachable audit is `AUDIT.UNAVAILABLE`.
 */
export abstract class PipelineStatusPort {
  abstract pipelineStatus(windowHours: number): Promise<PipelineStatus>;
}
