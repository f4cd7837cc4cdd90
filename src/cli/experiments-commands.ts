import { userInfo } from 'node:os';
import type { App } from '../app.js';
import { resultsReport } from '../modules/experiments/index.js';
import { Invalid } from '../platform/errors.js';

/** Who the audit log records for a command run on the server: the operating-system user. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}

/**
 * `corkboard experiments list|show KEY|start KEY|stop KEY|results KEY [--json]`: the service the API uses, without the
 * API's operator check (whoever runs commands on the server already holds its database).
 */
export async function experimentsCommand(
  app: App,
  args: readonly string[],
  actor = cliActor(),
): Promise<string> {
  const [sub, key] = args;
  const service = app.product.experiments;
  const needKey = () => {
    if (!key) throw new Invalid(`experiments ${sub} needs an experiment key`);
    return key;
  };
  switch (sub) {
    case 'list': {
      const lines: string[] = [];
      let bookmark: string | undefined;
      do {
        const page = await service.listExperiments({ page_size: 250, bookmark });
        for (const e of page.items)
          lines.push(
            [
              e.key,
              e.layer,
              e.status,
              `ramp=${e.ramp}`,
              e.variants.map((v) => `${v.key}:${v.weight}`).join(','),
              `metrics=${e.metrics ? e.metrics.map((m) => m.key).join(',') : 'catalog'}`,
            ].join('\t'),
          );
        bookmark = page.bookmark ?? undefined;
      } while (bookmark);
      return lines.length ? `${lines.join('\n')}\n` : 'no experiments\n';
    }
    case 'show':
      return `${JSON.stringify(await service.getExperiment(needKey()), null, 2)}\n`;
    case 'start':
    case 'stop': {
      const k = needKey();
      const e =
        sub === 'start' ? await service.startExperiment(actor, k) : await service.stopExperiment(actor, k);
      return `${e.key}: ${e.status}${e.notes.length ? ` (${e.notes.join('; ')})` : ''}\n`;
    }
    case 'results': {
      const r = await app.product.experimentResults.results(needKey());
      return args.includes('--json') ? `${JSON.stringify(r, null, 2)}\n` : resultsReport(r);
    }
    default:
      throw new Invalid('experiments takes list, show KEY, start KEY, stop KEY or results KEY [--json]');
  }
}
