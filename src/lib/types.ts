/** A value an attribute can hold: a primitive or a homogeneous array of one primitive type. */
export type AttributeValue =
  | string
  | number
  | boolean
  | Array<null | undefined | string>
  | Array<null | undefined | number>
  | Array<null | undefined | boolean>;

/** A set of attributes. `undefined` values are allowed in input and ignored. */
export interface Attributes {
  [key: string]: AttributeValue | undefined;
}

/** `[seconds, nanoseconds]` since the Unix epoch, as in `@opentelemetry/api`. */
export type HrTime = [number, number];

/**
 * A point in time: milliseconds since the epoch (or, when below 1e12, milliseconds since
 * `performance.timeOrigin`, like `performance.now()`), a `Date`, or an {@link HrTime}.
 */
export type TimeInput = HrTime | number | Date;

/** Who produced telemetry: the name (and version) of a library or app module. */
export interface InstrumentationScope {
  /** The library's name. */
  readonly name: string;
  /** The library's version. */
  readonly version?: string;
  /** The schema URL of the telemetry it produces. */
  readonly schemaUrl?: string;
  /** Attributes of the scope itself. */
  readonly attributes?: Attributes;
}
