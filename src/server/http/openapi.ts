import { z } from 'zod';
import { TOOL_VERSION } from '../../core/tool.js';
import type { AnyRoute } from './route.js';

// The OpenAPI 3.1 document, generated from the routes' zod schemas (JSON Schema 2020-12 is
// OpenAPI 3.1's schema dialect), so the document cannot drift from what the server checks.

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete out.$schema; // the document names the dialect once
  return out;
}

/** `/images/:digest` → `/images/{digest}`. */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const s = jsonSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    schema: property,
  }));
}

const ERROR_STATUSES: Record<string, string> = {
  '400': 'invalid request (error.path names the field)',
  '401': 'missing or invalid token',
  '403': 'the role may not call this route',
  '413': 'request body too large',
  '429': 'too many failed authentications from this address',
};

function operation(route: AnyRoute): Json {
  const error = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  const statuses = route.access === 'public' ? ['400'] : Object.keys(ERROR_STATUSES);
  const content = route.produces
    ? { [route.produces]: { schema: jsonSchema(route.response, 'output') } }
    : { 'application/json': { schema: jsonSchema(route.response, 'output') } };
  return {
    summary: route.summary,
    operationId: `${route.method.toLowerCase()}${openApiPath(route.url).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    security: route.access === 'public' ? [] : [{ bearer: [] }],
    'x-bulwark-roles': route.access === 'public' ? [] : [...route.access],
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body
      ? {
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } },
        }
      : {}),
    responses: {
      [String(route.status ?? 200)]: { description: 'success', content },
      ...Object.fromEntries(statuses.map((s) => [s, { description: ERROR_STATUSES[s], ...error }])),
    },
  };
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, path: { type: 'string' } },
    },
  },
};

export function openApiDocument(routes: readonly AnyRoute[]): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Bulwark server API', version: TOOL_VERSION },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token' } },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}
