import { Command, CommandRunner, Option } from 'nest-commander';
import { AdminApiKeysService } from '../../club/auth/admin-api-keys.service';
import { formatTable } from '../operation/report-output';

@Command({
  name: 'api-key:create',
  description: 'Create an admin API key for a club and print it once',
})
export class CreateApiKeyCommand extends CommandRunner {
  constructor(private readonly keys: AdminApiKeysService) {
    super();
  }

  async run(_: string[], options: { tenant: string; name: string }): Promise<void> {
    const { key, prefix } = await this.keys.create(options.tenant, options.name);
    process.stdout.write(
      `Admin API key for "${options.tenant}" (${prefix}…), shown once:\n${key}\n`,
    );
  }

  @Option({ flags: '--tenant <slug>', description: 'The club', required: true })
  parseTenant(value: string): string {
    return value;
  }

  @Option({
    flags: '--name <name>',
    description: 'Who or what will use the key',
    defaultValue: 'admin',
  })
  parseName(value: string): string {
    return value;
  }
}

@Command({
  name: 'api-key:revoke',
  description: 'Revoke an admin API key by the prefix shown when it was created',
})
export class RevokeApiKeyCommand extends CommandRunner {
  constructor(private readonly keys: AdminApiKeysService) {
    super();
  }

  async run(_: string[], options: { prefix: string }): Promise<void> {
    const revoked = await this.keys.revoke(options.prefix);
    process.stdout.write(
      revoked
        ? `Revoked ${revoked} key(s) with prefix ${options.prefix}.\n`
        : `No active key has prefix ${options.prefix}.\n`,
    );
    if (!revoked) process.exitCode = 1;
  }

  @Option({
    flags: '--prefix <prefix>',
    description: 'The key prefix, e.g. cs_admin_AbC123',
    required: true,
  })
  parsePrefix(value: string): string {
    return value;
  }
}

@Command({
  name: 'api-key:list',
  description: "List a club's admin API keys (prefix, name, last use, revoked); never the keys",
})
export class ListApiKeysCommand extends CommandRunner {
  constructor(private readonly keys: AdminApiKeysService) {
    super();
  }

  async run(_: string[], options: { tenant?: string; json?: boolean }): Promise<void> {
    const keys = await this.keys.list(options.tenant);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
      return;
    }
    const when = (at: Date | null) => (at ? at.toISOString() : null);
    process.stdout.write(
      keys.length === 0
        ? 'No admin API keys.\n'
        : `${formatTable(
            keys.map((key) => ({
              ...key,
              created_at: when(key.created_at),
              last_used_at: when(key.last_used_at),
              revoked_at: when(key.revoked_at),
            })),
          )}\n`,
    );
  }

  @Option({ flags: '--tenant <slug>', description: 'Only this club (default: every club)' })
  parseTenant(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: 'Print the keys as JSON' })
  parseJson(): boolean {
    return true;
  }
}
