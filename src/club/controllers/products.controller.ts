import { Body, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import type { Page } from '../../common/http/page';
import { IdPipe } from '../../common/http/id.pipe';
import { AdminController } from '../auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../auth/club-context';
import {
  CreateProductDto,
  ListProductsQuery,
  ProductResponse,
  UpdateProductDto,
} from '../dtos/product.dto';
import { ProductsService } from '../services/products.service';

/** No DELETE: orders and Stripe objects refer to products; archive with `active: false`. */
@AdminController('products', 'products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  list(
    @CurrentClub() club: ClubContext,
    @Query() query: ListProductsQuery,
  ): Promise<Page<ProductResponse>> {
    return this.products.list(club, query);
  }

  @Post()
  @ApiOkResponse({ type: ProductResponse })
  create(
    @CurrentClub() club: ClubContext,
    @Body() dto: CreateProductDto,
  ): Promise<ProductResponse> {
    return this.products.create(club, dto);
  }

  @Get(':id')
  @ApiOkResponse({ type: ProductResponse })
  get(@CurrentClub() club: ClubContext, @Param('id', IdPipe) id: number): Promise<ProductResponse> {
    return this.products.get(club, id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: ProductResponse })
  update(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
    @Body() dto: UpdateProductDto,
  ): Promise<ProductResponse> {
    return this.products.update(club, id, dto);
  }
}
