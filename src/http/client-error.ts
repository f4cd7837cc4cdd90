import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ErrorBody } from './error-handler.js';

/** What Node's HTTP parser refuses, answered as every other error: status and `{code, message}`. */
function answerFor(code: string | undefined): { status: number; reason: string; body: ErrorBody } {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return {
      status: 408,
      reason: 'Request Timeout',
      body: { code: 408, message: 'The request took too long.' },
    };
  if (code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      reason: 'Request Header Fields Too Large',
      body: { code: 431, message: 'The request headers are too large.' },
    };
  const message =
    code === 'HPE_INVALID_HEADER_TOKEN'
      ? 'Malformed HTTP request: a header holds characters HTTP does not allow.'
      : 'Malformed HTTP request.';
  return { status: 400, reason: 'Bad Request', body: { code: 1, message } };
}

/**
 * Fastify's `clientErrorHandler`: a request Node's parser refuses (a NUL or CR in a header, a bad request
 * line, headers too large) never reaches a route or the error handler, and Fastify's default answer is
 * not Pinterest-shaped. The socket is answered raw and closed, as Node and Fastify do.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  err: Error & { code?: string },
  socket: Socket,
): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, reason, body } = answerFor(err.code);
  this.log.debug({ err: { code: err.code, message: err.message } }, 'malformed HTTP request refused');
  if (socket.writable) {
    const text = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(err);
}
