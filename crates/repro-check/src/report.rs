//! Checklist items and the summary line.

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

/// One line of the checklist.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    /// Dotted id, group first: "structure.files", "diagrams.render", "code.lint".
    pub id: String,
    /// PASS, FAIL or SKIP.
    pub status: Status,
    /// Why, in one sentence.
    pub reason: String,
    /// `path:line` (relative to the checked folder) to fix, for a FAIL.
    pub location: Option<String>,
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
}
