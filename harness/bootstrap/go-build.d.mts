export interface GoInstallOptions {
  module: string;
  version: string;
  name: string;
  dir: string;
  env?: Record<string, string>;
  announce?: (text: string) => void;
  signal?: AbortSignal;
}
export declare function goInstallOnce(options: GoInstallOptions): Promise<string>;
