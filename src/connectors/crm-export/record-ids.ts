/**
 * The ids of the records read from exports so far: to skip a record whose id came earlier and,
 * after reading, to find a record by id (joining leads and opportunities).
 *
 * Exports are most often in id order: HubSpot's record ids ascend with creation, and so do the
 * rows of an export sorted by them. While every id is a plain decimal number (no sign, no
 * leading zero) above the one before, no id can repeat, so nothing is looked up or kept, and a
 * record is found by binary search over the records themselves. The first id out of that order
 * puts the ids so far in a map, which answers from then on. Looking each of a million ids up in
 * a map took a tenth of the audit's time.
 */
export class RecordIds {
  /** the last id's value while the ids ascend */
  #last = -1;
  #map: Map<string, number> | null = null;

  /** `records[position].id` is the id added at that position */
  constructor(private readonly records: readonly { readonly id: string }[]) {}

  /**
   * Adds the id of the record about to take `position` (the records' length): false, adding
   * nothing, when an earlier record has it.
   */
  add(id: string, position: number): boolean {
    if (this.#map === null) {
      const value = decimalValue(id);
      if (value > this.#last) {
        this.#last = value;
        return true;
      }
      this.#map = this.#mapOfRecords();
    }
    if (this.#map.has(id)) return false;
    this.#map.set(id, position);
    return true;
  }

  /** The position of the record with `id`, if any. */
  positionOf(id: string): number | undefined {
    if (this.#map !== null) return this.#map.get(id);
    const value = decimalValue(id);
    if (value < 0) return undefined;
    let low = 0;
    let high = this.records.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const found = decimalValue(this.records[middle]!.id);
      if (found === value) return middle;
      if (found < value) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  /**
   * Forgets every id (a million ids are worth freeing before the metrics run): afterwards no id
   * is found, and every id is new again.
   */
  clear(): void {
    this.#map = new Map();
  }

  #mapOfRecords(): Map<string, number> {
    const map = new Map<string, number>();
    for (const [position, record] of this.records.entries()) map.set(record.id, position);
    return map;
  }
}

/**
 * The value of an id written as a plain decimal number of at most 15 digits, exactly as
 * `String(value)` writes it, else -1 ("007" is not the id "7", and is read as not a number).
 */
export function decimalValue(id: string): number {
  const length = id.length;
  if (length === 0 || length > 15) return -1;
  if (length > 1 && id.charCodeAt(0) === 48) return -1;
  let value = 0;
  for (let at = 0; at < length; at++) {
    const digit = id.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
