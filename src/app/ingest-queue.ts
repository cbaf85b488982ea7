import type { Engine } from "./engine.js";
import { type IngestResult, ingestLeads } from "./ingest.js";

/**
 * Group commit for leads arriving one at a time (an API call or form webhook per lead): leads
 * submitted while a batch is being written wait for it and then go together in the next batch,
 * one transaction with a result per lead. Nobody waits for a timer: a lead arriving to an idle
 * queue starts a batch at the end of the event loop's current turn, with every call of that turn,
 * so latency stays one transaction at low load while throughput grows with load, the way
 * databases group commits.
 *
 * A batch that fails as a whole (a database error) is retried lead by lead, so one lead that
 * trips something unexpected fails alone.
 */
export interface IngestQueueOptions {
  /** most leads per transaction (default 500) */
  maxBatch?: number;
  /**
   * batches written at the same time (default 1: batches serialise on the routing row anyway,
   * and one at a time lets the next batch grow while the current one is written)
   */
  concurrency?: number;
}

interface Waiting {
  input: unknown;
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
}

export class IngestQueue {
  readonly #engine: Engine;
  readonly #maxBatch: number;
  readonly #concurrency: number;
  /** waiting leads per actor: a batch records one actor */
  readonly #waiting = new Map<string, Waiting[]>();
  #running = 0;
  #scheduled = false;

  constructor(engine: Engine, options: IngestQueueOptions = {}) {
    this.#engine = engine;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#concurrency = options.concurrency ?? 1;
  }

  submit(input: unknown, options: { actor: string }): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      const list = this.#waiting.get(options.actor);
      if (list === undefined) this.#waiting.set(options.actor, [{ input, resolve, reject }]);
      else list.push({ input, resolve, reject });
      this.#schedule();
    });
  }

  /** leads waiting for a batch, for monitoring */
  get waiting(): number {
    let count = 0;
    for (const list of this.#waiting.values()) count += list.length;
    return count;
  }

  /**
   * Pumps once the calls of this turn of the event loop are in (setImmediate, not a timer): on
   * embedded PGlite a transaction can run to its end without giving the loop a turn, so pumping
   * inside `submit` wrote every lead of a burst in a transaction of its own, one after another.
   */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#running < this.#concurrency) {
      const next = this.#waiting.entries().next();
      if (next.done) return;
      const [actor, list] = next.value;
      const batch = list.splice(0, this.#maxBatch);
      if (list.length === 0) this.#waiting.delete(actor);
      this.#running += 1;
      void this.#write(actor, batch).finally(() => {
        this.#running -= 1;
        this.#schedule();
      });
    }
  }

  async #write(actor: string, batch: Waiting[]): Promise<void> {
    try {
      const results = await ingestLeads(
        this.#engine,
        batch.map((waiting) => waiting.input),
        { actor },
      );
      for (const [index, waiting] of batch.entries()) waiting.resolve(results[index]!);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const waiting of batch)
        try {
          const [result] = await ingestLeads(this.#engine, [waiting.input], { actor });
          waiting.resolve(result!);
        } catch (single) {
          waiting.reject(single);
        }
    }
  }
}
