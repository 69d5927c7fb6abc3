//! The confined child: real processes under real OS limits. The limits are
//! tried on small shell programs that misbehave on purpose (a loop, a sleep,
//! a write, a large allocation); the reader itself on real and hostile files.

use intake_extract::{
    ExtractError, Format,
    sandbox::{Limits, RunError, run, run_command},
};
use std::{
    path::Path,
    time::{Duration, Instant},
};

fn reader() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_intake-extract"))
}

fn sh(script: &str) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new("/bin/sh");
    cmd.arg("-c").arg(script);
    cmd
}

fn tight() -> Limits {
    Limits { cpu: Duration::from_secs(1), memory: 256 * 1024 * 1024, wall: Duration::from_secs(5) }
}

#[tokio::test]
async fn the_child_reads_text_and_says_why_it_cannot() {
    let text = run(reader(), Format::Text, "Ada  Lovelace\r\nNurse in Madrid\n".as_bytes(), &Limits::default()).await;
    assert_eq!(text.unwrap(), "Ada Lovelace\nNurse in Madrid");
    let refused = run(reader(), Format::Docx, b"PK\x03\x04 not really a zip", &Limits::default()).await;
    assert!(matches!(refused, Err(RunError::Refused(ExtractError::Damaged(_)))), "{refused:?}");
    let pdf = run(reader(), Format::Pdf, b"%PDF-1.4\n%%EOF\n", &Limits::default()).await;
    assert!(matches!(pdf, Err(RunError::Refused(ExtractError::Damaged(_)))), "{pdf:?}");
}

#[tokio::test]
async fn a_loop_is_stopped_by_its_cpu_time() {
    let started = Instant::now();
    let r = run_command(sh("while :; do :; done"), b"", &tight()).await;
    assert_eq!(r, Err(RunError::Stopped("it used all its CPU time")));
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_child_that_waits_is_killed_when_its_time_is_up() {
    let limits = Limits { wall: Duration::from_millis(500), ..tight() };
    let started = Instant::now();
    assert_eq!(run_command(sh("sleep 30"), b"", &limits).await, Err(RunError::TimedOut));
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_child_cannot_write_a_file() {
    let dir = std::env::temp_dir().join(format!("intake-extract-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("written");
    let r = run_command(sh(&format!("printf leak > {}", file.display())), b"", &tight()).await;
    assert_eq!(r, Err(RunError::Stopped("it tried to write a file")));
    assert_eq!(std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0), 0, "nothing written");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_child_cannot_take_more_memory_than_allowed() {
    // 512 MiB asked of a shell held to 256 MiB of address space: it fails, quickly.
    let r = run_command(sh("x=$(head -c 536870912 /dev/zero | tr '\\0' a); echo ${#x}"), b"", &tight()).await;
    assert!(r.is_err(), "{r:?}");
}

#[tokio::test]
async fn the_child_gets_no_environment() {
    // This process has a PATH and a HOME (and, in the server, its secrets): the child sees none of it.
    assert!(std::env::var_os("PATH").is_some());
    let r = run_command(sh("env"), b"", &tight()).await.unwrap();
    assert!(!r.contains("PATH=/") && !r.contains("HOME="), "{r}");
}

#[tokio::test]
async fn a_zip_bomb_stops_at_the_inflation_budget() {
    // One entry of 100 MiB of zeros: deflated to about 100 KiB, over the 64 MiB budget inflated.
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().large_file(false);
    zip.start_file("word/document.xml", options).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..100 {
        zip.write_all(&zeros).unwrap();
    }
    let bomb = zip.finish().unwrap().into_inner();
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    let r = run(reader(), Format::Docx, &bomb, &Limits::default()).await;
    assert_eq!(r, Err(RunError::Refused(ExtractError::TooLarge)));
}

/// A PDF made of `objects` (numbered from 1), with its cross-reference table.
fn pdf(objects: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

fn page(resources: &str, contents: &str) -> Vec<String> {
    vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources {resources} /Contents 4 0 R >>"),
        format!("<< /Length {} >>\nstream\n{contents}\nendstream", contents.len()),
    ]
}

#[tokio::test]
async fn a_pdf_that_draws_itself_forever_is_stopped_and_the_caller_goes_on() {
    // A form XObject that draws itself: a reader that follows it recurses without end.
    let mut objects = page("<< /XObject << /X0 5 0 R >> >>", "/X0 Do");
    objects.push(
        "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /X0 5 0 R >> >> /Length 6 >>\nstream\n/X0 Do\nendstream"
            .into(),
    );
    let started = Instant::now();
    let r = run(reader(), Format::Pdf, &pdf(&objects), &tight()).await;
    eprintln!("a PDF drawing itself: {r:?}");
    assert!(matches!(r, Err(RunError::Stopped(_) | RunError::Refused(_))), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_pdf_nested_a_million_deep_is_stopped() {
    let deep = format!("{}{}", "[".repeat(1_000_000), "]".repeat(1_000_000));
    let mut objects = page("<< >>", "BT (Ada) Tj ET");
    objects.push(deep);
    let started = Instant::now();
    let r = run(reader(), Format::Pdf, &pdf(&objects), &tight()).await;
    eprintln!("a PDF nested a million deep: {r:?} in {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(r.is_err() || r.as_deref().is_ok_and(|t| t.contains("Ada")), "{r:?}");
}

#[tokio::test]
async fn a_simple_pdf_gives_its_text() {
    let mut objects = page(
        "<< /Font << /F1 5 0 R >> >>",
        "BT /F1 12 Tf 72 700 Td (Ada Lovelace) Tj 0 -20 Td (Nurse in Madrid) Tj ET",
    );
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into());
    let text = run(reader(), Format::Pdf, &pdf(&objects), &Limits::default()).await.unwrap();
    // Lines 20 points apart come out as paragraphs.
    assert_eq!(text, "Ada Lovelace\n\nNurse in Madrid");
}
