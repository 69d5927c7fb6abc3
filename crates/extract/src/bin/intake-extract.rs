//! The reader alone, as the server runs it (`intake extract <format>`): for
//! the tests and the fuzzing of the crate, which cannot start the server's binary.

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("extract") => intake_extract::sandbox::child_main(&args[1..]),
        _ => {
            eprintln!("usage: intake-extract extract pdf|docx|doc|odt|rtf|txt < FILE");
            std::process::ExitCode::from(2)
        }
    }
}
