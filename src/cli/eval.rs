//! `capol eval`: evaluate one sign-in, or a JSONL batch of them, against a workspace or a
//! compiled IR.

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use rayon::prelude::*;

use super::workspace::{IoError, describe};
use super::{ErrorFormat, Printer, Status, workspace};
use crate::eval::batch::{Batch, LineOutput, Summary};
use crate::eval::{Directory, Engine, Input, Resolver, ScenarioError, UnknownUsers};
use crate::ir;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// A readable trace (batch: one line per sign-in, then a summary).
    #[default]
    Human,
    /// Graph's What If response plus capol's decision (batch: JSON lines, then a summary line).
    Json,
}

/// Arguments of `capol eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// `.capol` files or directories (searched recursively), or one compiled IR file (`.json`).
    #[arg(required_unless_present = "ir")]
    pub paths: Vec<PathBuf>,
    /// A compiled IR file (the output of `capol compile`).
    #[arg(long, conflicts_with = "paths")]
    pub ir: Option<PathBuf>,
    /// The sign-in: a capol scenario or a Graph What If request body (JSON file; `-` reads
    /// standard input).
    #[arg(short, long, required_unless_present = "batch", conflicts_with = "batch")]
    pub scenario: Option<PathBuf>,
    /// Evaluate every line of a JSON Lines file: scenarios, What If requests or Graph `signIn`
    /// records.
    #[arg(long)]
    pub batch: Option<PathBuf>,
    /// A Graph-shaped directory snapshot giving users' groups and roles by object id.
    #[arg(long)]
    pub directory: Option<PathBuf>,
    /// What the input documents are.
    #[arg(long, value_enum, default_value_t)]
    pub input: Input,
    /// How to print results.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// List only the policies that apply.
    #[arg(long)]
    pub applied_only: bool,
    /// What to do with a user id neither the workspace nor the directory knows.
    #[arg(long, value_enum, default_value_t)]
    pub unknown_users: UnknownUsers,
    /// Write the batch output to this file (written whole, at the end) instead of standard
    /// output.
    #[arg(short, long, requires = "batch")]
    pub output: Option<PathBuf>,
    /// Worker threads for a batch (default: one per core).
    #[arg(long, requires = "batch")]
    pub jobs: Option<usize>,
    /// Write only the batch summary (outcome counts and hits per policy), not a line per
    /// sign-in; lines with errors are still reported on standard error.
    #[arg(long, requires = "batch")]
    pub summary_only: bool,
}

/// Lines evaluated together; bounds memory whatever the file size.
const CHUNK: usize = 8192;

/// Parts a chunk is cut into per worker thread: each part is evaluated in a row into one output
/// buffer, with scratch buffers (and resolution caches) that last the whole run.
const PARTS_PER_THREAD: usize = 4;

/// What one worker produced for consecutive lines of a chunk.
struct Part {
    out: Vec<u8>,
    summary: Summary,
    errors: Vec<(u64, ScenarioError)>,
}

fn print_scenario_error(format: Format, e: &ScenarioError, line: Option<u64>) {
    let mut err = std::io::stderr().lock();
    let _ = match format {
        Format::Human => {
            let at = line.map(|l| format!("line {l}: ")).unwrap_or_default();
            let help = e.help.as_ref().map(|h| format!("\n  help: {h}")).unwrap_or_default();
            writeln!(err, "error[{}]: {at}{e}{help}", e.code())
        }
        Format::Json => {
            let mut v = e.to_json();
            if let Some(l) = line {
                v["line"] = serde_json::json!(l);
            }
            writeln!(err, "{v}")
        }
    };
}

fn printer(format: Format) -> Printer {
    Printer::new(if format == Format::Json { ErrorFormat::Json } else { ErrorFormat::Human })
}

/// Load the program: an IR file, or a workspace compiled on the spot.
fn load_program(args: &EvalArgs, printer: &Printer) -> Result<ir::Program, Status> {
    let ir_path = args.ir.clone().or_else(|| match args.paths.as_slice() {
        [one] if one.extension().is_some_and(|e| e == "json") => Some(one.clone()),
        _ => None,
    });
    if let Some(path) = ir_path {
        let text = read_input(&path).map_err(|e| e.report(args.format, printer))?;
        let program: ir::Program = serde_json::from_str(&text).map_err(|e| {
            printer.plain_error(&format!("`{}` is not a capol IR file: {e}", path.display()));
            Status::Invalid
        })?;
        if program.capol_ir != ir::IR_VERSION {
            printer.plain_error(&format!(
                "`{}` has IR version {}; this capol reads version {}",
                path.display(),
                program.capol_ir,
                ir::IR_VERSION
            ));
            return Err(Status::Invalid);
        }
        return Ok(program);
    }
    let (sources, load_diags) =
        workspace::single_workspace(&args.paths).and_then(|ws| workspace::load(&ws)).map_err(|e| {
            printer.plain_error(&e.0);
            Status::Failure
        })?;
    let (program, diags) =
        if load_diags.is_empty() { crate::compile_workspace(&sources) } else { (None, load_diags) };
    printer.diagnostics(&diags, &sources);
    printer.summary(&diags, "eval");
    match program {
        Some(p) if !diags.has_errors() => Ok(p),
        _ => Err(Status::Invalid),
    }
}

/// Why an input file could not be used: it could not be read (exit 1), or its bytes are not
/// text (exit 2, like any other malformed input).
enum ReadFailure {
    Io(IoError),
    Decode(ScenarioError),
}

impl ReadFailure {
    fn report(&self, format: Format, printer: &Printer) -> Status {
        match self {
            ReadFailure::Io(e) => {
                printer.plain_error(&e.0);
                Status::Failure
            }
            ReadFailure::Decode(e) => {
                print_scenario_error(format, e, None);
                Status::Invalid
            }
        }
    }
}

/// Read a JSON input as text: UTF-8 with or without a byte order mark, or UTF-16 with one, as
/// Windows tools write them.
fn read_input(path: &Path) -> Result<String, ReadFailure> {
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    read.map_err(|e| {
        ReadFailure::Io(IoError(format!("cannot read `{}`: {}", path.display(), describe(&e))))
    })?;
    crate::import::read::decode(&bytes).map_err(|reason| {
        ReadFailure::Decode(
            ScenarioError::new(
                crate::eval::ErrorKind::Json,
                "",
                format!("`{}` is not text: {reason}", path.display()),
            )
            .with_help(Some("save the file as UTF-8 (UTF-16 with a byte order mark is read too)".into())),
        )
    })
}

/// Run `capol eval`.
pub fn run(args: &EvalArgs) -> Status {
    let printer = printer(args.format);
    let program = match load_program(args, &printer) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let engine = Engine::new(&program);
    for w in engine.warnings() {
        printer.plain_error(w);
    }
    let directory = match &args.directory {
        None => None,
        Some(path) => {
            let text = match read_input(path) {
                Ok(t) => t,
                Err(e) => return e.report(args.format, &printer),
            };
            match Directory::from_json(&text) {
                Ok(d) => Some(d.bind(&engine)),
                Err(e) => {
                    let mut e = e;
                    e.message = format!("directory `{}`: {}", path.display(), e.message);
                    print_scenario_error(args.format, &e, None);
                    return Status::Invalid;
                }
            }
        }
    };
    let resolver =
        Resolver { engine: &engine, directory: directory.as_ref(), unknown_users: args.unknown_users };
    match (&args.scenario, &args.batch) {
        (Some(path), _) => single(args, &resolver, path, &printer),
        (None, Some(path)) => batch(args, &resolver, path, &printer),
        (None, None) => {
            printer.plain_error("give `--scenario FILE` or `--batch FILE`");
            Status::Failure
        }
    }
}

fn single(args: &EvalArgs, resolver: &Resolver<'_>, path: &Path, printer: &Printer) -> Status {
    let text = match read_input(path) {
        Ok(t) => t,
        Err(e) => return e.report(args.format, printer),
    };
    let mut run = match crate::eval::evaluate_document(resolver, &text, args.input) {
        Ok(r) => r,
        Err(e) => {
            print_scenario_error(args.format, &e, None);
            return Status::Invalid;
        }
    };
    run.applied_only |= args.applied_only;
    let report = run.report(resolver.engine);
    let text = match args.format {
        Format::Human => report.human(),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report.json()).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        return Status::Failure;
    }
    Status::Success
}

/// Where batch output goes: standard output, or a temporary file renamed over the target at the
/// end.
enum Sink {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    File(std::io::BufWriter<tempfile::NamedTempFile>, PathBuf),
}

impl Sink {
    fn open(path: Option<&Path>) -> Result<Sink, IoError> {
        let Some(path) = path else { return Ok(Sink::Stdout(std::io::BufWriter::new(std::io::stdout()))) };
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".capol-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(|e| IoError(format!("cannot write in `{}`: {}", dir.display(), describe(&e))))?;
        Ok(Sink::File(std::io::BufWriter::new(temp), path.to_path_buf()))
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let w: &mut dyn Write = match self {
            Sink::Stdout(w) => w,
            Sink::File(w, _) => w,
        };
        w.write_all(bytes)
    }

    fn line(&mut self, text: &str) -> std::io::Result<()> {
        self.write(text.as_bytes())?;
        self.write(b"\n")
    }

    fn finish(self) -> Result<(), IoError> {
        match self {
            Sink::Stdout(mut w) => {
                w.flush().map_err(|e| IoError(format!("cannot write output: {}", describe(&e))))
            }
            Sink::File(w, path) => {
                let temp = w.into_inner().map_err(|e| {
                    IoError(format!("cannot write `{}`: {}", path.display(), describe(e.error())))
                })?;
                temp.as_file()
                    .sync_all()
                    .map_err(|e| IoError(format!("cannot write `{}`: {}", path.display(), describe(&e))))?;
                temp.persist(&path).map_err(|e| {
                    IoError(format!("cannot write `{}`: {}", path.display(), describe(&e.error)))
                })?;
                Ok(())
            }
        }
    }
}

fn progress_bar(total: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {bytes}/{total_bytes} [{bar:30}] {per_sec} · {msg} · eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn batch(args: &EvalArgs, resolver: &Resolver<'_>, path: &Path, printer: &Printer) -> Status {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            printer.plain_error(&format!("cannot read `{}`: {}", path.display(), describe(&e)));
            return Status::Failure;
        }
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    // Windows tools write byte order marks, and Windows PowerShell writes UTF-16: a BOM is
    // dropped and UTF-16 is transcoded to UTF-8 as the file streams; other bytes pass through.
    let decoded =
        encoding_rs_io::DecodeReaderBytesBuilder::new().utf8_passthru(true).strip_bom(true).build(file);
    let mut reader = BufReader::with_capacity(1 << 20, decoded);
    let mut sink = match Sink::open(args.output.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            printer.plain_error(&e.0);
            return Status::Failure;
        }
    };
    let pool = match args.jobs {
        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build() {
            Ok(p) => Some(p),
            Err(e) => {
                printer.plain_error(&format!("cannot start {n} worker threads: {e}"));
                return Status::Failure;
            }
        },
        None => None,
    };
    let bar = progress_bar(size);
    let output = match (args.summary_only, args.format) {
        (true, _) => LineOutput::None,
        (false, Format::Json) => LineOutput::Json,
        (false, Format::Human) => LineOutput::Human,
    };
    let batch = Batch::new(*resolver, args.input, output);
    let mut summary = batch.summary();
    let mut line_no: u64 = 0;
    // One chunk of lines at a time: their text in `text`, each as (number, start, end).
    let mut text: Vec<u8> = Vec::new();
    let mut lines: Vec<(u64, usize, usize)> = Vec::with_capacity(CHUNK);
    let mut scratches = Vec::new();
    loop {
        text.clear();
        lines.clear();
        let mut eof = false;
        let mut bytes = 0u64;
        while lines.len() < CHUNK {
            let start = text.len();
            match reader.read_until(b'\n', &mut text) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => {
                    bytes += n as u64;
                    line_no += 1;
                    // A line that starts with visible ASCII is not blank: only decode the others.
                    let line = text.get(start..).unwrap_or_default();
                    let visible = line.first().is_some_and(|&b| b > b' ' && b.is_ascii());
                    let blank = !visible && std::str::from_utf8(line).is_ok_and(|t| t.trim().is_empty());
                    if blank {
                        text.truncate(start);
                    } else {
                        lines.push((line_no, start, text.len()));
                    }
                }
                Err(e) => {
                    bar.finish_and_clear();
                    printer.plain_error(&format!("cannot read `{}`: {}", path.display(), describe(&e)));
                    return Status::Failure;
                }
            }
        }
        let threads = pool.as_ref().map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
        let parts = threads.max(1) * PARTS_PER_THREAD;
        if scratches.len() < parts {
            scratches.resize_with(parts, || batch.scratch());
        }
        let per_part = lines.len().div_ceil(parts).max(1);
        let work = |scratches: &mut [crate::eval::batch::Scratch]| -> Vec<Part> {
            lines
                .par_chunks(per_part)
                .zip(scratches.par_iter_mut())
                .map(|(part, scratch)| {
                    let mut p = Part { out: Vec::new(), summary: batch.summary(), errors: Vec::new() };
                    for &(n, start, end) in part {
                        let bytes = text.get(start..end).unwrap_or_default();
                        let result = match std::str::from_utf8(bytes) {
                            Ok(t) => batch.line(n, t, scratch, &mut p.summary, &mut p.out),
                            Err(_) => {
                                let e = ScenarioError::new(
                                    crate::eval::ErrorKind::Json,
                                    "",
                                    "the line is not valid UTF-8",
                                );
                                batch.unreadable(n, &e, &mut p.summary, &mut p.out);
                                Err(e)
                            }
                        };
                        if let Err(e) = result {
                            p.errors.push((n, e));
                        }
                    }
                    p
                })
                .collect()
        };
        let parts = match &pool {
            Some(p) => p.install(|| work(&mut scratches)),
            None => work(&mut scratches),
        };
        for part in &parts {
            summary.merge(&part.summary);
            bar.suspend(|| {
                for (n, e) in &part.errors {
                    print_scenario_error(args.format, e, Some(*n));
                }
            });
            if let Err(e) = sink.write(&part.out) {
                bar.finish_and_clear();
                printer.plain_error(&format!("cannot write output: {}", describe(&e)));
                return Status::Failure;
            }
        }
        bar.inc(bytes);
        bar.set_message(format!("{} sign-ins, {} errors", summary.lines - summary.errors, summary.errors));
        if eof {
            break;
        }
    }
    bar.finish_and_clear();
    let engine = resolver.engine;
    let tail = match args.format {
        Format::Json => summary.to_json(engine).to_string(),
        Format::Human => summary.human(engine).trim_end().to_owned(),
    };
    let finished = sink.line(&tail).map_err(|e| IoError(format!("cannot write output: {}", describe(&e))));
    if let Err(e) = finished.and_then(|()| sink.finish()) {
        printer.plain_error(&e.0);
        return Status::Failure;
    }
    if summary.errors > 0 {
        if args.format == Format::Human {
            let _ = writeln!(
                std::io::stderr(),
                "error: {} of {} lines could not be evaluated",
                summary.errors,
                summary.lines
            );
        }
        return Status::Invalid;
    }
    Status::Success
}
