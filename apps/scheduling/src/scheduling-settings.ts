import type { ConveneEnv } from '#libs/config';
import { loadSchedulingPolicy, type SchedulingPolicy, SchedulingPolicyError } from './policy/scheduling-policy';

export interface SlotifySettings {
  url: string;
  apiKey: string;
  timeoutMs: number;
  /** Attempts after the first one, for network errors and 5xx answers. */
  retries: number;
  backoffMs: number;
  /** Consecutive failures that open the circuit, and how long it stays open. */
  breakerThreshold: number;
  breakerCooldownMs: number;
}

/** What the scheduling service was configured with: policy from the authorities file, the rest from the environment. */
export class SchedulingSettings {
  constructor(
    readonly policy: SchedulingPolicy,
    readonly publicUrl: string,
    readonly organizer: { name: string; email: string },
    readonly slotify: SlotifySettings | null,
  ) {}

  static fromEnv(env: ConveneEnv): SchedulingSettings {
    const policy = loadSchedulingPolicy(env.AUTHORITIES_CONFIG);
    const host = new URL(env.publicUrl).hostname;
    const slotify = slotifySettings(env, policy.calendarProvider);
    return new SchedulingSettings(
      policy,
      env.publicUrl,
      { name: policy.organizer.name, email: policy.organizer.email ?? `convene@${host}` },
      slotify,
    );
  }
}

/** Slotify when the configuration asks for it, or, when it is silent, when credentials are set. */
function slotifySettings(env: ConveneEnv, wanted: SchedulingPolicy['calendarProvider']): SlotifySettings | null {
  const configured = Boolean(env.SLOTIFY_API_URL && env.SLOTIFY_API_KEY);
  if (wanted === 'slotify' && !configured) {
    throw new SchedulingPolicyError(
      'integrations.calendar_provider',
      'is slotify, but SLOTIFY_API_URL and SLOTIFY_API_KEY are not both set',
    );
  }
  if (wanted === 'builtin' || !configured) return null;
  return {
    url: (env.SLOTIFY_API_URL ?? '').replace(/\/+$/, ''),
    apiKey: env.SLOTIFY_API_KEY ?? '',
    timeoutMs: 5_000,
    retries: 2,
    backoffMs: 250,
    breakerThreshold: 5,
    breakerCooldownMs: 30_000,
  };
}
