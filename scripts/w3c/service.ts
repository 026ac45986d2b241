// The test service the W3C Trace Context test suite talks to (see ../w3c-trace-context.mjs):
// it POSTs a JSON list of { url, arguments }, and the service POSTs `arguments` to each `url`
// in turn, through otelite's fetch instrumentation, so that the suite can check the
// `traceparent`/`tracestate` that the wrapper took in and the fetch carried on.

/** Runs the suite's actions with the global (instrumented) fetch. */
export async function service(req: Request): Promise<Response> {
  const actions = (await req.json()) as { url: string; arguments: unknown }[] | null;
  for (const a of actions || []) {
    const r = await fetch(a.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a.arguments) });
    await r.arrayBuffer();
  }
  return new Response('ok');
}

/** The config of both wrappers: headers to the suite's harness, nothing exported anywhere real. */
export const config = { serviceName: 'w3c-trace-context', endpoint: 'http://127.0.0.1:9', propagateTo: ['http://127.0.0.1:7777'] };
