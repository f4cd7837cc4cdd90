#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { type App, createApp } from './app.js';
import { ConfigError, loadConfig } from './platform/config.js';
import { migrate, openDatabase } from './platform/db/database.js';
import { createLogger } from './platform/logger.js';

const USAGE = `Usage: corkboard <command>

Commands:
  serve     start the API server (runs migrations first; runs jobs in-process in embedded mode)
  worker    run the outbox relay and job consumers (services mode)
  migrate   apply database migrations and exit

Configuration is read from the environment; see the README.`;

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false });
  const command = positionals[0];
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`corkboard: invalid configuration: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const log = createLogger(config);
  switch (command) {
    case 'migrate': {
      const database = await openDatabase(config, log);
      try {
        const applied = await migrate(database, config.dbSchema, log);
        process.stdout.write(
          applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
        );
      } finally {
        await database.close();
      }
      return 0;
    }
    case 'serve': {
      const app = await createApp(config, { log });
      const address = await app.listen();
      log.info({ address, mode: config.redisUrl ? 'services' : 'embedded' }, 'corkboard listening');
      process.stdout.write(`Corkboard listening on ${address} (docs: ${address}/docs)\n`);
      await untilSignal(app);
      return 0;
    }
    case 'worker': {
      const app = await createApp(config, { log, runJobs: true, api: false });
      log.info({ broker: app.jobs ? 'started' : 'none' }, 'corkboard worker running');
      process.stdout.write('Corkboard worker running\n');
      await untilSignal(app);
      return 0;
    }
    default:
      process.stderr.write(`corkboard: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

/** Waits for SIGTERM or SIGINT, then drains and closes; a second signal or the timeout exits at once. */
function untilSignal(app: App): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) process.exit(1);
      stopping = true;
      app.log.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        app.log.error('shutdown timed out');
        process.exit(1);
      }, app.config.shutdownTimeoutMs);
      timer.unref();
      app.close().then(
        () => resolve(),
        (err) => {
          app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`corkboard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
