// The part of Deno's global types (lib.deno.ns.d.ts, Deno 2) that the Deno checks use, written
// to the same shapes: a handler typed with them must fit `instrument()` and the reverse.
declare global {
  namespace Deno {
    interface NetAddr {
      transport: 'tcp' | 'udp';
      hostname: string;
      port: number;
    }
    interface UnixAddr {
      transport: 'unix' | 'unixpacket';
      path: string;
    }
    type Addr = NetAddr | UnixAddr;
    interface ServeHandlerInfo<A extends Addr = Addr> {
      remoteAddr: A;
      completed: Promise<void>;
    }
    type ServeHandler<A extends Addr = Addr> = (request: Request, info: ServeHandlerInfo<A>) => Response | Promise<Response>;
    interface ServeDefaultExport {
      fetch: ServeHandler;
    }
    function serve(handler: ServeHandler<NetAddr>): unknown;
    function serve(options: { path: string }, handler: ServeHandler<UnixAddr>): unknown;
  }
}
export {};
