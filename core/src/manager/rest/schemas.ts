/** zod pieces shared by the handlers. */
import { z } from 'zod';

/** A positive row id in a path parameter. */
export const idParam = z.object({ id: z.string().regex(/^[1-9][0-9]{0,15}$/, 'expected a positive integer id').transform(Number) });

/** Text without NUL, at most `max` characters. */
export const text = (max: number) => z.string().max(max, `at most ${max} characters`).refine((s) => !s.includes('\0'), 'must not contain NUL');

/** A user name, as Dragonfly's sign-up rule: 3–10 characters; d7y also limits the alphabet. */
export const userName = z
  .string()
  .min(3, 'at least 3 characters')
  .max(10, 'at most 10 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "." and "-", starting with a letter or digit');

/** A new password: 8–128 characters. */
export const newPassword = z.string().min(8, 'at least 8 characters').max(128, 'at most 128 characters');
