//! Answers to prompts. Prompts go to stderr so that stdout carries only the
//! result (SQL or JSON); answers come from stdin, whether it is a terminal or
//! a pipe (scripts and tests answer prompts that way).

use super::{AdminError, AdminResult};
use std::io::{BufRead, IsTerminal, Write};

/// How many times a bad answer is asked again before giving up.
const MAX_ATTEMPTS: usize = 5;

/// Asks `question` until `parse` accepts the answer (printing why not in between).
pub fn ask<T>(question: &str, parse: impl Fn(&str) -> Result<T, String>) -> AdminResult<T> {
    for _ in 0..MAX_ATTEMPTS {
        let answer = read_line(question)?;
        match parse(answer.trim()) {
            Ok(value) => return Ok(value),
            Err(why) => eprintln!("  {why}"),
        }
    }
    Err(AdminError::Invalid(format!(
        "no acceptable answer to {question:?} after {MAX_ATTEMPTS} attempts"
    )))
}

/// Prints `question: ` on stderr and reads one line; end of input is an error.
pub fn read_line(question: &str) -> AdminResult<String> {
    eprint!("{question}: ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        eprintln!();
        return Err(AdminError::Invalid(format!(
            "no answer to {question:?}: end of input (pass it as a flag instead)"
        )));
    }
    if !std::io::stdin().is_terminal() {
        // Piped answers are not echoed; end the prompt's line for a readable log.
        eprintln!();
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// A password: typed without echo (and confirmed) at a terminal, or the first
/// line of stdin when piped.
pub fn password(question: &str) -> AdminResult<String> {
    if !std::io::stdin().is_terminal() {
        return read_line(question);
    }
    for _ in 0..MAX_ATTEMPTS {
        let first = rpassword::prompt_password(format!("{question}: "))?;
        let again = rpassword::prompt_password("Repeat the password: ")?;
        if first == again {
            return Ok(first);
        }
        eprintln!("  The passwords differ; try again.");
    }
    Err(AdminError::Invalid("the passwords did not match".into()))
}

/// Asks a yes/no question; only `y`/`yes` is yes.
pub fn confirm(question: &str) -> AdminResult<bool> {
    let answer = read_line(&format!("{question} [y/N]"))?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}
