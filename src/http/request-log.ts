import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/**
 * Fastify's per-request lines (incoming, completed, route not found) at debug, one short line each:
 * where a person reads the log at a terminal (readable logs, see platform/logger.ts), `npm start` then
 * shows what happens rather than every request. Errors keep Fastify's own lines and levels.
 */
export class DebugRequestLines extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug(`incoming request ${request.method} ${request.url}`);
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if (error) {
      super.requestCompleted(error, request, reply, metadata);
      return;
    }
    reply.log.debug(
      `request completed ${request.method} ${request.url} ${reply.statusCode} in ${reply.elapsedTime.toFixed(1)} ms`,
    );
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.debug(`route not found ${request.method} ${request.url}`);
  }
}
