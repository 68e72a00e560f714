//! `extra_styles`: a padded catalogue pages correctly (spec §2.5 limits, opaque tokens, tag
//! filters) and serves a distinct, real PNG thumbnail for every synthetic style.

use std::time::Duration;

use serde_json::Value;

const KEY: &str = "test-key-123";

async fn start(extra: usize) -> (local_agent::RunningAgent, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = local_agent::Config::new(dir.path());
    cfg.api_keys = vec![KEY.to_string()];
    cfg.extra_styles = extra;
    (local_agent::start(cfg).await.unwrap(), dir)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Every style of the catalogue (optionally one tag), walking the cursor pages of `limit`.
async fn walk(base: &str, limit: usize, tag: Option<&str>) -> (Vec<Value>, usize) {
    let http = client();
    let (mut all, mut pages, mut token) = (Vec::new(), 0, None::<String>);
    loop {
        let mut q = vec![("limit".to_string(), limit.to_string())];
        if let Some(t) = tag {
            q.push(("tag".into(), t.into()));
        }
        if let Some(t) = &token {
            q.push(("token".into(), t.clone()));
        }
        let r: Value = http
            .get(format!("{base}/v3/video-agents/styles"))
            .header("X-Api-Key", KEY)
            .query(&q)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        let page = r["data"].as_array().unwrap();
        assert!(page.len() <= limit);
        all.extend(page.iter().cloned());
        pages += 1;
        match r["next_token"].as_str() {
            Some(t) => {
                assert_eq!(r["has_more"], true);
                token = Some(t.to_string());
            }
            None => {
                assert_eq!(r["has_more"], false);
                return (all, pages);
            }
        }
    }
}

#[tokio::test]
async fn a_thousand_styles_page_and_serve_distinct_thumbnails() {
    let (agent, _dir) = start(972).await;
    let base = agent.base_url();
    let (all, pages) = walk(&base, 100, None).await;
    assert_eq!(all.len(), 1_000);
    assert_eq!(pages, 10);
    let mut ids: Vec<&str> = all
        .iter()
        .map(|s| s["style_id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1_000, "no style twice across pages");
    // The default page size is the spec's 20.
    let (_, default_pages) = walk(&base, 20, None).await;
    assert_eq!(default_pages, 50);

    // Tag filters page through the synthetic styles too.
    let (cinematic, _) = walk(&base, 100, Some("cinematic")).await;
    assert!(cinematic.len() > 150, "{}", cinematic.len());
    assert!(cinematic.iter().all(|s| s["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "cinematic")));

    // Thumbnails: real PNGs, each different, served by the agent itself.
    let http = client();
    let mut seen = std::collections::HashSet::new();
    for style in all.iter().skip(28).step_by(97) {
        let url = style["thumbnail_url"].as_str().unwrap();
        assert!(url.starts_with(&base), "{url}");
        let r = http.get(url).send().await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
        assert_eq!(r.headers()["content-type"], "image/png");
        let bytes = r.bytes().await.unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        assert!(
            seen.insert(bytes.to_vec()),
            "{url} repeats another thumbnail"
        );
    }

    // A synthetic style beyond the listed count does not exist.
    let r = http
        .get(format!(
            "{base}/cdn/styles/style_synthetic_00973/thumbnail.png"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    agent.shutdown().await;
}

#[tokio::test]
async fn without_extra_styles_only_the_built_ins_are_listed() {
    let (agent, _dir) = start(0).await;
    let (all, _) = walk(&agent.base_url(), 100, None).await;
    assert!(all.len() < 100);
    assert!(all.iter().all(|s| !s["style_id"]
        .as_str()
        .unwrap()
        .starts_with("style_synthetic_")));
    agent.shutdown().await;
}
