import { InvalidInputError } from './errors.ts';

/**
 * Indices of the k largest values, largest first (ties: lower index first). A bounded min-heap: O(n log k), no
 * full sort of n similarities per query.
 */
export function topK(values: ArrayLike<number>, k: number): Int32Array {
  if (!Number.isInteger(k) || k < 1) throw new InvalidInputError(`k must be a positive integer, got ${k}.`);
  const size = Math.min(k, values.length);
  const heap = new Int32Array(size);
  let count = 0;
  // heap[0] is the smallest kept value; "smaller" breaks ties towards the higher index so lower indices are kept.
  const smaller = (a: number, b: number) => values[a]! < values[b]! || (values[a] === values[b] && a > b);
  const siftDown = (start: number) => {
    let parent = start;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let least = parent;
      if (left < count && smaller(heap[left]!, heap[least]!)) least = left;
      if (right < count && smaller(heap[right]!, heap[least]!)) least = right;
      if (least === parent) return;
      [heap[parent], heap[least]] = [heap[least]!, heap[parent]!];
      parent = least;
    }
  };
  for (let index = 0; index < values.length; index++) {
    if (count < size) {
      heap[count] = index;
      let child = count++;
      while (child > 0) {
        const parent = (child - 1) >> 1;
        if (!smaller(heap[child]!, heap[parent]!)) break;
        [heap[parent], heap[child]] = [heap[child]!, heap[parent]!];
        child = parent;
      }
    } else if (smaller(heap[0]!, index)) {
      heap[0] = index;
      siftDown(0);
    }
  }
  return Int32Array.from(heap).sort((a, b) => values[b]! - values[a]! || a - b);
}
