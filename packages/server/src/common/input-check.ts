// Collects everything wrong with a mutation's input, so the caller hears about all of it at once.
import { UserError, userError, UserErrorCode, UserErrors } from './user-error';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Half of a UTF-16 surrogate pair without the other half: no character at all. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether text can be stored as it is: PostgreSQL refuses NUL in text, and a lone surrogate is no character. */
function storable(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

export class InputCheck {
  readonly errors: UserError[] = [];

  add(code: UserErrorCode, field: string | string[] | null, message: string, url?: string): this {
    this.errors.push(userError(code, field, message, url));
    return this;
  }

  /**
   * Trimmed text of 1..max characters (or absent, when optional). Returns the trimmed value, or null when there is
   * none or it is not storable text (a NUL character, a lone surrogate), so that it never reaches a query.
   */
  text(field: string | string[], value: string | null | undefined, max: number, required = true): string | null {
    const name = Array.isArray(field) ? field.join('.') : field;
    const trimmed = value?.trim() ?? '';
    if (!storable(trimmed)) {
      this.add(UserErrorCode.INVALID, field, `\`${name}\` contains a NUL character (\\u0000) or invalid Unicode; remove it.`);
      return null;
    }
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
