import { describe, expect, it } from "vitest";
import { compileCalendar } from "../calendar/index.js";
import { availabilityFrom } from "./availability.js";

const newYork = compileCalendar({
  timezone: "America/New_York",
  hours: {
    mon: ["09:00-17:00"],
    tue: ["09:00-17:00"],
    wed: ["09:00-17:00"],
    thu: ["09:00-17:00"],
    fri: ["09:00-17:00"],
  },
});
/** Monday 2 March 2026, 10:00 in New York (UTC−5). */
const mondayMorning = Date.UTC(2026, 2, 2, 15, 0);
const hour = 3_600_000;

describe("availabilityFrom", () => {
  const availability = availabilityFrom({
    workingHours: { alex: newYork, blair: newYork },
    leave: { blair: [{ start: mondayMorning, end: mondayMorning + 2 * hour }] },
  });

  it("answers working hours from the rep's calendar", () => {
    expect(availability.isWorking("alex", mondayMorning)).toBe(true);
    expect(availability.isWorking("alex", mondayMorning + 8 * hour)).toBe(false);
    // Asking again at the same instant, and for another rep on the same calendar, agrees.
    expect(availability.isWorking("alex", mondayMorning + 8 * hour)).toBe(false);
    expect(availability.isWorking("alex", mondayMorning)).toBe(true);
  });

  it("treats leave as start-inclusive, end-exclusive, and never working", () => {
    expect(availability.isOutOfOffice("blair", mondayMorning)).toBe(true);
    expect(availability.isWorking("blair", mondayMorning)).toBe(false);
    expect(availability.isOutOfOffice("blair", mondayMorning + 2 * hour)).toBe(false);
    expect(availability.isWorking("blair", mondayMorning + 2 * hour)).toBe(true);
  });

  it("treats a rep without a calendar as always working and never away", () => {
    expect(availability.isWorking("casey", mondayMorning + 12 * hour)).toBe(true);
    expect(availability.isOutOfOffice("casey", mondayMorning)).toBe(false);
    expect(availability.isOutOfOffice("constructor", mondayMorning)).toBe(false);
  });
});
