import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server that only counts: for every message, its Message-ID per envelope recipient.
 * Not LocalSmtpServer, which keeps and parses every message: the 10,000-alert run sends 46,000.
 * Convene's Message-ID is stable per meeting version, kind and recipient, so a resend in the
 * notification crash window arrives with the same id and is told apart from a second invite.
 */
export class CountingSmtpServer {
  /** `<meeting>|<sequence>|<kind>|<recipient>` → the Message-IDs received for it, with repeats. */
  readonly invites = new Map<string, string[]>();
  private readonly server: SMTPServer;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase());
        let head = '';
        stream.on('data', (chunk: Buffer) => {
          if (head.length < 16_384) head += chunk.toString('utf8');
        });
        stream.on('end', () => {
          this.record(head, recipients);
          callback();
        });
      },
    });
  }

  static async start(): Promise<CountingSmtpServer> {
    const smtp = new CountingSmtpServer();
    await new Promise<void>((resolve) => smtp.server.listen(0, '127.0.0.1', resolve));
    return smtp;
  }

  get url(): string {
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  get messages(): number {
    return [...this.invites.values()].reduce((sum, ids) => sum + ids.length, 0);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(head: string, recipients: string[]): void {
    const messageId = /^message-id:\s*(<[^>]+>)/im.exec(head)?.[1];
    const meetingId = /^x-convene-meeting-id:\s*(\S+)/im.exec(head)?.[1];
    const version = messageId ? /\.(\d+)\.(scheduled|updated|cancelled)\.[0-9a-f]+@/.exec(messageId) : null;
    const unrecognised = `unrecognised|${messageId ?? 'no-message-id'}`;
    for (const recipient of recipients) {
      const key = meetingId && version ? `${meetingId}|${version[1]}|${version[2]}|${recipient}` : unrecognised;
      this.invites.set(key, [...(this.invites.get(key) ?? []), messageId ?? '']);
    }
  }
}
