import { normaliseNhsNumber, SubjectReferenceError } from '#shared/domain/subjects/subject-reference.ts';

/**
 * Reading a posted form (Hono's `parseBody({ all: true })`: a field is a string, a file, or a list of them) and
 * the GOV.UK error pattern: an error summary item per problem, linked to its field, and the same text inline.
 */

export type FormFields = Readonly<Record<string, unknown>>;

export type ErrorItem = { readonly text: string; readonly href: string };

/** A form's problems: the summary's list, and each field's inline message by field name. */
export class FormProblems {
  readonly errors: ErrorItem[] = [];
  readonly fieldErrors: Record<string, string> = {};

  add(field: string, text: string, anchor = field): void {
    if (this.fieldErrors[field] !== undefined) return;
    this.fieldErrors[field] = text;
    this.errors.push({ text, href: `#${anchor}` });
  }

  get any(): boolean {
    return this.errors.length > 0;
  }

  /** The summary's list of `fieldErrors` found in any order, in the order of the fields on the page. */
  static inPageOrder(fieldErrors: Readonly<Record<string, string>>, order: readonly string[]): ErrorItem[] {
    return order.flatMap((field) => {
      const text = fieldErrors[field];
      return text === undefined ? [] : [{ text, href: `#${field}` }];
    });
  }
}

/** One text field, trimmed; '' when absent or a file. */
export const textOf = (fields: FormFields, name: string): string => {
  const value = fields[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.trim() : '';
};

/** Every value of a field sent many times (checkboxes), trimmed, without empty ones. */
export const listOf = (fields: FormFields, name: string): string[] => {
  const value = fields[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim())
    .filter((v) => v !== '');
};

/** The non-empty lines of a textarea. */
export const linesOf = (fields: FormFields, name: string): string[] =>
  textOf(fields, name)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');

/** One of `allowed`, or undefined. */
export const choiceOf = <T extends string>(
  fields: FormFields,
  name: string,
  allowed: readonly T[],
): T | undefined => {
  const value = textOf(fields, name);
  return allowed.find((a) => a === value);
};

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * A GOV.UK date input (`<name>-day`, `<name>-month`, `<name>-year`) as an ISO date, or the GOV.UK message for what
 * is wrong with it. `notAfter` (an ISO date) refuses a date later than it.
 */
export const dateOf = (
  fields: FormFields,
  name: string,
  label: string,
  options: { required?: boolean; notAfter?: string } = {},
): { value?: string; error?: string } => {
  const parts = ['day', 'month', 'year'].map((p) => textOf(fields, `${name}-${p}`));
  const [day, month, year] = parts as [string, string, string];
  if (parts.every((p) => p === '')) {
    return options.required === false ? {} : { error: `Enter ${label.toLowerCase()}` };
  }
  const missing = (['day', 'month', 'year'] as const).filter((_, i) => parts[i] === '');
  if (missing.length > 0) return { error: `${label} must include a ${missing.join(' and ')}` };
  if (![day, month].every((p) => /^\d{1,2}$/.test(p)) || !/^\d{4}$/.test(year)) {
    return { error: `${label} must be a real date` };
  }
  const iso = `${year}-${pad(Number(month), 2)}-${pad(Number(day), 2)}`;
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) {
    return { error: `${label} must be a real date` };
  }
  if (options.notAfter !== undefined && iso > options.notAfter) {
    return { error: `${label} must be today or in the past` };
  }
  return { value: iso };
};

/** The GOV.UK date input's items with the values posted (so a form shown again keeps what was typed). */
export const dateItems = (fields: FormFields, name: string, error: boolean) =>
  (['day', 'month', 'year'] as const).map((part) => ({
    name: part,
    value: textOf(fields, `${name}-${part}`),
    classes: `govuk-input--width-${part === 'year' ? 4 : 2}${error ? ' govuk-input--error' : ''}`,
  }));

/** An Idempotency-Key for one form shown: the same form sent twice is one step at the exchange. */
export const formKeyPattern = /^cdop-[A-Za-z0-9_-]{16,64}$/;
export const formKeyOf = (fields: FormFields): string | undefined => {
  const key = textOf(fields, 'formKey');
  return formKeyPattern.test(key) ? key : undefined;
};

/** A GOV.UK select's items: a first empty choice, then the options, the one posted selected. */
export const selectItems = (
  placeholder: string,
  options: readonly { value: string; text: string }[],
  selected: string,
) => [
  { value: '', text: placeholder, selected: selected === '' },
  ...options.map((o) => ({ value: o.value, text: o.text, selected: o.value === selected })),
];

/** Radios' or checkboxes' items from a code → label table, those posted checked. */
export const choiceItems = (labels: Readonly<Record<string, string>>, checked: readonly string[]) =>
  Object.entries(labels).map(([value, text]) => ({ value, text, checked: checked.includes(value) }));

/**
 * A child's NHS number as typed, checked by its Modulus 11 check digit (normaliseNhsNumber), or the GOV.UK message
 * for what is wrong with it. The message never repeats the number.
 */
export const nhsNumberOf = (typed: string): { value?: string; error?: string } => {
  if (typed.trim() === '') return { error: "Enter the child's NHS number" };
  try {
    return { value: normaliseNhsNumber(typed) };
  } catch (error) {
    if (!(error instanceof SubjectReferenceError)) throw error;
    return {
      error:
        error.reason === 'format'
          ? 'Enter an NHS number of 10 digits, like 943 476 5919'
          : 'Enter a valid NHS number: this one is not (check each digit)',
    };
  }
};
