/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32) for the demo
 * company: the same seed always gives the same sequence, on every platform, without touching
 * `Math.random`. Not for anything secret.
 */
export interface Random {
  /** uniform in [0, 1) */
  next(): number;
  /** uniform integer in [min, max] */
  int(min: number, max: number): number;
  /** uniform in [min, max) */
  between(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<Item>(items: readonly Item[]): Item;
  /** an item with probability proportional to its weight */
  weighted<Item>(entries: readonly (readonly [Item, number])[]): Item;
  /** a Poisson-distributed count with the given mean (Knuth's method; means here are small) */
  poisson(mean: number): number;
  /** log-normal around `median`, `spread` the standard deviation of its logarithm */
  logNormal(median: number, spread: number): number;
  /** an independent generator for a named purpose, so adding draws to one part of the plan
   *  leaves the others unchanged */
  fork(label: string): Random;
}

export function createRandom(seed: number | string): Random {
  let state = typeof seed === "number" ? seed >>> 0 : hashText(seed);
  const splitmix = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const seedState = state;
  const next = () => {
    // sfc32 (Chris Doty-Humphrey's small fast counting generator)
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4_294_967_296;
  };
  for (let warmUp = 0; warmUp < 12; warmUp++) next();
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: (min, max) => min + next() * (max - min),
    chance: (probability) => next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new RangeError("pick from an empty list");
      return items[Math.floor(next() * items.length)]!;
    },
    weighted: (entries) => {
      const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [item, weight] of entries) {
        roll -= weight;
        if (roll < 0) return item;
      }
      if (entries.length === 0) throw new RangeError("weighted pick from an empty list");
      return entries[entries.length - 1]![0];
    },
    poisson: (mean) => {
      if (mean <= 0) return 0;
      const limit = Math.exp(-mean);
      let count = 0;
      let product = next();
      while (product > limit) {
        count += 1;
        product *= next();
      }
      return count;
    },
    logNormal: (median, spread) => {
      // Box–Muller; 1 - next() keeps the logarithm finite
      const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      return median * Math.exp(spread * normal);
    },
    fork: (label) => createRandom((hashText(label) ^ seedState) >>> 0),
  };
  return random;
}

/** FNV-1a, 32 bits: turns a label or a textual seed into a number. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
