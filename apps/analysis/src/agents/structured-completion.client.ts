import type * as OpenAiModule from 'openai' with { 'resolution-mode': 'import' };

type OpenAiSdk = typeof OpenAiModule;
let sdk: Promise<OpenAiSdk> | undefined;
let loaded: OpenAiSdk | undefined;

// The SDK is some 230 modules and several MB of heap. Without OPENAI_API_KEY Convene never calls a
// model (the template analysis answers), so the SDK loads with the first call, not with the process.
function loadSdk(): Promise<OpenAiSdk> {
  sdk ??= import('openai').then((module) => (loaded = module));
  return sdk;
}

export interface StructuredCompletionSettings {
  apiKey: string;
  /** Any OpenAI-compatible server; the SDK default (api.openai.com) when absent. */
  baseURL?: string;
  model: string;
  maxRetries: number;
  temperature: number;
}

export interface StructuredRequest {
  schemaName: string;
  schema: Readonly<Record<string, unknown>>;
  system: string;
  user: string;
  /** Aborts the call and any retry wait when the analysis budget runs out. */
  signal: AbortSignal;
  /** Upper bound for one attempt, in milliseconds. */
  timeoutMs: number;
}

export interface StructuredReply {
  model: string;
  /** The JSON text of the reply, or null when the model refused. */
  content: string | null;
  refusal: string | null;
  input_tokens: number;
  output_tokens: number;
}

/**
 * One chat completion with a strict JSON-schema response format. Retries (5xx, 429 after its
 * Retry-After, connection errors) are the SDK's, bounded by `maxRetries` and by the caller's signal.
 */
export class StructuredCompletionClient {
  private openai: Promise<OpenAiModule.OpenAI> | undefined;

  constructor(readonly settings: StructuredCompletionSettings) {}

  async complete(request: StructuredRequest): Promise<StructuredReply> {
    this.openai ??= loadSdk().then(
      (module) =>
        new module.OpenAI({
          apiKey: this.settings.apiKey,
          baseURL: this.settings.baseURL,
          maxRetries: this.settings.maxRetries,
        }),
    );
    const openai = await this.openai;
    const completion = await openai.chat.completions.create(
      {
        model: this.settings.model,
        temperature: this.settings.temperature,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.user },
        ],
        response_format: {
          type: 'json_schema',
          json_schema: { name: request.schemaName, strict: true, schema: { ...request.schema } },
        },
      },
      { signal: request.signal, timeout: request.timeoutMs },
    );
    const message = completion.choices[0]?.message;

    return {
      model: completion.model || this.settings.model,
      content: message?.content ?? null,
      refusal: message?.refusal ?? null,
      input_tokens: completion.usage?.prompt_tokens ?? 0,
      output_tokens: completion.usage?.completion_tokens ?? 0,
    };
  }
}

/** Whether `error` is the SDK giving up on a call: its per-attempt timeout or the caller's abort signal. */
export function isTimeoutOrAbort(error: unknown): boolean {
  return (
    loaded !== undefined &&
    (error instanceof loaded.APIConnectionTimeoutError || error instanceof loaded.APIUserAbortError)
  );
}
