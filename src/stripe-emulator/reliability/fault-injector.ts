export type FaultKind = '500' | 'reset' | '429' | 'latency';

export interface FaultSpec {
  method?: string;
  /** An exact path (`/v1/payment_links`) or a pattern tested against it. */
  path?: string | RegExp;
  kind: FaultKind;
  /** `before`: fail without doing the work; `after`: do the work, keep its idempotent result, then fail. */
  when?: 'before' | 'after';
  /** How many calls fail, from the first due one; default 1. */
  times?: number;
  /** The first matching call that fails (1 = the next one); default 1. */
  nth?: number;
  /**
   * Fails every Nth matching call (every: 20 = 5% of them), for `times` calls (default: no
   * end); deterministic, so a test of a flaky Stripe is repeatable.
   */
  every?: number;
  /** For `latency`: how long to hold the call; default 1000 ms. */
  latencyMs?: number;
}

export interface DueFault {
  kind: FaultKind;
  when: 'before' | 'after';
  latencyMs: number;
}

interface ArmedFault {
  spec: FaultSpec;
  seen: number;
  remaining: number;
}

/** Faults that tests arm for the next matching API calls. */
export class FaultInjector {
  private armed: ArmedFault[] = [];

  inject(spec: FaultSpec): void {
    const times = spec.times ?? (spec.every ? Infinity : 1);
    const nth = spec.nth ?? 1;
    const every = spec.every ?? 1;
    if (
      !(Number.isInteger(times) || times === Infinity) ||
      times < 1 ||
      !Number.isInteger(nth) ||
      nth < 1 ||
      !Number.isInteger(every) ||
      every < 1
    ) {
      throw new Error('A fault needs whole numbers times ≥ 1, nth ≥ 1 and every ≥ 1');
    }
    this.armed.push({ spec, seen: 0, remaining: times });
  }

  clear(): void {
    this.armed = [];
  }

  /** Counts this call against every matching fault and returns the one that fires on it, if any. */
  take(method: string, path: string): DueFault | undefined {
    let due: DueFault | undefined;
    for (const fault of this.armed) {
      if (!matches(fault.spec, method, path)) continue;
      fault.seen += 1;
      if (due || fault.seen < (fault.spec.nth ?? 1)) continue;
      if (fault.spec.every && fault.seen % fault.spec.every !== 0) continue;
      fault.remaining -= 1;
      due = {
        kind: fault.spec.kind,
        when: fault.spec.when ?? 'before',
        latencyMs: fault.spec.latencyMs ?? 1000,
      };
    }
    this.armed = this.armed.filter((fault) => fault.remaining > 0);
    return due;
  }
}

function matches(spec: FaultSpec, method: string, path: string): boolean {
  if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  if (spec.path === undefined) return true;
  // search() ignores a /g pattern's lastIndex, so one pattern object can be reused safely.
  return typeof spec.path === 'string' ? spec.path === path : path.search(spec.path) >= 0;
}
