#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createApp } from './app.js';
import { appsCreate, demoBanner, devToken, indexSeeded, parseTokenDays, seed } from './cli/dev-commands.js';
import { experimentsCommand } from './cli/experiments-commands.js';
import { ConfigError, loadConfig } from './platform/config.js';
import { migrate, openDatabase } from './platform/db/database.js';
import { DomainError } from './platform/errors.js';
import { createLogger } from './platform/logger.js';
import { collectStartupGarbage } from './platform/startup-garbage.js';
import { closeOnSignal } from './shutdown.js';

const USAGE = `Usage: corkboard <command>

Commands:
  serve     start the API server (runs migrations first; runs jobs in-process in embedded mode,
            in services mode leaves them to workers unless RUN_JOBS=true)
  worker    run the outbox relay and job consumers (services mode: at least one must run)
  migrate   apply database migrations and exit
  apps create --name NAME --redirect-uri URI [--redirect-uri URI...] [--owner USERNAME]
            register an OAuth app owned by USERNAME (the user its client-credentials tokens act
            for; default "demo" on a demo instance, required elsewhere); prints its id and secret
  token --user USERNAME --scopes S1,S2 [--create [--password P]] [--days N]
            print an access token for development (--create makes the user first, with password P
            or a random one printed once, to sign in on the consent page); N is days, default 30,
            from 0.0007 (one minute) to 3650, fractions allowed (e.g. 0.5)
  seed [--seed N] [--pins N] [--force]
            fill the database with a deterministic demo world (refuses a non-empty one unless --force)
  experiments list | show KEY | start KEY | stop KEY | results KEY [--json]
            list, show, start or stop A/B experiments (recorded in their audit log as cli:<os user>);
            results prints the analysis report (or the results endpoint's JSON)

Configuration is read from the environment; see the README.`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      owner: { type: 'string' },
      user: { type: 'string' },
      scopes: { type: 'string' },
      create: { type: 'boolean' },
      password: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      pins: { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
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
      if (config.seedDemo) {
        const summary = await seed(app, { seed: 1, pins: 300, force: false });
        if (summary) {
          log.info(summary, 'demo world seeded');
          // Seeded pins are written straight to the tables (no event announces them): index them now, so
          // global search and typeahead answer from the first request rather than after the job runs.
          await indexSeeded(app);
        }
      }
      // The routes' schemas are compiled by now: their garbage goes before the first request (see
      // collectStartupGarbage for why).
      await app.http.ready();
      collectStartupGarbage();
      const address = await app.listen();
      log.info({ address, mode: config.redisUrl ? 'services' : 'embedded' }, 'corkboard listening');
      process.stdout.write(`Corkboard listening on ${address} (docs: ${address}/docs)\n`);
      if (config.seedDemo) process.stdout.write(await demoBanner(app, address));
      await closeOnSignal(app);
      return 0;
    }
    case 'worker': {
      const app = await createApp(config, { log, runJobs: true, api: false });
      collectStartupGarbage();
      log.info({ broker: app.jobs ? 'started' : 'none' }, 'corkboard worker running');
      process.stdout.write('Corkboard worker running\n');
      await closeOnSignal(app);
      return 0;
    }
    case 'apps': {
      if (positionals[1] !== 'create') {
        process.stderr.write(`corkboard: unknown apps command\n\n${USAGE}\n`);
        return 2;
      }
      const app = await createApp(config, { log, runJobs: false, api: false });
      try {
        process.stdout.write(
          await appsCreate(app, {
            name: values.name as string | undefined,
            redirectUris: (values['redirect-uri'] as string[] | undefined) ?? [],
            owner: values.owner as string | undefined,
          }),
        );
      } finally {
        await app.close();
      }
      return 0;
    }
    case 'token': {
      // Checked before opening anything: a bad value exits 2 with the reason, never a default.
      const days = parseTokenDays(values.days);
      const app = await createApp(config, { log, runJobs: false, api: false });
      try {
        const { token, username, created, password } = await devToken(app, {
          user: values.user as string | undefined,
          scopes: values.scopes as string | undefined,
          create: values.create === true,
          days,
          password: values.password,
        });
        if (password) {
          process.stderr.write(`created user ${username} with password ${password} (shown only once)\n`);
        } else if (created) process.stderr.write(`created user ${username}\n`);
        process.stdout.write(`${token}\n`);
      } finally {
        await app.close();
      }
      return 0;
    }
    case 'seed': {
      const seedValue = Number(values.seed ?? 1);
      const pins = Number(values.pins ?? 300);
      if (!Number.isInteger(seedValue) || !Number.isInteger(pins) || pins < 1 || pins > 10_000_000) {
        process.stderr.write('corkboard: --seed and --pins must be integers (pins 1..10000000)\n');
        return 2;
      }
      const app = await createApp(config, { log, runJobs: false, api: false });
      try {
        const started = Date.now();
        const summary = await seed(app, { seed: seedValue, pins, force: values.force === true });
        if (!summary) {
          process.stderr.write(
            'corkboard: the database already has people; pass --force to add a demo world anyway\n',
          );
          return 2;
        }
        process.stdout.write(`${JSON.stringify({ ...summary, seconds: (Date.now() - started) / 1000 })}\n`);
      } finally {
        await app.close();
      }
      return 0;
    }
    case 'experiments': {
      const app = await createApp(config, { log, runJobs: false, api: false });
      try {
        const args = [...positionals.slice(1), ...(values.json ? ['--json'] : [])];
        process.stdout.write(await experimentsCommand(app, args));
      } finally {
        await app.close();
      }
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
    if (err instanceof DomainError) {
      process.stderr.write(`corkboard: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`corkboard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
