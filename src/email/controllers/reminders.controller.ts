import { Get, Query } from '@nestjs/common';
import { AdminController } from '../../club/auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../../club/auth/club-context';
import type { Page } from '../../common/http/page';
import { ListRemindersQuery, ReminderResponse } from '../dtos/reminder.dto';
import { RemindersService } from '../services/reminders.service';

@AdminController('reminders', 'email')
export class RemindersController {
  constructor(private readonly reminders: RemindersService) {}

  /** The reminders that went, oldest first (`?status=sent`, `failed`, …: their message's status). */
  @Get()
  list(
    @CurrentClub() club: ClubContext,
    @Query() query: ListRemindersQuery,
  ): Promise<Page<ReminderResponse>> {
    return this.reminders.list(club, query, query.status);
  }
}
