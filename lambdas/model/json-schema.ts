import { FORBIDDEN_REQUEST_HEADERS } from './headers';
import { THRESHOLD_METRICS, THRESHOLD_TAGS } from './thresholds';

/**
 * JSON Schema for the rules of a definition that zod checks in code (a transform, a refinement, a
 * cross-field check), attached to those schemas with `.meta()` so that the OpenAPI document states
 * them too. Each pattern accepts only what the code accepts (often less: no surrounding spaces, a
 * bounded number of digits), so a request the published schema allows is never refused as
 * malformed; test/unit/json-schema.test.ts holds each pattern to its parser.
 */

type Json = Record<string, unknown>;

/** Longest wait a timer holds (2^31 - 1 ms); a longer duration is refused as unprocessable (422). */
export const MAX_DURATION_MS = 2_147_483_647;

const NUMBER = String.raw`\d{1,15}(?:\.\d{1,9})?`;
const NONZERO = String.raw`(?:0{0,6}[1-9]\d{0,14}(?:\.\d{1,9})?|0{1,6}\.\d{0,8}[1-9])`;
const UNIT = '(?:ms|s|m|h)';

/** A duration as parseDuration reads it: milliseconds as digits, or parts like "1m30s", "250ms". */
export const DURATION_PATTERN = `^(?:${NUMBER}|(?:${NUMBER}${UNIT}){1,4})$`;
/** The same, above zero: at least one part is not zero. */
export const POSITIVE_DURATION_PATTERN = `^(?:${NONZERO}|(?:${NUMBER}${UNIT}){0,3}${NONZERO}${UNIT}(?:${NUMBER}${UNIT}){0,3})$`;

export const durationJson = (positive = false): Json => ({
  anyOf: [
    { type: 'string', pattern: positive ? POSITIVE_DURATION_PATTERN : DURATION_PATTERN },
    {
      type: 'number',
      ...(positive ? { exclusiveMinimum: 0 } : { minimum: 0 }),
      maximum: MAX_DURATION_MS,
    },
  ],
});

const LABEL = '[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*';
/** The last label starts with a letter: one that looks like a number makes the URL parser read an IPv4 address. */
const LAST_LABEL = '[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*';
const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
const H16 = '[0-9A-Fa-f]{1,4}';
const IPV6 = [
  `(?:${H16}:){7}${H16}`,
  `(?:${H16}:){1,7}:`,
  `(?:${H16}:){1,6}:${H16}`,
  `(?:${H16}:){1,5}(?::${H16}){1,2}`,
  `(?:${H16}:){1,4}(?::${H16}){1,3}`,
  `(?:${H16}:){1,3}(?::${H16}){1,4}`,
  `(?:${H16}:){1,2}(?::${H16}){1,5}`,
  `${H16}:(?::${H16}){1,6}`,
  `:(?:(?::${H16}){1,7}|:)`,
].join('|');
const PORT = String.raw`(?::(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3}|0))?`;
const REST = String.raw`(?:[/?#][\x21-\x7e]*)?`;
const host = (label: string, last: string) =>
  `(?:(?:${label}\\.)*${last}|(?:${OCTET}\\.){3}${OCTET}|\\[(?:${IPV6})\\])`;
const PLACEHOLDER = String.raw`\$\{\w*\}`;

/**
 * An http(s) URL the WHATWG parser reads, without user name or password: a DNS name without "--"
 * (so no punycode to decode), an IPv4 address or a bracketed IPv6 address, an optional port, then
 * printable ASCII.
 */
export const HTTP_URL_PATTERN = `^https?://${host(LABEL, LAST_LABEL)}${PORT}${REST}$`;
/** A request's `url`: the same, where host labels may be `${name}` placeholders, or one that opens with a placeholder. */
export const REQUEST_URL_PATTERN = `^(?:${PLACEHOLDER}[\\x21-\\x7e]*|https?://${host(
  `(?:${LABEL}|${PLACEHOLDER})`,
  `(?:${LAST_LABEL}|${PLACEHOLDER})`,
)}${PORT}${REST})$`;

/** A header name (RFC 9110 token) that the transport does not set itself, and a latin-1 value without controls. */
export const HEADER_NAME_PATTERN = "^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$";
export const caseInsensitive = (words: readonly string[]): string =>
  `^(?:${words
    .map((w) => [...w].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join(''))
    .join('|')})$`;
export const headersJson: Json = {
  propertyNames: {
    type: 'string',
    pattern: HEADER_NAME_PATTERN,
    not: { pattern: caseInsensitive(FORBIDDEN_REQUEST_HEADERS) },
  },
  additionalProperties: { type: 'string', pattern: '^[\\t\\x20-\\x7e\\x80-\\xff]*$' },
};

const AGGREGATION: Readonly<Record<string, string>> = {
  p: String.raw`p\((?:100(?:\.0{1,3})?|\d{1,2}(?:\.\d{1,3})?)\)`,
  avg: 'avg',
  med: 'med',
  min: 'min',
  max: 'max',
  rate: 'rate',
  count: 'count',
};
const TAG_FILTER = `(?:${THRESHOLD_TAGS.join('|')}):[^,}]*`;

/** A threshold: the expression, or `{threshold, abortOnFail, delayAbortEval}`. */
const thresholdEntryJson = (expression: Json): Json => ({
  anyOf: [
    expression,
    {
      type: 'object',
      properties: {
        threshold: expression,
        abortOnFail: { type: 'boolean', default: false },
        delayAbortEval: { ...durationJson(), default: 0 },
      },
      required: ['threshold'],
      additionalProperties: false,
    },
  ],
});

/** The cross checks of a definition that JSON Schema can state. */
export const PATH_OR_URL: Json = { oneOf: [{ required: ['path'] }, { required: ['url'] }] };
export const REQUESTS_OR_FLOWS: Json = { oneOf: [{ required: ['requests'] }, { required: ['flows'] }] };
const NO_PATH = { properties: { path: false } };
/** A relative `path` needs a top-level `baseUrl`. */
export const PATHS_NEED_BASE_URL: Json = {
  anyOf: [
    { required: ['baseUrl'] },
    {
      properties: {
        scenarios: {
          additionalProperties: {
            properties: {
              requests: { items: NO_PATH },
              flows: { items: { properties: { requests: { items: NO_PATH } } } },
            },
          },
        },
      },
    },
  ],
};

/**
 * `thresholds`: each metric with an optional `{tag:value,…}` filter, each expression one that
 * metric supports (`p(95)<200` for http_req_duration, `rate<0.01` for http_req_failed, …).
 */
export function thresholdsJson(entry: (expression: Json) => Json = thresholdEntryJson): Json {
  const patternProperties: Record<string, Json> = {};
  for (const [metric, aggregations] of Object.entries(THRESHOLD_METRICS)) {
    const agg = aggregations.map((a) => AGGREGATION[a]).join('|');
    const expression = {
      type: 'string',
      pattern: String.raw`^(?:${agg}) ?(?:===|==|!=|<=|>=|<|>) ?-?\d{1,15}(?:\.\d{1,9})?$`,
    };
    patternProperties[`^${metric}(?:\\{${TAG_FILTER}(?:,${TAG_FILTER})*\\})?$`] = {
      type: 'array',
      minItems: 1,
      items: entry(expression),
    };
  }
  return { patternProperties, additionalProperties: false };
}
