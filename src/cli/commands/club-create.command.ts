import { Command, CommandRunner, Option } from 'nest-commander';
import { ClubsService } from '../../club/services/clubs.service';

@Command({
  name: 'club:create',
  description: 'Onboard a club and print its first admin API key once',
})
export class CreateClubCommand extends CommandRunner {
  constructor(private readonly clubs: ClubsService) {
    super();
  }

  async run(_: string[], options: { slug: string; name: string }): Promise<void> {
    const { club, apiKey } = await this.clubs.create(options.slug, options.name);
    process.stdout.write(
      `Created club "${club.slug}" (id ${club.id}). Admin API key, shown once:\n${apiKey}\n`,
    );
  }

  @Option({
    flags: '--slug <slug>',
    description: 'Short unique name, e.g. eastside-hoops',
    required: true,
  })
  parseSlug(value: string): string {
    return value;
  }

  @Option({ flags: '--name <name>', description: "The club's display name", required: true })
  parseName(value: string): string {
    return value;
  }
}
