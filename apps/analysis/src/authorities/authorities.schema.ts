import { SEVERITIES, URGENCY_LEVELS } from '#libs/contracts';

const text = { type: 'string', minLength: 1 } as const;
const roleList = { type: 'array', items: text, minItems: 1 } as const;
const severityList = {
  type: 'array',
  items: { type: 'string', enum: [...SEVERITIES] },
  minItems: 1,
  uniqueItems: true,
} as const;
const positiveInt = { type: 'integer', minimum: 1 } as const;
const clock = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' } as const;

const person = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'email'],
  properties: {
    name: text,
    email: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' },
  },
} as const;

const alertTypeRoute = {
  type: 'object',
  additionalProperties: false,
  required: ['severity_weight', 'category', 'typical_attendees'],
  properties: {
    severity_weight: { type: 'number', minimum: 0, maximum: 1 },
    category: text,
    typical_attendees: roleList,
  },
} as const;

const alertTypeMap = {
  type: 'object',
  propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
  additionalProperties: alertTypeRoute,
} as const;

const levelPolicy = {
  type: 'object',
  additionalProperties: false,
  required: [
    'threshold',
    'response_window_minutes',
    'recommended_response_time',
    'duration_minutes',
    'notification_channels',
    'books_meeting',
  ],
  properties: {
    threshold: { type: 'number', minimum: 0, maximum: 1 },
    response_window_minutes: positiveInt,
    recommended_response_time: text,
    duration_minutes: {
      type: 'object',
      additionalProperties: false,
      required: ['default', 'min', 'max'],
      properties: { default: positiveInt, min: positiveInt, max: positiveInt },
    },
    notification_channels: {
      type: 'array',
      items: { type: 'string', enum: ['email', 'slack', 'chainsync'] },
      uniqueItems: true,
    },
    books_meeting: { type: 'boolean' },
  },
} as const;

const perLevel = <T>(value: T) => ({
  type: 'object',
  additionalProperties: false,
  required: [...URGENCY_LEVELS],
  properties: Object.fromEntries(URGENCY_LEVELS.map((level) => [level, value])),
});

/** JSON schema of config/alert_authorities.yaml. Cross-references are checked after it passes. */
export const AUTHORITIES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'roles', 'alert_types', 'default_route', 'escalation', 'urgency', 'scheduling'],
  properties: {
    version: { type: 'integer', const: 1 },
    roles: { type: 'object', minProperties: 1, additionalProperties: { type: 'array', items: person, minItems: 1 } },
    alert_types: { ...alertTypeMap, minProperties: 1 },
    custom_alert_types: { ...alertTypeMap, default: {} },
    default_route: alertTypeRoute,
    escalation: {
      type: 'object',
      additionalProperties: false,
      required: ['high_severity', 'executive', 'customer_impact'],
      properties: {
        high_severity: {
          type: 'object',
          additionalProperties: false,
          required: ['severities', 'add_roles'],
          properties: { severities: severityList, add_roles: roleList },
        },
        executive: {
          type: 'object',
          additionalProperties: false,
          required: ['severities', 'alert_types', 'add_roles'],
          properties: { severities: severityList, alert_types: roleList, add_roles: roleList },
        },
        customer_impact: {
          type: 'object',
          additionalProperties: false,
          required: ['context_flag', 'add_roles'],
          properties: { context_flag: text, add_roles: roleList },
        },
      },
    },
    urgency: {
      type: 'object',
      additionalProperties: false,
      required: ['levels', 'many_affected_systems'],
      properties: {
        levels: perLevel(levelPolicy),
        many_affected_systems: {
          type: 'object',
          additionalProperties: false,
          required: ['more_than', 'duration_minutes'],
          properties: { more_than: { type: 'integer', minimum: 0 }, duration_minutes: positiveInt },
        },
      },
    },
    scheduling: {
      type: 'object',
      additionalProperties: false,
      required: [
        'timezone',
        'business_hours',
        'critical_overrides_business_hours',
        'minimum_notice_minutes',
        'maximum_advance_days',
        'correlation_window_minutes',
      ],
      properties: {
        timezone: text,
        business_hours: {
          type: 'object',
          additionalProperties: false,
          required: ['start', 'end', 'days'],
          properties: {
            start: clock,
            end: clock,
            days: {
              type: 'array',
              minItems: 1,
              uniqueItems: true,
              items: { type: 'string', enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
            },
          },
        },
        critical_overrides_business_hours: { type: 'boolean' },
        minimum_notice_minutes: perLevel({ type: 'integer', minimum: 0 }),
        maximum_advance_days: positiveInt,
        correlation_window_minutes: { type: 'integer', minimum: 0 },
        conference_link_template: { type: 'string', nullable: true, pattern: '^(https?://.*)?$' },
      },
    },
    notifications: { type: 'object', default: {} },
    integrations: { type: 'object', default: {} },
    analysis: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        llm: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            timeout_ms: { type: 'integer', minimum: 100, maximum: 600000, default: 20000 },
            max_retries: { type: 'integer', minimum: 0, maximum: 5, default: 2 },
            temperature: { type: 'number', minimum: 0, maximum: 2, default: 0.2 },
          },
        },
        redaction: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: { redact_ip_addresses: { type: 'boolean', default: true } },
        },
        regulatory_clocks: {
          type: 'object',
          default: {},
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['hours', 'obligation'],
            properties: { hours: { type: 'number', exclusiveMinimum: 0 }, obligation: text },
          },
        },
      },
    },
  },
} as const;
