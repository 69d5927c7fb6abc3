//! Resumes in an S3-compatible bucket (a real `moto_server` on loopback).
//! Run by `scripts/test.sh` when Python's moto is installed.

use crate::helpers::*;
use futures::TryStreamExt;
use object_store::{ObjectStore, ObjectStoreExt, aws::AmazonS3Builder, path::Path};
use reqwest::StatusCode;
use std::time::Duration;

struct Moto {
    child: std::process::Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_moto() -> Moto {
    let port = free_port().await;
    let child = std::process::Command::new("python3")
        .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 -m moto.server (pip install 'moto[server]')");
    let moto = Moto { child, port };
    let url = format!("http://127.0.0.1:{port}/");
    eventually("moto_server answers", || async { reqwest::get(&url).await.is_ok() }).await;
    moto
}

fn bucket(moto: &Moto) -> impl ObjectStore {
    AmazonS3Builder::new()
        .with_bucket_name("intake-resumes")
        .with_region("us-east-1")
        .with_access_key_id("test")
        .with_secret_access_key("test")
        .with_endpoint(format!("http://127.0.0.1:{}", moto.port))
        .with_allow_http(true)
        .build()
        .unwrap()
}

async fn keys(store: &impl ObjectStore) -> Vec<String> {
    let mut v: Vec<String> = store.list(None).map_ok(|m| m.location.to_string()).try_collect().await.unwrap();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs moto_server"]
async fn resumes_live_in_an_s3_bucket_and_stream_back() {
    let moto = start_moto().await;
    reqwest::Client::new().put(format!("http://127.0.0.1:{}/intake-resumes", moto.port)).send().await.unwrap();
    // The app reads the usual AWS variables; only this test sets them.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "test");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
        std::env::set_var("AWS_REGION", "us-east-1");
        std::env::set_var("AWS_ENDPOINT", format!("http://127.0.0.1:{}", moto.port));
        std::env::set_var("AWS_ALLOW_HTTP", "true");
    }
    let opts = Options::smtp(free_port().await).var("INTAKE_STORAGE_URL", "s3://intake-resumes/cv");
    let app = TestApp::spawn(opts.clone()).await;
    let store = bucket(&moto);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK, "the bucket answers");

    let id = app.submit("s3@example.com").await;
    let db = app.db().await;
    let key: String = sqlx::query_scalar("SELECT resume_key FROM leads").fetch_one(&db).await.unwrap();
    assert_eq!(keys(&store).await, [format!("cv/{key}")], "stored under the prefix, nothing left in staging");
    assert!(app.resume_files().is_empty(), "no local resume files");
    let stored = store.get(&Path::from(format!("cv/{key}"))).await.unwrap().bytes().await.unwrap();
    assert_eq!(stored.as_ref(), PDF);

    let client = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let res = client.get(app.url(&format!("/leads/{id}/resume"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

    // A repeated submission (answered as new) leaves nothing in the bucket.
    let res = app.post_form("/api/leads", lead_form("S3@example.com")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(keys(&store).await.len(), 1);

    // Staged objects left by a crash are settled at the next start.
    let data_dir = app.stop().await;
    let orphan = Path::from("cv/staging/0123456789abcdef0123456789abcdef");
    store.put(&orphan, b"half".to_vec().into()).await.unwrap();
    let app = TestApp::spawn_in(&data_dir, opts).await;
    assert_eq!(keys(&store).await, [format!("cv/{key}")]);
    drop(app);
}
