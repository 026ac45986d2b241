import { TracerProvider } from 'otelite/trace';
import { compare } from './lib';
const none = new TracerProvider({}).getTracer('b');
const s0 = none.startSpan('x');
await compare('pieces', [
  { name: 'start+end no proc', fn: () => none.startSpan('op').end() },
  { name: 'start+3attr no proc', fn: () => { const s = none.startSpan('op'); s.setAttribute('a', 'GET'); s.setAttribute('b', 200); s.setAttribute('c', 'x'); s.end(); } },
  { name: 'setAttribute existing', fn: () => { s0.setAttribute('a', 'GET'); } },
  { name: 'obj 3 props', fn: () => { const o: Record<string, unknown> = {}; o['a'] = 'GET'; o['b'] = 200; o['c'] = 'x'; } },
]);
