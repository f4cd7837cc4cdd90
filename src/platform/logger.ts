import { type Logger as PinoLogger, pino } from 'pino';
import type { Config } from './config.js';

export type Logger = PinoLogger;

/** The process logger: JSON lines to stdout, secrets redacted. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.secret', '*.token'],
      censor: '[redacted]',
    },
  });
}

/**
 * A warning for connection errors, written at most once a second: a restart of PostgreSQL or Redis
 * breaks every connection at once, and each would otherwise log the same line.
 */
export function connectionWarning(log: Logger, message: string): (err: Error) => void {
  let lastLogged = 0;
  return (err) => {
    if (Date.now() - lastLogged < 1000) return;
    lastLogged = Date.now();
    log.warn({ err }, message);
  };
}
