/**
 * Business calendars: IANA zones, weekly windows with breaks, holidays and daylight saving;
 * elapsed business time and due instants for SLA clocks (SLA-CLOCKS.md).
 */
export { type BusinessCalendar, compileCalendar } from "./business-calendar.js";
export { endOfBusinessDays } from "./business-days.js";
export { alwaysOpen, type BusinessTime, type Interval, mergePauses } from "./business-time.js";
export {
  alwaysOpenHours,
  type CalendarDefinition,
  calendarDefinitionSchema,
  type HolidayDefinition,
  timezoneSchema,
  type Weekday,
  weekdays,
} from "./calendar-schema.js";
export { type CalendarVersion, composeCalendarVersions } from "./calendar-versions.js";
