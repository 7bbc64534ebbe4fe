import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/http/page';
import { Parent } from '../entities/parent.entity';
import { EmailField, NameField, PhoneField } from './fields';

export class CreateParentDto {
  @NameField() name!: string;
  @EmailField() email?: string | null;
  @PhoneField() phone?: string | null;
}

export class UpdateParentDto extends PartialType(CreateParentDto, { skipNullProperties: false }) {
  @ApiPropertyOptional({ description: 'Whether the month run may charge the saved card' })
  @IsOptional()
  @IsBoolean()
  autopay?: boolean;
}

/** The saved card as an admin sees it: never more than brand, last four digits and expiry. */
export class SavedCardResponse {
  @ApiProperty({ example: 'visa' }) brand!: string;
  @ApiProperty({ example: '4242' }) last4!: string;
  @ApiProperty() exp_month!: number;
  @ApiProperty() exp_year!: number;
}

export class ListParentsQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsEmail() email?: string;
}

export class ParentResponse {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ type: SavedCardResponse, nullable: true }) card!: SavedCardResponse | null;
  @ApiProperty({ description: 'Autopay on (charged only when a card is saved)' }) autopay!: boolean;
  @ApiProperty() created_at!: Date;
  @ApiProperty() updated_at!: Date;

  static of(parent: Parent): ParentResponse {
    return {
      id: parent.id,
      name: parent.name,
      email: parent.email,
      phone: parent.phone,
      card: parent.cardLast4
        ? {
            brand: parent.cardBrand ?? 'card',
            last4: parent.cardLast4,
            exp_month: parent.cardExpMonth ?? 0,
            exp_year: parent.cardExpYear ?? 0,
          }
        : null,
      autopay: parent.autopay,
      created_at: parent.createdAt,
      updated_at: parent.updatedAt,
    };
  }
}
