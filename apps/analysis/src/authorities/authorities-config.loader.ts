import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { URGENCY_LEVELS } from '#libs/contracts';
import { AuthoritiesConfigError, type ConfigIssue } from './authorities-config.exception';
import { AUTHORITIES_SCHEMA } from './authorities.schema';
import type { AuthoritiesConfig } from './authorities.types';

type Path = (string | number)[];
interface RawIssue {
  path: Path;
  message: string;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
const validateSchema = ajv.compile<AuthoritiesConfig>(AUTHORITIES_SCHEMA);

/**
 * Reads and validates the authorities file; throws AuthoritiesConfigError naming each bad key and
 * line. Synchronous so that a bad file stops the service before Nest starts building it.
 */
export function loadAuthoritiesConfig(path: string): AuthoritiesConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AuthoritiesConfigError(path, [{ key: '(file)', line: null, message: `cannot be read: ${reason}` }]);
  }
  return parseAuthoritiesConfig(text, path);
}

/** Parses YAML text into a validated configuration; `source` names the file in error messages. */
export function parseAuthoritiesConfig(text: string, source: string): AuthoritiesConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new AuthoritiesConfigError(
      source,
      document.errors.map((error) => ({
        key: '(yaml)',
        line: lineCounter.linePos(error.pos[0]).line,
        message: error.message.split('\n')[0] ?? error.code,
      })),
    );
  }

  const data: unknown = document.toJS() ?? {};
  const raw = validateSchema(data) ? crossCheck(data) : (validateSchema.errors ?? []).map(fromSchemaError);
  if (raw.length > 0)
    throw new AuthoritiesConfigError(
      source,
      raw.map((issue) => locate(issue, document, lineCounter)),
    );
  return data as AuthoritiesConfig;
}

function fromSchemaError(error: ErrorObject): RawIssue {
  const path: Path = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: [...path, String(params.missingProperty)], message: 'is required' };
    case 'additionalProperties':
      return { path: [...path, String(params.additionalProperty)], message: 'is not a known key' };
    case 'propertyNames':
      return { path: [...path, String(params.propertyName)], message: 'must be lower_snake_case' };
    case 'enum':
      return { path, message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}

/** Rules a JSON schema cannot express: references between sections and ordering of values. */
function crossCheck(config: AuthoritiesConfig): RawIssue[] {
  return [
    ...checkRoleReferences(config),
    ...checkCustomTypes(config),
    ...checkLevels(config),
    ...checkScheduling(config),
  ];
}

function checkRoleReferences(config: AuthoritiesConfig): RawIssue[] {
  const references: [Path, string[]][] = [
    ...Object.entries(config.alert_types).map(([name, route]): [Path, string[]] => [
      ['alert_types', name, 'typical_attendees'],
      route.typical_attendees,
    ]),
    ...Object.entries(config.custom_alert_types).map(([name, route]): [Path, string[]] => [
      ['custom_alert_types', name, 'typical_attendees'],
      route.typical_attendees,
    ]),
    [['default_route', 'typical_attendees'], config.default_route.typical_attendees],
    [['escalation', 'high_severity', 'add_roles'], config.escalation.high_severity.add_roles],
    [['escalation', 'executive', 'add_roles'], config.escalation.executive.add_roles],
    [['escalation', 'customer_impact', 'add_roles'], config.escalation.customer_impact.add_roles],
  ];
  return references.flatMap(([path, roles]) =>
    roles
      .map((role, index) => ({ role, index }))
      .filter(({ role }) => config.roles[role] === undefined)
      .map(({ role, index }) => ({
        path: [...path, index],
        message: `names role "${role}", which roles does not define`,
      })),
  );
}

function checkCustomTypes(config: AuthoritiesConfig): RawIssue[] {
  const clashes = Object.keys(config.custom_alert_types)
    .filter((name) => config.alert_types[name] !== undefined)
    .map((name) => ({ path: ['custom_alert_types', name], message: 'repeats a type already under alert_types' }));
  const known = new Set([...Object.keys(config.alert_types), ...Object.keys(config.custom_alert_types)]);
  const unknownExecutive = config.escalation.executive.alert_types
    .map((type, index) => ({ type, index }))
    .filter(({ type }) => !known.has(type))
    .map(({ type, index }) => ({
      path: ['escalation', 'executive', 'alert_types', index],
      message: `names alert type "${type}", which is not configured`,
    }));
  return [...clashes, ...unknownExecutive];
}

function checkLevels(config: AuthoritiesConfig): RawIssue[] {
  const issues: RawIssue[] = [];
  URGENCY_LEVELS.forEach((level, index) => {
    const policy = config.urgency.levels[level];
    const next = URGENCY_LEVELS[index + 1];
    if (next !== undefined && policy.threshold <= config.urgency.levels[next].threshold) {
      issues.push({
        path: ['urgency', 'levels', level, 'threshold'],
        message: `must be greater than ${next}'s threshold`,
      });
    }
    const { default: usual, min, max } = policy.duration_minutes;
    if (!(min <= usual && usual <= max)) {
      issues.push({
        path: ['urgency', 'levels', level, 'duration_minutes'],
        message: 'must satisfy min <= default <= max',
      });
    }
  });
  return issues;
}

function checkScheduling(config: AuthoritiesConfig): RawIssue[] {
  const issues: RawIssue[] = [];
  if (!isTimeZone(config.scheduling.timezone)) {
    issues.push({ path: ['scheduling', 'timezone'], message: 'is not an IANA time zone' });
  }
  const { start, end } = config.scheduling.business_hours;
  if (start >= end) issues.push({ path: ['scheduling', 'business_hours', 'end'], message: 'must be later than start' });
  return issues;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function locate(issue: RawIssue, document: Document, lineCounter: LineCounter): ConfigIssue {
  return {
    key: issue.path.join('.') || '(root)',
    line: lineOf(issue.path, document, lineCounter),
    message: issue.message,
  };
}

/** The line of the deepest node along `path` that exists (a missing key points at its parent). */
function lineOf(path: Path, document: Document, lineCounter: LineCounter): number | null {
  for (let depth = path.length; depth > 0; depth--) {
    const node: unknown = document.getIn(path.slice(0, depth), true);
    const range = hasRange(node) ? node.range : null;
    if (range) return lineCounter.linePos(range[0]).line;
  }
  return document.contents?.range ? lineCounter.linePos(document.contents.range[0]).line : null;
}

function hasRange(node: unknown): node is { range: [number, number, number] } {
  return typeof node === 'object' && node !== null && Array.isArray((node as { range?: unknown }).range);
}
