export { freePort } from '../../bench/lib/free-port';
