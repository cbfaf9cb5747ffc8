// The bootstrap admin token's strength rule (FRAMEHUB_ADMIN_TOKEN), checked once at boot:
// the value opens every API route, so a placeholder copied from an example or a guessable
// string must stop the server with a message naming the setting. The rule is cheap and
// explainable rather than a password meter: placeholder words, too few different
// characters, a long run of consecutive characters, or too little estimated entropy.

/** Fewest characters accepted (`openssl rand -hex 24` gives 48). */
const ADMIN_TOKEN_MIN_LENGTH = 16;
/** Fewest different characters accepted. */
const ADMIN_TOKEN_MIN_DISTINCT = 10;
/** Least estimated entropy accepted, in bits (length x Shannon entropy of its characters). */
export const ADMIN_TOKEN_MIN_BITS = 48;

/** Words that mark a value copied from an example, never a real secret. */
const PLACEHOLDER = /change[-_ .]?(me|it|this)|replace[-_ .]?me|placeholder|example|your[-_ .]?(admin[-_ .]?)?(api[-_ .]?)?token|secret[-_ .]?token|insert[-_ .]?token|qwerty|letmein|password|x{5,}|<[^>]*>|\.\.\./i;

/** Length x Shannon entropy per character: an estimate from the characters themselves. */
function estimatedBits(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * value.length;
}

/** Longest run of characters whose codes go up (or down) by one: `0123456789`, `abcdef`. */
function longestSequence(value: string): number {
  let best = 1;
  let up = 1;
  let down = 1;
  for (let i = 1; i < value.length; i++) {
    const d = value.charCodeAt(i) - value.charCodeAt(i - 1);
    up = d === 1 ? up + 1 : 1;
    down = d === -1 ? down + 1 : 1;
    best = Math.max(best, up, down);
  }
  return best;
}

/** Why `value` is not acceptable as the admin token, or null when it is. Never echoes the value. */
export function adminTokenProblem(value: string): string | null {
  if (value.length < ADMIN_TOKEN_MIN_LENGTH) return `must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters`;
  if (!/^[\x21-\x7e]+$/.test(value)) return 'must be printable ASCII without spaces';
  const hint = 'use a random value, e.g. `openssl rand -hex 24`, or unset it to have one generated';
  if (PLACEHOLDER.test(value)) return `looks like a placeholder from an example; ${hint}`;
  if (new Set(value).size < ADMIN_TOKEN_MIN_DISTINCT) return `has fewer than ${ADMIN_TOKEN_MIN_DISTINCT} different characters; ${hint}`;
  if (longestSequence(value) * 2 >= value.length) return `is half or more a run of consecutive characters; ${hint}`;
  if (estimatedBits(value) < ADMIN_TOKEN_MIN_BITS) return `is too predictable (about ${Math.floor(estimatedBits(value))} bits, ${ADMIN_TOKEN_MIN_BITS} needed); ${hint}`;
  return null;
}
