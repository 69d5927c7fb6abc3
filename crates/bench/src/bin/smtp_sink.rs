//! A minimal SMTP server that accepts and discards every message, for the
//! benchmark's production mail path (the app talks SMTP to it as to a relay).
//!
//!   cargo run --release -p intake-bench --bin smtp_sink -- PORT

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::args().nth(1).unwrap_or_else(|| "2525".into());
    let listener = TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 sink ESMTP\r\n").await?;
            let mut in_data = false;
            while let Some(line) = lines.next_line().await? {
                if in_data {
                    if line == "." {
                        in_data = false;
                        write.write_all(b"250 OK queued\r\n").await?;
                    }
                    continue;
                }
                let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" => b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go on\r\n"
                    }
                    "QUIT" => {
                        write.write_all(b"221 bye\r\n").await?;
                        break;
                    }
                    _ => b"250 OK\r\n",
                };
                write.write_all(reply).await?;
            }
            Ok::<_, std::io::Error>(())
        });
    }
}
