/**
 * SLA clocks (SLA-CLOCKS.md): a clock is a replay of its event log into cycles that explain
 * themselves, the timers a durable scheduler must hold, the warn and breach records it appends
 * when they come due, and the figures reports need. Pure: calendars and `now` are arguments.
 */
export * from "./clock-calendar.js";
export * from "./clock-error.js";
export * from "./clock-event.js";
export * from "./clock-report.js";
export * from "./clock-timers.js";
export * from "./cycle.js";
export { calendarRefsOf, checkClockEvent, replayClock } from "./replay-clock.js";
