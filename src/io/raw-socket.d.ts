// Type declarations for the parts of the `raw-socket` package (1.8) used by
// transport.ts; the package ships none. See its README and src/raw.cc.
declare module 'raw-socket' {
  import type { EventEmitter } from 'node:events';

  namespace raw {
    interface SocketOptions {
      addressFamily?: number;
      protocol?: number;
      /** Size of the receive buffer; longer datagrams are cut to it silently. */
      bufferSize?: number;
    }
    interface Socket extends EventEmitter {
      /** setsockopt(level, option, value, length); throws Error(strerror) on failure. */
      setOption(level: number, option: number, value: Buffer, length: number): void;
      /** sendto() once the socket is writable; `afterCallback` gets the error or the bytes sent. */
      send(
        buffer: Buffer,
        offset: number,
        length: number,
        address: string,
        afterCallback: (error: Error | null, bytes: number) => void,
      ): Socket;
      close(): Socket;
      /** Requests queued by send() for the next writable poll. */
      readonly requests: readonly unknown[];
      /** The native handle: its send() is a non-blocking sendto() made at once; it throws Error(strerror) on failure. */
      readonly wrap: { send(buffer: Buffer, offset: number, length: number, address: string, callback: (bytes: number) => void): void };
    }
    function createSocket(options?: SocketOptions): Socket;
    const SocketLevel: { SOL_SOCKET: number; IPPROTO_IP: number };
    const SocketOption: Record<string, number>;
  }
  export = raw;
}
