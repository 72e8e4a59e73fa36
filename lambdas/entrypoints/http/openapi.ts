import { z } from 'zod';
import { MAX_BODY_BYTES } from './http-io';
import { ROUTES, type Route } from './routes';

/** The OpenAPI 3.1 document, generated from the route table and its zod schemas. */

const OPTIONS = { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' } as const;

/**
 * Answers any operation can get before (or instead of) its handler, shared as components. An
 * operation's own entry for the same status wins.
 */
const COMMON_RESPONSES = {
  InvalidParameters: {
    status: 400,
    description: 'A query parameter the operation does not define, or one outside its schema',
  },
  PayloadTooLarge: {
    status: 413,
    description: `The body is over ${MAX_BODY_BYTES / 1024} KiB (the local server stops reading at 1 MiB)`,
  },
  MisdirectedRequest: {
    status: 421,
    description: 'Local server: the Host header is not 127.0.0.1, localhost or [::1] (DNS rebinding)',
  },
  HeadersTooLarge: {
    status: 431,
    description: 'Local server: the request line and headers are over 16 KiB',
  },
} as const;
type Common = keyof typeof COMMON_RESPONSES;

function commonResponses(route: Route): Common[] {
  return [
    ...(route.query ? (['InvalidParameters'] as const) : []),
    ...(route.body ? (['PayloadTooLarge'] as const) : []),
    'MisdirectedRequest' as const,
    'HeadersTooLarge' as const,
  ].filter((name) => route.responses[COMMON_RESPONSES[name].status] === undefined);
}

export function buildOpenApi(): Record<string, unknown> {
  // Schemas named with .meta({ id }) become components and are referenced; others are inlined.
  const named = z.toJSONSchema(z.globalRegistry, {
    ...OPTIONS,
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Record<string, unknown>> };
  const components = Object.fromEntries(
    Object.entries(named.schemas).map(([id, { $schema: _s, $id: _i, ...rest }]) => [id, rest]),
  );
  const ref = (schema: z.ZodType) => {
    const id = (z.globalRegistry.get(schema) as { id?: string } | undefined)?.id;
    if (id) return { $ref: `#/components/schemas/${id}` };
    const { $schema: _s, ...rest } = z.toJSONSchema(schema, OPTIONS) as Record<string, unknown>;
    return rest;
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const pathParams = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string', pattern: '^[\\w-]{1,64}$' },
    }));
    const queryShape = r.query ? (r.query.shape as Record<string, z.ZodType>) : {};
    const queryParams = Object.entries(queryShape).map(([name, s]) => ({
      name,
      in: 'query',
      required: !s.safeParse(undefined).success,
      schema: ref(s),
    }));
    const headerParams = (r.headers ?? []).map((h) => ({
      name: h.name,
      in: 'header',
      required: false,
      description: h.description,
      schema: ref(h.schema),
    }));
    const common = Object.fromEntries(
      commonResponses(r).map((name) => [
        COMMON_RESPONSES[name].status,
        { $ref: `#/components/responses/${name}` },
      ]),
    );
    const own = Object.fromEntries(
      Object.entries(r.responses).map(([status, resp]) => {
        const content: Record<string, unknown> = {};
        if (resp.schema) content['application/json'] = { schema: ref(resp.schema) };
        for (const m of resp.media ?? []) content[m] = { schema: { type: 'string' } };
        return [
          status,
          { description: resp.description, ...(Object.keys(content).length ? { content } : {}) },
        ];
      }),
    );
    const responses = Object.fromEntries(
      Object.entries({ ...own, ...common }).sort(([a], [b]) => Number(a) - Number(b)),
    );
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, unknown>)[r.method.toLowerCase()] = {
      operationId: r.handler,
      summary: r.summary,
      security: [{ sigv4: [] }],
      parameters: [...pathParams, ...queryParams, ...headerParams],
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: ref(r.body), ...(r.examples ? { examples: r.examples } : {}) },
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Throughline performance API',
      version: '1',
      description:
        'Run, watch, cancel and compare load tests. On AWS every call is signed with SigV4 (IAM); locally the server listens on loopback only.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: components,
      responses: Object.fromEntries(
        Object.entries(COMMON_RESPONSES).map(([name, { description }]) => [
          name,
          {
            description,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
  };
}
