import * as z from 'zod';
import { authorizationScheme } from '../domain/auth/protocol.ts';
import { namedSchemas } from './api-contract.ts';
import type { Operation } from './operations.ts';

type JsonObject = Record<string, unknown>;

const schemaRef = (name: string) => `#/components/schemas/${name}`;
const errorContent = { 'application/json': { schema: { $ref: schemaRef('Error') } } };

/**
 * Every schema of the contract as an OpenAPI 3.1 component (JSON Schema 2020-12): the named ones under their
 * names, each route's other body or answer as `<RouteId>Request` / `<RouteId>Response`. Operations refer to them
 * by `$ref`. Schemas are converted as the parser reads them (`input`).
 */
const componentsOf = (operations: readonly Operation[]) => {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(namedSchemas)) registry.add(schema, { id });
  const nameOf = (schema: z.ZodType, fallback: string): string => {
    if (!registry.has(schema)) registry.add(schema, { id: fallback });
    const id = registry.get(schema)?.id;
    if (id === undefined) throw new TypeError(`schema ${fallback} has no id`);
    return id;
  };
  const refs = new Map(
    operations.map((operation) => [
      operation.id,
      {
        body: operation.body === undefined ? undefined : nameOf(operation.body, `${operation.id}Request`),
        answer: nameOf(operation.answer, `${operation.id}Response`),
      },
    ]),
  );
  const { schemas } = z.toJSONSchema(registry, {
    uri: schemaRef,
    io: 'input',
    // A body field that accepts anything (a JWK, checked by its own parser) is `{}` in JSON Schema.
    unrepresentable: 'any',
  });
  // Inside an OpenAPI document a component is addressed by its JSON pointer, not by a `$id` of its own.
  const components = Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema]),
  );
  return { components, refs };
};

const pathParametersOf = (path: string) =>
  [...path.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));

/** Query parameters are strings on the wire; their descriptions say what each must be. */
const queryParametersOf = (query: z.ZodObject | undefined) =>
  Object.entries(query?.shape ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: !(schema as z.ZodType).safeParse(undefined).success,
    ...(schema.description === undefined ? {} : { description: schema.description }),
    schema: { type: 'string' },
  }));

/**
 * The OpenAPI 3.1 document of the whole API: every operation (shared/http/operations.ts), its request body and
 * success answer from the very schemas calls are parsed and answers typed with, the PBX-JWS scheme on signed
 * operations, and the error body.
 */
export const buildOpenApiDocument = (operations: readonly Operation[]): JsonObject => {
  const { components, refs } = componentsOf(operations);
  const paths: Record<string, JsonObject> = {};
  for (const operation of operations) {
    const parameters = [...pathParametersOf(operation.path), ...queryParametersOf(operation.query)];
    const ref = refs.get(operation.id);
    paths[operation.path] = {
      ...paths[operation.path],
      [operation.method.toLowerCase()]: {
        operationId: operation.id,
        summary: operation.summary,
        security: operation.auth === 'signed' ? [{ [authorizationScheme]: [] }] : [],
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(ref?.body === undefined
          ? {}
          : {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: { $ref: schemaRef(ref.body) } } },
              },
            }),
        responses: {
          ...Object.fromEntries(
            [
              operation.status,
              ...(operation.alternativeStatus === undefined ? [] : [operation.alternativeStatus]),
            ].map((status) => [
              String(status),
              {
                description: 'success',
                content: { 'application/json': { schema: { $ref: schemaRef(ref?.answer ?? '') } } },
              },
            ]),
          ),
          ...(operation.auth === 'signed'
            ? { '401': { description: 'the signed request was refused', content: errorContent } }
            : {}),
          '4XX': { description: 'refused: the code says why', content: errorContent },
          '5XX': {
            description: 'not handled (503: a store did not answer); nothing changed',
            content: errorContent,
          },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'pbx, the pan-borough exchange',
      version: '1',
      description:
        'Signed, agreement-checked, audited data sharing for child safeguarding partnerships. Every route but ' +
        'discovery, health, registry and this document needs a signed request (docs/PROTOCOL.md).',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        [authorizationScheme]: {
          type: 'http',
          scheme: authorizationScheme,
          description:
            'Authorization: PBX-JWS <compact JWS> over the method, path and query, body digest, audience, ' +
            'expiry and a single-use jti, signed with a key registered for the calling client (docs/PROTOCOL.md).',
        },
      },
    },
  };
};
