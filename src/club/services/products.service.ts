import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ClubCrudService } from '../../common/club-crud.service';
import { ClubRecords } from '../../common/club-records';
import { Page } from '../../common/http/page';
import { ClubContext } from '../auth/club-context';
import {
  CreateProductDto,
  ListProductsQuery,
  ProductResponse,
  UpdateProductDto,
} from '../dtos/product.dto';
import { Product } from '../entities/product.entity';

export const productRecords = new ClubRecords(Product, 'Product');

/** Products are archived (active=false), not deleted: orders and Stripe objects point at them. */
@Injectable()
export class ProductsService extends ClubCrudService<Product, ProductResponse> {
  constructor(@InjectDataSource() db: DataSource, audit: AuditService) {
    super(db, audit, productRecords, 'product', ProductResponse.of);
  }

  list(club: ClubContext, query: ListProductsQuery): Promise<Page<ProductResponse>> {
    return this.listWhere(club, query, { category: query.category, active: query.active });
  }

  create(club: ClubContext, dto: CreateProductDto): Promise<ProductResponse> {
    return this.insert(
      club,
      () => ({
        name: dto.name,
        category: dto.category,
        priceCents: dto.price_cents,
        currency: dto.currency ?? 'usd',
        active: dto.active ?? true,
      }),
      dto,
    );
  }

  async recordedStripeProduct(
    manager: EntityManager,
    product: Pick<Product, 'id' | 'tenantId'>,
  ): Promise<string | null> {
    const row = await manager.findOneBy(Product, { id: product.id, tenantId: product.tenantId });
    return row?.stripeProductId ?? null;
  }

  /** Remembers the Stripe Product minted for this product; the first one recorded wins. */
  async recordStripeProduct(
    manager: EntityManager,
    product: Pick<Product, 'id' | 'tenantId'>,
    stripeProductId: string,
  ): Promise<void> {
    await manager.update(
      Product,
      { id: product.id, tenantId: product.tenantId, stripeProductId: IsNull() },
      { stripeProductId },
    );
  }

  update(club: ClubContext, id: number, dto: UpdateProductDto): Promise<ProductResponse> {
    return this.patch(
      club,
      id,
      () => ({
        name: dto.name,
        category: dto.category,
        priceCents: dto.price_cents,
        currency: dto.currency,
        active: dto.active,
      }),
      dto,
    );
  }
}
