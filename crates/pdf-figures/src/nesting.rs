//! Nesting depth of content streams, measured beside the interpretation: form XObjects,
//! Type 3 glyph procedures, tiling patterns and soft-mask groups each open one more level.
//!
//! hayro stops silently at a fixed depth of 50, so a hostile file would be half-drawn without a
//! word, and hayro-syntax resolves no object that is already being read, so a reference cycle
//! (a form that draws itself) looks like a missing resource and is silently cut. The walk
//! here follows only what a content stream actually uses (the operands of `Do`, `Tf`, `scn`/`SCN`
//! and `gs`), not everything its resource dictionary lists, because producers that share one
//! resource dictionary between all forms would otherwise look cyclic. Results are memoised per
//! (stream, resources) so a wide graph of shared forms costs one visit each.

use crate::error::Error;
use crate::limits::HAYRO_MAX_DEPTH;
use hayro_syntax::Pdf;
use hayro_syntax::content::UntypedIter;
use hayro_syntax::object::{Dict, Name, ObjRef, Object, ObjectIdentifier, Stream};
use hayro_syntax::page::Resources;
use std::collections::HashMap;

/// A nested stream on the current path: its object and what kind of stream it is.
type Link = (ObjectIdentifier, &'static str);

/// What a resource use led to: the referenced object, and each nested level with its height.
type Use = (Option<ObjectIdentifier>, Vec<(Link, u32)>);

/// What ended the walk.
enum Stop {
    /// The chain of nested streams, outermost first, that went past the limit.
    TooDeep(Vec<Link>),
    /// A stream that contains itself; the chain ends with its second appearance.
    Cycle(Vec<Link>),
}

/// Where a nested level's content streams are.
enum Content<'a> {
    /// A form, tiling pattern or group.
    Stream(Stream<'a>),
    /// A Type 3 font's `/CharProcs` dictionary (a font has many glyphs and papers select it
    /// often, so the glyph streams are not even looked up again once the font is measured).
    Glyphs(Dict<'a>),
}

impl Content<'_> {
    /// The decoded streams; an undecodable one draws nothing, so it nests nothing.
    fn decoded(&self) -> Vec<Vec<u8>> {
        let decode = |s: &Stream<'_>| s.decoded().ok().map(|d| d.into_owned());
        match self {
            Content::Stream(s) => decode(s).into_iter().collect(),
            Content::Glyphs(procs) => procs
                .keys()
                .filter_map(|k| procs.get::<Stream<'_>>(k.as_ref()))
                .filter_map(|s| decode(&s))
                .collect(),
        }
    }
}

/// One nested content stream with the resources it runs with.
struct Child<'a> {
    link: Link,
    /// The content, read only when the memo has no answer.
    content: Content<'a>,
    resources: Resources<'a>,
    /// Identity of the resources for memoisation; `None` when it cannot be named.
    resources_id: Option<ObjectIdentifier>,
}

struct Walker {
    max_depth: u32,
    /// Height (levels below) of a stream run with given resources, for finished walks.
    heights: HashMap<(ObjectIdentifier, Option<ObjectIdentifier>), u32>,
    /// Height of streams whose whole subtree looks up no resource (Type 3 bitmap glyphs, plain
    /// drawings): valid whatever resources they run with.
    free_heights: HashMap<ObjectIdentifier, u32>,
    /// What a (resources, operator, name) use led to: the referenced object and the nested
    /// levels with their heights. Papers select the same font thousands of times.
    uses: HashMap<(ObjectIdentifier, Vec<u8>), Use>,
    /// Resource lookups so far, to tell whether a subtree made any.
    lookups: usize,
    path: Vec<Link>,
}

/// Fails when some page nests content streams deeper than `max_depth` or in a cycle.
pub fn check(pdf: &Pdf, max_depth: u32) -> Result<(), Error> {
    let mut walker = Walker {
        max_depth,
        heights: HashMap::new(),
        free_heights: HashMap::new(),
        uses: HashMap::new(),
        lookups: 0,
        path: Vec::new(),
    };
    for (i, page) in pdf.pages().iter().enumerate() {
        let Some(content) = page.page_stream() else {
            continue;
        };
        let resources_id = page
            .raw()
            .get::<Dict<'_>>(b"Resources")
            .and_then(|d| d.obj_id());
        if let Err(stop) = walker.height(&[content], page.resources(), resources_id) {
            return Err(walker.error(i + 1, stop));
        }
    }
    Ok(())
}

fn chain_text(chain: &[Link]) -> String {
    let names: Vec<String> = chain
        .iter()
        .map(|(id, what)| format!("{what} {} {}", id.obj_number, id.gen_number))
        .collect();
    if names.len() > 4 {
        format!(
            "{} > {} > ... > {}",
            names[0],
            names[1],
            names[names.len() - 1]
        )
    } else {
        names.join(" > ")
    }
}

impl Walker {
    fn error(&self, page: usize, stop: Stop) -> Error {
        match stop {
            Stop::TooDeep(chain) => Error::Input(format!(
                "page {page}: content nested more than {} levels deep ({}); raise the limit with --max-depth (at most {HAYRO_MAX_DEPTH})",
                self.max_depth,
                chain_text(&chain),
            )),
            Stop::Cycle(chain) => Error::Input(format!(
                "page {page}: reference cycle {}: content that draws itself is infinitely deep, beyond any --max-depth",
                chain_text(&chain),
            )),
        }
    }

    /// Levels of nesting below content `streams` run with `resources`.
    fn height(
        &mut self,
        streams: &[&[u8]],
        resources: &Resources<'_>,
        resources_id: Option<ObjectIdentifier>,
    ) -> Result<u32, Stop> {
        let mut height = 0;
        for data in streams {
            let mut ops = UntypedIter::new(data);
            while let Some(op) = ops.next() {
                let names: Vec<Name<'_>> = op
                    .operands()
                    .filter_map(|o| match o {
                        Object::Name(n) => Some(n.clone()),
                        _ => None,
                    })
                    .collect();
                let operator: &[u8] = op.operator;
                let name = match operator {
                    b"Do" | b"Tf" | b"gs" => names.first(),
                    b"scn" | b"SCN" => names.last(),
                    _ => None,
                };
                let Some(name) = name else {
                    continue;
                };
                self.lookups += 1;
                let use_key =
                    resources_id.map(|rid| (rid, [operator, b" ", name.as_ref()].concat()));
                if let Some((target, levels)) = use_key.as_ref().and_then(|k| self.uses.get(k)) {
                    if let Some(chain) = self.cycle(*target) {
                        return Err(Stop::Cycle(chain));
                    }
                    for &(link, h) in levels {
                        if self.path.len() as u32 + 1 + h > self.max_depth {
                            let mut chain = self.path.clone();
                            chain.push(link);
                            return Err(Stop::TooDeep(chain));
                        }
                        height = height.max(1 + h);
                    }
                    continue;
                }
                // The reference is read before resolving it: hayro-syntax resolves nothing
                // that is already on the chain of objects being read, so a cycle would
                // otherwise look like a missing resource.
                let (target, children): (Option<ObjRef>, Vec<Child<'_>>) = match operator {
                    b"Do" => {
                        let child = resources
                            .get_x_object(name)
                            .and_then(|s| form(s, "form XObject", resources, resources_id));
                        (
                            resources.x_objects.get_ref(name),
                            child.into_iter().collect(),
                        )
                    }
                    b"Tf" => {
                        let procs = resources
                            .get_font(name)
                            .map(|f| type3_procs(&f, resources, resources_id))
                            .unwrap_or_default();
                        (resources.fonts.get_ref(name), procs)
                    }
                    b"scn" | b"SCN" => {
                        let child = resources
                            .get_pattern(name)
                            .and_then(|p| p.into_stream())
                            .and_then(|s| form(s, "tiling pattern", resources, resources_id));
                        (
                            resources.patterns.get_ref(name),
                            child.into_iter().collect(),
                        )
                    }
                    b"gs" => {
                        let mask = resources
                            .get_ext_g_state(name)
                            .and_then(|gs| gs.get::<Dict<'_>>(b"SMask"));
                        let child = mask
                            .as_ref()
                            .and_then(|m| m.get::<Stream<'_>>(b"G"))
                            .and_then(|s| form(s, "soft-mask group", resources, resources_id));
                        (
                            mask.and_then(|m| m.get_ref(b"G")),
                            child.into_iter().collect(),
                        )
                    }
                    _ => (None, Vec::new()),
                };
                let target = target.map(ObjectIdentifier::from);
                if let Some(chain) = self.cycle(target) {
                    return Err(Stop::Cycle(chain));
                }
                let mut levels = Vec::with_capacity(children.len());
                for child in children {
                    let link = child.link;
                    let h = self.child_height(child)?;
                    levels.push((link, h));
                    height = height.max(1 + h);
                }
                if let Some(key) = use_key {
                    self.uses.insert(key, (target, levels));
                }
            }
        }
        Ok(height)
    }

    /// The chain to `target` when it is on the current path.
    fn cycle(&self, target: Option<ObjectIdentifier>) -> Option<Vec<Link>> {
        let at = self.path.iter().position(|(p, _)| Some(*p) == target)?;
        let mut chain = self.path.clone();
        chain.push(self.path[at]);
        Some(chain)
    }

    fn child_height(&mut self, child: Child<'_>) -> Result<u32, Stop> {
        let (id, _) = child.link;
        let key = (id, child.resources_id);
        let depth = self.path.len() as u32 + 1;
        let too_deep = |path: &[Link]| {
            let mut chain = path.to_vec();
            chain.push(child.link);
            Stop::TooDeep(chain)
        };
        let known = self
            .free_heights
            .get(&id)
            .or_else(|| self.heights.get(&key));
        if let Some(&h) = known {
            return if depth + h > self.max_depth {
                Err(too_deep(&self.path))
            } else {
                Ok(h)
            };
        }
        // Object number 0 marks an inline dictionary, which cannot refer back to itself.
        if id.obj_number != 0 && self.path.iter().any(|(p, _)| *p == id) {
            let mut chain = self.path.clone();
            chain.push(child.link);
            return Err(Stop::Cycle(chain));
        }
        if depth > self.max_depth {
            return Err(too_deep(&self.path));
        }
        self.path.push(child.link);
        let lookups = self.lookups;
        let decoded = child.content.decoded();
        let streams: Vec<&[u8]> = decoded.iter().map(Vec::as_slice).collect();
        let h = self.height(&streams, &child.resources, child.resources_id)?;
        self.path.pop();
        // Streams run with unnamed (inline, inherited) resources may resolve names differently
        // elsewhere, so only named pairs are remembered.
        if id.obj_number != 0 && self.lookups == lookups {
            self.free_heights.insert(id, h);
        } else if id.obj_number != 0 && child.resources_id.is_some() {
            self.heights.insert(key, h);
        }
        Ok(h)
    }
}

/// The form `stream` (or tiling pattern, or group) with its own resources or the caller's.
fn form<'a>(
    stream: Stream<'a>,
    what: &'static str,
    parent: &Resources<'a>,
    parent_id: Option<ObjectIdentifier>,
) -> Option<Child<'a>> {
    let dict = stream.dict();
    if dict
        .get::<Name<'_>>(b"Subtype")
        .is_some_and(|s| s.as_ref() != b"Form")
    {
        return None;
    }
    let own = dict.get::<Dict<'a>>(b"Resources");
    let (resources, resources_id) = match own {
        Some(d) => {
            let rid = d.obj_id().or(Some(stream.obj_id()));
            (Resources::new(d), rid)
        }
        None => (parent.clone(), parent_id),
    };
    Some(Child {
        link: (stream.obj_id(), what),
        content: Content::Stream(stream),
        resources,
        resources_id,
    })
}

/// A Type 3 font's glyph procedures as one nested level (all of them: which glyphs a string
/// shows depends on the encoding).
fn type3_procs<'a>(
    font: &Dict<'a>,
    parent: &Resources<'a>,
    parent_id: Option<ObjectIdentifier>,
) -> Vec<Child<'a>> {
    if font
        .get::<Name<'_>>(b"Subtype")
        .is_none_or(|s| s.as_ref() != b"Type3")
    {
        return Vec::new();
    }
    let (resources, resources_id) = match font.get::<Dict<'a>>(b"Resources") {
        Some(d) => {
            let rid = d.obj_id().or(font.obj_id());
            (Resources::new(d), rid)
        }
        None => (parent.clone(), parent_id),
    };
    let Some(procs) = font.get::<Dict<'a>>(b"CharProcs") else {
        return Vec::new();
    };
    vec![Child {
        link: (
            font.obj_id().unwrap_or(ObjectIdentifier::new(0, 0)),
            "Type 3 font",
        ),
        content: Content::Glyphs(procs),
        resources,
        resources_id,
    }]
}
