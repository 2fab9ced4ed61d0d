/** One problem found in the authorities file, located by its dotted key and (when known) its line. */
export interface ConfigIssue {
  key: string;
  line: number | null;
  message: string;
}

/** The authorities file cannot be used; the message names the file, line and key of every problem. */
export class AuthoritiesConfigError extends Error {
  readonly code = 'CONFIG.AUTHORITIES_INVALID';

  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
  ) {
    super(`${source} is invalid:\n${issues.map((issue) => `  ${describeIssue(source, issue)}`).join('\n')}`);
    this.name = 'AuthoritiesConfigError';
  }
}

function describeIssue(source: string, issue: ConfigIssue): string {
  const where = issue.line === null ? source : `${source}:${issue.line}`;
  return `${where}: ${issue.key} ${issue.message}`;
}
