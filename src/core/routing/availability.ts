/**
 * Whether a rep can take a lead at a moment. Routing only asks these two questions, so it stays
 * independent of how calendars and leave are stored; the caller answers them from the agreement's
 * calendars and from leave records (planned in the agreement or entered at runtime).
 *
 * - working: inside the rep's working hours (their calendar is open).
 * - out of office: on leave. Leave beats working hours: a rep on leave is never working.
 *
 * Both are pure questions about a timestamp (epoch ms); routing never reads the clock itself.
 */
export interface Availability {
  isWorking(rep: string, at: number): boolean;
  isOutOfOffice(rep: string, at: number): boolean;
}

/** The part of a compiled calendar routing needs (see core/calendar): is it open at a moment? */
export interface WorkingHours {
  isOpen(at: number): boolean;
}

/** A stretch of leave, epoch ms, start inclusive and end exclusive. */
export interface Leave {
  start: number;
  end: number;
}

/** Everyone always working and never away: for tests, demos and pools with hours ignored. */
export const alwaysAvailable: Availability = {
  isWorking: () => true,
  isOutOfOffice: () => false,
};

/**
 * Availability from per-rep working hours and leave. A rep with no working hours listed is
 * treated as always working (the agreement lets a person have no calendar); a rep with no leave
 * listed is never out of office.
 *
 * Reps usually share a few team or regional calendars, and one routing decision asks about every
 * pool member at the same instant, so each distinct calendar remembers its last answer: a pool of
 * fifteen reps on three calendars costs three calendar look-ups, not fifteen. Calendars are pure
 * functions of the instant, so the memory never changes an answer.
 */
export function availabilityFrom(options: {
  workingHours?: Readonly<Record<string, WorkingHours | undefined>>;
  leave?: Readonly<Record<string, readonly Leave[] | undefined>>;
}): Availability {
  const reps = new Map<string, RepAvailability>();
  const entry = (rep: string): RepAvailability => {
    let found = reps.get(rep);
    if (found === undefined) {
      found = { leave: undefined, hours: undefined };
      reps.set(rep, found);
    }
    return found;
  };
  for (const [rep, stretches] of Object.entries(options.leave ?? {}))
    if (stretches !== undefined && stretches.length > 0) entry(rep).leave = stretches;
  const memos = new Map<WorkingHours, MemoisedHours>();
  for (const [rep, hours] of Object.entries(options.workingHours ?? {})) {
    if (hours === undefined) continue;
    let memo = memos.get(hours);
    if (memo === undefined) {
      memo = { hours, lastAt: Number.NaN, lastOpen: false };
      memos.set(hours, memo);
    }
    entry(rep).hours = memo;
  }
  return {
    isOutOfOffice: (rep, at) => {
      const found = reps.get(rep);
      return found?.leave !== undefined && onLeave(found.leave, at);
    },
    isWorking: (rep, at) => {
      const found = reps.get(rep);
      if (found === undefined) return true;
      if (found.leave !== undefined && onLeave(found.leave, at)) return false;
      const memo = found.hours;
      if (memo === undefined) return true;
      if (memo.lastAt !== at) {
        memo.lastOpen = memo.hours.isOpen(at);
        memo.lastAt = at;
      }
      return memo.lastOpen;
    },
  };
}

interface RepAvailability {
  leave: readonly Leave[] | undefined;
  hours: MemoisedHours | undefined;
}

interface MemoisedHours {
  hours: WorkingHours;
  lastAt: number;
  lastOpen: boolean;
}

function onLeave(stretches: readonly Leave[], at: number): boolean {
  for (const stretch of stretches) if (at >= stretch.start && at < stretch.end) return true;
  return false;
}
