import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that take minutes, started first so the other worker runs the rest beside them. Without
 * a results cache (a clean clone in CI) vitest orders files by size, which could start these last
 * and add their whole duration to the run.
 */
const LONG_RUNNING = ["tests/providers/docker/docker-stack.test.ts"];

export default class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isLong = (file: TestSpecification) => LONG_RUNNING.some((path) => file.moduleId.endsWith(path));
    return [...sorted.filter(isLong), ...sorted.filter((file) => !isLong(file))];
  }
}
