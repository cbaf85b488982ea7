import type { Agreement } from "../core/agreement/agreement-schema.js";
import { type CompiledAgreement, compileAgreement } from "../core/agreement/compile-agreement.js";
import { parseCalendarRef } from "../core/pipeline/clock-plan.js";
import { type ClockCalendar, type ClockEvent, calendarRefsOf } from "../core/sla/index.js";
import type { Executor } from "./ledger-store.js";

/**
 * Compiled agreement versions, by number. Versions never change once proposed, so each is
 * compiled once per process and kept. `resolveCalendar` answers the clock replay's calendar refs
 * (`<calendar>@<version>`) synchronously from versions loaded beforehand (`ensureLoaded`).
 */
export class AgreementRegistry {
  readonly #compiled = new Map<number, CompiledAgreement>();
  #lastActive: { version: number; compiled: CompiledAgreement } | undefined;

  constructor(readonly workspace: string) {}

  async load(db: Executor, version: number): Promise<CompiledAgreement | undefined> {
    const known = this.#compiled.get(version);
    if (known !== undefined) return known;
    const row = await db
      .selectFrom("agreement_versions")
      .select("parsed")
      .where("workspace", "=", this.workspace)
      .where("number", "=", version)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const compiled = compileAgreement(row.parsed as Agreement);
    this.#compiled.set(version, compiled);
    return compiled;
  }

  /** Registers a version compiled elsewhere (a rebuild folds versions before they are stored). */
  remember(version: number, agreement: Agreement): CompiledAgreement {
    const known = this.#compiled.get(version);
    if (known !== undefined) return known;
    const compiled = compileAgreement(agreement);
    this.#compiled.set(version, compiled);
    return compiled;
  }

  /** The active version, read in the caller's transaction; undefined before any activation. */
  async active(
    db: Executor,
  ): Promise<{ version: number; compiled: CompiledAgreement } | undefined> {
    const row = await db
      .selectFrom("agreement_versions")
      .select("number")
      .where("workspace", "=", this.workspace)
      .where("activated_at", "is not", null)
      .where("superseded_at", "is", null)
      .orderBy("number", "desc")
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const compiled = await this.load(db, row.number);
    this.#lastActive = compiled === undefined ? undefined : { version: row.number, compiled };
    return this.#lastActive;
  }

  /**
   * The version this process last saw active, without asking the database: a caller that uses
   * it must check it against the database in the same transaction (ingest does, with its key
   * claim) and start again when another version has been activated since.
   */
  lastSeenActive(): { version: number; compiled: CompiledAgreement } | undefined {
    return this.#lastActive;
  }

  forgetActive(): void {
    this.#lastActive = undefined;
  }

  /** Loads every version the clock events name, so `resolveCalendar` can answer them. */
  async ensureLoaded(db: Executor, events: Iterable<ClockEvent>): Promise<void> {
    const versions = new Set<number>();
    for (const event of events)
      for (const ref of calendarRefsOf(event)) {
        const parsed = parseCalendarRef(ref);
        if (parsed !== undefined && !this.#compiled.has(parsed.version))
          versions.add(parsed.version);
      }
    for (const version of versions) await this.load(db, version);
  }

  resolveCalendar = (ref: string): ClockCalendar | undefined => {
    const parsed = parseCalendarRef(ref);
    if (parsed === undefined) return undefined;
    return this.#compiled.get(parsed.version)?.calendars.get(parsed.calendar);
  };

  compiled(version: number): CompiledAgreement | undefined {
    return this.#compiled.get(version);
  }
}
