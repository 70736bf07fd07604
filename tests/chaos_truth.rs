//! What the TUI's chaos session found, one fault at a time against the real server with
//! `--chaos`: a 200 whose body is an error is not a delete, a write whose answer was lost says
//! it may have happened, and an item already gone when the DELETE lands is recorded as deleted.

mod common;

use std::time::Duration;

use common::{start_limited, Http};
use convtui::api::{Client, ClientSettings};
use convtui::backup::{Journal, Status};
use convtui::deletion::{self, Backup};
use convtui::server::{chaos, Database, Limits, RunningServer};
use serde_json::{json, Value};

/// One server file, two servers: one with the faults, one without to see the truth.
async fn pair(dir: &tempfile::TempDir, spec: &str) -> (RunningServer, RunningServer) {
    let db = || Database::File(dir.path().join("truth.sqlite3"));
    let truth = start_limited(db(), None, Limits::default()).await;
    let limits = Limits {
        chaos: Some(chaos::parse(spec).expect("a valid spec")),
        ..Limits::default()
    };
    (truth, start_limited(db(), None, limits).await)
}

fn client(server: &RunningServer) -> Client {
    Client::new(ClientSettings {
        timeout: Duration::from_secs(10),
        ..ClientSettings::new(server.base_url())
    })
    .unwrap()
}

fn backup(dir: &tempfile::TempDir) -> Backup {
    Backup {
        path: dir.path().join("deleted.jsonl"),
        profile: "test".into(),
    }
}

/// A conversation with two messages; answers its id and the items as stored.
async fn seeded(http: &Http) -> (String, Vec<Value>) {
    let conv = http.conversation().await;
    let items = http
        .add_items(
            &conv,
            &[
                json!({"role": "user", "content": "one"}),
                json!({"role": "user", "content": "two"}),
            ],
        )
        .await;
    (conv, items)
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

#[tokio::test]
async fn a_200_error_body_is_not_a_deleted_item() {
    let dir = tempfile::tempdir().unwrap();
    let (truth, faulty) = pair(&dir, "error200@DELETE").await;
    let http = Http::new(&truth);
    let (conv, items) = seeded(&http).await;
    let item = id(&items[0]);

    let e = client(&faulty)
        .delete_item(&conv, item)
        .await
        .expect_err("a 200 error body confirms nothing");
    assert!(e.message.contains("an error object"), "{e}");
    // A success status with no confirmation: it is not known whether it happened.
    assert!(e.message.contains("may have been deleted"), "{e}");

    // Through the backup: the journal records no outcome (a restore asks the server), and
    // here the item is in fact still there.
    let b = backup(&dir);
    let r = deletion::item(&client(&faulty), &b, &conv, item, Some(items[0].clone())).await;
    assert!(r.is_err(), "{r:?}");
    let entry = Journal::new(&b.path).read().unwrap().0.pop().unwrap();
    assert_eq!(entry.status, Status::Pending);
    let still = http
        .get(&format!("/conversations/{conv}/items/{item}"))
        .await;
    assert_eq!(still.status, 200);
}

#[tokio::test]
async fn a_delete_whose_answers_are_lost_says_it_may_have_happened() {
    let dir = tempfile::tempdir().unwrap();
    // Every DELETE is carried out, then its answer is cut off mid-body (the retries too).
    let (truth, faulty) = pair(&dir, "reset@DELETE").await;
    let http = Http::new(&truth);
    let (conv, items) = seeded(&http).await;
    let item = id(&items[0]);
    let e = client(&faulty)
        .delete_item(&conv, item)
        .await
        .expect_err("no answer came");
    assert!(e.message.contains("may have been deleted"), "{e}");
    // It did happen.
    let gone = http
        .get(&format!("/conversations/{conv}/items/{item}"))
        .await;
    assert_eq!(gone.status, 404);

    let e = client(&faulty)
        .delete_conversation(&conv)
        .await
        .expect_err("no answer came");
    assert!(e.message.contains("may have been deleted"), "{e}");
}

#[tokio::test]
async fn a_save_whose_answers_are_lost_says_it_may_have_been_saved() {
    let dir = tempfile::tempdir().unwrap();
    let (truth, faulty) = pair(&dir, "reset@POST /v1/conversations/*").await;
    let http = Http::new(&truth);
    let (conv, _) = seeded(&http).await;
    let metadata = [("k".to_string(), "v".to_string())].into_iter().collect();
    let e = client(&faulty)
        .update_conversation(&conv, Some(&metadata))
        .await
        .expect_err("no answer came");
    assert!(e.message.contains("may have been saved"), "{e}");
    let now = http.get(&format!("/conversations/{conv}")).await;
    assert_eq!(now.body["metadata"], json!({"k": "v"}));
    // A read that fails the same way changed nothing and says nothing of the kind.
    let limits = Limits {
        chaos: Some(chaos::parse("reset@GET").expect("a valid spec")),
        ..Limits::default()
    };
    let reads = start_limited(Database::Memory, None, limits).await;
    let e = client(&reads).get_conversation("conv_x").await.unwrap_err();
    assert!(!e.message.contains("may have been"), "{e}");
}

#[tokio::test]
async fn an_item_gone_when_its_delete_lands_is_recorded_as_deleted_and_can_be_undone() {
    let dir = tempfile::tempdir().unwrap();
    let (truth, _) = pair(&dir, "latency=1ms").await;
    let http = Http::new(&truth);
    let (conv, items) = seeded(&http).await;
    let item = id(&items[0]);
    // An earlier attempt (whose answer was lost) already deleted it.
    let first = http
        .delete(&format!("/conversations/{conv}/items/{item}"))
        .await;
    assert_eq!(first.status, 200);

    let b = backup(&dir);
    let e = deletion::item(&client(&truth), &b, &conv, item, Some(items[0].clone()))
        .await
        .expect_err("the DELETE answers 404");
    assert!(
        e.to_string().contains("404") || e.to_string().contains("not found"),
        "{e}"
    );
    let (entries, _) = Journal::new(&b.path).read().unwrap();
    assert_eq!(entries.last().unwrap().status, Status::Done);
    // So `u` finds it, and it comes back.
    let last = convtui::restore::last_deleted(&entries, &truth.base_url()).expect("undoable");
    assert_eq!(last.target_id(), item);
}

#[tokio::test]
async fn an_unreadable_success_answer_to_a_write_says_it_may_have_happened() {
    let dir = tempfile::tempdir().unwrap();
    let (truth, faulty) = pair(&dir, "garbage@DELETE,garbage@POST /v1/conversations/*").await;
    let http = Http::new(&truth);
    let (conv, items) = seeded(&http).await;
    let e = client(&faulty)
        .delete_item(&conv, id(&items[0]))
        .await
        .unwrap_err();
    assert!(e.message.contains("cannot read the answer"), "{e}");
    assert!(e.message.contains("may have been deleted"), "{e}");
    let metadata = [("k".to_string(), "v".to_string())].into_iter().collect();
    let e = client(&faulty)
        .update_conversation(&conv, Some(&metadata))
        .await
        .unwrap_err();
    assert!(e.message.contains("may have been saved"), "{e}");
    // Reads are not faulted here, and still work.
    assert!(client(&faulty).get_conversation(&conv).await.is_ok());
}

#[tokio::test]
async fn a_200_error_body_is_not_an_empty_page() {
    let dir = tempfile::tempdir().unwrap();
    let (truth, faulty) = pair(&dir, "error200@GET").await;
    let (conv, _) = seeded(&Http::new(&truth)).await;
    let c = client(&faulty);
    let e = c
        .list_items(&conv, &convtui::api::ListParams::default())
        .await
        .expect_err("an error is not an empty page");
    assert!(
        e.message
            .starts_with("an error in a success answer: This 200 answer is an error"),
        "{e}"
    );
    assert!(!e.message.contains("may have been"), "a read: {e}");
    let e = c
        .list_conversations(&convtui::api::ListParams::default())
        .await
        .expect_err("an error is not an empty list");
    assert!(e.message.contains("This 200 answer is an error"), "{e}");
}
