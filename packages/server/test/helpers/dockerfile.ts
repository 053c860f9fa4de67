// The Dockerfile read and replayed without Docker (the test machines have no engine): each stage in a folder that
// stands for its filesystem root; each COPY copies exactly what it names, from the build context (the checkout's
// files minus .dockerignore) or from an earlier stage's folder; each RUN runs there with `sh -c` and the stage's ENV.
// The base image is not replayed: its tools (node, npm, sh) are this machine's. An instruction the replay cannot
// reproduce faithfully (ADD, ARG, ENTRYPOINT, a glob, a variable) is refused rather than approximated.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export type Step =
  | { kind: 'WORKDIR'; line: number; path: string }
  | { kind: 'COPY'; line: number; from: string | undefined; chown: string | undefined; sources: string[]; dest: string }
  | { kind: 'RUN'; line: number; argv: string[]; text: string }
  | { kind: 'ENV'; line: number; vars: Record<string, string> }
  | { kind: 'USER'; line: number; user: string }
  | { kind: 'EXPOSE'; line: number; ports: string[] }
  | { kind: 'HEALTHCHECK'; line: number; argv: string[] | null; options: Record<string, string> }
  | { kind: 'CMD'; line: number; argv: string[] };

export interface Stage {
  name: string | undefined;
  base: string;
  line: number;
  steps: Step[];
}

/** The stage as it ends: what the image runs with. */
export interface StageConfig {
  env: Record<string, string>;
  workdir: string;
  user: string | undefined;
  cmd: string[] | undefined;
  healthcheck: { argv: string[]; options: Record<string, string> } | undefined;
}

class DockerfileError extends Error {
  constructor(line: number, message: string) {
    super(`Dockerfile line ${line}: ${message}`);
  }
}

/** `--name=value` flags at the start of an instruction's arguments, and the rest. */
function takeFlags(args: string): { flags: [string, string][]; rest: string } {
  const flags: [string, string][] = [];
  let rest = args.trim();
  for (let match = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest); match; match = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest)) {
    flags.push([match[1]!, match[2] ?? '']);
    rest = rest.slice(match[0].length);
  }
  return { flags, rest };
}

/** Exec form (a JSON array) as it is; shell form as `/bin/sh -c`, as Docker runs it. */
function commandLine(text: string): string[] {
  if (text.startsWith('[')) {
    const argv: unknown = JSON.parse(text);
    if (!Array.isArray(argv) || !argv.every((word) => typeof word === 'string')) throw new Error(`not a JSON array of strings: ${text}`);
    return argv;
  }
  return ['/bin/sh', '-c', text];
}

/** `A=1 B="two words"`, or the legacy `A one value`. */
function environment(text: string): Record<string, string> {
  if (!/^[\w.-]+=/.test(text)) {
    const [, key, value] = /^([\w.-]+)\s+(.*)$/.exec(text) ?? [];
    if (!key) throw new Error(`cannot read ENV ${text}`);
    return { [key]: value! };
  }
  const vars: Record<string, string> = {};
  const pair = /([\w.-]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)\s*/y;
  for (let match = pair.exec(text); match; match = pair.exec(text)) {
    const raw = match[2]!;
    vars[match[1]!] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw.startsWith("'") ? raw.slice(1, -1) : raw;
    if (pair.lastIndex === text.length) break;
  }
  if (pair.lastIndex !== text.length) throw new Error(`cannot read ENV ${text}`);
  return vars;
}

export function parseDockerfile(text: string): Stage[] {
  // Continuation lines joined; comment lines dropped, even between continued lines, as Docker does.
  const instructions: { line: number; text: string }[] = [];
  let pending: { line: number; text: string } | null = null;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line) || line.trim() === '') return;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1) : line;
    pending = pending ? { line: pending.line, text: `${pending.text} ${part.trim()}` } : { line: index + 1, text: part.trim() };
    if (!continued) {
      instructions.push(pending);
      pending = null;
    }
  });
  if (pending) instructions.push(pending);

  const stages: Stage[] = [];
  for (const { line, text: instruction } of instructions) {
    const [, word, rawArgs] = /^(\S+)\s*(.*)$/.exec(instruction)!;
    const keyword = word!.toUpperCase();
    const args = rawArgs!.trim();
    try {
      if (keyword === 'FROM') {
        const [, base, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
        if (!base) throw new Error(`cannot read FROM ${args}`);
        stages.push({ name: name?.toLowerCase(), base, line, steps: [] });
        continue;
      }
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${keyword} before FROM`);
      // Variables are expanded by Docker in these instructions; the replay would copy or set the text as written.
      if (['WORKDIR', 'COPY', 'ENV', 'USER'].includes(keyword) && args.includes('$')) throw new Error(`${keyword} with a variable is not replayed: ${args}`);
      const { flags, rest } = takeFlags(args);
      const flagNames = flags.map(([name]) => name);
      const refuseFlags = (allowed: string[]) => {
        const unknown = flagNames.filter((name) => !allowed.includes(name));
        if (unknown.length) throw new Error(`${keyword} --${unknown.join(', --')} is not replayed`);
      };
      switch (keyword) {
        case 'WORKDIR':
          refuseFlags([]);
          stage.steps.push({ kind: 'WORKDIR', line, path: rest });
          break;
        case 'COPY': {
          refuseFlags(['from', 'chown', 'chmod', 'link']);
          const words = rest.startsWith('[') ? commandLine(rest) : rest.split(/\s+/);
          if (words.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
          const globbed = words.find((word) => /[*?[]/.test(word));
          if (globbed) throw new Error(`COPY with a wildcard is not replayed: ${globbed}`);
          const flag = (name: string) => flags.find(([given]) => given === name)?.[1];
          stage.steps.push({ kind: 'COPY', line, from: flag('from'), chown: flag('chown'), sources: words.slice(0, -1), dest: words.at(-1)! });
          break;
        }
        case 'RUN':
          // A cache mount keeps npm's cache out of the image and warm between builds: it changes no layer's files.
          for (const [name, value] of flags) {
            if (name !== 'mount' || !/^type=cache(,|$)/.test(value)) throw new Error(`RUN --${name}=${value} is not replayed (only --mount=type=cache)`);
          }
          stage.steps.push({ kind: 'RUN', line, argv: commandLine(rest), text: rest });
          break;
        case 'ENV':
          stage.steps.push({ kind: 'ENV', line, vars: environment(rest) });
          break;
        case 'USER':
          stage.steps.push({ kind: 'USER', line, user: rest });
          break;
        case 'EXPOSE':
          stage.steps.push({ kind: 'EXPOSE', line, ports: rest.split(/\s+/) });
          break;
        case 'HEALTHCHECK': {
          const options = Object.fromEntries(flags);
          if (rest === 'NONE') stage.steps.push({ kind: 'HEALTHCHECK', line, argv: null, options });
          else if (/^CMD\s/i.test(rest)) stage.steps.push({ kind: 'HEALTHCHECK', line, argv: commandLine(rest.replace(/^CMD\s+/i, '')), options });
          else throw new Error(`cannot read HEALTHCHECK ${args}`);
          break;
        }
        case 'CMD':
          stage.steps.push({ kind: 'CMD', line, argv: commandLine(rest) });
          break;
        case 'LABEL':
          break;
        default:
          throw new Error(`${keyword} is not replayed`);
      }
    } catch (error) {
      throw new DockerfileError(line, (error as Error).message);
    }
  }
  return stages;
}

const emptyConfig = (): StageConfig => ({ env: {}, workdir: '/', user: undefined, cmd: undefined, healthcheck: undefined });

/** What a step changes in the stage's configuration (its files aside). WORKDIR resolves as Docker's: from the last. */
function configure(config: StageConfig, step: Step): StageConfig {
  switch (step.kind) {
    case 'ENV':
      return { ...config, env: { ...config.env, ...step.vars } };
    case 'WORKDIR':
      return { ...config, workdir: path.posix.resolve(config.workdir, step.path) };
    case 'USER':
      return { ...config, user: step.user };
    case 'CMD':
      return { ...config, cmd: step.argv };
    case 'HEALTHCHECK':
      return { ...config, healthcheck: step.argv ? { argv: step.argv, options: step.options } : undefined };
    default:
      return config;
  }
}

/** The stage that `FROM <name>` builds on, if it names an earlier stage rather than an image. */
const parentStage = <T extends { name: string | undefined }>(earlier: T[], stage: Stage): T | undefined =>
  earlier.find((candidate) => candidate.name !== undefined && candidate.name === stage.base.toLowerCase());

/** How a stage ends, read without replaying it. */
export function stageConfig(stages: Stage[], stage: Stage): StageConfig {
  const parent = parentStage(stages.slice(0, stages.indexOf(stage)), stage);
  return stage.steps.reduce(configure, parent ? stageConfig(stages, parent) : emptyConfig());
}

// .dockerignore, with the rules of Docker's pattern matcher (moby/patternmatcher): Go's filepath.Match per path
// segment (`*` stays within one), `**` for any number of segments, `!` to take a path back; a path is excluded when
// the last rule that matches it, or one of its parent folders, is not a `!` rule.

export interface IgnoreRule {
  pattern: string;
  negated: boolean;
  regex: RegExp;
}

function patternRegex(pattern: string): RegExp {
  let source = '^';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index]!;
    if (char === '*' && pattern[index + 1] === '*') {
      index += 1;
      if (pattern[index + 1] === '/') index += 1;
      source += index === pattern.length - 1 ? '.*' : '(.*/)?';
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '\\' && index + 1 < pattern.length) source += `\\${pattern[(index += 1)]}`;
    else if (char === '[') {
      const end = pattern.indexOf(']', index + 1);
      if (end < 0) throw new Error(`.dockerignore: unclosed [ in ${pattern}`);
      source += `[${pattern.slice(index + 1, end).replace(/^!/, '^')}]`;
      index = end;
    } else source += /[.+()^${}|]/.test(char) ? `\\${char}` : char;
  }
  return new RegExp(`${source}$`);
}

export function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = path.posix.normalize(negated ? line.slice(1).trim() : line).replace(/^\/+/, '').replace(/\/+$/, '');
      return { pattern, negated, regex: patternRegex(pattern) };
    });
}

/** `file`: a path relative to the context's root, with forward slashes. */
export function dockerignored(rules: IgnoreRule[], file: string): boolean {
  const parents = file.split('/').slice(0, -1).map((_, index, segments) => segments.slice(0, index + 1).join('/'));
  let excluded = false;
  for (const rule of rules) {
    if (rule.negated !== excluded) continue; // cannot change the outcome
    if (rule.regex.test(file) || parents.some((parent) => rule.regex.test(parent))) excluded = !rule.negated;
  }
  return excluded;
}

export interface BuildContext {
  root: string;
  /** Files relative to root, forward slashes. */
  files: Set<string>;
}

const readIgnore = (root: string) => (existsSync(path.join(root, '.dockerignore')) ? parseDockerignore(readFileSync(path.join(root, '.dockerignore'), 'utf8')) : []);

/**
 * The context `docker build` of a fresh clone would send, plus files not yet committed: what git tracks or would
 * track (`git ls-files --cached --others --exclude-standard`), as they are in the working tree, minus .dockerignore.
 * Not what is merely lying around (node_modules, dist, .data): a build that works only thanks to those fails here.
 */
export function repositoryContext(root: string): BuildContext {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  const rules = readIgnore(root);
  const files = listed.stdout.split('\0').filter((file) => file && existsSync(path.join(root, file)) && !dockerignored(rules, file));
  return { root, files: new Set(files) };
}

/** Everything in the working tree that `docker build .` would send from here, with its total size. */
export function workingTreeContext(root: string): { files: string[]; bytes: number } {
  const rules = readIgnore(root);
  // An excluded folder can be skipped whole unless a `!` rule might take something inside it back.
  const canPrune = !rules.some((rule) => rule.negated);
  const files: string[] = [];
  let bytes = 0;
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const file = relative ? `${relative}/${entry.name}` : entry.name;
      const excluded = dockerignored(rules, file);
      if (entry.isDirectory()) {
        if (!(excluded && canPrune)) walk(file);
      } else if (!excluded) {
        files.push(file);
        bytes += lstatSync(path.join(root, file)).size;
      }
    }
  };
  walk('');
  return { files, bytes };
}

export interface ReplayedStage {
  name: string | undefined;
  /** The folder that stands for the stage's `/`. */
  root: string;
  config: StageConfig;
}

export interface ReplayOptions {
  /** Where the stages' folders go. */
  scratch: string;
  /** The environment every RUN starts from, before the stage's ENV (the base image's, in Docker). */
  baseEnv: NodeJS.ProcessEnv;
  /** Told of each step as it finishes, with how long it took. */
  onStep?: (stage: string, step: Step, ms: number) => void;
}

/** A path inside a stage's image, on this machine. */
export const inStage = (stage: ReplayedStage | { root: string }, imagePath: string) => path.join(stage.root, path.posix.resolve('/', imagePath));

function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Copies what a COPY names from the context: a file, or a folder's contents (not the folder itself, as Docker does). */
function copyFromContext(context: BuildContext, source: string, target: string, targetIsFolder: boolean): void {
  const name = path.posix.normalize(source).replace(/^\/+/, '').replace(/\/+$/, '');
  const whole = name === '.' || name === '';
  if (!whole && context.files.has(name)) {
    const destination = targetIsFolder ? path.join(target, path.posix.basename(name)) : target;
    mkdirSync(path.dirname(destination), { recursive: true });
    copyFileSync(path.join(context.root, name), destination);
    return;
  }
  const members = [...context.files].filter((file) => whole || file.startsWith(`${name}/`));
  if (members.length === 0) {
    const why = existsSync(path.join(context.root, name)) ? ' (it is in the working tree, but excluded by .dockerignore or untracked and ignored by git)' : '';
    throw new Error(`COPY ${source}: not found in the build context${why}`);
  }
  for (const member of members) {
    const destination = path.join(target, whole ? member : member.slice(name.length + 1));
    mkdirSync(path.dirname(destination), { recursive: true });
    copyFileSync(path.join(context.root, member), destination);
  }
}

/** A COPY: from the context, or from an earlier stage's folder (`--from`). */
function copy(step: Extract<Step, { kind: 'COPY' }>, current: ReplayedStage, earlier: ReplayedStage[], context: BuildContext): void {
  const target = inStage(current, path.posix.resolve(current.config.workdir, step.dest));
  const intoFolder = step.dest.endsWith('/') || step.sources.length > 1 || (existsSync(target) && statSync(target).isDirectory());
  const from = step.from;
  if (from === undefined) {
    for (const source of step.sources) copyFromContext(context, source, target, intoFolder);
    return;
  }
  const origin = earlier.find((stage, position) => stage.name === from.toLowerCase() || String(position) === from);
  if (!origin) throw new Error(`COPY --from=${from}: no earlier stage of that name (copying from an image is not replayed)`);
  for (const source of step.sources) {
    const found = inStage(origin, source);
    if (!existsSync(found)) throw new Error(`COPY --from=${from} ${source}: not found in stage ${from}`);
    // A folder's contents go into the destination; a file goes to it, or into it when it is a folder.
    const destination = !statSync(found).isDirectory() && intoFolder ? path.join(target, path.basename(found)) : target;
    mkdirSync(path.dirname(destination), { recursive: true });
    cpSync(found, destination, { recursive: true, verbatimSymlinks: true });
  }
}

/** Replays every stage in order; the last is the image. Rejects, naming the instruction, when a COPY or RUN fails. */
export async function replayDockerfile(stages: Stage[], context: BuildContext, options: ReplayOptions): Promise<ReplayedStage[]> {
  const replayed: ReplayedStage[] = [];
  for (const [index, stage] of stages.entries()) {
    const label = stage.name ?? String(index);
    const parent = parentStage(replayed, stage);
    const root = mkdtempSync(path.join(options.scratch, `stage-${label}-`));
    if (parent) cpSync(parent.root, root, { recursive: true, verbatimSymlinks: true });
    const current: ReplayedStage = { name: stage.name, root, config: parent ? parent.config : emptyConfig() };
    for (const step of stage.steps) {
      const started = Date.now();
      current.config = configure(current.config, step);
      try {
        if (step.kind === 'WORKDIR') mkdirSync(inStage(current, current.config.workdir), { recursive: true });
        if (step.kind === 'COPY') copy(step, current, replayed, context);
        if (step.kind === 'RUN') {
          const cwd = inStage(current, current.config.workdir);
          mkdirSync(cwd, { recursive: true });
          const { code, output } = await run(step.argv, cwd, { ...options.baseEnv, ...current.config.env });
          if (code !== 0) throw new Error(`RUN ${step.text} exited with ${code}:\n${output.slice(-4000)}`);
        }
      } catch (error) {
        throw new DockerfileError(step.line, `stage ${label}: ${(error as Error).message}`);
      }
      options.onStep?.(label, step, Date.now() - started);
    }
    replayed.push(current);
  }
  return replayed;
}
