import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min, validateSync } from 'class-validator';
import 'reflect-metadata';

const SENSITIVE = new Set<string>();

/** Marks an environment key whose value must never be printed or logged. */
function Sensitive(): PropertyDecorator {
  return (_target, key) => {
    SENSITIVE.add(String(key));
  };
}

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

export const RUN_MODES = ['embedded', 'distributed'] as const;
export type RunMode = (typeof RUN_MODES)[number];

/**
 * Every environment variable Convene reads, validated once at boot. Names follow the seed and
 * DESIGN.md; a bad value stops the process with a message naming the key, never its value.
 */
export class ConveneEnv {
  @IsIn(RUN_MODES)
  CONVENE_MODE: RunMode = 'embedded';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8000;

  @IsString()
  HOST = '127.0.0.1';

  @IsString()
  DATA_DIR = './data';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Sensitive()
  DATABASE_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  KAFKA_BROKERS?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Sensitive()
  WEBHOOK_API_KEY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Sensitive()
  WEBHOOK_SECRET_KEY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Sensitive()
  API_READ_KEYS?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Sensitive()
  OPENAI_API_KEY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false })
  OPENAI_BASE_URL?: string;

  @IsString()
  OPENAI_MODEL = 'gpt-4o-mini';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false })
  CHAINSYNC_API_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Sensitive()
  CHAINSYNC_API_KEY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false })
  SLOTIFY_API_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Sensitive()
  SLOTIFY_API_KEY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Sensitive()
  SMTP_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false })
  @Sensitive()
  SLACK_WEBHOOK_URL?: string;

  /** Sender of invitation emails, e.g. `Convene <convene@example.com>`. */
  @IsString()
  NOTIFY_FROM = 'Convene <convene@localhost>';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @IsString()
  AUTHORITIES_CONFIG = 'config/alert_authorities.yaml';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false })
  PUBLIC_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false })
  JAEGER_UI_URL?: string;

  /** Where the gateway reaches the audit service's query API in distributed mode. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false })
  AUDIT_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 100;

  @IsString()
  TRUSTED_PROXIES = '';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @IsIn(['json', 'pretty'])
  LOG_FORMAT = 'json';

  /** Base of meeting links: PUBLIC_URL, or the local address the gateway listens on. */
  get publicUrl(): string {
    return (this.PUBLIC_URL ?? `http://localhost:${this.PORT}`).replace(/\/+$/, '');
  }

  get webhookApiKeys(): string[] {
    return splitList(this.WEBHOOK_API_KEY);
  }

  get readApiKeys(): string[] {
    return splitList(this.API_READ_KEYS);
  }

  get kafkaBrokers(): string[] {
    return splitList(this.KAFKA_BROKERS);
  }
}

export class EnvValidationError extends Error {
  readonly code = 'CONFIG.ENV_INVALID';

  constructor(readonly problems: { key: string; reason: string }[]) {
    super(`Invalid environment: ${problems.map((p) => `${p.key} (${p.reason})`).join('; ')}`);
  }
}

/**
 * Reads and validates the environment. Throws EnvValidationError naming every bad key. A process
 * that only applies migrations needs no webhook keys or brokers, so `forMigrations` skips that check.
 */
export function loadEnv(
  source: NodeJS.ProcessEnv = process.env,
  options: { forMigrations?: boolean } = {},
): ConveneEnv {
  const known = Object.fromEntries(
    Object.entries(source).filter(
      ([key]) => Object.prototype.hasOwnProperty.call(new ConveneEnv(), key) || SENSITIVE.has(key),
    ),
  );
  const env = plainToInstance(ConveneEnv, known, { exposeDefaultValues: true });
  const errors = validateSync(env, { forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new EnvValidationError(
      errors.map((e) => ({ key: e.property, reason: Object.keys(e.constraints ?? {}).join(', ') || 'invalid' })),
    );
  }
  if (!options.forMigrations) assertDistributedRequirements(env);
  return env;
}

function assertDistributedRequirements(env: ConveneEnv): void {
  if (env.CONVENE_MODE !== 'distributed') return;
  const missing = ['WEBHOOK_API_KEY', 'WEBHOOK_SECRET_KEY', 'DATABASE_URL', 'KAFKA_BROKERS'].filter(
    (key) => !env[key as keyof ConveneEnv],
  );
  if (missing.length > 0) {
    throw new EnvValidationError(missing.map((key) => ({ key, reason: 'required in distributed mode' })));
  }
}

/** The environment as it may be logged: secrets replaced by a marker saying whether they are set. */
export function describeEnv(env: ConveneEnv): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {};
  for (const [key, value] of Object.entries(env) as [string, string | number | undefined][]) {
    out[key] = SENSITIVE.has(key) ? (value === undefined ? undefined : '[set]') : value;
  }
  return out;
}

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE.has(key);
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
