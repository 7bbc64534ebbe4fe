import { CommandRunner, Option } from 'nest-commander';
import type { ClubContext } from '../../club/auth/club-context';
import { ClubsService } from '../../club/services/clubs.service';
import type { OperationItem } from '../../common/operator-outcome';
import { runOperation } from './operation';
import { printReport, progressBar } from './report-output';

export interface OperatorOptions {
  commit: boolean;
  tenant?: string;
  json: boolean;
  concurrency: number;
}

/** A club as an operator command acts for it: the audit log names the command. */
export type OperatorClub = ClubContext & { slug: string };

/**
 * The shape every operator command that writes shares: a dry run unless `--commit`, one club
 * (`--tenant`) or all, a table or `--json`, a progress bar on a terminal, items run
 * `--concurrency` at a time, and a non-zero exit when any item failed or the run was stopped.
 * Subclasses only plan their items; the services they call make every decision.
 */
export abstract class OperatorCommand<
  O extends OperatorOptions = OperatorOptions,
> extends CommandRunner {
  protected constructor(protected readonly clubs: ClubsService) {
    super();
  }

  protected abstract plan(clubs: OperatorClub[], options: O): Promise<OperationItem[]>;

  /** Whether the last run was stopped (Ctrl-C) before every item was taken. */
  protected interrupted = false;

  async run(_: string[], options: O): Promise<void> {
    const command = this.command.name();
    const clubs = await this.clubs.forOperator(options.tenant, `cli:${command}`);
    const items = await this.plan(clubs, options);
    this.interrupted = false;
    const stop = () => {
      this.interrupted = true;
      process.stderr.write('\nStopping after the items in flight…\n');
    };
    process.once('SIGINT', stop);
    try {
      const report = await runOperation(command, items, {
        commit: options.commit === true,
        concurrency: options.concurrency,
        progress: progressBar(!options.json && items.length > 1),
        interrupted: () => this.interrupted,
      });
      printReport(report, options.json === true);
      if (report.summary.failed > 0 || report.interrupted) process.exitCode = 1;
    } finally {
      process.removeListener('SIGINT', stop);
    }
  }

  @Option({ flags: '--commit', description: 'Do it (without it, a dry run that writes nothing)' })
  parseCommit(): boolean {
    return true;
  }

  @Option({ flags: '--tenant <slug>', description: 'Only this club (default: every club)' })
  parseTenant(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: 'Print the report as JSON' })
  parseJson(): boolean {
    return true;
  }

  @Option({
    flags: '--concurrency <n>',
    description: 'Items worked on at once (Stripe calls stay under STRIPE_RATE_LIMIT_PER_SECOND)',
    defaultValue: 8,
  })
  parseConcurrency(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 64)
      throw new Error('--concurrency must be a whole number from 1 to 64');
    return n;
  }
}
