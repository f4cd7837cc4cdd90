import type { ExperimentResults } from './results.service.js';

const f = (x: number | null, digits = 4) => (x === null ? '—' : Number(x.toPrecision(digits)).toString());
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(2)}%`);
const p = (x: number | null) => (x === null ? '—' : x < 1e-4 ? x.toExponential(1) : x.toFixed(4));

/** The results as a plain-text report (the CLI's `experiments results`), naming each test once. */
export function resultsReport(r: ExperimentResults): string {
  const lines: string[] = [];
  lines.push(`Experiment ${r.experiment} (${r.status}, run ${r.run}), control ${r.control}, α = ${r.alpha}`);
  lines.push(`Started ${r.started_at ?? '—'}; ${r.looks} daily look(s).`);
  lines.push(
    `Metrics: ${r.metrics_configured ? "the experiment's own" : 'the catalog defaults'}; primary ${r.primary_metric}.`,
  );
  lines.push('');
  lines.push('Exposed units:');
  for (const v of r.exposures.variants)
    lines.push(`  ${v.variant.padEnd(20)} weight ${v.weight}  units ${v.units}`);
  const s = r.exposures.srm;
  lines.push(
    `  SRM: χ² = ${f(s.statistic)}, df ${s.df}, p = ${p(s.p_value)} ${s.alarm ? '** SAMPLE RATIO MISMATCH: do not trust the results **' : '(no alarm)'}`,
  );
  for (const m of r.metrics) {
    lines.push('');
    const effect =
      m.minimum_effect.relative !== undefined
        ? `${f(m.minimum_effect.relative * 100)}% relative`
        : `${f(m.minimum_effect.absolute ?? null)} absolute`;
    lines.push(
      `${m.metric}${m.primary ? ' [primary]' : ''}${m.guardrail ? ' [guardrail]' : ''} (${m.type}, minimum effect ${effect}): ${m.description}`,
    );
    for (const v of m.variants)
      lines.push(`  ${v.variant.padEnd(20)} units ${String(v.units).padStart(8)}  mean ${f(v.mean, 6)}`);
    for (const c of m.comparisons) {
      const x = c.fixed_horizon;
      lines.push(
        `  ${c.variant} vs ${c.against}: Δ ${f(x.difference)} [${f(x.interval.lower)}, ${f(x.interval.upper)}], ` +
          `relative ${pct(x.relative.estimate)} [${pct(x.relative.interval.lower)}, ${pct(x.relative.interval.upper)}], ` +
          `p = ${p(x.p_value)}, Holm p = ${p(x.holm_p_value)}${x.significant ? ' *' : ''}`,
      );
      lines.push(`    power at the minimum effect ${f(c.power.minimum_effect)}: ${pct(c.power.power)}`);
      if (c.cuped)
        lines.push(
          `    CUPED: Δ ${f(c.cuped.difference)} [${f(c.cuped.interval.lower)}, ${f(c.cuped.interval.upper)}], ` +
            `p = ${p(c.cuped.p_value)}, variance × ${f(c.cuped.variance_factor)}`,
        );
      const q = c.sequential;
      lines.push(
        `    sequential: always-valid p = ${p(q.p_value)}, confidence sequence [${f(q.confidence_sequence.lower)}, ` +
          `${f(q.confidence_sequence.upper)}] over ${q.looks} look(s)${q.significant ? ' *' : ''}`,
      );
      if (c.guardrail_alarm) lines.push('    ** GUARDRAIL: significantly worse **');
    }
  }
  lines.push('');
  lines.push('Tests:');
  lines.push(
    `  Δ, interval, p (mean metrics): Welch's t-test, fixed horizon; ratio metrics: delta-method z test.`,
  );
  lines.push(
    '  relative: delta-method interval; Holm p: Holm–Bonferroni over every variant × metric shown (* below α).',
  );
  lines.push("  power: normal approximation at the metric's minimum effect; CUPED: Welch on adjusted means.");
  lines.push('  sequential: mSPRT with a normal mixture, τ² = minimum effect²; safe to read every day.');
  lines.push("  SRM: Pearson's χ² of exposed units against the weights, alarm at p < 0.001.");
  return `${lines.join('\n')}\n`;
}
