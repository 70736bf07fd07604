//! The `convtui serve` binary: the ready line, clean shutdown on signals, and refusals.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn convtui() -> Command {
    Command::new(env!("CARGO_BIN_EXE_convtui"))
}

#[test]
fn prints_one_ready_line_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.sqlite3");
    let mut child = convtui()
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .trim_end()
        .strip_prefix("convtui serve: listening on http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/v1"))
        .unwrap_or_else(|| panic!("unexpected ready line {line:?}"));
    let port: u16 = url.parse().unwrap();
    assert_ne!(port, 0, "the real port is shown");

    // A real request over TCP answers before the shutdown.
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::io::Write::write_all(
        &mut conn,
        b"POST /v1/conversations HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut response = String::new();
    std::io::Read::read_to_string(&mut conn, &mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"object\":\"conversation\""));

    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "exits cleanly on SIGTERM: {status:?}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert_eq!(rest, "", "exactly one line on stdout");
    // The WAL was folded back on close.
    let wal = dir.path().join("serve.sqlite3-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
}

#[test]
fn refuses_a_public_address_without_a_key() {
    let out = convtui()
        .args(["serve", "--memory", "--addr", "0.0.0.0:0"])
        .env_remove("CONVTUI_SERVE_API_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("without --api-key"), "{err}");
}

#[test]
fn a_bad_chaos_spec_is_a_clear_usage_error() {
    let out = convtui()
        .args([
            "serve",
            "--memory",
            "--addr",
            "127.0.0.1:0",
            "--chaos",
            "500:0.1,teapot:0.5",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("in rule 'teapot:0.5': unknown fault 'teapot'"),
        "{err}"
    );
    assert!(err.contains("known: latency=DURATION"), "{err}");
}

#[test]
fn chaos_faults_reach_a_client_of_the_binary() {
    let mut child = convtui()
        .args([
            "serve",
            "--memory",
            "--addr",
            "127.0.0.1:0",
            "--chaos",
            "503:every=2@GET;seed=1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let port = line
        .trim_end()
        .rsplit(':')
        .next()
        .and_then(|p| p.strip_suffix("/v1"))
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("unexpected ready line {line:?}"));
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        std::io::Write::write_all(
            &mut conn,
            b"GET /v1/conversations HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
        let mut response = String::new();
        std::io::Read::read_to_string(&mut conn, &mut response).unwrap();
        statuses.push(response.get(9..12).unwrap_or_default().to_string());
    }
    assert_eq!(statuses, ["200", "503", "200", "503"]);
    child.kill().unwrap();
    child.wait().unwrap();
}
