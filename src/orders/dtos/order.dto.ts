import { monthOf } from '../../common/month/billing-month';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IdFilter, PageQuery } from '../../common/http/page';
import { ORDER_STATUSES, Order, type OrderStatus } from '../entities/order.entity';
import { AmountField, IdField } from '../../club/dtos/fields';

export class CreateOrderDto {
  @IdField('The player the item is for') player_id!: number;
  @IdField('The product billed') product_id!: number;
  @AmountField({
    required: false,
    min: 1,
    description:
      "Amount in minor units; defaults to the product's price (set it for discounts and scholarships)",
  })
  amount_cents?: number;
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;
}

export class UpdateOrderDto {
  @AmountField({
    required: false,
    min: 1,
    description: 'Only while the order is pending and has no payment link',
  })
  amount_cents?: number;
  @ApiPropertyOptional({ type: String, maxLength: 2000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string | null;
}

export class ListOrdersQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;
  @IdFilter() player_id?: number;
  @IdFilter() parent_id?: number;
}

export class OrderResponse {
  @ApiProperty() id!: number;
  @ApiProperty() player_id!: number;
  @ApiProperty() parent_id!: number;
  @ApiProperty() product_id!: number;
  @ApiProperty() amount_cents!: number;
  @ApiProperty() currency!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: OrderStatus;
  @ApiProperty() amount_paid_cents!: number;
  @ApiProperty() amount_refunded_cents!: number;
  @ApiProperty({ type: String, nullable: true }) stripe_payment_link_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) stripe_checkout_url!: string | null;
  @ApiProperty({ type: String, nullable: true }) stripe_payment_intent_id!: string | null;
  @ApiProperty({ type: Date, nullable: true }) paid_at!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) disputed_at!: Date | null;
  @ApiProperty({ type: String, nullable: true }) notes!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2027-01', description: 'A month of dues' })
  billing_period!: string | null;
  @ApiProperty() created_at!: Date;
  @ApiProperty() updated_at!: Date;

  static of(order: Order): OrderResponse {
    return {
      id: order.id,
      player_id: order.playerId,
      parent_id: order.parentId,
      product_id: order.productId,
      amount_cents: order.amountCents,
      currency: order.currency,
      status: order.status,
      amount_paid_cents: order.amountPaidCents,
      amount_refunded_cents: order.amountRefundedCents,
      stripe_payment_link_id: order.stripePaymentLinkId,
      stripe_checkout_url: order.stripeCheckoutUrl,
      stripe_payment_intent_id: order.stripePaymentIntentId,
      paid_at: order.paidAt,
      disputed_at: order.disputedAt,
      notes: order.notes,
      billing_period: order.billingPeriod && monthOf(order.billingPeriod),
      created_at: order.createdAt,
      updated_at: order.updatedAt,
    };
  }
}
