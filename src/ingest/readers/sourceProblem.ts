/** A whole input file that cannot be read: its path and reason reach the user; other files go on. */
export class SourceProblem extends Error {
  constructor(
    message: string,
    /** True when the file may be caught mid-rewrite (B1) and a re-read a moment later may succeed. */
    readonly transient = false,
  ) {
    super(message);
    this.name = 'SourceProblem';
  }
}
