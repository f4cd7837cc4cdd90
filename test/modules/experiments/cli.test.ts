import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { experimentsCommand } from '../../../src/cli/experiments-commands.js';
import { startTestApp } from '../../helpers/app.js';
import { runCli } from '../../helpers/cli.js';

let app: App;

beforeAll(async () => {
  app = await startTestApp({ runJobs: false });
  const svc = app.product.experiments;
  await svc.createLayer('cli:test', { key: 'home' });
  await svc.createExperiment('cli:test', {
    key: 'blend',
    layer: 'home',
    buckets: [{ start: 0, end: 1000 }],
    variants: [
      { key: 'control', weight: 1 },
      { key: 'more', weight: 1, parameters: [{ name: 'share', type: 'number', value: 0.4 }] },
    ],
    ramp: 500,
  });
});

describe('corkboard experiments', () => {
  it('lists, shows, starts and stops through the service, audited as the command line', async () => {
    expect(await experimentsCommand(app, ['list'])).toBe(
      'blend\thome\tdraft\tramp=500\tcontrol:1,more:1\tmetrics=catalog\n',
    );
    expect(JSON.parse(await experimentsCommand(app, ['show', 'blend']))).toMatchObject({
      key: 'blend',
      ramp: 500,
      metrics: null,
    });
    await app.product.experiments.updateExperiment('cli:test', 'blend', {
      metrics: [{ key: 'closeups_per_user', minimum_effect: { absolute: 0.1 } }, { key: 'saves_per_user' }],
    });
    expect(await experimentsCommand(app, ['list'])).toMatch(/\tmetrics=closeups_per_user,saves_per_user\n$/);
    expect(JSON.parse(await experimentsCommand(app, ['show', 'blend'])).metrics[0]).toEqual({
      key: 'closeups_per_user',
      type: 'mean',
      guardrail: false,
      higher_is_better: true,
      minimum_effect: { absolute: 0.1 },
    });
    await app.product.experiments.updateExperiment('cli:test', 'blend', { metrics: null });
    expect(await experimentsCommand(app, ['start', 'blend'], 'cli:ops')).toBe('blend: running\n');
    expect(await experimentsCommand(app, ['stop', 'blend'], 'cli:ops')).toBe(
      'blend: stopped (status running → stopped)\n',
    );
    const log = await app.product.experiments.auditLog('experiment', 'blend', {});
    expect(log.items.map((e) => [e.action, e.actor])).toEqual([
      ['create', 'cli:test'],
      ['update', 'cli:test'],
      ['update', 'cli:test'],
      ['start', 'cli:ops'],
      ['stop', 'cli:ops'],
    ]);
    await expect(experimentsCommand(app, ['show'])).rejects.toThrow(
      'experiments show needs an experiment key',
    );
    await expect(experimentsCommand(app, ['show', 'nope'])).rejects.toThrow('Experiment nope not found.');
    await expect(experimentsCommand(app, ['frobnicate'])).rejects.toThrow(/list, show KEY/);
    await expect(experimentsCommand(app, ['results', 'nope'])).rejects.toThrow('Experiment nope not found.');
  });

  it('prints the results report, naming each test', async () => {
    const text = await experimentsCommand(app, ['results', 'blend']);
    expect(text).toMatch(/^Experiment blend \(stopped, run [0-9a-f]+\), control control/);
    expect(text).toMatch(/SRM: χ² = 0, df 1, p = 1\.0000 \(no alarm\)/);
    expect(text).toMatch(/Metrics: the catalog defaults; primary saves_per_user\./);
    expect(text).toMatch(/saves_per_user \[primary\] \(mean, minimum effect 5% relative\)/);
    expect(text).toMatch(/ad_revenue_micro_per_user \[guardrail\]/);
    expect(text).toMatch(/sequential: mSPRT/);
    const json = JSON.parse(await experimentsCommand(app, ['results', 'blend', '--json']));
    expect(json).toMatchObject({ experiment: 'blend', control: 'control' });
  });

  it('runs from the command line on an empty database', async () => {
    const out = await runCli(['experiments', 'list']);
    expect(out).toMatchObject({ code: 0, stdout: 'no experiments\n' });
    const missing = await runCli(['experiments', 'stop', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('corkboard: Experiment nope not found.\n');
  }, 60_000);
});
