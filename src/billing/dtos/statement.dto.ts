import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional } from 'class-validator';

export class StatementQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
  @ApiPropertyOptional({ description: "Only this family's statement" })
  @IsOptional()
  @IsEmail()
  email?: string;
}

class StatementItemResponse {
  @ApiProperty() order_id!: number;
  @ApiProperty() player_id!: number;
  @ApiProperty() player_name!: string;
  @ApiProperty({ description: 'The product billed' }) item!: string;
  @ApiProperty() amount_cents!: number;
  @ApiProperty() currency!: string;
  @ApiProperty({ description: 'The Pay Now link' }) pay_url!: string;
}

class TotalResponse {
  @ApiProperty() currency!: string;
  @ApiProperty() amount_cents!: number;
}

export class StatementResponse {
  @ApiProperty() parent_id!: number;
  @ApiProperty() parent_name!: string;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: [StatementItemResponse] }) items!: StatementItemResponse[];
  @ApiProperty({ type: [TotalResponse] }) totals!: TotalResponse[];
  @ApiProperty({ description: 'Changes whenever the statement does' }) digest!: string;
}

export class StatementsResponse {
  @ApiProperty({ type: [StatementResponse] }) data!: StatementResponse[];
}
