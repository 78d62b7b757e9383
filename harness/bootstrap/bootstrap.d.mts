export declare const PINNED: Readonly<{ node: string; natsServer: string; natsCli: string }>;
export declare const NATS_SERVER_MODULE: string;
export declare const cacheDir: string;
export declare function bootstrap(argv: readonly string[]): Promise<number>;
export declare function natsServerPath(tag: string): string;
export declare function buildNatsServer(tag: string, options?: { announce?: (text: string) => void; signal?: AbortSignal }): Promise<string>;
export declare function ensureNatsCli(out?: NodeJS.WritableStream): Promise<string>;
