//! The YAML node budget of `mermaid-gen spec`: aliases are expanded, but never past a count.
//!
//! serde_yaml limits alias *jumps* (100 per event of the document), not what each jump copies,
//! so 1.1 MB of anchors that each repeat the one before expand to gigabytes (the "billion
//! laughs"). Before the spec is deserialized for real, the document is walked once with a
//! visitor that keeps nothing and counts every node as serde_yaml expands it; past the budget
//! the walk stops with an error. Time and memory are bounded by the budget, not the expansion.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// The default budget: a real architecture spec (a few hundred nodes, edges and subgraphs of
/// a handful of fields each) has a few thousand YAML nodes; a 10k-node spec about 60k.
pub const DEFAULT_MAX_YAML_NODES: usize = 1_000_000;

/// Counts the YAML nodes of `text` with aliases expanded, up to `max`. `Ok(n)` when within
/// the budget; the error names the budget and the flag.
pub fn count_nodes(text: &str, max: usize) -> Result<usize, String> {
    let count = Cell::new(0usize);
    let seed = Counter { count: &count, max };
    match seed.deserialize(serde_yaml::Deserializer::from_str(text)) {
        Ok(()) => Ok(count.get()),
        Err(_) if count.get() > max => Err(format!(
            "more than {max} YAML nodes once aliases are expanded (raise the budget with --max-yaml-nodes)"
        )),
        // Syntax errors are reported by the real parse, with their position.
        Err(_) => Ok(count.get()),
    }
}

#[derive(Clone, Copy)]
struct Counter<'a> {
    count: &'a Cell<usize>,
    max: usize,
}

impl Counter<'_> {
    fn tick<E: de::Error>(&self) -> Result<(), E> {
        self.count.set(self.count.get() + 1);
        if self.count.get() > self.max {
            Err(E::custom("YAML node budget exceeded"))
        } else {
            Ok(())
        }
    }
}

impl<'de> DeserializeSeed<'de> for Counter<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Counter<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.tick()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.tick()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.tick()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.tick()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.tick()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.tick()
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.tick()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.tick()?;
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.tick()?;
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.tick()?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.tick()?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        use de::VariantAccess;
        self.tick()?;
        let ((), variant) = data.variant_seed(self)?;
        variant.newtype_variant_seed(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_nodes_with_aliases_expanded() {
        // A map (1) of key `a` (1) to a 3-item list (1 + 3), key `b` (1) to that list again.
        let text = "a: &x [1, 2, 3]\nb: *x\n";
        assert_eq!(count_nodes(text, 100), Ok(1 + 1 + 4 + 1 + 4));
    }

    #[test]
    fn an_alias_bomb_stops_at_the_budget() {
        // Ten levels, each a list of ten aliases to the level before: 10^10 leaves expanded.
        let mut text = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*l{}", i - 1);
            text += &format!("l{i}: &l{i} [{}]\n", [prev.as_str(); 10].join(", "));
        }
        let e = count_nodes(&text, 10_000).unwrap_err();
        assert!(e.contains("more than 10000 YAML nodes"), "{e}");
    }

    #[test]
    fn syntax_errors_are_left_to_the_real_parse() {
        assert!(count_nodes("a: [1, 2\n", 100).is_ok());
    }
}
