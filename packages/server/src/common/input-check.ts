// Collects everything wrong with a mutation's input, so the caller hears about all of it at once.
import { UserError, userError, UserErrorCode, UserErrors } from './user-error';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class InputCheck {
  readonly errors: UserError[] = [];

  add(code: UserErrorCode, field: string | string[] | null, message: string, url?: string): this {
    this.errors.push(userError(code, field, message, url));
    return this;
  }

  /** Trimmed text of 1..max characters (or absent, when optional). Returns the trimmed value. */
  text(field: string | string[], value: string | null | undefined, max: number, required = true): string | null {
    const name = Array.isArray(field) ? field.join('.') : field;
    const trimmed = value?.trim() ?? '';
    if (!trimmed) {
      if (required) this.add(UserErrorCode.REQUIRED, field, `\`${name}\` is required.`);
      return null;
    }
    if (trimmed.length > max) {
      this.add(UserErrorCode.TOO_LONG, field, `\`${name}\` must be at most ${max} characters (got ${trimmed.length}).`);
    }
    return trimmed;
  }

  email(field: string, value: string | null | undefined): string | null {
    const email = this.text(field, value, 254);
    if (email && !EMAIL.test(email)) this.add(UserErrorCode.INVALID, field, `\`${field}\` must be an email address.`);
    return email;
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }

  /** Aborts the mutation (and its transaction) with the collected errors, if any. */
  orThrow(): void {
    if (!this.ok) throw new UserErrors(this.errors);
  }
}
