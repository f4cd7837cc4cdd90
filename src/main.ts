#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './platform/config.js';
import { migrate, openDatabase } from './platform/db/database.js';
import { createLogger } from './platform/logger.js';
import { closeOnSignal } from './shutdown.js';

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
      await closeOnSignal(app);
      return 0;
    }
    case 'worker': {
      const app = await createApp(config, { log, runJobs: true, api: false });
      log.info({ broker: app.jobs ? 'started' : 'none' }, 'corkboard worker running');
      process.stdout.write('Corkboard worker running\n');
      await closeOnSignal(app);
      return 0;
    }
    default:
      process.stderr.write(`corkboard: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`corkboard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
