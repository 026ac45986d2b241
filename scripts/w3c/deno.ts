// The W3C suite's test service in Deno, behind otelite/deno's instrument(). Port: first argument.
import { instrument } from '../../src/deno/index';
import { config, service } from './service';

declare const Deno: {
  args: string[];
  serve(o: { hostname: string; port: number; onListen(a: { port: number }): void }, h: (r: Request) => Promise<Response>): unknown;
};

Deno.serve({ hostname: '127.0.0.1', port: Number(Deno.args[0]), onListen: (a) => console.log('LISTENING ' + a.port) }, instrument(service, config));
