//! How fast the sanitizer takes in text: plain ASCII, mixed Japanese and emoji, and hostile
//! text full of controls and invisible characters, 1 MB each. The detail view sanitizes every
//! line of an item it shows, so a 10 MB item should take well under a second. Run with
//! `cargo bench --bench sanitize`.

use std::hint::black_box;
use std::time::Instant;

use convtui::sanitize;

fn text(unit: &str, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + unit.len());
    while s.len() < bytes {
        s.push_str(unit);
    }
    s
}

fn time(name: &str, input: &str, mut f: impl FnMut(&str) -> usize) {
    let runs = 5;
    let start = Instant::now();
    let mut out = 0;
    for _ in 0..runs {
        out += f(black_box(input));
    }
    let each = start.elapsed() / runs;
    let mb_s = input.len() as f64 / 1e6 / each.as_secs_f64();
    println!(
        "{name:<32} {:>9.2} ms/MB {mb_s:>8.1} MB/s",
        each.as_secs_f64() * 1000.0 / (input.len() as f64 / 1e6)
    );
    black_box(out);
}

fn main() {
    let mb = 1_000_000;
    let ascii = text(
        "The quick brown fox jumps over the lazy dog. 0123456789\n",
        mb,
    );
    let mixed = text(
        "日本語のタイトル 👨\u{200d}👩\u{200d}👧\u{200d}👦 family 🇯🇵 e\u{301} ❤\u{fe0f} ok\n",
        mb,
    );
    let hostile = text(
        "\u{1b}[2J\u{202e}x\u{200b}\u{ad}\u{fffe}\u{e0041}\u{301}\u{200d}a\u{fe0f}\u{fe0f}\t\r\n",
        mb,
    );
    for (name, input) in [("ascii", &ascii), ("mixed", &mixed), ("hostile", &hostile)] {
        time(&format!("lines {name}"), input, |s| {
            sanitize::lines(s).len()
        });
        time(&format!("line {name}"), input, |s| sanitize::line(s).len());
        time(&format!("width {name}"), input, sanitize::width);
        time(&format!("wrap 80 {name}"), input, |s| {
            sanitize::wrap(s, 80).len()
        });
    }
    let title =
        "日本語のタイトル：会議の議事録と今後の予定について 👨\u{200d}👩\u{200d}👧\u{200d}👦";
    let start = Instant::now();
    for _ in 0..100_000 {
        black_box(sanitize::truncate(black_box(title), 40));
    }
    println!(
        "{:<32} {:>9.2} µs each",
        "truncate title to 40",
        start.elapsed().as_secs_f64() * 1e6 / 100_000.0
    );
}
