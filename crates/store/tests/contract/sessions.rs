//! `Db::sessions`: the session store saves, loads and deletes records in the
//! database (each check below reads through a second store, whose cache is
//! empty), never answers with an expired record, and deletes expired ones.

use intake_store::Db;
use std::collections::HashMap;
use tower_sessions::{
    cookie::time::{Duration, OffsetDateTime},
    session::{Id, Record},
    session_store::{ExpiredDeletion, SessionStore as _},
};

contract! {
    /// A record saved by one store is loaded by another, and gone once deleted.
    a_session_is_saved_loaded_and_deleted,
    |db: Db| async move {
        let (writer, reader) = (db.sessions().await.unwrap(), db.sessions().await.unwrap());
        let mut record = record(&[("user", "alice")], Duration::hours(1));
        writer.create(&mut record).await.unwrap();
        let loaded = reader.load(&record.id).await.unwrap().expect("stored in the database");
        assert_eq!((loaded.id, &loaded.data), (record.id, &record.data));
        assert!(reader.load(&Id::default()).await.unwrap().is_none(), "another id finds nothing");
        writer.delete(&record.id).await.unwrap();
        assert!(db.sessions().await.unwrap().load(&record.id).await.unwrap().is_none(), "deleted");
        assert!(writer.load(&record.id).await.unwrap().is_none(), "the deleting store forgets it too");
    }
}

contract! {
    /// Saving a record again replaces its data.
    saving_again_replaces_the_record,
    |db: Db| async move {
        let writer = db.sessions().await.unwrap();
        let first = record(&[("user", "alice")], Duration::hours(1));
        writer.save(&first).await.unwrap();
        let data = record(&[("user", "alice"), ("csrf", "t0k3n")], Duration::hours(2)).data;
        let second = Record { data, ..first.clone() };
        writer.save(&second).await.unwrap();
        let loaded = db.sessions().await.unwrap().load(&first.id).await.unwrap().expect("stored");
        assert_eq!(loaded.data, second.data);
    }
}

contract! {
    /// An expired record is never loaded, and `delete_expired` removes it but keeps live ones.
    an_expired_session_is_not_loaded,
    |db: Db| async move {
        let writer = db.sessions().await.unwrap();
        let expired = record(&[("user", "alice")], Duration::minutes(-1));
        let live = record(&[("user", "bob")], Duration::hours(1));
        writer.save(&expired).await.unwrap();
        writer.save(&live).await.unwrap();
        assert!(db.sessions().await.unwrap().load(&expired.id).await.unwrap().is_none(), "expired");
        assert!(writer.load(&expired.id).await.unwrap().is_none(), "not from the cache either");
        writer.delete_expired().await.unwrap();
        let loaded = db.sessions().await.unwrap().load(&live.id).await.unwrap().expect("a live record stays");
        assert_eq!(loaded.data, live.data);
    }
}

/// A new record holding `data`, expiring `expires_in` from now (negative: already expired).
fn record(data: &[(&str, &str)], expires_in: Duration) -> Record {
    let data: HashMap<String, serde_json::Value> =
        data.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v))).collect();
    Record { id: Id::default(), data, expiry_date: OffsetDateTime::now_utc() + expires_in }
}
