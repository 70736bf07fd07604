//! Tests of settings resolution.

use super::*;
use std::collections::HashMap;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

fn file(text: &str) -> tempfile::NamedTempFile {
    use std::io::Write;
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn opts(path: &Path) -> ConfigOptions {
    ConfigOptions {
        config_path: Some(path.to_path_buf()),
        ..Default::default()
    }
}

#[test]
fn defaults_to_local_without_a_key_and_openai_with_one() {
    let p = resolve_with(&ConfigOptions::default(), None, &env_of(&[])).unwrap();
    assert_eq!(p.name, "local");
    assert_eq!(p.base_url, None);
    assert_eq!(p.max_retries, 2);
    let p = resolve_with(
        &ConfigOptions::default(),
        None,
        &env_of(&[("OPENAI_API_KEY", "sk-abc")]),
    )
    .unwrap();
    assert_eq!(p.name, "openai");
    assert_eq!(p.base_url.as_deref(), Some(OPENAI_BASE_URL));
    assert_eq!(p.api_key, Some(Secret::new("sk-abc")));
}

#[test]
fn layers_in_order() {
    let f = file(
        r#"
default_profile = "work"
[profiles.work]
base_url = "https://work.example/v1"
api_key_env = "WORK_KEY"
organization = "org-file"
timeout_s = 5
connect_timeout_s = 2.5
max_retries = 4
"#,
    );
    let env = env_of(&[("WORK_KEY", "k1"), ("OPENAI_ORG_ID", "org-env")]);
    let p = resolve_with(&opts(f.path()), None, &env).unwrap();
    assert_eq!(p.name, "work");
    assert_eq!(p.base_url.as_deref(), Some("https://work.example/v1"));
    assert_eq!(p.api_key, Some(Secret::new("k1")));
    assert_eq!(p.organization.as_deref(), Some("org-env"));
    assert_eq!(p.timeout, Duration::from_secs(5));
    assert_eq!(p.connect_timeout, Duration::from_millis(2500));
    assert_eq!(
        p.client_settings("http://x").connect_timeout,
        Duration::from_millis(2500)
    );
    assert_eq!(p.max_retries, 4);
    // The environment picks the profile over the file; the flag over the environment.
    let env = env_of(&[
        ("CONVTUI_PROFILE", "openai"),
        ("OPENAI_BASE_URL", "http://env/v1"),
        ("OPENAI_API_KEY", "sk-env"),
    ]);
    let p = resolve_with(&opts(f.path()), None, &env).unwrap();
    assert_eq!(p.name, "openai");
    assert_eq!(p.base_url.as_deref(), Some("http://env/v1"));
    let mut o = opts(f.path());
    o.profile = Some("local".into());
    o.base_url = Some("http://localhost:1/v1".into());
    let p = resolve_with(&o, None, &env).unwrap();
    assert_eq!(p.name, "local");
    assert_eq!(p.base_url.as_deref(), Some("http://localhost:1/v1"));
    assert!(p.base_url_from_flag);
}

#[test]
fn key_command_and_unknown_profile() {
    let f = file(
        "[profiles.cmd]\nbase_url = \"http://x/v1\"\napi_key_command = \"echo sk-from-cmd\"\n",
    );
    let mut o = opts(f.path());
    o.profile = Some("cmd".into());
    let p = resolve_with(&o, None, &env_of(&[])).unwrap();
    assert_eq!(p.api_key, Some(Secret::new("sk-from-cmd")));
    let dbg = format!("{p:?}");
    assert!(!dbg.contains("sk-from-cmd"), "{dbg}");
    o.profile = Some("nope".into());
    let e = resolve_with(&o, None, &env_of(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown profile 'nope'"), "{e}");
    let f = file(
        "[profiles.bad]\nbase_url = \"http://x/v1\"\napi_key_command = \"echo sk-leak; exit 3\"\n",
    );
    let mut o = opts(f.path());
    o.profile = Some("bad".into());
    let e = resolve_with(&o, None, &env_of(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("api_key_command failed"), "{e}");
    assert!(!e.contains("sk-leak"), "{e}");
}

#[test]
fn a_profile_key_variable_never_falls_back_to_openai_api_key() {
    let f = file("[profiles.x]\nbase_url = \"http://elsewhere\"\napi_key_env = \"X_KEY\"\n");
    let p = ConfigOptions {
        profile: Some("x".into()),
        ..opts(f.path())
    };
    // Unset: a clear error, not a silent request without a key (nor with OPENAI_API_KEY).
    let e = resolve_with(&p, None, &env_of(&[("OPENAI_API_KEY", "sk-openai")]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "profile 'x': api_key_env names X_KEY, which is not set; nothing was sent"
    );
    let got = resolve_with(
        &p,
        None,
        &env_of(&[("OPENAI_API_KEY", "sk-openai"), ("X_KEY", "sk-x")]),
    )
    .unwrap();
    assert_eq!(
        got.api_key.map(|k| k.expose().to_string()).as_deref(),
        Some("sk-x")
    );
}

#[test]
fn bad_files_name_the_file_line_and_key() {
    let f = file("[profiles.x]\nbase_url = \"http://x\"\ntimeout_s = = 3\n");
    let e = resolve_with(&opts(f.path()), None, &env_of(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.contains(&f.path().display().to_string()), "{e}");
    assert!(e.contains("line 3"), "{e}");
    let f = file("[profiles.x]\ntimeout_s = \"soon\"\n");
    let e = resolve_with(&opts(f.path()), None, &env_of(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.contains(&f.path().display().to_string()), "{e}");
    assert!(e.contains("profiles.x.timeout_s"), "{e}");
    assert!(e.contains("line 2"), "{e}");
    assert_eq!(e.matches(".toml").count(), 1, "the file is named once: {e}");
    let f = file("[profiles.y]\nbase_ur = 1\n[profiles.x]\n\nbase_ur = \"http://x\"\n");
    let e = resolve_with(&opts(f.path()), None, &env_of(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("base_ur"), "{e}");
    assert!(e.contains("line 2") || e.contains("line 5"), "{e}");
    let f = file("[profiles.x]\nbase_url = \"http://x\"\ntimeout_s = 1e30\n");
    let x = ConfigOptions {
        profile: Some("x".into()),
        ..opts(f.path())
    };
    let e = resolve_with(&x, None, &env_of(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("timeout_s"), "{e}");
    let e = resolve_with(&opts(Path::new("/nonexistent/c.toml")), None, &env_of(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/c.toml"), "{e}");
}

#[test]
fn the_example_file_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/config.example.toml");
    let mut o = opts(&path);
    o.profile = Some("openai".into());
    let p = resolve_with(&o, None, &env_of(&[("OPENAI_API_KEY", "sk-x")])).unwrap();
    assert_eq!(p.base_url.as_deref(), Some(OPENAI_BASE_URL));
    o.profile = Some("home-server".into());
    let p = resolve_with(&o, None, &env_of(&[("CONVTUI_HOME_KEY", "k")])).unwrap();
    assert_eq!(p.api_key, Some(Secret::new("k")));
    assert_eq!(p.theme.as_deref(), Some("dark"));
    assert!(p.read_only);
    assert_eq!(
        (p.label.as_deref(), p.accent.as_deref()),
        (Some("HOME"), Some("red"))
    );
    o.profile = Some("azure".into());
    let p = resolve_with(&o, None, &env_of(&[("AZURE_OPENAI_API_KEY", "az")])).unwrap();
    assert_eq!(p.kind, Kind::Azure);
    assert_eq!(p.api_key, Some(Secret::new("az")));
    assert!(p.known.contains(&"azure".to_string()) && p.known.contains(&"local".to_string()));
}

#[test]
fn bad_colours_themes_and_azure_urls_are_refused() {
    for (text, want) in [
        (
            "[profiles.a]\nbase_url = \"http://127.0.0.1:1/v1\"\naccent = \"reddish\"\n",
            "accent",
        ),
        (
            "theme = \"blue\"\n[profiles.a]\nbase_url = \"http://127.0.0.1:1/v1\"\n",
            "theme must be",
        ),
        (
            "[colors]\nok = \"nope\"\n[profiles.a]\nbase_url = \"http://127.0.0.1:1/v1\"\n",
            "colors.ok",
        ),
        (
            "[profiles.a]\nkind = \"azure\"\nbase_url = \"https://x.openai.azure.com/v1\"\n",
            "/openai/v1",
        ),
    ] {
        let f = file(text);
        let mut o = opts(f.path());
        o.profile = Some("a".into());
        let e = resolve_with(&o, None, &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{text}: {e}");
    }
}

#[test]
fn openai_api_key_goes_only_to_openai() {
    let env = env_of(&[("OPENAI_API_KEY", "sk-openai")]);
    let f = file("[profiles.plain]\nbase_url = \"http://127.0.0.1:8787/v1\"\n[profiles.far]\nbase_url = \"http://far.example/v1\"\n[profiles.open]\nbase_url = \"http://far.example/v1\"\nno_api_key = true\n");
    let with = |profile: &str, base_url: Option<&str>| ConfigOptions {
        profile: Some(profile.into()),
        base_url: base_url.map(String::from),
        ..opts(f.path())
    };
    // A custom plain-HTTP profile, and the local profile sent elsewhere, get no key.
    let p = resolve_with(&with("plain", None), None, &env).unwrap();
    assert_eq!(p.api_key, None);
    let p = resolve_with(&with("local", Some("http://127.0.0.1:9/v1")), None, &env).unwrap();
    assert_eq!(p.api_key, None);
    let p = resolve_with(&with("openai", Some("http://localhost:9/v1")), None, &env).unwrap();
    assert_eq!(p.api_key, None);
    // Off this machine without a key: refused before anything is sent, saying what to set.
    let e = resolve_with(&with("local", Some("http://far.example/v1")), None, &env)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("OPENAI_API_KEY is only sent to api.openai.com"),
        "{e}"
    );
    assert!(
        e.contains("api_key_env") && e.contains("[profiles.local]"),
        "{e}"
    );
    assert!(e.contains("nothing was sent"), "{e}");
    assert!(!e.contains("sk-openai"), "{e}");
    let e = resolve_with(&with("far", None), None, &env_of(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no API key for http://far.example/v1"), "{e}");
    let p = resolve_with(&with("open", None), None, &env).unwrap();
    assert_eq!(p.api_key, None);
    // OpenAI itself: the key, or a message naming the variable.
    let p = resolve_with(&with("openai", None), None, &env).unwrap();
    assert_eq!(p.api_key, Some(Secret::new("sk-openai")));
    let e = resolve_with(&with("openai", None), None, &env_of(&[]))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "profile 'openai': no API key for https://api.openai.com/v1: set OPENAI_API_KEY"
        ),
        "{e}"
    );
}

#[test]
fn config_errors_show_no_source_text_nor_values() {
    for text in [
        "[profiles.x]\napi_key_command = \"echo sk-live-123\n",
        "[profiles.x]\napi_key_command = \"echo sk-live-123\" junk\n",
        "[profiles.x]\ntimeout_s = \"sk-live-123\"\n",
        "[profiles.x]\nmax_retries = \"sk-live-123\"\n",
        "[profiles.x]\nbase_url = [\"sk-live-123\"]\n",
    ] {
        let f = file(text);
        let e = resolve_with(&opts(f.path()), None, &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(!e.contains("sk-live"), "{text:?} gave {e}");
        assert!(!e.contains("echo"), "{text:?} gave {e}");
        assert!(e.contains("line 2"), "{text:?} gave {e}");
    }
}

#[test]
fn keys_stay_out_of_debug_output() {
    let p = resolve_with(
        &ConfigOptions::default(),
        None,
        &env_of(&[("OPENAI_API_KEY", "sk-very-secret-value")]),
    )
    .unwrap();
    assert!(!format!("{p:?}").contains("sk-very-secret-value"));
    let client = Client::new(p.client_settings("http://127.0.0.1:9/v1")).unwrap();
    assert!(!format!("{client:?}").contains("sk-very-secret-value"));
}

#[test]
fn listing_limits_come_from_the_profile_then_the_environment() {
    let p = resolve_with(&ConfigOptions::default(), None, &env_of(&[])).unwrap();
    assert_eq!(p.limits, crate::api::Limits::default());
    let f = file("[profiles.big]\nbase_url = \"http://127.0.0.1:1/v1\"\nmax_list_pages = 7\nmax_list_items = 70\n");
    let big = ConfigOptions {
        profile: Some("big".into()),
        ..opts(f.path())
    };
    let p = resolve_with(&big, None, &env_of(&[])).unwrap();
    assert_eq!((p.limits.max_pages, p.limits.max_items), (7, 70));
    let p = resolve_with(&big, None, &env_of(&[("CONVTUI_MAX_LIST_ITEMS", "5")])).unwrap();
    assert_eq!((p.limits.max_pages, p.limits.max_items), (7, 5));
    let e = resolve_with(&big, None, &env_of(&[("CONVTUI_MAX_LIST_PAGES", "0")])).unwrap_err();
    assert!(e.to_string().contains("CONVTUI_MAX_LIST_PAGES"), "{e}");
}
