/**
 * The real-runtime test harness: OTLP receiver with schema validation, static/API server,
 * Chromium, workerd and Deno. Import from `./harness` in `test/e2e/*.test.ts`.
 */
export * from './otlp-schema';
export * from './otlp-json';
export * from './receiver';
export * from './server';
export * from './browser';
export * from './runtimes';
export * from './samples';
