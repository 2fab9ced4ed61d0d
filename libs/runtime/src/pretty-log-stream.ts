import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

const LEVEL_STYLES: Record<string, Style> = {
  fatal: ['bgRed', 'white'],
  error: 'red',
  warn: 'yellow',
  info: 'green',
  debug: 'magenta',
  trace: 'gray',
};

/** Fields the line's head already shows, or that say nothing to someone reading a terminal. */
const HEAD_FIELDS = new Set(['level', 'time', 'context', 'msg', 'pid', 'hostname']);

/**
 * The destination for LOG_FORMAT=pretty: turns each of pino's JSON lines into one readable line,
 * `12:00:01.234 INFO  [AlertIntakeService] alert accepted alert_id=SEC-1 trace_id=…`, coloured when
 * stdout is a terminal. Only for reading logs by eye: redaction has already happened upstream.
 */
export class PrettyLogStream {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  write(line: string): void {
    this.out.write(`${formatLogLine(line)}\n`);
  }
}

/** One JSON log line as text; a line that is not JSON is passed through unchanged. */
export function formatLogLine(line: string): string {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const level = typeof fields.level === 'string' ? fields.level : 'info';
  const time = typeof fields.time === 'string' ? fields.time.slice(11, 23) : '';
  const context = typeof fields.context === 'string' ? `[${fields.context}] ` : '';
  const rest = Object.entries(fields)
    .filter(([key]) => !HEAD_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const head = `${time} ${styleText(LEVEL_STYLES[level] ?? 'reset', level.toUpperCase().padEnd(5))} ${context}`;
  const msg = typeof fields.msg === 'string' ? fields.msg : JSON.stringify(fields.msg ?? '');
  return [`${head}${msg}`, ...rest].join(' ');
}
