// Request body validation with zod: strict objects (unknown fields are an error), and the
// first problem reported as 400 `invalid_field` naming the field.
import type { z } from 'zod';
import { CodedError } from '../errors.js';

export function validate<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new CodedError('invalid_field', `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`);
  }
  const field = issue.path.length ? issue.path.join('.') : 'body';
  throw new CodedError('invalid_field', `${field}: ${issue.message}`);
}
