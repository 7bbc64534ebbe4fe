import { ApiProperty } from '@nestjs/swagger';

export class FirstPaymentLinkResponse {
  @ApiProperty({ example: 'https://club.example/checkout/first-payment?token=…' }) url!: string;
}
