import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface ReceivedMail {
  recipients: string[];
  raw: string;
  parsed: ParsedMail;
}

/** A scripted refusal: answer `code` to this recipient for the next `times` attempts. */
interface Refusal {
  code: number;
  message: string;
  times: number;
  stage: 'rcpt' | 'data';
}

/** A real SMTP server on 127.0.0.1 that keeps what it receives and refuses on request. */
export class LocalSmtpServer {
  readonly received: ReceivedMail[] = [];
  private readonly refusals = new Map<string, Refusal>();
  private readonly server: SMTPServer;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => callback(this.refusalAt('rcpt', address)),
      onData: (stream, session, callback) => {
        const recipients = session.envelope.rcptTo.map((rcpt: SMTPServerAddress) => rcpt.address.toLowerCase());
        const refusal = recipients
          .map((r) => this.refusalAt('data', { address: r } as SMTPServerAddress))
          .find(Boolean);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (refusal) return callback(refusal);
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              this.received.push({ recipients, raw, parsed });
              callback();
            })
            .catch((error: Error) => callback(error));
        });
      },
    });
  }

  static async start(): Promise<LocalSmtpServer> {
    const smtp = new LocalSmtpServer();
    await new Promise<void>((resolve) => smtp.server.listen(0, '127.0.0.1', resolve));
    return smtp;
  }

  get url(): string {
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  /** Refuses `address` with `code` at the given stage, `times` times, then accepts. */
  refuse(address: string, code: number, options: { times?: number; stage?: 'rcpt' | 'data' } = {}): void {
    this.refusals.set(address.toLowerCase(), {
      code,
      message: code >= 500 ? 'Mailbox unavailable' : 'Try again later',
      times: options.times ?? Number.POSITIVE_INFINITY,
      stage: options.stage ?? 'rcpt',
    });
  }

  reset(): void {
    this.received.length = 0;
    this.refusals.clear();
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.recipients.includes(address.toLowerCase()));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private refusalAt(stage: Refusal['stage'], address: SMTPServerAddress): (Error & { responseCode: number }) | null {
    const refusal = this.refusals.get(address.address.toLowerCase());
    if (!refusal || refusal.stage !== stage || refusal.times <= 0) return null;
    refusal.times -= 1;
    return Object.assign(new Error(refusal.message), { responseCode: refusal.code });
  }
}
