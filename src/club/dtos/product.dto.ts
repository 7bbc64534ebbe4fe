import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/http/page';
import { PRODUCT_CATEGORIES, Product, type ProductCategory } from '../entities/product.entity';
import { AmountField, CurrencyField, NameField } from './fields';

export class CreateProductDto {
  @NameField() name!: string;
  @ApiProperty({ enum: PRODUCT_CATEGORIES }) @IsIn(PRODUCT_CATEGORIES) category!: ProductCategory;
  @AmountField({ description: 'List price in minor units; orders keep their own amount' })
  price_cents!: number;
  @CurrencyField() currency?: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() active?: boolean;
}

export class UpdateProductDto extends PartialType(CreateProductDto, {
  skipNullProperties: false,
}) {}

export class ListProductsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PRODUCT_CATEGORIES })
  @IsOptional()
  @IsIn(PRODUCT_CATEGORIES)
  category?: ProductCategory;
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  active?: boolean;
}

export class ProductResponse {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PRODUCT_CATEGORIES }) category!: ProductCategory;
  @ApiProperty() price_cents!: number;
  @ApiProperty() currency!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty() created_at!: Date;
  @ApiProperty() updated_at!: Date;

  static of(product: Product): ProductResponse {
    return {
      id: product.id,
      name: product.name,
      category: product.category,
      price_cents: product.priceCents,
      currency: product.currency,
      active: product.active,
      created_at: product.createdAt,
      updated_at: product.updatedAt,
    };
  }
}
