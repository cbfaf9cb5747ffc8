// A small Dockerfile reader for the instructions this project uses (FROM ... AS, WORKDIR,
// COPY [--from=], RUN [--mount=], ENV, USER, VOLUME, EXPOSE, HEALTHCHECK, STOPSIGNAL, CMD),
// so test/dockerfile.test.ts can perform the image's steps outside Docker.

export interface Instruction {
  op: string;
  /** The instruction's text after its name, continuation lines joined. */
  args: string;
  /** Leading --name=value options (COPY --from, RUN --mount, HEALTHCHECK --interval...). */
  flags: Record<string, string>;
  /** The rest after those options. */
  rest: string;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const lines: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && current === '')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1).trim()} `;
      continue;
    }
    current += line;
    if (current.trim()) lines.push(current.trim());
    current = '';
  }
  const stages: Stage[] = [];
  for (const line of lines) {
    const m = /^(\S+)\s+(.*)$/s.exec(line);
    if (!m) throw new Error(`cannot read Dockerfile line: ${line}`);
    const op = m[1]!.toUpperCase();
    const args = m[2]!;
    const flags: Record<string, string> = {};
    let rest = args;
    for (let f = /^--([a-z-]+)=(\S+)\s+/.exec(rest); f; f = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
      flags[f[1]!] = f[2]!;
      rest = rest.slice(f[0].length);
    }
    if (op === 'FROM') {
      const fm = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!fm) throw new Error(`cannot read FROM ${rest}`);
      stages.push({ from: fm[1]!, name: fm[2] ?? String(stages.length), instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${op} before the first FROM`);
    stage.instructions.push({ op, args, flags, rest });
  }
  return stages;
}

/** ENV k=v k2="v 2" (the key=value form only). */
export function parseEnv(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) out[m[1]!] = m[3] ?? m[2]!;
  return out;
}
