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
 */
export function availabilityFrom(options: {
  workingHours?: Readonly<Record<string, WorkingHours | undefined>>;
  leave?: Readonly<Record<string, readonly Leave[] | undefined>>;
}): Availability {
  const workingHours = options.workingHours ?? {};
  const leave = options.leave ?? {};
  const isOutOfOffice = (rep: string, at: number): boolean => {
    const stretches = Object.hasOwn(leave, rep) ? leave[rep] : undefined;
    if (stretches === undefined) return false;
    for (const stretch of stretches) if (at >= stretch.start && at < stretch.end) return true;
    return false;
  };
  return {
    isOutOfOffice,
    isWorking: (rep, at) => {
      if (isOutOfOffice(rep, at)) return false;
      const hours = Object.hasOwn(workingHours, rep) ? workingHours[rep] : undefined;
      return hours === undefined || hours.isOpen(at);
    },
  };
}
