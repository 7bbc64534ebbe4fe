import type { Metadata } from '../objects/api-objects';
import { paramErrors } from '../stripe-api-error';
import type { FormParams, FormValue } from './form-parser';

/**
 * A small schema language for an endpoint's parameters. Each endpoint declares what it accepts;
 * `validateParams` rejects anything else the way Stripe does (unknown, missing, mistyped — the
 * error names the bracketed parameter, e.g. `line_items[0][colour]`) and returns typed values.
 */
interface Spec<K extends string, R extends boolean> {
  kind: K;
  required: R;
}
export interface StringSpec<R extends boolean = boolean, V extends string = string> extends Spec<
  'string',
  R
> {
  maxLength?: number;
  oneOf?: readonly V[];
}
export interface IntegerSpec<R extends boolean = boolean> extends Spec<'integer', R> {
  min?: number;
  max?: number;
}
export type BooleanSpec<R extends boolean = boolean> = Spec<'boolean', R>;
export type UrlSpec<R extends boolean = boolean> = Spec<'url', R>;
export type CurrencySpec<R extends boolean = boolean> = Spec<'currency', R>;
export type MetadataSpec = Spec<'metadata', false>;
export type RangeSpec = Spec<'range', false>;
export interface HashSpec<
  R extends boolean = boolean,
  F extends ParamShape = ParamShape,
> extends Spec<'hash', R> {
  fields: F;
}
export interface ListSpec<
  R extends boolean = boolean,
  I extends ParamSpec = ParamSpec,
> extends Spec<'list', R> {
  of: I;
  maxItems?: number;
}

export type ParamSpec =
  | StringSpec
  | IntegerSpec
  | BooleanSpec
  | UrlSpec
  | CurrencySpec
  | MetadataSpec
  | RangeSpec
  | HashSpec
  | ListSpec;
export type ParamShape = { readonly [name: string]: ParamSpec };

/** A `created[gte]=…`-style filter; a bare integer means exactly that second. */
export interface TimestampRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export type ValueOf<S> =
  S extends StringSpec<boolean, infer V>
    ? V
    : S extends IntegerSpec
      ? number
      : S extends BooleanSpec
        ? boolean
        : S extends UrlSpec | CurrencySpec
          ? string
          : S extends MetadataSpec
            ? Metadata
            : S extends RangeSpec
              ? TimestampRange
              : S extends HashSpec<boolean, infer F>
                ? Params<F>
                : S extends ListSpec<boolean, infer I>
                  ? ValueOf<I>[]
                  : never;

type RequiredKeys<F extends ParamShape> = {
  [K in keyof F]: F[K]['required'] extends true ? K : never;
}[keyof F];

/** What a validated request holds: required values present; optional ones absent, or null when sent empty ("unset"). */
export type Params<F extends ParamShape> = { [K in RequiredKeys<F>]: ValueOf<F[K]> } & {
  [K in Exclude<keyof F, RequiredKeys<F>>]?: ValueOf<F[K]> | null;
};

interface Requirable<R extends boolean> {
  required?: R;
}

export const param = {
  string: <const R extends boolean = false>(o: Requirable<R> & { maxLength?: number } = {}) =>
    ({
      kind: 'string',
      required: (o.required ?? false) as R,
      maxLength: o.maxLength,
    }) as StringSpec<R>,
  oneOf: <const V extends string, const R extends boolean = false>(
    values: readonly V[],
    o: Requirable<R> = {},
  ) =>
    ({ kind: 'string', required: (o.required ?? false) as R, oneOf: values }) as StringSpec<R, V>,
  integer: <const R extends boolean = false>(
    o: Requirable<R> & { min?: number; max?: number } = {},
  ) =>
    ({
      kind: 'integer',
      required: (o.required ?? false) as R,
      min: o.min,
      max: o.max,
    }) as IntegerSpec<R>,
  boolean: <const R extends boolean = false>(o: Requirable<R> = {}) =>
    ({ kind: 'boolean', required: (o.required ?? false) as R }) as BooleanSpec<R>,
  url: <const R extends boolean = false>(o: Requirable<R> = {}) =>
    ({ kind: 'url', required: (o.required ?? false) as R }) as UrlSpec<R>,
  currency: <const R extends boolean = false>(o: Requirable<R> = {}) =>
    ({ kind: 'currency', required: (o.required ?? false) as R }) as CurrencySpec<R>,
  metadata: (): MetadataSpec => ({ kind: 'metadata', required: false }),
  range: (): RangeSpec => ({ kind: 'range', required: false }),
  hash: <const F extends ParamShape, const R extends boolean = false>(
    fields: F,
    o: Requirable<R> = {},
  ) => ({ kind: 'hash', required: (o.required ?? false) as R, fields }) as HashSpec<R, F>,
  list: <I extends ParamSpec, const R extends boolean = false>(
    of: I,
    o: Requirable<R> & { maxItems?: number } = {},
  ) =>
    ({ kind: 'list', required: (o.required ?? false) as R, of, maxItems: o.maxItems }) as ListSpec<
      R,
      I
    >,
};

/** `expand[]`, which every endpoint accepts. */
export const expandParam = param.list(param.string(), { maxItems: 20 });

export function validateParams<F extends ParamShape>(shape: F, raw: FormParams): Params<F> {
  rejectUnknown(shape, raw, '');
  return readShape(shape, raw, '') as Params<F>;
}

const at = (prefix: string, key: string | number) => (prefix ? `${prefix}[${key}]` : String(key));

const isHash = (value: FormValue | undefined): value is { [key: string]: FormValue } =>
  typeof value === 'object' && !Array.isArray(value);

const RANGE_KEYS = ['gt', 'gte', 'lt', 'lte'] as const;

/** Unknown names are checked over the whole tree first, so they win over any other complaint. */
function rejectUnknown(shape: ParamShape, raw: { [key: string]: FormValue }, prefix: string): void {
  for (const [key, value] of Object.entries(raw)) {
    const spec = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (!spec) throw paramErrors.unknown(at(prefix, key));
    rejectUnknownInside(spec, value, at(prefix, key));
  }
}

function rejectUnknownInside(spec: ParamSpec, value: FormValue, path: string): void {
  if (spec.kind === 'hash' && isHash(value)) rejectUnknown(spec.fields, value, path);
  if (spec.kind === 'list' && Array.isArray(value)) {
    value.forEach((item, index) => rejectUnknownInside(spec.of, item, at(path, index)));
  }
  if (spec.kind === 'range' && isHash(value)) {
    const unknown = Object.keys(value).find(
      (key) => !(RANGE_KEYS as readonly string[]).includes(key),
    );
    if (unknown !== undefined) throw paramErrors.unknown(at(path, unknown));
  }
}

function readShape(
  shape: ParamShape,
  raw: { [key: string]: FormValue },
  prefix: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(shape)) {
    const value = readValue(spec, Object.hasOwn(raw, key) ? raw[key] : undefined, at(prefix, key));
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function readValue(spec: ParamSpec, value: FormValue | undefined, path: string): unknown {
  if (value === undefined) {
    if (spec.required) throw paramErrors.missing(path);
    return undefined;
  }
  if (value === '') {
    if (spec.required) throw paramErrors.empty(path);
    return null;
  }
  switch (spec.kind) {
    case 'string':
      return readString(spec, value, path);
    case 'integer':
      return readInteger(spec, value, path);
    case 'boolean':
      if (value === 'true' || value === 'false') return value === 'true';
      throw paramErrors.invalid(path, `Invalid boolean: ${describe(value)}`);
    case 'url':
      return readUrl(value, path);
    case 'currency':
      if (typeof value === 'string' && /^[a-zA-Z]{3}$/.test(value)) return value.toLowerCase();
      throw paramErrors.invalid(path, `Invalid currency: ${describe(value)}`);
    case 'metadata':
      return readMetadata(value, path);
    case 'range':
      return readRange(value, path);
    case 'hash':
      if (!isHash(value)) throw paramErrors.invalid(path, `Invalid object`);
      return readShape(spec.fields, value, path);
    case 'list':
      if (!Array.isArray(value)) throw paramErrors.invalid(path, `Invalid array`);
      if (spec.maxItems !== undefined && value.length > spec.maxItems) {
        throw paramErrors.invalid(path, `This list can hold at most ${spec.maxItems} items.`);
      }
      return value.map((item, index) => {
        const read = readValue(spec.of, item, at(path, index));
        if (read === null) throw paramErrors.empty(at(path, index));
        return read;
      });
  }
}

function readString(spec: StringSpec, value: FormValue, path: string): string {
  if (typeof value !== 'string')
    throw paramErrors.invalid(path, `Invalid string: ${describe(value)}`);
  if (spec.maxLength !== undefined && value.length > spec.maxLength) {
    throw paramErrors.invalid(
      path,
      `Invalid string: ${value.slice(0, 20)}...; must be at most ${spec.maxLength} characters`,
    );
  }
  if (spec.oneOf && !spec.oneOf.includes(value)) {
    const name = path.replace(/^.*\[/, '').replace(/\]$/, '');
    throw paramErrors.invalid(path, `Invalid ${name}: must be one of ${spec.oneOf.join(', ')}`);
  }
  return value;
}

function readInteger(spec: IntegerSpec, value: FormValue, path: string): number {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw paramErrors.integer(path, `Invalid integer: ${describe(value)}`);
  }
  const number = Number(value);
  if (spec.min !== undefined && number < spec.min) {
    throw paramErrors.integer(
      path,
      spec.min === 0
        ? `Invalid non-negative integer: ${number}`
        : `This value must be greater than or equal to ${spec.min}.`,
    );
  }
  if (spec.max !== undefined && number > spec.max) {
    throw paramErrors.integer(path, `This value must be less than or equal to ${spec.max}.`);
  }
  return number;
}

function readUrl(value: FormValue, path: string): string {
  if (typeof value !== 'string') throw paramErrors.url(path);
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // fall through to Stripe's answer
  }
  throw paramErrors.url(path);
}

/** Stripe's limits: 50 keys, keys up to 40 characters, values up to 500. `''` deletes a key. */
function readMetadata(value: FormValue, path: string): Metadata {
  if (!isHash(value)) throw paramErrors.invalid(path, 'Invalid hash');
  const entries = Object.entries(value);
  if (entries.length > 50) {
    throw paramErrors.invalid(path, 'You can specify up to 50 keys in metadata.');
  }
  for (const [key, inner] of entries) {
    if (typeof inner !== 'string') throw paramErrors.invalid(at(path, key), 'Invalid string');
    if (key.length > 40) {
      throw paramErrors.invalid(at(path, key), 'Metadata keys can have up to 40 characters.');
    }
    if (inner.length > 500) {
      throw paramErrors.invalid(at(path, key), 'Metadata values can have up to 500 characters.');
    }
  }
  return Object.fromEntries(entries) as Metadata;
}

function readRange(value: FormValue, path: string): TimestampRange {
  const integer = (inner: FormValue, innerPath: string) =>
    readInteger({ kind: 'integer', required: false }, inner, innerPath);
  if (typeof value === 'string') {
    const exact = integer(value, path);
    return { gte: exact, lte: exact };
  }
  if (!isHash(value)) throw paramErrors.invalid(path, 'Invalid timestamp range');
  const range: TimestampRange = {};
  for (const key of RANGE_KEYS) {
    if (value[key] !== undefined) range[key] = integer(value[key], at(path, key));
  }
  return range;
}

function describe(value: FormValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function inRange(seconds: number, range: TimestampRange): boolean {
  return (
    (range.gt === undefined || seconds > range.gt) &&
    (range.gte === undefined || seconds >= range.gte) &&
    (range.lt === undefined || seconds < range.lt) &&
    (range.lte === undefined || seconds <= range.lte)
  );
}
