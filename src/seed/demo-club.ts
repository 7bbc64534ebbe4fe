import { ProductCategory } from '../club/entities/product.entity';

/** The demo club `npm start` seeds on an empty embedded database: small, but every kind of row. */
export const DEMO_CLUB = {
  slug: 'demo',
  name: 'Courtside Demo Basketball Club',
  fromName: 'Courtside Demo Club',
  replyTo: 'treasurer@demo-club.example',
  teams: [
    { name: 'U10 Hoopers', season: '2026-27', monthlyFeeCents: 9_500 },
    { name: 'U12 Boys', season: '2026-27', monthlyFeeCents: 12_500 },
    { name: 'U12 Girls', season: '2026-27', monthlyFeeCents: 12_500 },
    { name: 'U14 Elite', season: '2026-27', monthlyFeeCents: 15_000 },
  ],
  products: [
    { name: 'Monthly dues', category: 'monthly', priceCents: 12_500 },
    { name: 'Winter Classic tournament fee', category: 'tournament', priceCents: 6_000 },
    { name: 'Home jersey', category: 'jersey', priceCents: 4_500 },
    { name: 'Spring tryout', category: 'tryout', priceCents: 2_500 },
    { name: 'Club hoodie', category: 'generic', priceCents: 3_800 },
  ] satisfies { name: string; category: ProductCategory; priceCents: number }[],
  familyNames: [
    'Alvarez',
    'Baker',
    'Chen',
    'Davis',
    'Edwards',
    'Fischer',
    'Garcia',
    'Hughes',
    'Ibrahim',
    'Johnson',
    'Kowalski',
    'Lee',
    'Martin',
    'Nguyen',
    'Okafor',
    'Patel',
    'Quinn',
    'Rossi',
    'Smith',
    'Thompson',
  ],
  parentFirstNames: [
    'Maria',
    'Tom',
    'Wei',
    'Angela',
    'Chris',
    'Julia',
    'Luis',
    'Sarah',
    'Amina',
    'Mike',
  ],
  /**
   * Families whose first month was paid and whose card is kept at the (emulated) Stripe, so that
   * a month run has cards to charge: Stripe's test tokens, attached to each family's customer.
   * Insufficient funds declines off-session: that family gets the "card refused" mail and a link.
   */
  savedCards: {
    Alvarez: 'pm_card_visa',
    Edwards: 'pm_card_visa',
    Johnson: 'pm_card_visa',
    Martin: 'pm_card_chargeDeclinedInsufficientFunds',
  } satisfies Partial<Record<string, 'pm_card_visa' | 'pm_card_chargeDeclinedInsufficientFunds'>>,
  playerFirstNames: [
    'Leo',
    'Mia',
    'Noah',
    'Ava',
    'Eli',
    'Zoe',
    'Sam',
    'Ivy',
    'Max',
    'Lily',
    'Ben',
    'Ruby',
  ],
} as const;
