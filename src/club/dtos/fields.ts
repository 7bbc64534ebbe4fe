import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { MONTH } from '../../common/month/billing-month';
import { isSingleLineText, trimSpaces } from '../../common/text/single-line-text';

/** Largest single amount Courtside bills: $100,000.00 in minor units. */
export const MAX_AMOUNT_CENTS = 10_000_000;

/** Spaces around a value are dropped; a tab or line break is kept, for SingleLine to refuse. */
export const Trimmed = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? trimSpaces(value) : value,
  );

/** Text that reaches a mail header or a page: one line, no control characters. */
export const SingleLine = () =>
  ValidateBy({
    name: 'singleLine',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || isSingleLineText(value),
      defaultMessage: (args) =>
        `${args?.property ?? 'text'} must not contain control characters or line breaks`,
    },
  });

/** The field rules shared by every DTO, so a name or an amount means the same everywhere. */
export const NameField = (required = true) =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({ minLength: 1, maxLength: 200 }),
    // Optional means "may be left out"; a name is never null.
    ...(required ? [] : [ValidateIf((_: unknown, value: unknown) => value !== undefined)]),
    Trimmed(),
    IsString(),
    MinLength(1),
    MaxLength(200),
    SingleLine(),
  );

export const SeasonField = (required = true) =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({
      example: '2026-27',
      minLength: 1,
      maxLength: 40,
    }),
    ...(required ? [] : [IsOptional()]),
    Trimmed(),
    IsString(),
    MinLength(1),
    MaxLength(40),
    SingleLine(),
  );

/** One mailbox; a quoted local part may not smuggle a line break into the To: header. */
export const EmailField = (description?: string) =>
  applyDecorators(
    ApiPropertyOptional({
      type: String,
      nullable: true,
      format: 'email',
      maxLength: 254,
      description,
    }),
    IsOptional(),
    Trimmed(),
    IsEmail(),
    MaxLength(254),
    SingleLine(),
  );

export const PhoneField = () =>
  applyDecorators(
    ApiPropertyOptional({ type: String, nullable: true, maxLength: 40 }),
    IsOptional(),
    Trimmed(),
    IsString(),
    Matches(/^[0-9+() .-]{3,40}$/, { message: 'phone may hold digits, spaces and + ( ) . - only' }),
  );

export const AmountField = (
  options: { required?: boolean; min?: number; description?: string } = {},
) =>
  applyDecorators(
    (options.required === false ? ApiPropertyOptional : ApiProperty)({
      type: 'integer',
      minimum: options.min ?? 0,
      maximum: MAX_AMOUNT_CENTS,
      description: options.description ?? 'Minor units (cents)',
    }),
    ...(options.required === false ? [IsOptional()] : []),
    IsInt(),
    Min(options.min ?? 0),
    Max(MAX_AMOUNT_CENTS),
  );

export const IdField = (description: string, required = true) =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({ type: 'integer', description }),
    ...(required ? [] : [IsOptional()]),
    IsInt(),
    Min(1),
    Max(2_147_483_647),
  );

export const CurrencyField = () =>
  applyDecorators(
    ApiPropertyOptional({ example: 'usd', description: 'ISO 4217, lower case', default: 'usd' }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.toLowerCase() : value,
    ),
    IsString(),
    Matches(/^[a-z]{3}$/, { message: 'currency must be a three-letter ISO code' }),
  );

/** A billing month, `YYYY-MM`; null clears it. */
export const MonthField = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: String, nullable: true, example: '2026-09', description }),
    IsOptional(),
    Matches(MONTH, { message: '$property must be a month, YYYY-MM' }),
  );
