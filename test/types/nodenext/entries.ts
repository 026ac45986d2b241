/**
 * Every entry point of package.json "exports" that has types, imported by package name: each
 * must resolve to declarations, and none of its exports may have become `any` (what an
 * unresolvable import inside dist/types turns into when skipLibCheck hides the error).
 * package-types.test.ts checks that this list matches "exports".
 */
import type * as api from 'otelite';
import type * as traceSdk from 'otelite/trace';
import type * as metrics from 'otelite/metrics';
import type * as logs from 'otelite/logs';
import type * as zone from 'otelite/context/zone';
import type * as async from 'otelite/context/async';
import type * as b3 from 'otelite/propagators/b3';
import type * as jaeger from 'otelite/propagators/jaeger';
import type * as otlp from 'otelite/exporters/otlp-http-json';
import type * as fflate from 'otelite/exporters/otlp-http-json/fflate';
import type * as consoleExporter from 'otelite/exporters/console';
import type * as fetchInst from 'otelite/instrumentations/fetch';
import type * as xhr from 'otelite/instrumentations/xhr';
import type * as documentLoad from 'otelite/instrumentations/document-load';
import type * as errors from 'otelite/instrumentations/errors';
import type * as web from 'otelite/web';
import type * as cloudflare from 'otelite/cloudflare';
import type * as deno from 'otelite/deno';
import type * as otelApi from 'otelite/otel-api';
import type * as esbuildPlugin from 'otelite/esbuild';
import type * as esbuildRuntime from 'otelite/esbuild/runtime';

/** The names of `M`'s exports whose type is `any`. */
type AnyExports<M> = { [K in keyof M]-?: 0 extends 1 & M[K] ? K : never }[keyof M];
/** Compiles only when `M` has exports and none of them is `any`. */
type Typed<M> = [keyof M] extends [never] ? 'no exports' : [AnyExports<M>] extends [never] ? M : `any: ${string & AnyExports<M>}`;
type Check<M, T extends M> = T;

export type Entries = {
  '.': Check<typeof api, Typed<typeof api>>;
  './trace': Check<typeof traceSdk, Typed<typeof traceSdk>>;
  './metrics': Check<typeof metrics, Typed<typeof metrics>>;
  './logs': Check<typeof logs, Typed<typeof logs>>;
  './context/zone': Check<typeof zone, Typed<typeof zone>>;
  './context/async': Check<typeof async, Typed<typeof async>>;
  './propagators/b3': Check<typeof b3, Typed<typeof b3>>;
  './propagators/jaeger': Check<typeof jaeger, Typed<typeof jaeger>>;
  './exporters/otlp-http-json': Check<typeof otlp, Typed<typeof otlp>>;
  './exporters/otlp-http-json/fflate': Check<typeof fflate, Typed<typeof fflate>>;
  './exporters/console': Check<typeof consoleExporter, Typed<typeof consoleExporter>>;
  './instrumentations/fetch': Check<typeof fetchInst, Typed<typeof fetchInst>>;
  './instrumentations/xhr': Check<typeof xhr, Typed<typeof xhr>>;
  './instrumentations/document-load': Check<typeof documentLoad, Typed<typeof documentLoad>>;
  './instrumentations/errors': Check<typeof errors, Typed<typeof errors>>;
  './web': Check<typeof web, Typed<typeof web>>;
  './cloudflare': Check<typeof cloudflare, Typed<typeof cloudflare>>;
  './deno': Check<typeof deno, Typed<typeof deno>>;
  './otel-api': Check<typeof otelApi, Typed<typeof otelApi>>;
  './esbuild': Check<typeof esbuildPlugin, Typed<typeof esbuildPlugin>>;
  './esbuild/runtime': Check<typeof esbuildRuntime, Typed<typeof esbuildRuntime>>;
};
