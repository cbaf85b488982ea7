import { describe, expect, it } from "vitest";
import { type BoardClock, boardStateOf } from "./sla-board.js";

const running: BoardClock = {
  cycleState: "running",
  dueAt: 10_000,
  paused: false,
  warningsSent: [],
  calendarOpen: true,
};

describe("boardStateOf", () => {
  it("reads a running clock before its due as on track, at risk once warned", () => {
    expect(boardStateOf(running, 9_999)).toBe("on-track");
    expect(boardStateOf({ ...running, warningsSent: ["15m-before"] }, 9_999)).toBe("at-risk");
  });

  it("calls a running clock breached from its due instant, before the worker records it", () => {
    // due 10 000: at 10 000 the target is used up (a stop then is late), so breached
    expect(boardStateOf(running, 10_000)).toBe("breached");
    expect(boardStateOf({ ...running, warningsSent: ["15m-before"] }, 12_000)).toBe("breached");
  });

  it("keeps met, breached and cancelled as the replay decided them", () => {
    expect(boardStateOf({ ...running, cycleState: "met" }, 50_000)).toBe("met");
    expect(boardStateOf({ ...running, cycleState: "breached-closed" }, 0)).toBe("breached");
    expect(boardStateOf({ ...running, cycleState: "breached-open", paused: true }, 0)).toBe(
      "breached",
    );
    expect(boardStateOf({ ...running, cycleState: "cancelled" }, 0)).toBeUndefined();
  });

  it("shows a paused clock as paused, even outside hours", () => {
    const paused = { ...running, cycleState: "paused", paused: true, dueAt: null };
    expect(boardStateOf(paused, 20_000)).toBe("paused");
    expect(boardStateOf({ ...paused, calendarOpen: false }, 20_000)).toBe("paused");
  });

  it("says outside hours when the calendar is closed and nothing is more urgent", () => {
    expect(boardStateOf({ ...running, calendarOpen: false }, 5_000)).toBe("outside-hours");
    // a warned clock outside hours is at risk first: the warning is what needs acting on
    expect(
      boardStateOf({ ...running, calendarOpen: false, warningsSent: ["15m-before"] }, 5_000),
    ).toBe("at-risk");
    // an unknown calendar is not "outside hours"
    expect(boardStateOf({ ...running, calendarOpen: undefined }, 5_000)).toBe("on-track");
  });
});
