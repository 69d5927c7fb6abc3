//! The real `intake` binary, run as an operator runs it.

use super::*;

/// The real `intake` binary on a fresh data directory, started as an operator
/// runs it (signals, stdout); killed when dropped if it is still running.
pub struct ServerProcess {
    child: Option<std::process::Child>,
    pub addr: String,
    pub data_dir: Arc<DataDir>,
}

impl ServerProcess {
    /// Starts it with these extra variables and waits until it answers.
    pub async fn start(vars: &[(&str, &str)], stdout: std::process::Stdio) -> Self {
        let data_dir = fresh_data_dir().await;
        let url = std::fs::read_to_string(data_dir.join(".database_url")).unwrap();
        let addr = format!("127.0.0.1:{}", free_port().await);
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_intake"))
            .env("DATABASE_URL", &url)
            .env("INTAKE_DATA_DIR", data_dir.path())
            .env("LEPTOS_SITE_ADDR", &addr)
            .envs(vars.iter().copied())
            .stdout(stdout)
            .spawn()
            .unwrap();
        let this = Self { child: Some(child), addr, data_dir };
        eventually("the server answers", || async {
            reqwest::get(this.url("/healthz")).await.is_ok_and(|r| r.status() == reqwest::StatusCode::OK)
        })
        .await;
        this
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends SIGTERM, as an orchestrator stopping it does.
    pub fn terminate(&self) {
        let pid = self.child.as_ref().unwrap().id().to_string();
        assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    }

    /// Its exit status, if it has exited.
    pub fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.as_mut().unwrap().try_wait().unwrap()
    }

    /// Waits for it to exit; what it wrote to a piped stdout.
    pub fn wait_with_output(mut self) -> std::process::Output {
        self.child.take().unwrap().wait_with_output().unwrap()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
