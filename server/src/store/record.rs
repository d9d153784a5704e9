//! Small shared pieces of the store: the visitor key and the stamped presence view.

use glance_protocol::{GroupId, PresenceMap, VisitorId};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// A visitor: `(groupid, visitorid)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VisitorKey {
    /// The group.
    pub group: GroupId,
    /// The visitor.
    pub visitor: VisitorId,
}

impl VisitorKey {
    /// The key of `visitor` in `group`.
    pub fn new(group: GroupId, visitor: VisitorId) -> Self {
        Self { group, visitor }
    }
}

/// Keys the server writes itself: a visitor's own values for them are not passed on.
pub const RESERVED_KEYS: [&str; 6] = [
    "visitorpresent",
    "timestamp",
    "visitorid",
    "groupid",
    "directserver",
    "direct",
];

/// A presence map as agents see it: the merged data plus `visitorpresent` and `timestamp`
/// (serialized without copying the map).
pub struct Stamped<'a> {
    /// The merged data.
    pub map: &'a PresenceMap,
    /// Last update, ms since the epoch.
    pub timestamp: u64,
}

impl Serialize for Stamped<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.map.len() + 2))?;
        for (k, v) in self.map {
            if !RESERVED_KEYS.contains(&k.as_str()) {
                m.serialize_entry(k, v)?;
            }
        }
        m.serialize_entry("visitorpresent", &true)?;
        m.serialize_entry("timestamp", &self.timestamp)?;
        m.end()
    }
}

impl Stamped<'_> {
    /// An owned stamped copy.
    pub fn to_map(&self) -> PresenceMap {
        let mut out = PresenceMap::with_capacity(self.map.len() + 2);
        for (k, v) in self
            .map
            .iter()
            .filter(|(k, _)| !RESERVED_KEYS.contains(&k.as_str()))
        {
            out.insert(k.clone(), v.clone());
        }
        out.insert("visitorpresent".into(), true.into());
        out.insert("timestamp".into(), self.timestamp.into());
        out
    }
}
