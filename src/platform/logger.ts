import { createRequire } from 'node:module';
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import type { Config } from './config.js';

export type Logger = PinoLogger;

export type LogFormat = 'json' | 'pretty';

/** What decides the log format besides LOG_FORMAT: where stdout goes, and NODE_ENV. */
export interface LogOutput {
  readonly isTty: boolean;
  readonly nodeEnv: string | undefined;
}

/**
 * The log format: LOG_FORMAT when it names one; otherwise (`auto`) readable lines for a person at a
 * terminal in development, JSON lines for everything else (a pipe, a file, a log collector, production).
 */
export function chooseLogFormat(setting: Config['logFormat'], out: LogOutput): LogFormat {
  if (setting !== 'auto') return setting;
  return out.isTty && out.nodeEnv !== 'production' ? 'pretty' : 'json';
}

/** Loggers that write readable lines; their per-request lines go to debug (requestLogLevel). */
const prettyLoggers = new WeakSet<object>();

/**
 * The level of the server's per-request lines ("incoming request", "request completed") on this logger:
 * debug where a person reads the log at a terminal, so that `npm start` shows what happens rather than
 * every request; info in JSON, where they are the access log a collector keeps.
 */
export function requestLogLevel(log: Logger): 'info' | 'debug' {
  return prettyLoggers.has(log) ? 'debug' : 'info';
}

type PrettyFactory = (options: Record<string, unknown>) => (line: string) => string;

/**
 * pino-pretty's formatter, or undefined where it is not installed: it is a development dependency, so a
 * production install (`npm ci --omit=dev`) has none and logs JSON.
 */
function loadPretty(): PrettyFactory | undefined {
  try {
    const mod = createRequire(import.meta.url)('pino-pretty') as { prettyFactory?: PrettyFactory };
    return mod.prettyFactory;
  } catch {
    return undefined;
  }
}

/** A destination that formats each JSON line as it is written (synchronously: nothing lost at exit). */
function prettyDestination(factory: PrettyFactory, colorize: boolean): DestinationStream {
  const format = factory({
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,reqId',
    messageFormat: '{if reqId}[{reqId}] {end}{msg}',
  });
  return { write: (line: string) => void process.stdout.write(format(line)) };
}

/**
 * The process logger, secrets redacted: JSON lines on stdout, or readable lines (chooseLogFormat). A
 * pretty format without pino-pretty installed falls back to JSON.
 */
export function createLogger(
  config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'logFormat'>>,
  out: LogOutput = { isTty: Boolean(process.stdout.isTTY), nodeEnv: process.env.NODE_ENV },
): Logger {
  const options = {
    level: config.logLevel,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.secret', '*.token'],
      censor: '[redacted]',
    },
  };
  const format = chooseLogFormat(config.logFormat ?? 'auto', out);
  const factory = format === 'pretty' ? loadPretty() : undefined;
  if (!factory) {
    const log = pino(options);
    if (format === 'pretty' && config.logFormat === 'pretty') {
      log.warn(
        'LOG_FORMAT=pretty needs pino-pretty (a development dependency), which is not installed; logging JSON',
      );
    }
    return log;
  }
  const log = pino(options, prettyDestination(factory, out.isTty));
  prettyLoggers.add(log);
  return log;
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
