//! Cached catalogues (styles, avatars, looks, voices, brand kits) as raw JSON items with the time
//! they were fetched, so pickers work offline and open instantly.

use super::{now_unix, Store};
use crate::error::Result;

#[derive(Debug, Clone, PartialEq)]
pub struct CachedItem {
    pub item_id: String,
    pub item: serde_json::Value,
    pub fetched_at: i64,
}

impl Store {
    /// Store one page of a catalogue. `scope` separates lists (e.g. `"<base url>|tag=cinematic"`);
    /// `first_position` keeps pages in server order. `replace` clears the scope first (page 1).
    pub fn put_catalogue(
        &self,
        kind: &str,
        scope: &str,
        first_position: usize,
        replace: bool,
        items: &[(String, serde_json::Value)],
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if replace {
            tx.execute(
                "DELETE FROM catalogue WHERE kind = ?1 AND scope = ?2",
                (kind, scope),
            )?;
        }
        let now = now_unix();
        for (i, (id, item)) in items.iter().enumerate() {
            tx.execute(
                "INSERT INTO catalogue(kind, scope, item_id, position, item_json, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(kind, scope, item_id) DO UPDATE SET position = excluded.position,
                   item_json = excluded.item_json, fetched_at = excluded.fetched_at",
                rusqlite::params![
                    kind,
                    scope,
                    id,
                    (first_position + i) as i64,
                    item.to_string(),
                    now
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn catalogue(&self, kind: &str, scope: &str) -> Result<Vec<CachedItem>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT item_id, item_json, fetched_at FROM catalogue WHERE kind = ?1 AND scope = ?2
             ORDER BY position",
        )?;
        let rows = stmt.query_map((kind, scope), |r| {
            let json: String = r.get(1)?;
            Ok(CachedItem {
                item_id: r.get(0)?,
                item: serde_json::from_str(&json).unwrap_or(serde_json::Value::Null),
                fetched_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pages_append_in_order_and_page_one_replaces() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("s.db")).unwrap();
        let page = |ids: &[&str]| -> Vec<(String, serde_json::Value)> {
            ids.iter()
                .map(|i| (i.to_string(), json!({"style_id": i})))
                .collect()
        };
        store
            .put_catalogue("styles", "s", 0, true, &page(&["a", "b"]))
            .unwrap();
        store
            .put_catalogue("styles", "s", 2, false, &page(&["c"]))
            .unwrap();
        let ids: Vec<_> = store
            .catalogue("styles", "s")
            .unwrap()
            .into_iter()
            .map(|c| c.item_id)
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);
        store
            .put_catalogue("styles", "s", 0, true, &page(&["z"]))
            .unwrap();
        assert_eq!(store.catalogue("styles", "s").unwrap().len(), 1);
        assert!(store.catalogue("voices", "s").unwrap().is_empty());
    }
}
