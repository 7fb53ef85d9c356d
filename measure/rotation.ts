// Two or more servers compared on a shared machine whose speed swings for minutes at a time
// (this VM's bare node:http went from 24k to 47k req/s within minutes, in phases longer than a
// bench turn): measured one whole run after the other, a ratio reads which phase each side
// met, not the servers. So every side is up at once and they take short turns in rotation;
// each round's sides meet nearly the same minute, the ratio is taken within each round, and
// the median of those ratios is the figure, with the lowest and highest beside it to show how
// steady it was.

export interface RoundRatios {
  /** The median of the per-round ratios: a burst in one round does not decide it. */
  median: number;
  lowest: number;
  highest: number;
  /** Each round's ratio, in the order the rounds ran. */
  rounds: number[];
}

/**
 * Runs each side's turn in rotation, `rounds` times, and returns each side's turns in round
 * order (turns[side][round]). Every other round runs the sides in reverse (0 1 2, 2 1 0, 0 1 2):
 * on a machine that speeds up or slows down through a round, the side that goes first would
 * otherwise always meet the same end of it.
 */
export async function inRotation<T>(
  sides: readonly ((round: number) => Promise<T>)[],
  rounds: number,
): Promise<T[][]> {
  const turns: T[][] = sides.map(() => []);
  const order = sides.map((_, i) => i);
  for (let round = 1; round <= rounds; round++) {
    for (const i of round % 2 === 1 ? order : [...order].reverse()) {
      (turns[i] as T[]).push(await (sides[i] as (round: number) => Promise<T>)(round));
    }
  }
  return turns;
}

/** The ratio `side / base` in each round, and their median and range. */
export function roundRatios(side: readonly number[], base: readonly number[]): RoundRatios {
  if (side.length === 0 || side.length !== base.length) {
    throw new Error(
      `round ratios need as many rounds on each side (${side.length}, ${base.length})`,
    );
  }
  const rounds = side.map((value, i) => value / (base[i] as number));
  const sorted = [...rounds].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median =
    sorted.length % 2 === 1
      ? (sorted[Math.floor(middle)] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return {
    median,
    lowest: sorted[0] as number,
    highest: sorted[sorted.length - 1] as number,
    rounds,
  };
}
