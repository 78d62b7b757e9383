export declare const PINNED: Readonly<{ node: string; natsServer: string; natsCli: string }>;
export declare function bootstrap(argv: readonly string[]): Promise<number>;
export declare function ensureNatsCli(out?: NodeJS.WritableStream): Promise<string>;
