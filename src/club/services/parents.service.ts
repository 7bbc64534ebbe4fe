import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, Raw } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ClubCrudService } from '../../common/club-crud.service';
import { ClubRecords } from '../../common/club-records';
import { Page } from '../../common/http/page';
import { ClubContext } from '../auth/club-context';
import {
  CreateParentDto,
  ListParentsQuery,
  ParentResponse,
  UpdateParentDto,
} from '../dtos/parent.dto';
import { Parent } from '../entities/parent.entity';

export const parentRecords = new ClubRecords(Parent, 'Parent');

@Injectable()
export class ParentsService extends ClubCrudService<Parent, ParentResponse> {
  constructor(@InjectDataSource() db: DataSource, audit: AuditService) {
    super(db, audit, parentRecords, 'parent', ParentResponse.of);
  }

  list(club: ClubContext, query: ListParentsQuery): Promise<Page<ParentResponse>> {
    const byEmail =
      query.email && Raw((column) => `lower(${column}) = lower(:email)`, { email: query.email });
    return this.listWhere(club, query, byEmail ? { email: byEmail } : {});
  }

  create(club: ClubContext, dto: CreateParentDto): Promise<ParentResponse> {
    return this.insert(
      club,
      () => ({ name: dto.name, email: dto.email ?? null, phone: dto.phone ?? null }),
      dto,
    );
  }

  update(club: ClubContext, id: number, dto: UpdateParentDto): Promise<ParentResponse> {
    return this.patch(
      club,
      id,
      () => ({ name: dto.name, email: dto.email, phone: dto.phone, autopay: dto.autopay }),
      dto,
    );
  }
}
