//! Unique visitor ids in Redis: `punique:<number>` holds the id's claim and expires with the id
//! (`PX`), so a lapsed id needs no sweeping and `SET NX` never hands out a live one.

use super::reply::{status, unavailable};
use super::RedisStore;
use crate::outbox::Outgoing;
use crate::store::unique::{random_unique, unique_number, UNIQUE_DRAWS};
use crate::store::{now_ms, StoreError, VisitorKey};
use fred::prelude::*;
use fred::types::{Expiration, SetOptions};

/// Key of live unique id `number`.
fn unique_key(number: u64) -> String {
    format!("punique:{number}")
}

/// KEYS punique:N; ARGV claim ttl_ms. Renews the id if it is live with that claim: 1, else 0.
pub const RENEW: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"#;

/// Milliseconds from now to `until_ms`, at least 1 (Redis refuses a zero TTL).
fn ttl_ms(until_ms: u64) -> i64 {
    i64::try_from(until_ms.saturating_sub(now_ms()).max(1)).unwrap_or(i64::MAX)
}

impl RedisStore {
    pub(super) async fn claim_unique_id(
        &self,
        claim: u64,
        until_ms: u64,
    ) -> Result<u64, StoreError> {
        for _ in 0..UNIQUE_DRAWS {
            let number = random_unique();
            let set: Value = self
                .client()
                .set(
                    unique_key(number),
                    claim.to_string(),
                    Some(Expiration::PX(ttl_ms(until_ms))),
                    Some(SetOptions::NX),
                    false,
                )
                .await
                .map_err(unavailable)?;
            if !set.is_null() {
                return Ok(number);
            }
        }
        Err(StoreError::Unavailable("no free unique visitor id".into()))
    }

    pub(super) async fn renew_unique_id(
        &self,
        key: &VisitorKey,
        claim: u64,
        until_ms: u64,
    ) -> Result<bool, StoreError> {
        let Some(number) = unique_number(&key.visitor) else {
            return Ok(false);
        };
        let reply = self
            .run(
                &self.0.scripts.renew_unique,
                vec![unique_key(number)],
                vec![claim.to_string(), ttl_ms(until_ms).to_string()],
            )
            .await?;
        if status(&reply) != 1 {
            return Ok(false);
        }
        let socks: Vec<String> = self
            .client()
            .zrange(
                super::keys::VisitorKeys::of(key).socks,
                0,
                -1,
                None,
                false,
                None,
                false,
            )
            .await
            .map_err(unavailable)?;
        for r in socks {
            self.to_sock(&r, Outgoing::UniqueDeadline(until_ms), None)
                .await;
        }
        Ok(true)
    }

    pub(super) async fn unique_id_until(&self, number: u64) -> Result<Option<u64>, StoreError> {
        let left: i64 = self
            .client()
            .pttl(unique_key(number))
            .await
            .map_err(unavailable)?;
        Ok((left > 0).then(|| now_ms() + left as u64))
    }
}
