// Request body validation with zod: strict objects (unknown fields are an error), and the
// first problem reported as 400 `invalid_field` naming the field.
import type { z } from 'zod';
import { CodedError } from '../errors.js';

export function validate<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new CodedError('invalid_field', firstProblem(parsed.error, 'body'));
}

/** The first problem of a failed parse in words: the unknown fields, or `<field>: <rule>` (`whole` names the value itself). */
export function firstProblem(error: z.ZodError, whole: string): string {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') return `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  return `${issue.path.length ? issue.path.join('.') : whole}: ${issue.message}`;
}
