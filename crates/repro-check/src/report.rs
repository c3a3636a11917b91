//! Checklist items, their text and JSON forms, and the summary line.

use serde::Serialize;

/// Outcome of one checklist item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The item holds.
    Pass,
    /// The item does not hold; `location` says where to fix it.
    Fail,
    /// The item was not checked; never counted as a pass.
    Skip,
}

impl Status {
    /// `PASS`, `FAIL` or `SKIP`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
        }
    }
}

/// One line of the checklist. Fields are in alphabetical order: they are the JSON keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Dotted id, group first: "structure.files", "diagrams.render", "code.lint".
    pub id: String,
    /// `path:line` (or `path` for a whole file), relative to the checked folder, for a FAIL.
    pub location: Option<String>,
    /// Why, in one sentence.
    pub reason: String,
    /// PASS, FAIL or SKIP.
    pub status: Status,
}

impl Item {
    /// A passing item.
    pub fn pass(id: &str, reason: impl Into<String>) -> Self {
        Item {
            id: id.to_string(),
            status: Status::Pass,
            reason: reason.into(),
            location: None,
        }
    }

    /// A failing item with the place to fix it.
    pub fn fail(id: &str, reason: impl Into<String>, location: Option<String>) -> Self {
        Item {
            id: id.to_string(),
            status: Status::Fail,
            reason: reason.into(),
            location,
        }
    }

    /// An item that was not checked.
    pub fn skip(id: &str, reason: impl Into<String>) -> Self {
        Item {
            id: id.to_string(),
            status: Status::Skip,
            reason: reason.into(),
            location: None,
        }
    }

    /// `FAIL audit.formulas  docs/audit.md:42: formula has no symbol table after it`.
    pub fn line(&self) -> String {
        match &self.location {
            Some(loc) => format!(
                "{} {}  {}: {}",
                self.status.label(),
                self.id,
                loc,
                self.reason
            ),
            None => format!("{} {}  {}", self.status.label(), self.id, self.reason),
        }
    }
}

/// How many items passed, failed and were skipped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub failed: usize,
    pub passed: usize,
    pub skipped: usize,
}

impl Summary {
    /// Counts `items`.
    pub fn of(items: &[Item]) -> Self {
        let mut s = Summary::default();
        for item in items {
            match item.status {
                Status::Pass => s.passed += 1,
                Status::Fail => s.failed += 1,
                Status::Skip => s.skipped += 1,
            }
        }
        s
    }

    /// `12 passed, 1 failed, 2 skipped`.
    pub fn line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// The text report: one line per item, then the summary line.
pub fn text(items: &[Item]) -> String {
    let mut out = String::new();
    for item in items {
        out.push_str(&item.line());
        out.push('\n');
    }
    out.push_str(&Summary::of(items).line());
    out.push('\n');
    out
}

/// The JSON report: `{"items":[...],"summary":{"failed":..,"passed":..,"skipped":..}}`, keys
/// sorted (struct fields are declared in alphabetical order).
pub fn json(items: &[Item]) -> String {
    #[derive(Serialize)]
    struct Report<'a> {
        items: &'a [Item],
        summary: Summary,
    }
    let mut s = serde_json::to_string_pretty(&Report {
        items,
        summary: Summary::of(items),
    })
    .expect("plain data serialises");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_summary() {
        let items = vec![
            Item::pass("structure.files", "all 8 prescribed files present"),
            Item::fail(
                "audit.formulas",
                "formula has no symbol table after it",
                Some("docs/audit.md:42".into()),
            ),
            Item::skip("run.validate", "not asked (--run)"),
        ];
        assert_eq!(
            text(&items),
            "PASS structure.files  all 8 prescribed files present\n\
             FAIL audit.formulas  docs/audit.md:42: formula has no symbol table after it\n\
             SKIP run.validate  not asked (--run)\n\
             1 passed, 1 failed, 1 skipped\n"
        );
        let v: serde_json::Value = serde_json::from_str(&json(&items)).unwrap();
        assert_eq!(v["summary"]["failed"], 1);
        assert_eq!(v["items"][1]["location"], "docs/audit.md:42");
        assert_eq!(v["items"][0]["location"], serde_json::Value::Null);
        assert_eq!(v["items"][2]["status"], "skip");
        // Keys in sorted order, in the bytes themselves.
        let raw = json(&items);
        let keys: Vec<usize> = ["\"id\"", "\"location\"", "\"reason\"", "\"status\""]
            .iter()
            .map(|k| raw.find(k).unwrap())
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{raw}");
        assert!(raw.find("\"items\"").unwrap() < raw.find("\"summary\"").unwrap());
    }
}
