// The fix for predict-no-cache: the same pixels get the same answer, so a repeated input is
// answered from memory without touching the model. Bounded and least-recently-used, so a
// stream of distinct drawings cannot grow it without end; keyed by a hash of the pixels, so
// a key is 20 bytes whatever the image.
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Prediction } from "./predict-task.js";

/** A few MB at most (an answer is about 400 bytes): far more than a lab's repeated inputs. */
export const CACHE_ENTRIES = 10_000;

export interface CachedPrediction extends Prediction {
  ranOn: "worker-pool" | "event-loop";
}

export class PredictionCache {
  private readonly entries = new LRUCache<string, CachedPrediction>({ max: CACHE_ENTRIES });

  /** The key: a SHA-1 of the pixels as read (0 to 1 floats), so 255 and 1.0 hit alike. */
  static keyOf(pixels: Float32Array): string {
    return createHash("sha1")
      .update(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength))
      .digest("base64");
  }

  get(key: string): CachedPrediction | undefined {
    return this.entries.get(key);
  }

  set(key: string, prediction: CachedPrediction): void {
    this.entries.set(key, prediction);
  }

  /** Forgets every answer (POST /admin/reset); says how many there were. */
  clear(): number {
    const forgotten = this.entries.size;
    this.entries.clear();
    return forgotten;
  }

  get size(): number {
    return this.entries.size;
  }
}
