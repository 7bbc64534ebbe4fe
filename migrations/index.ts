import { CreateClubSchema1763769600000 } from './1763769600000-CreateClubSchema';

/** Every migration the code knows, oldest first. A new migration is added here too. */
export const migrations = [CreateClubSchema1763769600000];
