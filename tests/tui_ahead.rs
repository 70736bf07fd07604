//! Loading everything (`L`, `G`): the runtime reads a page ahead, and every page it loads
//! reaches the mirror, however far behind its writer is. Against the real server, behind a
//! proxy that notes each listing's cursor (`common::proxy`).

mod common;

use std::time::Duration;

use common::proxy::{Options, Proxy};
use convtui::api::{Client, ClientSettings, ItemPage, ListParams, Order};
use convtui::tui::message::{Effect, Message};
use convtui::tui::runtime::Runtime;
use serde_json::json;

fn client(base: &str) -> Client {
    Client::new(ClientSettings {
        timeout: Duration::from_secs(10),
        max_retries: 0,
        ..ClientSettings::new(base)
    })
    .unwrap()
}

async fn page(
    rt: &Runtime,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Message>,
    conv: &str,
    generation: u64,
    after: Option<&str>,
    all: bool,
) -> ItemPage {
    rt.spawn(Effect::LoadItems {
        conversation: conv.to_string(),
        generation,
        after: after.map(String::from),
        ascending: false,
        all,
    });
    let answer = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("an answer in time")
        .expect("the channel is open");
    match answer {
        Message::ItemsLoaded {
            result: Ok(page),
            generation: g,
            ..
        } if g == generation => page,
        other => panic!("expected a page: {other:?}"),
    }
}

/// Waits until the proxy has passed on `n` listings of items.
async fn listings_reach(proxy: &Proxy, n: usize) -> Vec<String> {
    for _ in 0..1000 {
        let seen = proxy.listings();
        if seen.len() >= n {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{n} listings expected, {:?} seen", proxy.listings());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loading_everything_reads_the_next_page_ahead_and_only_the_same_request_takes_it() {
    let server = common::start_memory().await;
    let helper = common::Http::new(&server);
    let conv = helper.conversation().await;
    let items: Vec<_> = (0..250)
        .map(|n| json!({"role": "user", "content": format!("item {n}")}))
        .collect();
    for chunk in items.chunks(20) {
        helper.add_items(&conv, chunk).await;
    }
    let direct = client(&server.base_url());
    let list = |after: Option<String>| ListParams {
        limit: 100,
        order: Order::Desc,
        after,
        include: Vec::new(),
    };
    let proxy = Proxy::start(&server.base_url(), Options::default()).await;
    let base = proxy.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let rt = Runtime::new(
        client(&base),
        tx,
        "local",
        dir.path().join("deleted.jsonl"),
        dir.path().join("registry.json"),
        dir.path().join("drafts"),
    );

    // A page asked for while loading everything: the one after it is asked for at once.
    let first = page(&rt, &mut rx, &conv, 1, None, true).await;
    let first_last = first.last_id.clone().unwrap();
    let seen = listings_reach(&proxy, 2).await;
    assert_eq!(seen, ["", first_last.as_str()]);

    // Asked for, it is the page read ahead: no second request for it, and the same items
    // as a listing straight from the server.
    let second = page(&rt, &mut rx, &conv, 1, Some(&first_last), true).await;
    let expected = direct
        .list_items(&conv, &list(Some(first_last.clone())))
        .await
        .unwrap();
    assert_eq!(second.data, expected.data);
    assert_eq!(second.last_id, expected.last_id);
    let second_last = second.last_id.clone().unwrap();
    let seen = listings_reach(&proxy, 3).await;
    assert_eq!(seen, ["", first_last.as_str(), second_last.as_str()]);

    // Another generation (a reload, another conversation) does not take it: it asks itself,
    // and without `all` nothing more is read ahead.
    let third = page(&rt, &mut rx, &conv, 2, Some(&second_last), false).await;
    assert_eq!(third.data.len(), 50);
    assert!(!third.has_more);
    let seen = listings_reach(&proxy, 4).await;
    assert_eq!(
        seen,
        ["", &first_last, &second_last, &second_last],
        "the page read ahead was not taken by another generation"
    );

    // The last page asks nothing ahead, even while loading everything.
    page(&rt, &mut rx, &conv, 3, Some(&second_last), true).await;
    let seen = listings_reach(&proxy, 5).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(proxy.lists(), seen.len(), "{seen:?}");

    // A cancel (Esc) drops the page read ahead: asked for again, it is asked of the server.
    page(&rt, &mut rx, &conv, 4, None, true).await;
    listings_reach(&proxy, 7).await;
    rt.spawn(Effect::Cancel(convtui::tui::cancel::Which::All));
    page(&rt, &mut rx, &conv, 4, Some(&first_last), false).await;
    let seen = listings_reach(&proxy, 8).await;
    assert_eq!(seen[5..], ["", first_last.as_str(), first_last.as_str()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_deletes_faster_than_the_mirror_writes_all_reach_it() {
    const PAGES: usize = 80;
    let server = common::start_memory().await;
    let helper = common::Http::new(&server);
    let conv = helper.conversation().await;
    let adds = (0..PAGES * 5).map(|batch| {
        let items: Vec<_> = (0..20)
            .map(|n| json!({"role": "user", "content": format!("item {batch} {n}")}))
            .collect();
        let (helper, conv) = (&helper, &conv);
        async move { helper.add_items(conv, &items).await }
    });
    futures::future::join_all(adds).await;
    // Every page's cursor, straight from the server.
    let direct = client(&server.base_url());
    let mut cursors = vec![None];
    let mut newest = None;
    while cursors.len() < PAGES {
        let params = ListParams {
            limit: 100,
            order: Order::Desc,
            after: cursors.last().cloned().flatten(),
            include: Vec::new(),
        };
        let page = direct.list_items(&conv, &params).await.unwrap();
        newest = newest.or_else(|| page.data.first().map(|i| i.0.clone()));
        cursors.push(page.last_id);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mirror.sqlite3");
    let writer =
        convtui::mirror::MirrorWriter::start(&path, convtui::mirror::Memory::SMALL).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let rt = Runtime::new(
        client(&server.base_url()),
        tx,
        "local",
        dir.path().join("deleted.jsonl"),
        dir.path().join("registry.json"),
        dir.path().join("drafts"),
    )
    .with_mirror(Some(writer));

    // Another connection holds the mirror's write lock: its writer waits, and its queue
    // (64 operations) fills up.
    let lock = rusqlite::Connection::open(&path).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    for after in &cursors {
        rt.spawn(Effect::LoadItems {
            conversation: conv.clone(),
            generation: 1,
            after: after.clone(),
            ascending: false,
            all: true,
        });
    }
    let mut answered = 0;
    // As many pages as the queue and the writer hold are answered; the others wait for room.
    while answered < 65 {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Some(Message::ItemsLoaded { result: Ok(_), .. })) => answered += 1,
            other => panic!("a page: {other:?}"),
        }
    }
    let more = tokio::time::timeout(Duration::from_millis(300), rx.recv()).await;
    assert!(more.is_err(), "the other pages wait: {more:?}");
    // A delete while the queue is full: answered at once, its mark waits for room.
    rt.spawn(Effect::DeleteItem {
        conversation: conv.clone(),
        item: newest.unwrap(),
    });
    match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
        Ok(Some(Message::ItemDeleted { result: Ok(()), .. })) => {}
        other => panic!("the delete: {other:?}"),
    }
    // Its mark has met the full queue by now.
    tokio::time::sleep(Duration::from_millis(100)).await;
    lock.execute_batch("COMMIT").unwrap();
    drop(lock);
    while answered < PAGES {
        match tokio::time::timeout(Duration::from_secs(20), rx.recv()).await {
            Ok(Some(Message::ItemsLoaded { result: Ok(_), .. })) => answered += 1,
            other => panic!("a page: {other:?}"),
        }
    }
    rt.flush_mirror().await.unwrap();
    assert_eq!(rt.mirror().unwrap().dropped(), 0);
    let mirror = convtui::mirror::Mirror::open_path(&path).unwrap();
    let items = mirror.items(&conv).unwrap();
    assert_eq!(
        items.len(),
        PAGES * 100,
        "every page loaded is in the mirror"
    );
    assert_eq!(
        items.iter().filter(|i| i.deleted).count(),
        1,
        "the delete is marked"
    );
}
