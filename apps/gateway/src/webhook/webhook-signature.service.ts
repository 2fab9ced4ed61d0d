import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { GatewayError } from '../errors/gateway.exception';
import { GATEWAY_SETTINGS, type GatewaySettings, SIGNATURE_WINDOW_SECONDS } from '../gateway.config';

/** A delivery whose signature and timestamp checked out. */
export interface SignedDelivery {
  /** Lowercase hex HMAC; unique per signed request, so it identifies replays. */
  signature: string;
  timestampSeconds: number;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Checks `X-Webhook-Signature` = HMAC-SHA256(WEBHOOK_SECRET_KEY, `<timestamp>.<raw body>`) over the
 * bytes as received, and that `X-Webhook-Timestamp` is within the window of the gateway's clock.
 */
@Injectable()
export class WebhookSignatureService {
  constructor(@Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings) {}

  verify(
    headers: { timestamp: string | undefined; signature: string | undefined },
    rawBody: Buffer,
    nowMs: number,
  ): SignedDelivery {
    const timestamp = headers.timestamp?.trim();
    if (!timestamp) throw new GatewayError('ALERT.TIMESTAMP_MISSING', 'Send X-Webhook-Timestamp (unix seconds).');
    const presented = headers.signature?.trim();
    if (!presented) throw new GatewayError('ALERT.SIGNATURE_MISSING', 'Send X-Webhook-Signature.');

    const signature = presented.replace(/^sha256=/i, '').toLowerCase();
    if (!this.signatureMatches(signature, timestamp, rawBody)) {
      throw new GatewayError('ALERT.SIGNATURE_INVALID', 'The signature does not match the timestamp and body.');
    }

    const timestampSeconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
    if (!(Math.abs(nowMs / 1000 - timestampSeconds) <= SIGNATURE_WINDOW_SECONDS)) {
      throw new GatewayError(
        'ALERT.TIMESTAMP_OUT_OF_WINDOW',
        `X-Webhook-Timestamp must be unix seconds within ${SIGNATURE_WINDOW_SECONDS} s of now.`,
      );
    }
    return { signature, timestampSeconds };
  }

  private signatureMatches(signature: string, timestamp: string, rawBody: Buffer): boolean {
    const secret = this.settings.webhookSecret;
    if (!secret || !HEX_SHA256.test(signature)) return false;
    const expected = createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody).digest();
    return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
  }
}
