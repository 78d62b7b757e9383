import type { SpawnOptions } from "node:child_process";
export declare function runQuiet(command: string, args: readonly string[], options?: SpawnOptions): Promise<void>;
