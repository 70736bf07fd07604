//! The local server over real HTTP on 127.0.0.1, with 100,000 items in one conversation:
//! page latency after 0, 50,000 and 99,900 items (100-item pages), and list-page throughput with
//! 1, 4 and 16 concurrent clients, with and without a concurrent writer.
//! Run with `cargo bench --bench server`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use convtui::server::{self, Database, RunningServer, ServeOptions};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

const ITEMS: usize = 100_000;

fn item_id(i: usize) -> String {
    format!("msg_{i:048}")
}

/// A database file with one conversation of [`ITEMS`] items, bulk-loaded in one transaction.
fn setup(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> (RunningServer, String) {
    let path = dir.join("bench.sqlite3");
    let server = rt.block_on(start(&path));
    let client = reqwest::Client::new();
    let conv: Value = rt.block_on(async {
        client
            .post(format!("{}/conversations", server.base_url()))
            .json(&json!({}))
            .send()
            .await
            .expect("create")
            .json()
            .await
            .expect("json")
    });
    let conv = conv["id"].as_str().expect("id").to_string();
    let mut db = rusqlite::Connection::open(&path).expect("open");
    db.busy_timeout(Duration::from_secs(30)).expect("busy");
    let tx = db.transaction().expect("tx");
    {
        let seq: i64 = tx
            .query_row(
                "SELECT seq FROM conversations WHERE id = ?1",
                [&conv],
                |r| r.get(0),
            )
            .expect("seq");
        let mut insert = tx
            .prepare(
                "INSERT INTO items (id, conversation_seq, created_at, body) VALUES (?1, ?2, 0, ?3)",
            )
            .expect("prepare");
        for i in 0..ITEMS {
            let body = json!({"type": "message", "id": item_id(i), "status": "completed", "role": "user",
                "content": [{"type": "input_text", "text": format!("item {i}: {}", "lorem ipsum dolor sit amet ".repeat(10))}]});
            insert
                .execute(rusqlite::params![item_id(i), seq, body.to_string()])
                .expect("insert");
        }
    }
    tx.commit().expect("commit");
    (server, conv)
}

async fn start(path: &std::path::Path) -> RunningServer {
    server::start(ServeOptions {
        addr: "127.0.0.1:0".parse().expect("addr"),
        database: Database::File(path.to_path_buf()),
        api_key: None,
    })
    .await
    .expect("server")
}

async fn page(client: &reqwest::Client, url: &str) -> usize {
    let r = client.get(url).send().await.expect("send");
    assert_eq!(r.status(), 200);
    let body = r.bytes().await.expect("body");
    body.len()
}

fn page_url(base: &str, conv: &str, after: Option<usize>) -> String {
    match after {
        None => format!("{base}/conversations/{conv}/items?limit=100&order=asc"),
        Some(a) => format!(
            "{base}/conversations/{conv}/items?limit=100&order=asc&after={}",
            item_id(a - 1)
        ),
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let (server, conv) = setup(&rt, dir.path());
    println!(
        "setup: {ITEMS} items in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let base = server.base_url();
    let client = reqwest::Client::new();

    let mut group = c.benchmark_group("page of 100");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_millis(500));
    for depth in [0usize, 50_000, 99_900] {
        let url = page_url(&base, &conv, (depth > 0).then_some(depth));
        group.bench_function(format!("after {depth} items"), |b| {
            b.to_async(&rt).iter(|| page(&client, &url))
        });
    }
    group.finish();

    println!("\nlist-page throughput (100-item pages at random depths, 3 s each)");
    println!(
        "{:>8} {:>8} {:>12} {:>10} {:>10} {:>10}",
        "clients", "writer", "pages/s", "p50 ms", "p99 ms", "writes"
    );
    for clients in [1usize, 4, 16] {
        for writer in [false, true] {
            let (rate, p50, p99, writes) = rt.block_on(throughput(&base, &conv, clients, writer));
            println!(
                "{clients:>8} {:>8} {rate:>12.0} {p50:>10.2} {p99:>10.2} {writes:>10}",
                if writer { "yes" } else { "no" }
            );
        }
    }
    rt.block_on(async {
        let _ = server.shutdown().await;
    });
}

async fn throughput(
    base: &str,
    conv: &str,
    clients: usize,
    writer: bool,
) -> (f64, f64, f64, usize) {
    let run = Duration::from_secs(3);
    let stop = Arc::new(AtomicBool::new(false));
    let writer_task = writer.then(|| {
        let stop = stop.clone();
        let url = format!("{base}/conversations/{conv}/items");
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let r = client
                    .post(&url)
                    .json(&json!({"items": [{"role": "user", "content": "written during the benchmark"}]}))
                    .send()
                    .await
                    .expect("write");
                assert_eq!(r.status(), 200);
                n += 1;
            }
            n
        })
    });
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (base, conv) = (base.to_string(), conv.to_string());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut times = Vec::new();
            let mut depth = 7919 * (c + 1);
            while started.elapsed() < run {
                depth = (depth * 31 + 17) % (ITEMS - 100);
                let url = page_url(&base, &conv, Some(depth + 1));
                let t = Instant::now();
                page(&client, &url).await;
                times.push(t.elapsed());
            }
            times
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.expect("client"));
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let writes = match writer_task {
        Some(t) => t.await.expect("writer"),
        None => 0,
    };
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    (
        times.len() as f64 / elapsed.as_secs_f64(),
        at(0.5),
        at(0.99),
        writes,
    )
}

criterion_group!(benches, bench);
criterion_main!(benches);
