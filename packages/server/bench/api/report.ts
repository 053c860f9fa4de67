// The figures as a table per job: the median over the rounds for each side, Escalate's ratio to PostGraphile and
// to the floor, and each round's headline figure (the machine is shared: the spread says how far to trust them).
import { Measurement } from './jobs';
import { SIDE_LABELS, SideName } from './sides';

interface Metric {
  label: string;
  digits: number;
  /** Ratios are printed for figures compared across sides. */
  ratio?: boolean;
}

const METRICS: Record<string, Metric> = {
  requestsPerSecond: { label: 'req/s', digits: 1, ratio: true },
  p50Ms: { label: 'latency p50 (ms)', digits: 1, ratio: true },
  p99Ms: { label: 'latency p99 (ms)', digits: 1, ratio: true },
  maxMs: { label: 'latency max (ms)', digits: 1, ratio: true },
  cpuMsPerRequest: { label: 'server CPU per request (ms)', digits: 2, ratio: true },
  dbCpuMsPerRequest: { label: 'PostgreSQL CPU per request (ms)', digits: 2, ratio: true },
  statementsPerRequest: { label: 'SQL statements per request', digits: 2, ratio: true },
  singleRequestMs: { label: 'one request alone, median of 10 (ms)', digits: 1, ratio: true },
  responseKb: { label: 'response size (KB)', digits: 1 },
  rssPeakMb: { label: 'server RSS, peak (MB)', digits: 0, ratio: true },
  requests: { label: 'requests measured', digits: 0 },
  failed: { label: 'failed (errors, timeouts, non-2xx)', digits: 0 },
  statementsPerSecond: { label: 'SQL statements per second', digits: 1, ratio: true },
  cpuMsPerSecond: { label: 'server CPU per second (ms)', digits: 1, ratio: true },
  rssMb: { label: 'server RSS (MB)', digits: 0, ratio: true },
  subscribers: { label: 'subscribers connected', digits: 0 },
  delivered: { label: 'deliveries of the change', digits: 0 },
  rssConnectedMb: { label: 'server RSS with subscribers idle (MB)', digits: 0, ratio: true },
  kbPerSubscriber: { label: 'RSS per idle subscriber (KB)', digits: 1, ratio: true },
  cpuMs: { label: 'server CPU (ms)', digits: 0, ratio: true },
  dbCpuMs: { label: 'PostgreSQL CPU (ms)', digits: 0, ratio: true },
  statements: { label: 'SQL statements', digits: 0 },
  cycles: { label: 'cycles', digits: 0 },
  recorded: { label: 'transitions recorded', digits: 0 },
  recordedAfterMs: { label: 'last recorded, after the moment (ms)', digits: 0, ratio: true },
  published: { label: 'transitions heard by the subscriber', digits: 0 },
  publishedAfterMs: { label: 'last heard, after the moment (ms)', digits: 0, ratio: true },
  duplicateEvents: { label: 'duplicate events', digits: 0 },
  crashed: { label: 'server exited (rounds)', digits: 0 },
  statementsPerCycle: { label: 'SQL statements per cycle', digits: 3 },
};

/** The figure each round line shows. */
const HEADLINE: Record<string, string> = { dashboard: 'requestsPerSecond', create: 'requestsPerSecond', fanout: 'p99Ms', burst: 'publishedAfterMs' };

export function median(values: (number | null | undefined)[]): number | null {
  const known = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value)).sort((a, b) => a - b);
  if (!known.length) return null;
  const middle = Math.floor(known.length / 2);
  return known.length % 2 ? known[middle]! : (known[middle - 1]! + known[middle]!) / 2;
}

function format(value: number | null, digits: number): string {
  if (value === null) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export interface Summary {
  job: string;
  variant: string;
  title: string;
  /** metric → side → median over rounds */
  medians: Record<string, Partial<Record<SideName, number | null>>>;
}

/** The tables, as text, and the medians behind them. */
export function report(measurements: Measurement[], titles: Record<string, string>, statementSource: string): { text: string; summaries: Summary[] } {
  const groups = new Map<string, Measurement[]>();
  for (const measurement of measurements) {
    const key = `${measurement.job}\u0000${measurement.variant}`;
    groups.set(key, [...(groups.get(key) ?? []), measurement]);
  }
  const lines: string[] = [];
  const summaries: Summary[] = [];
  // Jobs first, in the order run; the sides' idle figures last.
  const keys = [...groups.keys()].sort((a, b) => Number(a.startsWith('idle')) - Number(b.startsWith('idle')));
  for (const key of keys) {
    const group = groups.get(key)!;
    const { job, variant } = group[0]!;
    const sides = (['escalate', 'postgraphile', 'floor'] as SideName[]).filter((side) => group.some((measurement) => measurement.side === side));
    const title = titles[`${job}/${variant}`] ?? titles[job] ?? `${job}: ${variant}`;
    const metricNames = Object.keys(METRICS).filter((name) => group.some((measurement) => name in measurement.values));
    const summary: Summary = { job, variant, title, medians: {} };
    const ratioColumns = (['postgraphile', 'floor'] as SideName[]).filter((side) => sides.includes('escalate') && sides.includes(side));
    const width = 40;
    lines.push('', title);
    lines.push(
      `  ${''.padEnd(width)}${sides.map((side) => SIDE_LABELS[side].padStart(24)).join('')}${ratioColumns.map((side) => `Escalate / ${side === 'floor' ? 'floor' : 'PostGraphile'}`.padStart(26)).join('')}`,
    );
    for (const name of metricNames) {
      const metric = METRICS[name]!;
      const medians = Object.fromEntries(sides.map((side) => [side, median(group.filter((measurement) => measurement.side === side).map((measurement) => measurement.values[name]))]));
      summary.medians[name] = medians;
      const label = name === 'statementsPerRequest' ? `${metric.label}${statementSource === 'pg_stat_statements' ? '' : ' (transactions)'}` : metric.label;
      const ratios = ratioColumns.map((side) => {
        const escalate = medians.escalate;
        const other = medians[side];
        return metric.ratio && escalate !== null && other ? `${(escalate / other).toFixed(2)}` : '';
      });
      lines.push(`  ${label.padEnd(width)}${sides.map((side) => format(medians[side] ?? null, metric.digits).padStart(24)).join('')}${ratios.map((ratio) => ratio.padStart(26)).join('')}`);
    }
    const headline = HEADLINE[job];
    if (headline && METRICS[headline]) {
      const perSide = sides.map((side) => {
        const rounds = group.filter((measurement) => measurement.side === side).sort((a, b) => a.round - b.round);
        return `${SIDE_LABELS[side].split(' ')[0]} ${rounds.map((measurement) => format(measurement.values[headline] ?? null, METRICS[headline]!.digits)).join(', ')}`;
      });
      lines.push(`  each run, ${METRICS[headline].label}: ${perSide.join(' | ')}`);
    }
    for (const measurement of group) {
      for (const problem of measurement.problems) lines.push(`  ! ${SIDE_LABELS[measurement.side]}, round ${measurement.round + 1}: ${problem.split('\n')[0]!.slice(0, 400)}`);
    }
    summaries.push(summary);
  }
  return { text: lines.join('\n'), summaries };
}
