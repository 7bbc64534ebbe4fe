import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsEmail, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/http/page';
import { Parent } from '../entities/parent.entity';
import { EmailField, NameField, PhoneField } from './fields';

export class CreateParentDto {
  @NameField() name!: string;
  @EmailField() email?: string | null;
  @PhoneField() phone?: string | null;
}

export class UpdateParentDto extends PartialType(CreateParentDto, { skipNullProperties: false }) {}

export class ListParentsQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsEmail() email?: string;
}

export class ParentResponse {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty() created_at!: Date;
  @ApiProperty() updated_at!: Date;

  static of(parent: Parent): ParentResponse {
    return {
      id: parent.id,
      name: parent.name,
      email: parent.email,
      phone: parent.phone,
      created_at: parent.createdAt,
      updated_at: parent.updatedAt,
    };
  }
}
