use clap::Parser;

/// mimalloc: the aggregation allocates many small per-channel values on
/// every thread; glibc's allocator spent a third of the run consolidating.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = seam::cli::Cli::parse();
    match seam::app::run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // A closed pipe (`seam scan ... | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("seam: {e:#}");
            ExitCode::from(seam::app::EXIT_INPUT)
        }
    }
}
