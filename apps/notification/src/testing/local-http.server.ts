import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/**
 * A real HTTP server on 127.0.0.1 standing in for Slack's webhook or ChainSync's API: it records
 * every JSON request and answers from a script (status per request), 200 once the script is empty.
 */
export class LocalHttpServer {
  readonly requests: ReceivedRequest[] = [];
  private readonly script: number[] = [];
  private readonly server: Server;

  private constructor(private readonly answer: (request: ReceivedRequest) => unknown) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const request = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: text ? (JSON.parse(text) as unknown) : null,
        };
        this.requests.push(request);
        const status = this.script.shift() ?? 200;
        const body = status < 300 ? this.answer(request) : { error: 'scripted failure' };
        res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      });
    });
  }

  static async start(answer: (request: ReceivedRequest) => unknown = () => 'ok'): Promise<LocalHttpServer> {
    const http = new LocalHttpServer(answer);
    await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
    return http;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next requests are answered with these statuses, in order. */
  answerWith(...statuses: number[]): void {
    this.script.push(...statuses);
  }

  reset(): void {
    this.requests.length = 0;
    this.script.length = 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
