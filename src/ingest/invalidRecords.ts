/** Counts the records of one file that failed validation, by reason, with a few examples. */

export interface InvalidSummary {
  count: number;
  /** Distinct reasons, most frequent first. */
  reasons: { reason: string; count: number }[];
  /** The first few failures with their position, e.g. `invocations[3].completed: expected boolean, received string`. */
  examples: string[];
}

const MAX_EXAMPLES = 5;
const MAX_REASONS = 20;

export class InvalidRecords {
  private total = 0;
  private readonly byReason = new Map<string, number>();
  private readonly examples: string[] = [];

  add(position: string, reason: string): void {
    this.total++;
    if (this.byReason.size < MAX_REASONS || this.byReason.has(reason)) {
      this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    }
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(`${position}: ${reason}`);
  }

  get count(): number {
    return this.total;
  }

  summary(): InvalidSummary {
    const reasons = [...this.byReason.entries()]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
    return { count: this.total, reasons, examples: [...this.examples] };
  }
}

/** One line for logs and problem lists: `3 records skipped (2× completed: expected boolean, ...)`. */
export function describeInvalid(summary: InvalidSummary): string {
  const top = summary.reasons.slice(0, 3).map((r) => `${r.count}× ${r.reason}`).join('; ');
  return `${summary.count} record${summary.count === 1 ? '' : 's'} skipped (${top}${summary.reasons.length > 3 ? '; …' : ''}); e.g. ${summary.examples[0] ?? ''}`;
}
