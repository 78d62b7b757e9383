export { GameDayError } from "./gameday-error.ts";
export { loadGameDay } from "./load-gameday.ts";
export { type GameDayTarget, openGameDayTarget } from "./open-target.ts";
export { type GameDayPlan, planGameDay } from "./plan-gameday.ts";
export { GAMEDAY_EXIT, type GameDayObserver, GameDayRun, type RunGameDayOptions } from "./run-gameday.ts";
export { type GameDay, GameDaySchema, type Probe, type Step } from "./schema.ts";
export { describeJournalEvent, listenForKeys, type OperatorKeys, TerminalTimeline } from "./terminal-timeline.ts";
