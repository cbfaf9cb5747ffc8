// PromQL helpers for the observability tests: split an expression into the operands of its
// top-level comparison and set operators (so an alert condition that is empty because
// nothing is wrong can still be checked operand by operand), and substitute Grafana's
// template variables with concrete values.

const COMPARISON = ['==', '!=', '>=', '<=', '>', '<'];
const SET = ['and', 'or', 'unless'];
const IDENT = /[A-Za-z0-9_:]/;
/** Vector matching modifiers that may follow a binary operator. */
const MODIFIERS = /^\s*(?:bool\b\s*)?(?:(?:on|ignoring)\s*\([^)]*\)\s*)?(?:(?:group_left|group_right)\b\s*(?:\([^)]*\))?\s*)?/;

/** Index just past the string literal starting at `i` (", ' or `). */
function skipString(s: string, i: number): number {
  const quote = s[i];
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === '\\' && quote !== '`') j++;
    else if (s[j] === quote) return j + 1;
  }
  return s.length;
}

/** Removes `# comments` (outside strings) and trims. */
export function stripComments(expr: string): string {
  let out = '';
  for (let i = 0; i < expr.length; ) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const end = skipString(expr, i);
      out += expr.slice(i, end);
      i = end;
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else {
      out += c;
      i++;
    }
  }
  return out.trim();
}

/** `( x )` -> `x` when the outer parentheses enclose the whole expression. */
function unwrap(expr: string): string {
  let e = expr.trim();
  for (;;) {
    if (!e.startsWith('(')) return e;
    let depth = 0;
    let closesAt = -1;
    for (let i = 0; i < e.length; i++) {
      const c = e[i]!;
      if (c === '"' || c === "'" || c === '`') {
        i = skipString(e, i) - 1;
      } else if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        depth--;
        if (depth === 0) {
          closesAt = i;
          break;
        }
      }
    }
    if (closesAt !== e.length - 1) return e;
    e = e.slice(1, -1).trim();
  }
}

/** Splits at top-level comparison and set operators; returns the operand texts. */
function splitOnce(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i) - 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (depth !== 0) continue;
    let opLen = 0;
    const cmp = COMPARISON.find((op) => expr.startsWith(op, i));
    if (cmp && !(cmp === '>' && expr[i - 1] === '=') && !(cmp === '<' && expr[i - 1] === '=')) opLen = cmp.length;
    else if (!IDENT.test(expr[i - 1] ?? ' ')) {
      const word = SET.find((w) => expr.startsWith(w, i) && !IDENT.test(expr[i + w.length] ?? ' '));
      if (word) opLen = word.length;
    }
    if (!opLen) continue;
    parts.push(expr.slice(start, i));
    i += opLen;
    const rest = expr.slice(i);
    i += (MODIFIERS.exec(rest)?.[0].length ?? 0) - 1;
    start = i + 1;
  }
  parts.push(expr.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

const NUMBER = /^[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|\.\d+|Inf|NaN)$/i;

/**
 * The leaves of an expression's top-level comparison/set operators, recursively (through
 * parentheses), without number literals. `a > 0.8` -> [a]; `x unless (y == 1 and z < 10)`
 * -> [x, y, z]. An expression without such operators is its own only leaf.
 */
export function operands(expr: string): string[] {
  const parts = splitOnce(unwrap(stripComments(expr)));
  if (parts.length === 1) return NUMBER.test(parts[0]!) ? [] : [unwrap(parts[0]!)];
  return parts.flatMap((p) => operands(p));
}

/** Grafana's template variables replaced by concrete values (`$x`, `${x}`, `${x:fmt}`, `[[x]]`). */
export function substitute(expr: string, vars: Record<string, string>): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (m, a: string, b: string, c: string) => {
    const name = a ?? b ?? c;
    if (!(name in vars)) throw new Error(`no value for template variable ${m} in ${expr}`);
    return vars[name]!;
  });
}

/** The expression without `offset <duration>` modifiers (a look further back than the test's Prometheus has lived). */
export function dropOffsets(expr: string): string {
  return expr.replace(/\s+offset\s+-?\d+[a-z]+/gi, '');
}
