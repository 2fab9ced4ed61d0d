import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';
import nodemailer, { type NodemailerError, type SendMailOptions, type Transporter } from 'nodemailer';
import { inSpan } from '#libs/telemetry';
import type { Delivery, MeetingEventKind } from '../../deliveries/delivery.entity';
import { NOTIFICATION_SETTINGS, type NotificationSettings } from '../../notification.config';
import type { ChannelSender, SendReceipt } from '../channel-sender';
import { DeliveryFailure } from '../delivery-failure.exception';
import { type InviteEmailTemplate, personaliseInviteEmail, prepareInviteEmail } from './invite-email.renderer';

/** Meeting events whose email template stays at hand. */
const RECENT_TEMPLATES = 32;

/**
 * Sends the invitation email: HTML and text bodies plus the meeting's RFC 5545 object as a
 * `text/calendar; method=…` alternative, which is what makes Gmail, Outlook and Apple Mail offer
 * accept and decline. Without SMTP_URL the raw message is written to DATA_DIR/outbox as an .eml.
 */
@Injectable()
export class EmailSender implements ChannelSender, BeforeApplicationShutdown {
  private readonly logger = new Logger(EmailSender.name);
  private readonly smtp: Transporter | undefined;
  private readonly composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  /** By source event: the deliveries of one meeting event share everything but the greeting. */
  private readonly templates = new Map<string, InviteEmailTemplate>();
  private outboxDirExists = false;

  constructor(@Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings) {
    this.smtp = settings.smtpUrl
      ? nodemailer.createTransport({
          url: settings.smtpUrl,
          // A few reused connections: a batch of invitations should not open one connection each.
          pool: true,
          maxConnections: 3,
          connectionTimeout: settings.worker.requestTimeoutMs,
          greetingTimeout: settings.worker.requestTimeoutMs,
          socketTimeout: settings.worker.requestTimeoutMs,
        })
      : undefined;
  }

  async send(delivery: Delivery): Promise<SendReceipt> {
    const message = this.compose(delivery);
    const attributes = {
      'email.method': inviteMethod(delivery.event_kind),
      'email.message_id': message.messageId,
      'meeting.id': delivery.meeting_id,
    };
    const smtp = this.smtp;
    if (smtp) {
      return inSpan('smtp send', { ...attributes, 'email.transport': 'smtp' }, () => this.sendOverSmtp(smtp, message), {
        kind: SpanKind.CLIENT,
      });
    }
    return inSpan('email write eml', { ...attributes, 'email.transport': 'eml' }, () =>
      this.writeToOutbox(delivery, message),
    );
  }

  /** After the worker has stopped (it stops in onModuleDestroy), so no send in flight loses its connection. */
  beforeApplicationShutdown(): void {
    this.smtp?.close();
  }

  /** The message for one attendee. Its Message-ID is stable, so a resend in the crash window is recognisable. */
  private compose(delivery: Delivery): SendMailOptions & { messageId: string } {
    const notice = delivery.snapshot;
    const rendered = personaliseInviteEmail(this.templateFor(delivery), delivery.recipient);
    const attendee = notice.attendees.find((a) => a.email.trim().toLowerCase() === delivery.recipient);
    return {
      from: this.settings.from,
      to: attendee ? { name: attendee.name, address: attendee.email } : delivery.recipient,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageId: stableMessageId(delivery, senderDomain(this.settings.from)),
      icalEvent: { method: inviteMethod(delivery.event_kind), filename: 'invite.ics', content: notice.invite_ics },
      headers: { 'X-Convene-Meeting-Id': notice.meeting_id, 'X-Convene-Alert-Id': notice.alert_id },
    };
  }

  /**
   * Rows of one source event carry the same snapshot, so its template is reused; the few most
   * recent events are kept, which is what a batch of claimed deliveries spans.
   */
  private templateFor(delivery: Delivery): InviteEmailTemplate {
    const cached = this.templates.get(delivery.source_event_id);
    if (cached) return cached;

    const template = prepareInviteEmail(delivery.event_kind, delivery.snapshot);
    this.templates.set(delivery.source_event_id, template);
    const oldest = this.templates.keys().next().value;
    if (this.templates.size > RECENT_TEMPLATES && oldest !== undefined) this.templates.delete(oldest);
    return template;
  }

  private async sendOverSmtp(
    smtp: Transporter,
    message: SendMailOptions & { messageId: string },
  ): Promise<SendReceipt> {
    try {
      await smtp.sendMail(message);
    } catch (error) {
      throw classifySmtpError(error);
    }
    return { providerMessageId: message.messageId };
  }

  private async writeToOutbox(
    delivery: Delivery,
    message: SendMailOptions & { messageId: string },
  ): Promise<SendReceipt> {
    const info = await this.composer.sendMail(message);
    const raw = Buffer.isBuffer(info.message) ? info.message : Buffer.from('');

    // Same name for the same version and recipient, so a resend overwrites instead of duplicating;
    // written then renamed, so a crash never leaves half a message for a user to open.
    const file = join(this.settings.outboxDir, `${outboxFileName(delivery)}.eml`);
    await this.writeInOutboxDir(`${file}.tmp`, raw);
    await rename(`${file}.tmp`, file);
    this.logger.log({ msg: 'email written to outbox', meeting_id: delivery.meeting_id, dir: this.settings.outboxDir });
    return { providerMessageId: message.messageId };
  }

  /** Creates the directory before the first write, and again should it have been removed since. */
  private async writeInOutboxDir(file: string, raw: Buffer): Promise<void> {
    if (!this.outboxDirExists) await this.createOutboxDir();
    try {
      await writeFile(file, raw);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await this.createOutboxDir();
      await writeFile(file, raw);
    }
  }

  private async createOutboxDir(): Promise<void> {
    this.outboxDirExists = false;
    await mkdir(this.settings.outboxDir, { recursive: true });
    this.outboxDirExists = true;
  }
}

export function inviteMethod(kind: MeetingEventKind): 'REQUEST' | 'CANCEL' {
  return kind === 'cancelled' ? 'CANCEL' : 'REQUEST';
}

/** `<meeting.sequence.kind.recipient-hash@domain>`: one id per meeting version and recipient. */
export function stableMessageId(
  delivery: Pick<Delivery, 'meeting_id' | 'meeting_sequence' | 'event_kind' | 'recipient'>,
  domain: string,
): string {
  const recipientHash = createHash('sha256').update(delivery.recipient).digest('hex').slice(0, 16);
  const meeting = delivery.meeting_id.replace(/[^A-Za-z0-9-]/g, '_');
  return `<${meeting}.${delivery.meeting_sequence}.${delivery.event_kind}.${recipientHash}@${domain}>`;
}

function outboxFileName(delivery: Delivery): string {
  const recipient = delivery.recipient.replace(/[^A-Za-z0-9@.-]/g, '_');
  const meeting = delivery.meeting_id.replace(/[^A-Za-z0-9-]/g, '_');
  return `${meeting}-v${delivery.meeting_sequence}-${delivery.event_kind}-${recipient}`;
}

function senderDomain(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return match?.[1] ?? 'convene.localhost';
}

/**
 * RFC 5321: 5yz replies are final, 4yz are worth another try (nodemailer sets `permanent` from
 * the reply class). Errors without a reply are the connection's, except configuration mistakes
 * and addresses nodemailer already refused to put in the envelope.
 */
export function classifySmtpError(error: unknown): DeliveryFailure {
  const smtpError = error as NodemailerError;
  const code = smtpError.code ?? 'UNKNOWN';
  const reply = smtpError.responseCode;
  const summary = (reply ? `SMTP ${reply} ${smtpError.response ?? ''}` : `SMTP ${code}`).trim().slice(0, 200);

  if (smtpError.permanent === true) return DeliveryFailure.permanent(`SMTP.${reply ?? code}`, summary);
  if (reply === undefined && (code === 'EENVELOPE' || code === 'ECONFIG' || code === 'EAUTH' || code === 'ENOAUTH')) {
    return DeliveryFailure.permanent(`SMTP.${code}`, summary);
  }
  return DeliveryFailure.transient(`SMTP.${reply ?? code}`, summary);
}
