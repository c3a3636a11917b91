//! Cross-file resolution: the classes and helper functions a model file imports from the files
//! beside it, so that a top-level `forward` calling `Block` from `modules/` is inferred.
//!
//! SKILL.md prescribes `output/model.py` plus `output/modules/*.py`. The forms followed are
//! `from modules.block import Block`, `from .block import Block`, `from modules import Block`
//! (re-exported by `modules/__init__.py`), `from modules import block` + `block.Block`,
//! `import modules.block as m` + `m.Block` and `import modules.block` + `modules.block.Block`.
//!
//! **Where a module is looked for.** A relative import (`.x`, `..x`) is taken from the
//! importing file's folder, as Python does. An absolute one (`modules.x`) is looked for in the
//! importing file's folder and its parents up to the *tree root*: the first folder at or above
//! the file that is not a package (has no `__init__.py`), which is what Python puts on
//! `sys.path` for a script there; if that folder holds no `model.py` but its parent does (the
//! SKILL.md tree with a `modules/` folder without `__init__.py`), the parent; an import that
//! starts with the tree root's own name (`timm.layers` in `timm/`) is also looked for from the
//! root's parent. Only files that
//! exist are read; anything else (torch, timm outside the tree, a name the file does not
//! define) stays unknown, and `--verbose` says why.
//!
//! **Budgets.** At most [`MAX_FILES`] files of at most [`MAX_FILE_BYTES`] bytes are read per
//! checked file (each parsed under the nesting budget, like every linted file), and a
//! re-export chain is followed [`MAX_HOPS`] files deep, which also ends import cycles.
//! Files are read lazily: only a name the interpreter cannot find in the file itself is
//! looked up, so a file that calls nothing imported reads nothing.

use pymodel::{ClassDef, FunctionDef, ModelFile, Stmt, StmtKind};
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A file known to the interpreter: 0 is the file being checked, others were imported.
pub type FileId = usize;

/// Files read per checked file, at most.
pub const MAX_FILES: usize = 64;
/// Largest imported file read, in bytes (real model files are well under 1 MB).
pub const MAX_FILE_BYTES: u64 = 4 << 20;
/// Longest chain of re-exports followed (`model.py` -> `modules/__init__.py` -> `block.py`).
pub const MAX_HOPS: usize = 8;

/// The imported files of one checked file, read on demand.
pub struct Resolver {
    /// The checked file (id 0), canonical; `None`: a source without a file (no imports).
    main_path: Option<PathBuf>,
    slots: Vec<OnceCell<(PathBuf, ModelFile)>>,
    used: Cell<usize>,
    by_path: RefCell<HashMap<PathBuf, Result<FileId, String>>>,
}

/// A class or function found for a name, and the file that defines it.
#[derive(Clone, Copy)]
pub enum Def<'f> {
    Class(FileId, &'f ClassDef),
    Function(FileId, &'f FunctionDef),
}

impl Resolver {
    /// A resolver for the file at `path`; imports are not followed when it is not a file.
    pub fn new(path: Option<&Path>) -> Self {
        let main_path = path
            .filter(|p| p.is_file())
            .and_then(|p| std::fs::canonicalize(p).ok());
        Self {
            main_path,
            slots: (0..MAX_FILES).map(|_| OnceCell::new()).collect(),
            used: Cell::new(0),
            by_path: RefCell::new(HashMap::new()),
        }
    }

    /// A resolver that follows no import (a source given without its file).
    pub fn none() -> Self {
        Self::new(None)
    }

    fn loaded(&self, id: FileId) -> Option<&(PathBuf, ModelFile)> {
        self.slots.get(id.checked_sub(1)?)?.get()
    }

    fn load(&self, path: &Path) -> Result<FileId, String> {
        let key = std::fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if self.main_path.as_deref() == Some(key.as_path()) {
            return Ok(0);
        }
        if let Some(r) = self.by_path.borrow().get(&key) {
            return r.clone();
        }
        let r = self.read(&key);
        self.by_path.borrow_mut().insert(key, r.clone());
        r
    }

    fn read(&self, key: &Path) -> Result<FileId, String> {
        let i = self.used.get();
        if i >= MAX_FILES {
            return Err(format!(
                "more than {MAX_FILES} imported files; {} not read",
                key.display()
            ));
        }
        let src = cli_guard::read_text_limited(key, MAX_FILE_BYTES)
            .map_err(|e| format!("{}: {e}", key.display()))?;
        let file = ModelFile::parse(src).map_err(|e| format!("{}: {e}", key.display()))?;
        self.used.set(i + 1);
        // A fresh slot: set cannot fail.
        let _ = self.slots[i].set((key.to_path_buf(), file));
        Ok(i + 1)
    }
}

/// The checked file and the files it imports, as the interpreter sees them.
#[derive(Clone, Copy)]
pub struct Scope<'f> {
    pub main: &'f ModelFile,
    pub resolver: &'f Resolver,
}

/// How a file binds a name at module level.
enum Binding<'s> {
    /// `from <level dots><module> import <name>`.
    From {
        level: u32,
        module: &'s str,
        name: &'s str,
    },
    /// `import a.b as name` (or `import name`).
    Module(&'s str),
}

impl<'f> Scope<'f> {
    /// Whether `name` in file `from` is not defined there but imported from a file under a
    /// `timm/layers/` folder (timm's helpers such as `to_2tuple`).
    pub fn imported_from_timm_layers(&self, from: FileId, name: &str) -> bool {
        let file = self.file(from);
        if file.class(name).is_some() || file.function(name).is_some() {
            return false;
        }
        let (Some(Binding::From { level, module, .. }), Some(path)) =
            (binding_of(file, name), self.path(from))
        else {
            return false;
        };
        module_path(path, level, module).is_some_and(|t| {
            t.to_string_lossy()
                .replace('\\', "/")
                .contains("timm/layers/")
        })
    }

    /// Where file `from` imports `name` from, when it does (`from ..ops.misc import X`):
    /// the module as written with its leading dots (`..ops.misc`) and the imported name.
    pub fn import_origin(&self, from: FileId, name: &str) -> Option<(String, String)> {
        match binding_of(self.file(from), name)? {
            Binding::From {
                level,
                module,
                name: orig,
            } => Some((
                format!("{}{module}", ".".repeat(level as usize)),
                orig.to_string(),
            )),
            Binding::Module(_) => None,
        }
    }

    /// The class `name` of the file at `path` (read like an imported file), for constructor
    /// arguments given by path (`--kwargs`).
    pub fn class_at(&self, path: &Path, name: &str) -> Option<(FileId, &'f ClassDef)> {
        let id = self.resolver.load(path).ok()?;
        let (_, c) = self.file(id).class(name)?;
        Some((id, c))
    }

    pub fn file(&self, id: FileId) -> &'f ModelFile {
        match self.resolver.loaded(id) {
            Some((_, f)) => f,
            None => self.main,
        }
    }

    pub fn path(&self, id: FileId) -> Option<&'f Path> {
        if id == 0 {
            self.resolver.main_path.as_deref()
        } else {
            self.resolver.loaded(id).map(|(p, _)| p.as_path())
        }
    }

    /// The class or function `name` means in file `from`: defined there or imported (`Ok(None)`:
    /// neither, e.g. a builtin or a torch name; `Err`: imported from where it cannot be read).
    pub fn resolve(&self, from: FileId, name: &str) -> Result<Option<Def<'f>>, String> {
        self.resolve_hops(from, name, 0)
    }

    fn resolve_hops(
        &self,
        from: FileId,
        name: &str,
        hops: usize,
    ) -> Result<Option<Def<'f>>, String> {
        let file = self.file(from);
        if let Some((_, c)) = file.class(name) {
            return Ok(Some(Def::Class(from, c)));
        }
        if let Some((_, f)) = file.function(name) {
            return Ok(Some(Def::Function(from, f)));
        }
        let Some(binding) = binding_of(file, name) else {
            return Ok(None);
        };
        let Some(path) = self.path(from) else {
            return Err(format!(
                "`{name}` is imported (imports are followed only in files read from disk)"
            ));
        };
        if hops >= MAX_HOPS {
            return Err(format!(
                "`{name}`: import chain longer than {MAX_HOPS} files (a cycle?)"
            ));
        }
        let (level, module, orig) = match binding {
            Binding::From {
                level,
                module,
                name: orig,
            } => (level, module, orig),
            Binding::Module(m) => return Err(format!("`{name}` is the module `{m}`, not a class")),
        };
        let shown = format!("{}{module}", ".".repeat(level as usize));
        let Some(target) = module_path(path, level, module) else {
            return Err(format!(
                "`{name}` is imported from `{shown}`, which is not a file of the tree {}",
                tree_root(path.parent().unwrap_or(path)).display()
            ));
        };
        let id = self.resolver.load(&target)?;
        match self.resolve_hops(id, orig, hops + 1)? {
            Some(d) => Ok(Some(d)),
            None => Err(format!(
                "`{name}` is imported from `{shown}` ({}), which does not define it",
                target.display()
            )),
        }
    }

    /// The class or function named by a dotted call (`block.Block`, `m.Block`,
    /// `modules.block.Block`) in file `from`.
    pub fn resolve_dotted(&self, from: FileId, dotted: &str) -> Result<Option<Def<'f>>, String> {
        let Some((head, last)) = dotted.rsplit_once('.') else {
            return self.resolve(from, dotted);
        };
        let file = self.file(from);
        let Some(path) = self.path(from) else {
            return Ok(None);
        };
        // `import modules.block` binds `modules`; the call names the whole module path.
        let mut module = None;
        for s in import_stmts(file) {
            match &s.kind {
                StmtKind::Import(names) => {
                    for (m, alias) in names {
                        let bound = alias.as_deref().unwrap_or(m.as_str());
                        if bound == head || alias.is_none() && m == head {
                            module = Some(module_path(path, 0, m).ok_or(()));
                        }
                    }
                }
                // `from modules import block`: a submodule bound to a name.
                StmtKind::ImportFrom {
                    module: m,
                    names,
                    level,
                } if !head.contains('.') => {
                    for (n, alias) in names {
                        if alias.as_deref().unwrap_or(n) == head {
                            let full = match m {
                                Some(m) => format!("{m}.{n}"),
                                None => n.clone(),
                            };
                            module = Some(module_path(path, *level, &full).ok_or(()));
                        }
                    }
                }
                _ => {}
            }
        }
        match module {
            // A library (`torch.cat`, `F.relu`): not this module's business.
            None | Some(Err(_)) => Ok(None),
            Some(Ok(target)) => {
                let id = self.resolver.load(&target)?;
                match self.resolve_hops(id, last, 1)? {
                    Some(d) => Ok(Some(d)),
                    None => Err(format!(
                        "`{dotted}`: {} does not define `{last}`",
                        target.display()
                    )),
                }
            }
        }
    }
}

/// Module-level statements that may import: the top level and the bodies of top-level `if`
/// and `try` (`try: from .x import A except ImportError: ...`), in source order.
fn import_stmts(file: &ModelFile) -> Vec<&Stmt> {
    let mut out = Vec::new();
    for s in &file.module().body {
        match &s.kind {
            StmtKind::Import(_) | StmtKind::ImportFrom { .. } => out.push(s),
            StmtKind::If { .. } | StmtKind::Try { .. } => {
                for b in s.blocks() {
                    out.extend(b.iter().filter(|s| {
                        matches!(s.kind, StmtKind::Import(_) | StmtKind::ImportFrom { .. })
                    }));
                }
            }
            _ => {}
        }
    }
    out
}

/// The last module-level import that binds `name` (the one in effect after the imports).
fn binding_of<'s>(file: &'s ModelFile, name: &str) -> Option<Binding<'s>> {
    let mut found = None;
    for s in import_stmts(file) {
        match &s.kind {
            StmtKind::ImportFrom {
                module,
                names,
                level,
            } => {
                for (n, alias) in names {
                    if alias.as_deref().unwrap_or(n) == name {
                        found = Some(Binding::From {
                            level: *level,
                            module: module.as_deref().unwrap_or(""),
                            name: n,
                        });
                    }
                }
            }
            StmtKind::Import(names) => {
                for (m, alias) in names {
                    if alias.as_deref() == Some(name) || alias.is_none() && m == name {
                        found = Some(Binding::Module(m));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// The file of module `module` imported with `level` leading dots by the file at `from`.
fn module_path(from: &Path, level: u32, module: &str) -> Option<PathBuf> {
    let dir = from.parent()?;
    let bases: Vec<PathBuf> = if level > 0 {
        let mut base = dir;
        for _ in 1..level {
            base = base.parent()?;
        }
        vec![base.to_path_buf()]
    } else {
        let root = tree_root(dir);
        let mut out = Vec::new();
        let mut cur = Some(dir);
        while let Some(d) = cur {
            out.push(d.to_path_buf());
            if d == root {
                break;
            }
            cur = d.parent();
        }
        // `from timm.layers import X` inside the tree `.../timm/`: the import names the tree's
        // own folder, found from its parent (where Python finds it when the parent is on
        // sys.path, as for an installed package whose top `__init__.py` the tree lacks).
        if module.split('.').next() == root.file_name().and_then(|n| n.to_str())
            && let Some(parent) = root.parent()
        {
            out.push(parent.to_path_buf());
        }
        out
    };
    let parts: Vec<&str> = module.split('.').filter(|p| !p.is_empty()).collect();
    for base in bases {
        let Some((last, pkgs)) = parts.split_last() else {
            let init = base.join("__init__.py");
            if init.is_file() {
                return Some(init);
            }
            continue;
        };
        let mut dir = base.clone();
        dir.extend(pkgs);
        let file = dir.join(format!("{last}.py"));
        if file.is_file() {
            return Some(file);
        }
        let init = dir.join(last).join("__init__.py");
        if init.is_file() {
            return Some(init);
        }
    }
    None
}

/// The folder an absolute import of a file in `dir` is searched up to (see the module doc).
pub fn tree_root(dir: &Path) -> PathBuf {
    let mut cur = dir;
    while cur.join("__init__.py").is_file() {
        match cur.parent() {
            Some(p) => cur = p,
            None => break,
        }
    }
    if !cur.join("model.py").is_file()
        && let Some(p) = cur.parent()
        && p.join("model.py").is_file()
        && !p.join("__init__.py").is_file()
    {
        return p.to_path_buf();
    }
    cur.to_path_buf()
}
