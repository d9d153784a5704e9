//! Per-token quotas: how many agent sockets and REST calls in progress one agent token holds on
//! this node. A leaked or shared token cannot take the node's connections or its store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// What a slot is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// An open agent socket.
    Socket,
    /// A REST call in progress.
    Request,
}

#[derive(Default)]
struct Held {
    sockets: usize,
    requests: usize,
}

impl Held {
    fn of(&mut self, kind: Use) -> &mut usize {
        match kind {
            Use::Socket => &mut self.sockets,
            Use::Request => &mut self.requests,
        }
    }
}

/// The quotas of every token in use on this node.
pub struct TokenQuotas {
    held: Mutex<HashMap<String, Held>>,
    sockets: usize,
    requests: usize,
}

impl TokenQuotas {
    /// At most `sockets` agent sockets and `requests` REST calls at once per token.
    pub fn new(sockets: usize, requests: usize) -> Arc<Self> {
        Arc::new(Self {
            held: Mutex::new(HashMap::new()),
            sockets,
            requests,
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Held>> {
        // Short, panic-free sections: recover from poisoning.
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A slot of `kind` for `token`, or `None` when the token holds its quota already.
    pub fn take(self: &Arc<Self>, token: &str, kind: Use) -> Option<QuotaSlot> {
        let max = match kind {
            Use::Socket => self.sockets,
            Use::Request => self.requests,
        };
        let mut held = self.lock();
        let entry = held.entry(token.to_owned()).or_default();
        let n = entry.of(kind);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(QuotaSlot {
            quotas: self.clone(),
            token: token.to_owned(),
            kind,
        })
    }

    fn give_back(&self, token: &str, kind: Use) {
        let mut held = self.lock();
        if let Some(entry) = held.get_mut(token) {
            let n = entry.of(kind);
            *n = n.saturating_sub(1);
            if entry.sockets == 0 && entry.requests == 0 {
                held.remove(token);
            }
        }
    }
}

/// One slot of a token's quota, given back on drop.
pub struct QuotaSlot {
    quotas: Arc<TokenQuotas>,
    token: String,
    kind: Use,
}

impl Drop for QuotaSlot {
    fn drop(&mut self) {
        self.quotas.give_back(&self.token, self.kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_holds_at_most_its_quota_and_gets_it_back() {
        let q = TokenQuotas::new(2, 1);
        let a = q.take("t1", Use::Socket).expect("first");
        let _b = q.take("t1", Use::Socket).expect("second");
        assert!(q.take("t1", Use::Socket).is_none());
        assert!(
            q.take("t2", Use::Socket).is_some(),
            "other tokens unaffected"
        );
        let r = q.take("t1", Use::Request).expect("requests counted apart");
        assert!(q.take("t1", Use::Request).is_none());
        drop(a);
        assert!(q.take("t1", Use::Socket).is_some());
        drop(r);
        assert!(q.take("t1", Use::Request).is_some());
    }
}
