export { describeIssue, type IssueAt } from "./describe-issue.ts";
export { type FieldProblem, fieldPath, formatFieldProblem } from "./field-problem.ts";
