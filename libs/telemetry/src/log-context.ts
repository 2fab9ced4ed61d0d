import { AsyncLocalStorage } from 'node:async_hooks';

/** The ids every log line written inside a scope carries as fields. */
export interface LogContext {
  alert_id?: string;
  meeting_id?: string;
}

const scopes = new AsyncLocalStorage<LogContext>();

/**
 * Runs `work` in a log scope: every line logged inside it, across awaits, carries `fields` beside
 * those of the scope it is nested in. Consumers enter one per delivery, the gateway per webhook.
 */
export function withLogContext<T>(fields: LogContext, work: () => T): T {
  return scopes.run({ ...scopes.getStore(), ...defined(fields) }, work);
}

/**
 * Adds ids learnt inside the current scope (the meeting id once scheduling has chosen one), so
 * the scope's later lines carry them too. Outside a scope it does nothing.
 */
export function addToLogContext(fields: LogContext): void {
  const scope = scopes.getStore();
  if (scope) Object.assign(scope, defined(fields));
}

/** The fields of the current scope; empty outside one. */
export function currentLogContext(): Readonly<LogContext> {
  return scopes.getStore() ?? {};
}

function defined(fields: LogContext): LogContext {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => typeof value === 'string' && value !== ''));
}
