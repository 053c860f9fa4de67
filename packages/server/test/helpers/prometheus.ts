// Reads Prometheus's text exposition, as a scraper would, to look figures up by name and labels.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export class Scrape {
  readonly samples: Sample[];

  constructor(readonly text: string) {
    this.samples = text
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => {
        const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
        if (!match) throw new Error(`not a sample line: ${line}`);
        const labels: Record<string, string> = {};
        for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
        return { name: match[1]!, labels, value: Number(match[3]) };
      });
  }

  /** Whether a figure of that name is exposed (for a histogram, its `_count`). */
  has(name: string): boolean {
    return this.samples.some((sample) => sample.name === name || sample.name === `${name}_count`);
  }

  /** The sum of the samples of `name` whose labels include `labels`; 0 when there is none. */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples
      .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
      .reduce((sum, sample) => sum + sample.value, 0);
  }
}

/** Scrapes `url`, with the bearer token when given; fails on anything but 200. */
export async function scrape(url: string, token?: string): Promise<Scrape> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${text}`);
  return new Scrape(text);
}
