// The two files of rate-limiter-flexible that Dials uses, imported alone: its index loads every
// store it has (Redis, Mongo, etcd, ...), a noticeable part of start-up.
declare module 'rate-limiter-flexible/lib/RateLimiterSQLite.js' {
  import { RateLimiterSQLite } from 'rate-limiter-flexible';
  export default RateLimiterSQLite;
}
declare module 'rate-limiter-flexible/lib/RateLimiterRes.js' {
  import { RateLimiterRes } from 'rate-limiter-flexible';
  export default RateLimiterRes;
}
