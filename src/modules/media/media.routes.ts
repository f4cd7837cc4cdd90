import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf } from '../../http/auth.js';
import { PageQuery } from '../../http/pagination.js';
import type { HttpServer } from '../../http/server.js';
import { Invalid } from '../../platform/errors.js';
import { Media, MediaCreate, MediaPage, MediaParams, MediaUpload } from './media.schemas.js';
import { type MediaService, UPLOAD_TOKEN_FIELD } from './media.service.js';

const READ = { scopes: ['pins:read'], rateLimit: 'org_read' };
const WRITE = { scopes: ['pins:read', 'pins:write'], rateLimit: 'org_write' };
const tags = ['media'];

/** The spec's /v5/media operations. */
export function mediaRoutes(app: HttpServer, media: MediaService): void {
  app.post(
    '/v5/media',
    {
      config: WRITE,
      schema: { tags, summary: 'Register media upload', body: MediaCreate, response: { 201: MediaUpload } },
    },
    async (request, reply) =>
      reply.status(201).send(await media.register(principalOf(request), request.body.media_type)),
  );

  app.get(
    '/v5/media',
    {
      config: READ,
      schema: { tags, summary: 'List media uploads', querystring: PageQuery, response: { 200: MediaPage } },
    },
    async (request) =>
      media.list(principalOf(request), request.query.page_size ?? 25, request.query.bookmark),
  );

  app.get(
    '/v5/media/:media_id',
    {
      config: READ,
      schema: { tags, summary: 'Get media upload details', params: MediaParams, response: { 200: Media } },
    },
    async (request) => media.get(principalOf(request), request.params.media_id),
  );
}

/**
 * The extension endpoint behind `upload_url`: a multipart form like an S3 pre-signed POST, authorised by
 * the upload token field (sent before the `file` part; fields after it are ignored, as S3 does), not by
 * a bearer token. Multipart parsing is registered in this plugin only, so no other route accepts it.
 */
export async function mediaUploadRoutes(app: HttpServer, media: MediaService, maxBytes: number) {
  await app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<TypeBoxTypeProvider>();
    await scope.register(multipart, {
      // One byte over the cap lets our own count see the overflow; busboy only truncates past it.
      limits: { fileSize: maxBytes + 1, files: 1, fields: 20, fieldSize: 8192, parts: 21, headerPairs: 100 },
      throwFileSizeLimit: false,
    });
    scope.post(
      '/v5/media/:media_id/upload',
      {
        schema: {
          tags,
          summary: 'Upload a registered media file (Corkboard extension, the target of upload_url)',
          description:
            'multipart/form-data: every field of upload_parameters, then the file as the `file` part. ' +
            'Authorised by the single-use upload token, not by an OAuth token.',
          params: MediaParams,
        },
      },
      async (request, reply) => {
        // The rest of a refused upload is not worth reading: close the connection after answering.
        reply.header('connection', 'close');
        if (!request.isMultipart()) throw new Invalid('Send the upload as multipart/form-data.');
        // Walk the parts in order: only fields that came before the file count (busboy's shared
        // `fields` object would also show fields parsed after it).
        const before = new Map<string, string>();
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            if (!before.has(part.fieldname)) before.set(part.fieldname, String(part.value));
            continue;
          }
          try {
            if (part.fieldname !== 'file') throw new Invalid('The media must be sent as the `file` part.');
            await media.beginUpload(request.params.media_id, before.get(UPLOAD_TOKEN_FIELD));
          } catch (err) {
            part.file.resume();
            throw err;
          }
          await media.receive(request.params.media_id, part.file, () => part.file.truncated);
          reply.removeHeader('connection');
          return reply.status(204).send();
        }
        throw new Invalid('Send the media as a multipart/form-data `file` part.');
      },
    );
  });
}
