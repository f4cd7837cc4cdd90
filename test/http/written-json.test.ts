import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import type { HttpServer } from '../../src/http/types.js';
import { installWrittenJson, sendWritten } from '../../src/http/written-json.js';

const Answer = Type.Object({ id: Type.String(), count: Type.Integer() });

async function server(check: boolean, body: string) {
  const app = Fastify().withTypeProvider<TypeBoxTypeProvider>() as unknown as HttpServer;
  installWrittenJson(app, check);
  app.get('/written', { schema: { response: { 200: Answer } } }, async (_request, reply) =>
    sendWritten(reply, Buffer.from(body)),
  );
  app.get('/unschemed', async (_request, reply) => sendWritten(reply, Buffer.from(body)));
  await app.ready();
  return app;
}

describe('written JSON', () => {
  it('goes out as the bytes given, as JSON, whether checked or not', async () => {
    for (const check of [false, true]) {
      const app = await server(check, '{"id":"7","count":2}');
      const res = await app.inject({ method: 'GET', url: '/written' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toBe('{"id":"7","count":2}');
      await app.close();
    }
  });

  it('is checked against the route response schema when checking is on: a mismatch is a 500', async () => {
    const app = await server(true, '{"id":7,"count":2}');
    expect((await app.inject({ method: 'GET', url: '/written' })).statusCode).toBe(500);
    // Without a response schema there is nothing to check against: refused too, so every written answer
    // is documented.
    expect((await app.inject({ method: 'GET', url: '/unschemed' })).statusCode).toBe(500);
    await app.close();
    // Off (production), the bytes are trusted.
    const unchecked = await server(false, '{"id":7,"count":2}');
    expect((await unchecked.inject({ method: 'GET', url: '/written' })).statusCode).toBe(200);
    await unchecked.close();
  });
});
