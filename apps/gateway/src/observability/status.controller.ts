import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ConsumerLagReader } from '#libs/messaging';
import { SERVICE_IDENTITY, type ServiceIdentity } from '#libs/telemetry';
import { DataSource } from 'typeorm';
import { GatewayError } from '../errors/gateway.exception';
import { ReadKeyGuard } from '../security/access.guards';
import { PIPELINE_CONSUMERS } from './pipeline-consumers';
import { type PipelineStatus, PipelineStatusPort, type ServiceErrors } from './pipeline-status.port';
import { STATUS_EXTRA_MODELS, StatusResponseDto } from './status-response.dto';

const DEFAULT_WINDOW_HOURS = 24;
const MAX_WINDOW_HOURS = 24 * 90;

type ReceivedAlertCounts = StatusResponseDto['alerts'];
type ServiceStatus = StatusResponseDto['services'][string];
type PipelineAnswer = { available: true; status: PipelineStatus } | { available: false; error: string };

/**
 * The operator's view of the pipeline, built from three sources, each the one that knows:
 *
 * - `alerts`, `replay_nonces`: the gateway's own tables.
 * - `pipeline.stages` and each service's `dead_letters` / `last_error`: the audit service, which
 *   consumes every topic and every `<topic>.dlq`. A dead letter or a final `notification.failed`
 *   is durable there, so it still shows after the failing service restarted or while it is down,
 *   and both run modes answer from the same tables.
 * - each service's `consumer_lag`: the bus, read by the gateway. Kafka keeps a group's committed
 *   offsets when its consumers are gone, so a stopped service shows its backlog growing instead of
 *   not answering.
 *
 * When audit does not answer, /status still answers 200 with what the gateway and the bus know,
 * `pipeline.available: false` and null dead letters and last errors.
 */
// TODO(#4): a failure that was retried and then succeeded, or one still being retried, is not a
// last error here (it is in the logs and in convene_consumer_handling_duration_seconds{outcome="retried"}).
// TODO(#4): the gateway's own failures (outbox relay publishes, database) are in its logs and
// /ready only; nothing records them for `services.gateway.last_error`.
@ApiTags('status')
@ApiSecurity('api-key')
@ApiExtraModels(...STATUS_EXTRA_MODELS)
@Controller('status')
@UseGuards(ReadKeyGuard)
export class StatusController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly pipeline: PipelineStatusPort,
    private readonly lag: ConsumerLagReader,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Counts per stage, consumer lag and the last error of each service',
    description:
      'Stage counts, dead letters and last errors come from the audit service; consumer lag from the bus. ' +
      'Answers 200 with `pipeline.available: false` when the audit service does not answer.',
  })
  @ApiQuery({
    name: 'window_hours',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_WINDOW_HOURS, default: DEFAULT_WINDOW_HOURS },
  })
  @ApiOkResponse({ type: StatusResponseDto })
  async status(@Query('window_hours') rawWindow?: string): Promise<StatusResponseDto> {
    const windowHours = parseWindowHours(rawWindow);

    const [alerts, replayNonces, pipeline, services] = await Promise.all([
      this.receivedAlerts(),
      this.liveReplayNonces(),
      this.pipelineStatus(windowHours),
      this.consumerLags(),
    ]);

    return {
      service: this.identity.name,
      version: this.identity.version,
      uptime_seconds: Math.round(process.uptime()),
      window_hours: windowHours,
      alerts,
      replay_nonces: replayNonces,
      pipeline: pipeline.available
        ? { available: true, as_of: pipeline.status.as_of, stages: pipeline.status.stages }
        : { available: false, error: pipeline.error },
      services: withErrors(services, pipeline.available ? pipeline.status.services : null),
    };
  }

  private async receivedAlerts(): Promise<ReceivedAlertCounts> {
    const rows: { status: string; severity: string; count: string }[] = await this.dataSource.query(
      'SELECT status, severity, count(*) AS count FROM received_alerts GROUP BY status, severity',
    );
    const alerts: ReceivedAlertCounts = { total: 0, firing: 0, resolved: 0, by_severity: {} };
    for (const row of rows) {
      const count = Number(row.count);
      alerts.total += count;
      if (row.status === 'firing') alerts.firing += count;
      if (row.status === 'resolved') alerts.resolved += count;
      alerts.by_severity[row.severity] = (alerts.by_severity[row.severity] ?? 0) + count;
    }
    return alerts;
  }

  private async liveReplayNonces(): Promise<number> {
    const rows: { count: string }[] = await this.dataSource.query(
      'SELECT count(*) AS count FROM replay_nonces WHERE expires_at >= now()',
    );
    return Number(rows[0]?.count ?? 0);
  }

  private async pipelineStatus(windowHours: number): Promise<PipelineAnswer> {
    try {
      return { available: true, status: await this.pipeline.pipelineStatus(windowHours) };
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'AUDIT.UNAVAILABLE') {
        return { available: false, error: error.code };
      }
      throw error;
    }
  }

  /** The gateway consumes nothing; every other service's group is read from the bus. */
  private async consumerLags(): Promise<Record<string, ServiceStatus>> {
    const services: Record<string, ServiceStatus> = {
      [this.identity.name]: { dead_letters: { window: 0, total: 0 }, last_error: null },
    };
    await Promise.all(
      Object.entries(PIPELINE_CONSUMERS).map(async ([service, topics]) => {
        const lag = await this.lag.lagOf(service, [...topics]);
        services[service] = {
          consumer_lag: lag.known
            ? { total: lag.total, by_topic: lag.by_topic }
            : { total: null, by_topic: {}, unknown_reason: lag.reason },
          dead_letters: null,
          last_error: null,
        };
      }),
    );
    return services;
  }
}

/** Adds what audit saw of each consuming service; a service only audit knows of (dead letters) is added too. */
function withErrors(
  services: Record<string, ServiceStatus>,
  errors: Record<string, ServiceErrors> | null,
): Record<string, ServiceStatus> {
  if (!errors) return services;
  const merged = { ...services };
  for (const [service, seen] of Object.entries(errors)) {
    merged[service] = { ...merged[service], dead_letters: seen.dead_letters, last_error: seen.last_error };
  }
  return merged;
}

function parseWindowHours(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_WINDOW_HOURS;
  const hours = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(hours >= 1 && hours <= MAX_WINDOW_HOURS)) {
    throw new GatewayError('QUERY.INVALID', `window_hours must be an integer from 1 to ${MAX_WINDOW_HOURS}.`, {
      errors: [{ field: 'window_hours', message: `an integer from 1 to ${MAX_WINDOW_HOURS}` }],
    });
  }
  return hours;
}
