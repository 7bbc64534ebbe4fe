import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IdFilter, PageQuery } from '../../common/http/page';
import { AmountField, IdField } from '../../club/dtos/fields';
import {
  PAYMENT_LINK_STATUSES,
  PaymentLink,
  type PaymentLinkStatus,
} from '../entities/payment-link.entity';

export class CreatePaymentLinkDto {
  @IdField('The player the item is for') player_id!: number;
  @IdField('The product billed') product_id!: number;
  @AmountField({
    required: false,
    min: 1,
    description: "Amount in minor units for a new order; defaults to the product's price",
  })
  amount_cents?: number;
}

export class ListPaymentLinksQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PAYMENT_LINK_STATUSES })
  @IsOptional()
  @IsIn(PAYMENT_LINK_STATUSES)
  status?: PaymentLinkStatus;
  @IdFilter() player_id?: number;
  @IdFilter() order_id?: number;
}

export class PaymentLinkResponse {
  @ApiProperty() id!: number;
  @ApiProperty() order_id!: number;
  @ApiProperty() player_id!: number;
  @ApiProperty() product_id!: number;
  @ApiProperty({ description: 'The Pay Now URL' }) url!: string;
  @ApiProperty() amount_cents!: number;
  @ApiProperty() currency!: string;
  @ApiProperty({ enum: PAYMENT_LINK_STATUSES }) status!: PaymentLinkStatus;
  @ApiProperty() stripe_payment_link_id!: string;
  @ApiProperty() created_at!: Date;
  @ApiProperty({ type: Date, nullable: true }) paid_at!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) deactivated_at!: Date | null;

  static of(link: PaymentLink): PaymentLinkResponse {
    return {
      id: link.id,
      order_id: link.orderId,
      player_id: link.playerId,
      product_id: link.productId,
      url: link.url,
      amount_cents: link.amountCents,
      currency: link.currency,
      status: link.status,
      stripe_payment_link_id: link.stripePaymentLinkId,
      created_at: link.createdAt,
      paid_at: link.paidAt,
      deactivated_at: link.deactivatedAt,
    };
  }
}
