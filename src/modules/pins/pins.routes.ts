import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import { principalOf } from '../../http/auth.js';
import type { HttpServer } from '../../http/types.js';
import { sendWritten } from '../../http/written-json.js';
import type { BlobStore } from '../../platform/images/blob-store.js';
import { IMAGE_FILE, IMAGE_KEY } from './own-media.js';
import {
  BoardPinsParams,
  BoardPinsQuery,
  Pin,
  PinCreate,
  PinListQuery,
  PinPage,
  PinParams,
  PinReadQuery,
  PinSave,
  PinUpdate,
  SectionPinsParams,
} from './pins.schemas.js';
import type { PinsService } from './pins.service.js';

const READ = { scopes: ['boards:read', 'pins:read'], rateLimit: 'org_read' };
const WRITE = { scopes: ['boards:read', 'boards:write', 'pins:read', 'pins:write'], rateLimit: 'org_write' };
const tags = ['pins'];

export function pinsRoutes(app: HttpServer, pins: PinsService, createBodyLimit: number): void {
  app.post(
    '/v5/pins',
    {
      config: WRITE,
      bodyLimit: createBodyLimit,
      schema: { tags, summary: 'Create Pin', body: PinCreate, response: { 201: Pin } },
    },
    async (request, reply) => reply.status(201).send(await pins.create(principalOf(request), request.body)),
  );

  app.get(
    '/v5/pins',
    {
      config: READ,
      schema: { tags, summary: 'List Pins', querystring: PinListQuery, response: { 200: PinPage } },
    },
    async (request, reply) =>
      sendWritten(reply, await pins.listOwn(principalOf(request), request.query, request.id)),
  );

  app.get(
    '/v5/pins/:pin_id',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Get Pin',
        params: PinParams,
        querystring: PinReadQuery,
        response: { 200: Pin },
      },
    },
    (request, reply) => {
      const viewer = principalOf(request);
      const { pin_id } = request.params;
      // A pin this node holds is answered without a promise.
      const held = request.query.pin_metrics ? undefined : pins.heldText(viewer, pin_id);
      if (held) return sendWritten(reply, held);
      return pins
        .text(viewer, pin_id, { metrics: request.query.pin_metrics, requestId: request.id })
        .then((json) => sendWritten(reply, json));
    },
  );

  app.patch(
    '/v5/pins/:pin_id',
    {
      config: WRITE,
      schema: { tags, summary: 'Update Pin', params: PinParams, body: PinUpdate, response: { 200: Pin } },
    },
    async (request) => pins.update(principalOf(request), request.params.pin_id, request.body),
  );

  app.delete(
    '/v5/pins/:pin_id',
    { config: WRITE, schema: { tags, summary: 'Delete Pin', params: PinParams } },
    async (request, reply) => {
      await pins.delete(principalOf(request), request.params.pin_id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/v5/pins/:pin_id/save',
    {
      config: WRITE,
      schema: { tags, summary: 'Save Pin', params: PinParams, body: PinSave, response: { 201: Pin } },
    },
    async (request, reply) =>
      reply.status(201).send(await pins.save(principalOf(request), request.params.pin_id, request.body)),
  );

  app.get(
    '/v5/boards/:board_id/pins',
    {
      config: READ,
      schema: {
        tags: ['boards'],
        summary: 'List Pins on board',
        params: BoardPinsParams,
        querystring: BoardPinsQuery,
        response: { 200: PinPage },
      },
    },
    async (request, reply) =>
      sendWritten(
        reply,
        await pins.boardPage(
          principalOf(request),
          request.params.board_id,
          undefined,
          request.query,
          request.id,
        ),
      ),
  );

  app.get(
    '/v5/boards/:board_id/sections/:section_id/pins',
    {
      config: READ,
      schema: {
        tags: ['boards'],
        summary: 'List Pins on board section',
        params: SectionPinsParams,
        querystring: BoardPinsQuery,
        response: { 200: PinPage },
      },
    },
    async (request, reply) => {
      const { board_id, section_id } = request.params;
      sendWritten(
        reply,
        await pins.boardPage(principalOf(request), board_id, section_id, request.query, request.id),
      );
    },
  );
}

/** The same patterns an own image URL must match to be read from the store (own-media.ts). */
const ImageFileParams = Type.Object({
  key: Type.String({ pattern: IMAGE_KEY.source }),
  file: Type.String({ pattern: IMAGE_FILE.source }),
});

/** Serves stored image variants: immutable content, long-lived caching, strong ETags. */
export function imageFileRoutes(app: HttpServer, blobs: BlobStore): void {
  app.get(
    '/media/images/:key/:file',
    { schema: { hide: true, params: ImageFileParams } },
    async (request, reply) => {
      const blob = await blobs.get(`images/${request.params.key}/${request.params.file}`);
      if (!blob) return reply.status(404).send({ code: 404, message: 'Image not found.' });
      const etag = `"${createHash('sha256').update(blob.bytes).digest('base64url').slice(0, 27)}"`;
      reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('etag', etag)
        .header('x-content-type-options', 'nosniff');
      if (request.headers['if-none-match'] === etag) return reply.status(304).send();
      return reply.type(blob.contentType).send(blob.bytes);
    },
  );
}
