import { Body, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import type { Page } from '../../common/http/page';
import { IdPipe } from '../../common/http/id.pipe';
import { AdminController } from '../auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../auth/club-context';
import {
  CreateParentDto,
  ListParentsQuery,
  ParentResponse,
  UpdateParentDto,
} from '../dtos/parent.dto';
import { ParentsService } from '../services/parents.service';

@AdminController('parents', 'parents')
export class ParentsController {
  constructor(private readonly parents: ParentsService) {}

  @Get()
  list(
    @CurrentClub() club: ClubContext,
    @Query() query: ListParentsQuery,
  ): Promise<Page<ParentResponse>> {
    return this.parents.list(club, query);
  }

  @Post()
  @ApiOkResponse({ type: ParentResponse })
  create(@CurrentClub() club: ClubContext, @Body() dto: CreateParentDto): Promise<ParentResponse> {
    return this.parents.create(club, dto);
  }

  @Get(':id')
  @ApiOkResponse({ type: ParentResponse })
  get(@CurrentClub() club: ClubContext, @Param('id', IdPipe) id: number): Promise<ParentResponse> {
    return this.parents.get(club, id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: ParentResponse })
  update(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
    @Body() dto: UpdateParentDto,
  ): Promise<ParentResponse> {
    return this.parents.update(club, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentClub() club: ClubContext, @Param('id', IdPipe) id: number): Promise<void> {
    return this.parents.remove(club, id);
  }
}
