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
//!
//! The same walk adds up what interpreting each page will cost (issue 20), before any page is
//! interpreted: operators, decoded content bytes, nested draws and bytes of text shown, each
//! counted as many times as the content is drawn (a form drawn six times costs six times its
//! content, a tiling pattern every copy of its cell, a Type 3 glyph its costliest procedure). Memoised
//! costs make that arithmetic, not work: a 3 KB file whose forms draw forms 6^8 times is
//! refused after walking nine streams. A page's content streams are measured before they are
//! decoded, so forty references to one 250 MB stream are refused without decoding 10 GB.

use crate::error::Error;
use crate::limits::{HAYRO_MAX_DEPTH, Limits};
use hayro_syntax::Pdf;
use hayro_syntax::content::UntypedIter;
use hayro_syntax::object::{Array, Dict, Name, ObjRef, Object, ObjectIdentifier, Stream};
use hayro_syntax::page::{Page, Resources};
use std::collections::HashMap;

/// A nested stream on the current path: its object and what kind of stream it is.
type Link = (ObjectIdentifier, &'static str);

/// What a resource use led to: the referenced object, and each nested level with its height
/// and its cost.
type Use = (Option<ObjectIdentifier>, Vec<(Link, u32, Cost)>);

/// What interpreting some content costs, nested content included as often as it is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cost {
    /// Content operators.
    pub(crate) ops: u64,
    /// Decoded content bytes.
    pub(crate) bytes: u64,
    /// Draws of nested content: forms, tiling patterns, soft masks, Type 3 font selections.
    pub(crate) draws: u64,
    /// Bytes of the strings text operators show: at least one per glyph.
    pub(crate) glyphs: u64,
    /// Bytes the image decoder produces: inline images every time they are drawn here, image
    /// XObjects once per document (the walker counts those itself, see `Walker::images`).
    pub(crate) image_bytes: u64,
    /// Paths painted (`S`, `f`, `B`, ... and `sh`): each becomes a graphic the layout keeps.
    pub(crate) paints: u64,
}

impl Cost {
    /// This cost as one draw: the content's own cost plus the draw itself.
    fn drawn(self) -> Cost {
        Cost {
            draws: self.draws.saturating_add(1),
            ..self
        }
    }

    fn times(self, n: u64) -> Cost {
        Cost {
            ops: self.ops.saturating_mul(n),
            bytes: self.bytes.saturating_mul(n),
            draws: self.draws.saturating_mul(n),
            glyphs: self.glyphs.saturating_mul(n),
            image_bytes: self.image_bytes.saturating_mul(n),
            paints: self.paints.saturating_mul(n),
        }
    }

    /// The larger of each part.
    fn max(self, other: Cost) -> Cost {
        Cost {
            ops: self.ops.max(other.ops),
            bytes: self.bytes.max(other.bytes),
            draws: self.draws.max(other.draws),
            glyphs: self.glyphs.max(other.glyphs),
            image_bytes: self.image_bytes.max(other.image_bytes),
            paints: self.paints.max(other.paints),
        }
    }

    fn add(&mut self, other: Cost) {
        self.ops = self.ops.saturating_add(other.ops);
        self.bytes = self.bytes.saturating_add(other.bytes);
        self.draws = self.draws.saturating_add(other.draws);
        self.glyphs = self.glyphs.saturating_add(other.glyphs);
        self.image_bytes = self.image_bytes.saturating_add(other.image_bytes);
        self.paints = self.paints.saturating_add(other.paints);
    }
}

/// What ended the walk.
enum Stop {
    /// The chain of nested streams, outermost first, that went past the limit.
    TooDeep(Vec<Link>),
    /// A stream that contains itself; the chain ends with its second appearance.
    Cycle(Vec<Link>),
    /// A budget ran out: what ran out, the limit and the flag that raises it.
    Budget(&'static str, u64, &'static str),
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
    /// The decoded streams, each measured before it is decoded; `None` when together they
    /// would pass `room` bytes. An undecodable stream draws nothing, so it nests nothing.
    fn decoded(&self, room: u64) -> Option<Vec<Vec<u8>>> {
        let mut left = room;
        let mut out = Vec::new();
        let mut take = |s: &Stream<'_>| {
            if crate::limits::decodes_past(s, left) {
                return false;
            }
            if let Ok(d) = s.decoded() {
                left = left.saturating_sub(d.len() as u64);
                out.push(d.into_owned());
            }
            true
        };
        match self {
            Content::Stream(s) => {
                if !take(s) {
                    return None;
                }
            }
            Content::Glyphs(procs) => {
                for k in procs.keys() {
                    if let Some(s) = procs.get::<Stream<'_>>(k.as_ref())
                        && !take(&s)
                    {
                        return None;
                    }
                }
            }
        }
        Some(out)
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
    /// How many times one use runs the content: 1, or a tiling pattern's cell copies.
    copies: u64,
}

struct Walker<'l> {
    limits: &'l Limits,
    /// Everything counted so far, the current page's partial walk included: the budgets are
    /// checked against it while the walk goes on, so that no walk outgrows them.
    run: Cost,
    /// What `run` was when the current page began.
    page_start: Cost,
    /// Height (levels below) and cost of a stream run with given resources, for finished
    /// walks.
    heights: HashMap<(ObjectIdentifier, Option<ObjectIdentifier>), (u32, Cost)>,
    /// Height and cost of streams whose whole subtree looks up no resource (Type 3 bitmap
    /// glyphs, plain drawings): valid whatever resources they run with.
    free_heights: HashMap<ObjectIdentifier, (u32, Cost)>,
    /// What a (resources, operator, name) use led to: the referenced object and the nested
    /// levels with their heights. Papers select the same font thousands of times.
    uses: HashMap<(ObjectIdentifier, Vec<u8>), Use>,
    /// Decoded sizes of page content streams already measured.
    sizes: HashMap<ObjectIdentifier, u64>,
    /// Per Type 3 font, the costliest of its glyph procedures: the renderer runs one for
    /// every glyph shown.
    glyph_costs: HashMap<ObjectIdentifier, Cost>,
    /// The same for Type 3 fonts written inline in a resource dictionary (no object number
    /// to name them), by the (resources, `Tf` name) use that selects them.
    inline_glyph_costs: HashMap<(ObjectIdentifier, Vec<u8>), Cost>,
    /// The costliest glyph procedure of the Type 3 font walked last, for the `Tf` that
    /// selected it (inline fonts included).
    walked_glyph_cost: Option<Cost>,
    /// Image XObjects already counted: each is decoded once per document (per thread at
    /// most, and the store keeps one copy), however often it is drawn.
    images: std::collections::HashSet<ObjectIdentifier>,
    /// Levels of Type 3 glyph procedures the walk is in. Images there are not counted as
    /// decoded images: the pages' interpretation reads Type 3 glyphs as text and never
    /// decodes them (lstm's bitmap font shows 1.16 GB of glyph bitmaps); the text, operator
    /// and content budgets bound them.
    in_glyphs: u32,
    /// Resource lookups so far, to tell whether a subtree made any.
    lookups: usize,
    path: Vec<Link>,
}

/// Fails when some page nests content streams deeper than `limits.max_depth` or in a cycle,
/// or when interpreting the pages would pass a budget; returns what the document costs.
pub(crate) fn check(pdf: &Pdf, limits: &Limits) -> Result<Cost, Error> {
    let mut walker = Walker {
        limits,
        run: Cost::default(),
        page_start: Cost::default(),
        heights: HashMap::new(),
        free_heights: HashMap::new(),
        uses: HashMap::new(),
        sizes: HashMap::new(),
        glyph_costs: HashMap::new(),
        inline_glyph_costs: HashMap::new(),
        walked_glyph_cost: None,
        images: std::collections::HashSet::new(),
        in_glyphs: 0,
        lookups: 0,
        path: Vec::new(),
    };
    let (mut worst_page, mut worst_text, mut worst_paints) = (0, 0, 0);
    for (i, page) in pdf.pages().iter().enumerate() {
        walker.page_start = walker.run;
        walker
            .page(page)
            .map_err(|stop| walker.error(i + 1, stop))?;
        worst_page = worst_page.max(walker.run.ops - walker.page_start.ops);
        worst_text = worst_text.max(walker.run.glyphs - walker.page_start.glyphs);
        worst_paints = worst_paints.max(walker.run.paints - walker.page_start.paints);
    }
    if std::env::var_os("PDF_FIGURES_TIMINGS").is_some() {
        let c = walker.run;
        eprintln!(
            "pdf-figures: budget use: {} operators (at most {worst_page} on a page), {} content bytes, {} nested draws, {} text bytes (at most {worst_text} on a page), {} decoded image bytes ({} image objects), {} paths painted (at most {worst_paints} on a page)",
            c.ops,
            c.bytes,
            c.draws,
            c.glyphs,
            c.image_bytes,
            walker.images.len(),
            c.paints
        );
    }
    Ok(walker.run)
}

/// Bytes of the strings among a text operator's operands (`TJ` holds them in an array).
fn shown_bytes<'a, 'b: 'a>(operands: impl Iterator<Item = &'a Object<'b>>) -> u64 {
    operands
        .map(|o| match o {
            Object::String(s) => s.as_bytes().len() as u64,
            Object::Array(a) => a
                .iter::<Object<'_>>()
                .map(|o| match o {
                    Object::String(s) => s.as_bytes().len() as u64,
                    _ => 0,
                })
                .sum(),
            _ => 0,
        })
        .sum()
}

/// The content streams a page's `/Contents` names, in order, repetitions included, and the
/// bytes hayro adds when it joins them (a space after each stream of an array).
fn page_contents<'a>(page: &Page<'a>) -> (Vec<Stream<'a>>, u64) {
    let raw = page.raw();
    if let Some(s) = raw.get::<Stream<'a>>(b"Contents") {
        return (vec![s], 0);
    }
    let streams: Vec<Stream<'a>> = raw
        .get::<Array<'a>>(b"Contents")
        .map(|a| a.iter::<Stream<'a>>().collect())
        .unwrap_or_default();
    let joints = streams.len() as u64;
    (streams, joints)
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

impl Walker<'_> {
    fn error(&self, page: usize, stop: Stop) -> Error {
        match stop {
            Stop::TooDeep(chain) => Error::Input(format!(
                "page {page}: content nested more than {} levels deep ({}); raise the limit with --max-depth (at most {HAYRO_MAX_DEPTH})",
                self.limits.max_depth,
                chain_text(&chain),
            )),
            Stop::Cycle(chain) => Error::Input(format!(
                "page {page}: reference cycle {}: content that draws itself is infinitely deep, beyond any --max-depth",
                chain_text(&chain),
            )),
            Stop::Budget(what, limit, flag) => Error::Input(format!(
                "page {page}: more than {limit} {what} (raise the limit with {flag})"
            )),
        }
    }

    /// The budget `run` has passed, if any.
    fn over(&self) -> Result<(), Stop> {
        let (l, run) = (self.limits, &self.run);
        if run.ops - self.page_start.ops > l.max_page_operators {
            return Err(Stop::Budget(
                "content operators on one page",
                l.max_page_operators,
                "--max-page-operators",
            ));
        }
        if run.ops > l.max_operators {
            return Err(Stop::Budget(
                "content operators in the document",
                l.max_operators,
                "--max-operators",
            ));
        }
        if run.bytes > l.max_content_bytes {
            return Err(Stop::Budget(
                "bytes of decoded content in the document, each stream counted every time it is drawn",
                l.max_content_bytes,
                "--max-content-bytes",
            ));
        }
        if run.glyphs - self.page_start.glyphs > l.max_page_glyphs {
            return Err(Stop::Budget(
                "bytes of text shown on one page (at least one per glyph)",
                l.max_page_glyphs,
                "--max-page-glyphs",
            ));
        }
        if run.glyphs > l.max_glyphs {
            return Err(Stop::Budget(
                "bytes of text shown in the document (at least one per glyph)",
                l.max_glyphs,
                "--max-glyphs",
            ));
        }
        if run.image_bytes > l.max_image_bytes {
            return Err(Stop::Budget(
                "bytes of decoded images in the document (width x height x 3, plus the alpha plane)",
                l.max_image_bytes,
                "--max-image-bytes",
            ));
        }
        if run.paints > l.max_paints {
            return Err(Stop::Budget(
                "paths painted in the document (S, f, B, sh and the like)",
                l.max_paints,
                "--max-paints",
            ));
        }
        if run.draws > l.max_nested_draws {
            return Err(Stop::Budget(
                "draws of forms, tiling patterns, soft masks and Type 3 fonts in the document",
                l.max_nested_draws,
                "--max-nested-draws",
            ));
        }
        Ok(())
    }

    /// Bytes not yet spent of the content budget.
    fn room(&self) -> u64 {
        self.limits.max_content_bytes.saturating_sub(self.run.bytes)
    }

    /// Walks one page. Its content streams are measured (repetitions included) before the
    /// page's content is decoded, unless their sizes bounded from their filters fit already.
    fn page(&mut self, page: &Page<'_>) -> Result<(), Stop> {
        let (contents, joints) = page_contents(page);
        let bound = contents
            .iter()
            .fold(joints, |n, s| n.saturating_add(crate::limits::bound(s)));
        let measured = bound > self.room();
        if measured {
            self.run.bytes = self.run.bytes.saturating_add(joints);
            for s in contents {
                let id = s.obj_id();
                let size = match self.sizes.get(&id) {
                    Some(&n) => n,
                    None => {
                        let n = crate::limits::decoded_len(&s, self.room());
                        self.sizes.insert(id, n);
                        n
                    }
                };
                self.run.bytes = self.run.bytes.saturating_add(size);
                self.over()?;
            }
        }
        let Some(content) = page.page_stream() else {
            return Ok(());
        };
        if !measured {
            self.run.bytes = self.run.bytes.saturating_add(content.len() as u64);
            self.over()?;
        }
        // Resources written inline in the page belong to the page: its object names them.
        let resources_id = page
            .raw()
            .get::<Dict<'_>>(b"Resources")
            .and_then(|d| d.obj_id())
            .or_else(|| page.raw().obj_id());
        self.height(&[content], page.resources(), resources_id)?;
        self.over()
    }

    /// Levels of nesting below content `streams` run with `resources`, and what they cost
    /// (their own bytes are counted by the caller).
    fn height(
        &mut self,
        streams: &[&[u8]],
        resources: &Resources<'_>,
        resources_id: Option<ObjectIdentifier>,
    ) -> Result<(u32, Cost), Stop> {
        let mut height = 0;
        let mut cost = Cost {
            bytes: streams.iter().map(|s| s.len() as u64).sum(),
            ..Cost::default()
        };
        // The Type 3 font selected last in this content, by what one glyph of it costs.
        let mut type3: Option<Cost> = None;
        for data in streams {
            let mut ops = UntypedIter::new(data);
            while let Some(op) = ops.next() {
                cost.ops += 1;
                self.run.ops += 1;
                if self.run.ops & 0xfff == 0 {
                    self.over()?;
                }
                let operator: &[u8] = op.operator;
                if matches!(
                    operator,
                    b"S" | b"s" | b"f" | b"F" | b"f*" | b"B" | b"B*" | b"b" | b"b*" | b"sh"
                ) {
                    cost.paints += 1;
                    self.run.paints += 1;
                    if self.run.paints & 0xfff == 0 {
                        self.over()?;
                    }
                    continue;
                }
                if operator == b"BI" && self.in_glyphs == 0 {
                    // An inline image is decoded every time it is drawn.
                    for o in op.operands() {
                        if let Object::Stream(image) = o {
                            let n = self.image_bytes(image.dict());
                            cost.image_bytes = cost.image_bytes.saturating_add(n);
                            self.run.image_bytes = self.run.image_bytes.saturating_add(n);
                        }
                    }
                    self.over()?;
                    continue;
                }
                if matches!(operator, b"Tj" | b"TJ" | b"'" | b"\"") {
                    let shown = shown_bytes(op.operands());
                    cost.glyphs += shown;
                    self.run.glyphs += shown;
                    // A glyph's own run is bounded by the text budget, not counted as a draw
                    // (a Type 3 paper shows tens of thousands); what it draws counts.
                    if let Some(each) = type3 {
                        let glyphs = each.times(shown);
                        cost.add(glyphs);
                        self.run.add(glyphs);
                    }
                    self.over()?;
                    continue;
                }
                let name = match operator {
                    b"Do" | b"Tf" | b"gs" => op.operands().find_map(|o| match o {
                        Object::Name(n) => Some(n),
                        _ => None,
                    }),
                    b"scn" | b"SCN" => op
                        .operands()
                        .filter_map(|o| match o {
                            Object::Name(n) => Some(n),
                            _ => None,
                        })
                        .last(),
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
                    for &(link, h, all) in levels {
                        if self.path.len() as u32 + 1 + h > self.limits.max_depth {
                            let mut chain = self.path.clone();
                            chain.push(link);
                            return Err(Stop::TooDeep(chain));
                        }
                        height = height.max(1 + h);
                        cost.add(all);
                        self.run.add(all);
                    }
                    if operator == b"Tf" {
                        type3 = target
                            .and_then(|t| self.glyph_costs.get(&t))
                            .or_else(|| {
                                use_key
                                    .as_ref()
                                    .and_then(|k| self.inline_glyph_costs.get(k))
                            })
                            .copied();
                    }
                    self.over()?;
                    continue;
                }
                // The reference is read before resolving it: hayro-syntax resolves nothing
                // that is already on the chain of objects being read, so a cycle would
                // otherwise look like a missing resource.
                let (target, children): (Option<ObjRef>, Vec<Child<'_>>) = match operator {
                    b"Do" => {
                        let xobject = resources.get_x_object(name);
                        if let Some(image) = xobject.as_ref().filter(|s| is_image(s))
                            && self.in_glyphs == 0
                            && self.images.insert(image.obj_id())
                        {
                            let n = self.image_bytes(image.dict());
                            self.run.image_bytes = self.run.image_bytes.saturating_add(n);
                            self.over()?;
                        }
                        let child =
                            xobject.and_then(|s| form(s, "form XObject", resources, resources_id));
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
                self.walked_glyph_cost = None;
                for child in children {
                    let (link, copies) = (child.link, child.copies);
                    let (h, c) = self.child_height(child)?;
                    // `run` holds one drawn copy already; a tiling pattern runs its cell for
                    // every copy.
                    self.run.add(c.drawn().times(copies.saturating_sub(1)));
                    self.over()?;
                    let all = c.drawn().times(copies);
                    levels.push((link, h, all));
                    height = height.max(1 + h);
                    cost.add(all);
                }
                if operator == b"Tf" {
                    // A font stored inline has no object to look it up by: what its walk
                    // just measured counts (issue 20: its glyphs were shown for free).
                    let walked = self.walked_glyph_cost.take();
                    type3 = target
                        .and_then(|t| self.glyph_costs.get(&t))
                        .copied()
                        .or(walked);
                    if let (Some(key), Some(each), None) = (&use_key, type3, target) {
                        self.inline_glyph_costs.insert(key.clone(), each);
                    }
                }
                if let Some(key) = use_key {
                    self.uses.insert(key, (target, levels));
                }
            }
        }
        Ok((height, cost))
    }

    /// What decoding an image produces ([`image_bytes`]), or nothing for an image past
    /// `--max-image-pixels`: that one is refused by name when it is drawn, never decoded.
    fn image_bytes(&self, dict: &Dict<'_>) -> u64 {
        if image_pixels(dict) > self.limits.max_image_pixels {
            return 0;
        }
        image_bytes(dict)
    }

    /// The chain to `target` when it is on the current path.
    fn cycle(&self, target: Option<ObjectIdentifier>) -> Option<Vec<Link>> {
        let at = self.path.iter().position(|(p, _)| Some(*p) == target)?;
        let mut chain = self.path.clone();
        chain.push(self.path[at]);
        Some(chain)
    }

    /// Height and cost of one nested stream. Whatever the memo answers is added to `run`
    /// here; a stream walked afresh adds its own parts as it goes.
    fn child_height(&mut self, child: Child<'_>) -> Result<(u32, Cost), Stop> {
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
            .or_else(|| self.heights.get(&key))
            .copied();
        if let Some((h, c)) = known {
            if depth + h > self.limits.max_depth {
                return Err(too_deep(&self.path));
            }
            self.run.add(c.drawn());
            self.over()?;
            return Ok((h, c));
        }
        // Object number 0 marks an inline dictionary, which cannot refer back to itself.
        if id.obj_number != 0 && self.path.iter().any(|(p, _)| *p == id) {
            let mut chain = self.path.clone();
            chain.push(child.link);
            return Err(Stop::Cycle(chain));
        }
        if depth > self.limits.max_depth {
            return Err(too_deep(&self.path));
        }
        self.run.draws += 1;
        let Some(decoded) = child.content.decoded(self.room()) else {
            self.run.bytes = self.run.bytes.saturating_add(self.room()).saturating_add(1);
            return Err(self.over().err().unwrap_or(Stop::Budget(
                "bytes of decoded content",
                self.limits.max_content_bytes,
                "--max-content-bytes",
            )));
        };
        let streams: Vec<&[u8]> = decoded.iter().map(Vec::as_slice).collect();
        self.run.bytes = self
            .run
            .bytes
            .saturating_add(streams.iter().map(|s| s.len() as u64).sum());
        self.over()?;
        self.path.push(child.link);
        let lookups = self.lookups;
        let (h, c) = match child.content {
            // Each glyph procedure alone too: one runs for every glyph shown.
            Content::Glyphs(_) => {
                let (mut h, mut all, mut each) = (0, Cost::default(), Cost::default());
                self.in_glyphs += 1;
                for glyph in &streams {
                    let (hg, cg) = self.height(&[glyph], &child.resources, child.resources_id)?;
                    h = h.max(hg);
                    all.add(cg);
                    each = each.max(cg);
                }
                self.in_glyphs -= 1;
                if id.obj_number != 0 {
                    self.glyph_costs.insert(id, each);
                }
                self.walked_glyph_cost = Some(each);
                (h, all)
            }
            Content::Stream(_) => self.height(&streams, &child.resources, child.resources_id)?,
        };
        self.path.pop();
        // Streams run with unnamed (inline, inherited) resources may resolve names differently
        // elsewhere, so only named pairs are remembered.
        if id.obj_number != 0 && self.lookups == lookups {
            self.free_heights.insert(id, (h, c));
        } else if id.obj_number != 0 && child.resources_id.is_some() {
            self.heights.insert(key, (h, c));
        }
        Ok((h, c))
    }
}

/// Width x height from an image dictionary (full or abbreviated keys); 0 when absent.
fn image_pixels(dict: &Dict<'_>) -> u64 {
    let dim = |long: &[u8], short: &[u8]| -> u64 {
        dict.get::<i64>(long)
            .or_else(|| dict.get::<i64>(short))
            .map_or(0, |n| n.max(0) as u64)
    };
    dim(b"Width", b"W").saturating_mul(dim(b"Height", b"H"))
}

fn is_image(stream: &Stream<'_>) -> bool {
    stream
        .dict()
        .get::<Name<'_>>(b"Subtype")
        .is_some_and(|s| s.as_ref() == b"Image")
}

/// What decoding an image produces, from its dictionary (an XObject's or an inline image's
/// abbreviated one): a stencil mask one byte per pixel, any other image three (hayro decodes
/// every colour space to 8-bit RGB), plus a byte per pixel of its soft mask or mask.
fn image_bytes(dict: &Dict<'_>) -> u64 {
    let own = image_pixels(dict);
    let stencil = dict
        .get::<bool>(b"ImageMask")
        .or_else(|| dict.get::<bool>(b"IM"))
        .unwrap_or(false);
    if stencil {
        return own;
    }
    let mask = dict
        .get::<Stream<'_>>(b"SMask")
        .or_else(|| dict.get::<Stream<'_>>(b"Mask"));
    let alpha = match mask {
        Some(mask) => image_pixels(mask.dict()),
        // A colour-key mask (an array) gives an alpha plane of the image's size.
        None if dict.contains_key(b"Mask") => own,
        None => 0,
    };
    own.saturating_mul(3).saturating_add(alpha)
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
    let copies = if what == "tiling pattern" {
        tile_copies(dict)
    } else {
        1
    };
    Some(Child {
        link: (stream.obj_id(), what),
        content: Content::Stream(stream),
        resources,
        resources_id,
        copies,
    })
}

/// How many copies of a tiling pattern's cell the renderer may draw for one fill, at most:
/// per axis the cell's extent over the step, rounded up, plus two (hayro draws every copy
/// whose cell overlaps the tile it renders). A 1 KB pattern with a step of 0.01 over a page
/// would otherwise run its cell billions of times.
fn tile_copies(dict: &Dict<'_>) -> u64 {
    /// hayro-interpret's `SCALAR_NEARLY_ZERO`.
    const NEARLY_ZERO: f64 = 1.0 / 256.0;
    let bbox: Vec<f64> = dict
        .get::<Array<'_>>(b"BBox")
        .map(|a| a.iter::<f64>().collect())
        .unwrap_or_default();
    let (Some(x_step), Some(y_step), [x0, y0, x1, y1]) = (
        dict.get::<f64>(b"XStep"),
        dict.get::<f64>(b"YStep"),
        bbox.as_slice(),
    ) else {
        return 1;
    };
    let axis = |extent: f64, step: f64| -> u64 {
        let step = step.abs();
        // hayro drops a pattern whose step is nearly zero: it draws nothing.
        if step.is_nan() || step <= NEARLY_ZERO {
            return 1;
        }
        // `as` saturates: a huge ratio becomes u64::MAX.
        ((extent.abs() / step).ceil() as u64).saturating_add(2)
    };
    axis(x1 - x0, x_step).saturating_mul(axis(y1 - y0, y_step))
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
        copies: 1,
    }]
}
