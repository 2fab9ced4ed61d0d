import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SERVICE_IDENTITY, type ServiceIdentity } from '#libs/telemetry';
import { DataSource } from 'typeorm';
import { ReadKeyGuard } from '../security/access.guards';

export interface GatewayStatus {
  service: string;
  version: string;
  uptime_seconds: number;
  alerts: { total: number; firing: number; resolved: number; by_severity: Record<string, number> };
  replay_nonces: number;
}

/** What the gateway itself knows; the per-stage view across services belongs to audit. */
// TODO(#4): add counts per stage (analyzed, scheduled, notified) from the audit query port.
@ApiTags('status')
@ApiSecurity('api-key')
@Controller('status')
@UseGuards(ReadKeyGuard)
export class StatusController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Counts of received alerts by status and severity' })
  async status(): Promise<GatewayStatus> {
    const rows: { status: string; severity: string; count: string }[] = await this.dataSource.query(
      'SELECT status, severity, count(*) AS count FROM received_alerts GROUP BY status, severity',
    );
    const nonces: { count: string }[] = await this.dataSource.query(
      'SELECT count(*) AS count FROM replay_nonces WHERE expires_at >= now()',
    );

    const alerts = { total: 0, firing: 0, resolved: 0, by_severity: {} as Record<string, number> };
    for (const row of rows) {
      const count = Number(row.count);
      alerts.total += count;
      if (row.status === 'firing') alerts.firing += count;
      if (row.status === 'resolved') alerts.resolved += count;
      alerts.by_severity[row.severity] = (alerts.by_severity[row.severity] ?? 0) + count;
    }
    return {
      service: this.identity.name,
      version: this.identity.version,
      uptime_seconds: Math.round(process.uptime()),
      alerts,
      replay_nonces: Number(nonces[0]?.count ?? 0),
    };
  }
}
