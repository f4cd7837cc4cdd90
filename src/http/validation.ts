import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema } from 'fastify';

const common: Options = { allErrors: false, useDefaults: true, removeAdditional: true, strict: false };

function make(options: Options): Ajv {
  const ajv = new Ajv({ ...common, ...options });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

/**
 * Query strings, path parameters and headers arrive as text, so their validator coerces ("25" -> 25);
 * JSON bodies are typed already, so theirs does not: `{"name": 12}` or `{"title": null}` for a string
 * field is an error, never silently turned into "12" or "".
 */
export function validatorCompiler() {
  const coercing = make({ coerceTypes: 'array' });
  const strict = make({ coerceTypes: false });
  return ({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object);
}
