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
