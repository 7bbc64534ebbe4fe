import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsTimeZone,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { Tenant } from '../entities/tenant.entity';
import { EmailField, NameField } from './fields';

const COLOR = /^#[0-9a-fA-F]{6}$/;
/** Local times between which nothing is mailed, as `HH:MM-HH:MM` (may wrap past midnight). */
const QUIET_HOURS = /^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$/;

const hhmm = (time: string): string => time.slice(0, 5);

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

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 28,
    description: 'Day of the month the month run bills',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(28)
  billing_day?: number;
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 23,
    description: "Hour of the run, club's local time",
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(23)
  billing_hour_local?: number;
  @ApiPropertyOptional({ description: 'Whether the month run charges saved cards' })
  @IsOptional()
  @IsBoolean()
  autopay_enabled?: boolean;
  @ApiPropertyOptional({
    type: [Number],
    example: [3, 10, 20],
    description: 'Days after due; [] = none',
  })
  @IsOptional()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(365, { each: true })
  @ArrayUnique()
  @ArrayMaxSize(10)
  reminder_days?: number[];
  @ApiPropertyOptional({
    example: '20:00-08:00',
    description: 'Local times when nothing is mailed',
  })
  @IsOptional()
  @Matches(QUIET_HOURS, { message: 'quiet_hours must be HH:MM-HH:MM' })
  quiet_hours?: string;
  @ApiPropertyOptional({ description: 'After a month run, send the statement blast by itself' })
  @IsOptional()
  @IsBoolean()
  auto_send_statements?: boolean;
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
  @ApiProperty() billing_day!: number;
  @ApiProperty() billing_hour_local!: number;
  @ApiProperty() autopay_enabled!: boolean;
  @ApiProperty({ type: [Number] }) reminder_days!: number[];
  @ApiProperty({ example: '20:00-08:00' }) quiet_hours!: string;
  @ApiProperty() auto_send_statements!: boolean;

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
      billing_day: tenant.billingDay,
      billing_hour_local: tenant.billingHourLocal,
      autopay_enabled: tenant.autopayEnabled,
      reminder_days: [...tenant.reminderDays].sort((a, b) => a - b),
      quiet_hours: `${hhmm(tenant.quietHoursStart)}-${hhmm(tenant.quietHoursEnd)}`,
      auto_send_statements: tenant.autoSendStatements,
    };
  }
}
