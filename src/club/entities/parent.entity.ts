import { Column, Entity } from 'typeorm';
import { ClubRecord } from '../../common/club-record.entity';

@Entity('parents')
export class Parent extends ClubRecord {
  @Column() name!: string;
  @Column({ type: 'text', nullable: true }) email!: string | null;
  @Column({ type: 'text', nullable: true }) phone!: string | null;
}
