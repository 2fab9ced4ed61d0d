import type { AddressInfo } from 'node:net';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AuditQueryController } from '../../../apps/audit/src/audit-query.controller';
import { AuditQueryService } from '../../../apps/audit/src/audit-query.service';

/** The audit service's real `/internal/*` query API over HTTP on 127.0.0.1, answering from `queries`. */
export async function startAuditQueryApi(queries: AuditQueryService): Promise<{ url: string; close(): Promise<void> }> {
  const moduleRef = await Test.createTestingModule({
    controllers: [AuditQueryController],
    providers: [{ provide: AuditQueryService, useValue: queries }],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
