export interface TaskListOptions {
  quiet?: boolean;
  quietBelowMs?: number;
}
export declare class TaskList {
  constructor(out: NodeJS.WriteStream, options?: TaskListOptions);
  run<T>(title: string, work: () => Promise<T> | T, summarize?: (result: T) => string): Promise<T>;
  detail(text: string): void;
  finish(): void;
}
