import { principalOf } from '../../http/auth.js';
import { PageQuery } from '../../http/pagination.js';
import type { HttpServer } from '../../http/server.js';
import {
  Board,
  BoardCreate,
  BoardListQuery,
  BoardPage,
  BoardParams,
  BoardUpdate,
  Section,
  SectionBody,
  SectionPage,
  SectionParams,
} from './boards.schemas.js';
import type { BoardsService } from './boards.service.js';

const READ = { scopes: ['boards:read'], rateLimit: 'org_read' };
const WRITE = { scopes: ['boards:read', 'boards:write'], rateLimit: 'org_write' };
const tags = ['boards'];

export function boardsRoutes(app: HttpServer, boards: BoardsService): void {
  app.get(
    '/v5/boards',
    {
      config: READ,
      schema: {
        tags,
        summary: 'List boards',
        description:
          'Your boards in your order (extension: `position` on PATCH /v5/boards/{board_id}): boards never placed first, newest first, then the placed ones by position.',
        querystring: BoardListQuery,
        response: { 200: BoardPage },
      },
    },
    async (request) => {
      const q = request.query;
      return boards.list(principalOf(request), q.privacy, q.page_size ?? 25, q.bookmark);
    },
  );

  app.post(
    '/v5/boards',
    { config: WRITE, schema: { tags, summary: 'Create board', body: BoardCreate, response: { 201: Board } } },
    async (request, reply) => reply.status(201).send(await boards.create(principalOf(request), request.body)),
  );

  app.get(
    '/v5/boards/:board_id',
    { config: READ, schema: { tags, summary: 'Get board', params: BoardParams, response: { 200: Board } } },
    async (request) => boards.get(principalOf(request), request.params.board_id),
  );

  app.patch(
    '/v5/boards/:board_id',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Update board',
        params: BoardParams,
        body: BoardUpdate,
        response: { 200: Board },
      },
    },
    async (request) => boards.update(principalOf(request), request.params.board_id, request.body),
  );

  app.delete(
    '/v5/boards/:board_id',
    { config: WRITE, schema: { tags, summary: 'Delete board', params: BoardParams } },
    async (request, reply) => {
      await boards.delete(principalOf(request), request.params.board_id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/v5/boards/:board_id/sections',
    {
      config: READ,
      schema: {
        tags,
        summary: 'List board sections',
        params: BoardParams,
        querystring: PageQuery,
        response: { 200: SectionPage },
      },
    },
    async (request) =>
      boards.sections(
        principalOf(request),
        request.params.board_id,
        request.query.page_size ?? 25,
        request.query.bookmark,
      ),
  );

  app.post(
    '/v5/boards/:board_id/sections',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Create board section',
        params: BoardParams,
        body: SectionBody,
        response: { 201: Section },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await boards.createSection(principalOf(request), request.params.board_id, request.body.name)),
  );

  app.patch(
    '/v5/boards/:board_id/sections/:section_id',
    {
      config: WRITE,
      schema: {
        tags,
        summary: 'Update board section',
        params: SectionParams,
        body: SectionBody,
        response: { 200: Section },
      },
    },
    async (request) =>
      boards.renameSection(
        principalOf(request),
        request.params.board_id,
        request.params.section_id,
        request.body.name,
      ),
  );

  app.delete(
    '/v5/boards/:board_id/sections/:section_id',
    { config: WRITE, schema: { tags, summary: 'Delete board section', params: SectionParams } },
    async (request, reply) => {
      await boards.deleteSection(principalOf(request), request.params.board_id, request.params.section_id);
      return reply.status(204).send();
    },
  );
}
