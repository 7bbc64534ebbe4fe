import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsTimeZone, IsUrl, Matches, MaxLength } from 'class-validator';
import { Tenant } from '../entities/tenant.entity';
import { EmailField, NameField } from './fields';

const COLOR = /^#[0-9a-fA-F]{6}$/;

/** What a club sets about itself: the name and brand its statements carry. */
export class UpdateClubDto {
  @NameField(false) name?: string;
  @NameField(false) from_name?: string;
  @ApiPropertyOptional({ example: '#1d3557' })
  @IsOptional()
  @Matches(COLOR, { message: 'brand_primary_color must be #rrggbb' })
  brand_primary_color?: string;
  @ApiPropertyOptional({ example: '#e63946' })
  @IsOptional()
  @Matches(COLOR, { message: 'brand_accent_color must be #rrggbb' })
  brand_accent_color?: string;
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsUrl({ protocols: ['https'], require_protocol: true })
  @MaxLength(500)
  logo_url?: string | null;
  @EmailField() reply_to?: string | null;
  @ApiPropertyOptional({ example: 'America/New_York' })
  @IsOptional()
  @IsString()
  @IsTimeZone()
  timezone?: string;
}

export class ClubResponse {
  @ApiProperty() id!: number;
  @ApiProperty() slug!: string;
  @ApiProperty() name!: string;
  @ApiProperty() from_name!: string;
  @ApiProperty() brand_primary_color!: string;
  @ApiProperty() brand_accent_color!: string;
  @ApiProperty({ type: String, nullable: true }) logo_url!: string | null;
  @ApiProperty({ type: String, nullable: true }) reply_to!: string | null;
  @ApiProperty() timezone!: string;

  static of(tenant: Tenant): ClubResponse {
    return {
      id: tenant.id,
      slug: tenant.slug,
      name: tenant.name,
      from_name: tenant.fromName,
      brand_primary_color: tenant.brandPrimaryColor,
      brand_accent_color: tenant.brandAccentColor,
      logo_url: tenant.logoUrl,
      reply_to: tenant.replyTo,
      timezone: tenant.timezone,
    };
  }
}
