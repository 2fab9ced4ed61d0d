/**
 * Someone running `npm start` in a terminal reads the log, so it is readable lines there unless
 * LOG_FORMAT says otherwise; piped or in a container, it stays JSON for the log pipeline.
 */
export function readableOnTerminal(source: NodeJS.ProcessEnv, terminal = process.stdout.isTTY): NodeJS.ProcessEnv {
  if (source.LOG_FORMAT || !terminal) return source;
  return { ...source, LOG_FORMAT: 'pretty' };
}
