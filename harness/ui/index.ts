export { TaskList } from "../bootstrap/task-list.mjs";
export { type Color, paint, renderTable } from "./table.ts";
