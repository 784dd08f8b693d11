//! The `capol` binary: everything happens in `capol::cli`.

fn main() -> std::process::ExitCode {
    capol::cli::run()
}
