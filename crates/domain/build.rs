//! Turns the prospect side's translation files (`locales/*.ftl`, Fluent's
//! `key = text` messages with `{ $variable }` placeables) into a `Msg` enum
//! and one table per language. A message missing from a translation, an
//! extra one, or a variable that differs fails the build, naming the file
//! and line: a missing key is a compile error, never a blank on the page.

use std::{collections::BTreeSet, env, fs, path::PathBuf};

struct Message {
    key: String,
    text: String,
    line: usize,
}

fn parse(path: &PathBuf) -> Vec<Message> {
    let src = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out: Vec<Message> = Vec::new();
    for (i, raw) in src.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, text)) = line.split_once(" = ") else {
            panic!("{}:{}: expected `key = text`, found {raw:?}", path.display(), i + 1);
        };
        let key = key.trim();
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            panic!("{}:{}: a key is lower-case letters, digits and `-`: {key:?}", path.display(), i + 1);
        }
        if out.iter().any(|m| m.key == key) {
            panic!("{}:{}: `{key}` is defined twice", path.display(), i + 1);
        }
        variables(text).unwrap_or_else(|why| panic!("{}:{}: `{key}`: {why}", path.display(), i + 1));
        out.push(Message { key: key.to_owned(), text: text.trim().to_owned(), line: i + 1 });
    }
    out
}

/// The `{ $name }` placeables of a text; any other `{` is an error.
fn variables(text: &str) -> Result<BTreeSet<String>, String> {
    let mut vars = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').ok_or("an unclosed `{`")? + start;
        let inner = rest[start + 1..end].trim();
        let name = inner.strip_prefix('$').ok_or("only `{ $variable }` placeables are supported")?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(format!("a bad variable name {name:?}"));
        }
        vars.insert(name.to_owned());
        rest = &rest[end + 1..];
    }
    if rest.contains('}') {
        return Err("a `}` without its `{`".into());
    }
    Ok(vars)
}

fn camel(key: &str) -> String {
    key.split('-').map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../locales");
    let english = dir.join("en.ftl");
    let spanish = dir.join("es.ftl");
    println!("cargo:rerun-if-changed={}", english.display());
    println!("cargo:rerun-if-changed={}", spanish.display());
    let en = parse(&english);
    let es = parse(&spanish);
    for m in &en {
        let Some(t) = es.iter().find(|t| t.key == m.key) else {
            panic!("{}: `{}` (en.ftl line {}) is missing", spanish.display(), m.key, m.line);
        };
        let (a, b) = (variables(&m.text).unwrap(), variables(&t.text).unwrap());
        if a != b {
            panic!("{}:{}: `{}` uses {b:?}, but en.ftl uses {a:?}", spanish.display(), t.line, m.key);
        }
    }
    if let Some(extra) = es.iter().find(|t| !en.iter().any(|m| m.key == t.key)) {
        panic!("{}:{}: `{}` is not in en.ftl", spanish.display(), extra.line, extra.key);
    }
    let mut code = String::from(
        "/// A message of the prospect's side (generated from `locales/*.ftl`).\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Msg {\n",
    );
    for m in &en {
        code.push_str(&format!("    /// {}\n    {},\n", m.text.replace('\n', " "), camel(&m.key)));
    }
    code.push_str("}\n\nimpl Msg {\n    pub const ALL: &[Msg] = &[");
    for m in &en {
        code.push_str(&format!("Msg::{}, ", camel(&m.key)));
    }
    code.push_str("];\n\n    /// The message's key in the files.\n    pub fn key(self) -> &'static str {\n        KEYS[self as usize]\n    }\n}\n\n");
    let table = |name: &str, list: Vec<&str>| {
        let items: Vec<String> = list.iter().map(|t| format!("{t:?}")).collect();
        format!("pub(crate) const {name}: &[&str] = &[{}];\n", items.join(", "))
    };
    code.push_str(&table("KEYS", en.iter().map(|m| m.key.as_str()).collect()));
    code.push_str(&table("EN", en.iter().map(|m| m.text.as_str()).collect()));
    let es_in_order = en.iter().map(|m| es.iter().find(|t| t.key == m.key).unwrap().text.as_str()).collect();
    code.push_str(&table("ES", es_in_order));
    fs::write(PathBuf::from(env::var("OUT_DIR").unwrap()).join("messages.rs"), code).unwrap();
}
