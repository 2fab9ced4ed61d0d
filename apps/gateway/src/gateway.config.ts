import type { ConveneEnv } from '#libs/config';

/** Largest webhook body the gateway reads, enforced while the body streams in. */
export const MAX_BODY_BYTES = 1_048_576;
/** How far a webhook timestamp may be from the gateway's clock, either way. */
export const SIGNATURE_WINDOW_SECONDS = 300;
/** The longest `Prefer: wait` the gateway honours. */
export const MAX_WAIT_SECONDS = 30;

export const GATEWAY_SETTINGS = Symbol('GATEWAY_SETTINGS');

/** What the gateway takes from the environment, read once at boot. */
export interface GatewaySettings {
  webhookApiKeys: string[];
  readApiKeys: string[];
  webhookSecret: string | undefined;
  rateLimitPerMinute: number;
  trustedProxies: string[];
  auditUrl: string;
  /** Reads go unauthenticated only in embedded mode on a loopback-only listener. */
  readsOpen: boolean;
  /** Where the page at `/` links each alert's trace: `${jaegerUiUrl}/trace/<trace_id>`. */
  jaegerUiUrl: string | null;
  /** The page's key cookie is marked Secure when Convene is published over https. */
  secureCookies: boolean;
}

export function gatewaySettings(env: ConveneEnv): GatewaySettings {
  return {
    webhookApiKeys: env.webhookApiKeys,
    readApiKeys: env.readApiKeys,
    webhookSecret: env.WEBHOOK_SECRET_KEY,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    trustedProxies: env.TRUSTED_PROXIES.split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0),
    auditUrl: (env.AUDIT_URL ?? 'http://127.0.0.1:8004').replace(/\/+$/, ''),
    readsOpen: env.CONVENE_MODE === 'embedded' && isLoopbackHost(env.HOST),
    jaegerUiUrl: env.JAEGER_UI_URL?.replace(/\/+$/, '') ?? null,
    secureCookies: env.publicUrl.startsWith('https:'),
  };
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
