//! Values of the abstract interpreter: tensors with symbolic shapes, integers, layers, modules.

use super::sym::Dim;
use pymodel::{DimExpr, format_shape};
use std::collections::HashMap;

/// A layer built from a modelled `torch.nn` constructor, its arguments bound to names.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerCfg {
    pub ctor: String,
    pub params: Vec<(String, Val)>,
    /// The constructor call as written, for messages.
    pub text: String,
}

impl LayerCfg {
    pub fn get(&self, name: &str) -> &Val {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&Val::Unknown, |(_, v)| v)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// `None` rank: a tensor whose rank is unknown; `None` dims: unknown sizes.
    Tensor(Option<Vec<Dim>>),
    /// A Python integer, possibly symbolic; `None` when unknown.
    Int(Dim),
    /// A Python float, with its value when it is a literal (or given with --kwargs).
    Float(Option<f64>),
    Bool(Option<bool>),
    Str(String),
    NoneV,
    /// Tuples and lists.
    Tuple(Vec<Val>),
    Layer(Box<LayerCfg>),
    /// `nn.Sequential` (`sequential = true`) or `nn.ModuleList` items.
    Modules {
        items: Vec<Val>,
        sequential: bool,
    },
    /// An instance of a class of the file or of a file it imports, with the attributes its
    /// `__init__` set.
    User {
        class: String,
        /// The file defining the class (see [`super::imports::FileId`]).
        file: super::imports::FileId,
        attrs: HashMap<String, Val>,
    },
    /// A class of the file (or one it imports) used as a value (`mlp_layer = Mlp`), built
    /// when called.
    Class {
        class: String,
        file: super::imports::FileId,
    },
    /// A dict literal with string keys (`dd = {'device': device, 'dtype': dtype}`), for
    /// `**dd` in calls.
    Dict(Vec<(String, Val)>),
    /// A layer class used as a value (`norm_layer = nn.BatchNorm2d`), called later.
    Ctor(String),
    /// `functools.partial(Cls, *args, **kwargs)` of a class of the tree: called later with
    /// more arguments, it builds `Cls(*args, *more, **kwargs, **more_kwargs)`.
    Partial {
        callee: Box<Val>,
        args: Vec<Val>,
        kwargs: Vec<(String, Val)>,
    },
    /// A list of unknown length: `head`, then any number (0 or more) of copies of `item`, all
    /// built by one expression that does not depend on the loop (`[Block(d) for _ in
    /// range(depth)]`); `sequential`: an `nn.Sequential` of them. Only a call of the
    /// sequential form is followed (see `Interp::call_module`); anything else is unknown.
    Repeated {
        head: Vec<Val>,
        item: Box<Val>,
        sequential: bool,
    },
    /// A class of a file named by its path, as `--kwargs` gives a constructor argument
    /// (`{"class": "BasicBlock", "file": "resnet.py"}`), or an instance of it built with
    /// `kwargs` (`{"instance": {...}}`): turned into [`Val::Class`] / [`Val::User`] when the
    /// checked class is built (see `Interp::resolve_given`), unknown when the file or the
    /// class cannot be read.
    Given {
        path: String,
        class: String,
        kwargs: Option<Vec<(String, Val)>>,
    },
    Unknown,
}

impl Val {
    pub fn tensor(dims: Vec<DimExpr>) -> Val {
        Val::Tensor(Some(dims.into_iter().map(Some).collect()))
    }

    /// Rewrites every size inside the value: tensor dims, integers, layer arguments, the items
    /// of containers and the attributes of module instances.
    pub fn map_dims(&mut self, f: &dyn Fn(&DimExpr) -> DimExpr) {
        match self {
            Val::Tensor(Some(dims)) => {
                for d in dims.iter_mut().flatten() {
                    *d = f(d);
                }
            }
            Val::Int(Some(d)) => *d = f(d),
            Val::Tuple(items) | Val::Modules { items, .. } => {
                items.iter_mut().for_each(|v| v.map_dims(f))
            }
            Val::Layer(l) => l.params.iter_mut().for_each(|(_, v)| v.map_dims(f)),
            Val::User { attrs, .. } => attrs.values_mut().for_each(|v| v.map_dims(f)),
            _ => {}
        }
    }

    /// Whether every dim of a tensor is known.
    pub fn full_shape(&self) -> Option<Vec<DimExpr>> {
        match self {
            Val::Tensor(Some(dims)) => dims.iter().cloned().collect(),
            _ => None,
        }
    }

    /// `[B, 64, ?, ?]`-style text of a tensor.
    pub fn describe(&self) -> String {
        match self {
            Val::Tensor(Some(dims)) => {
                if let Some(full) = self.full_shape() {
                    return format_shape(&full);
                }
                let parts: Vec<String> = dims
                    .iter()
                    .map(|d| d.as_ref().map_or("?".to_string(), |d| d.to_string()))
                    .collect();
                format!("[{}]", parts.join(", "))
            }
            Val::Tensor(None) => "tensor of unknown rank".into(),
            Val::Int(Some(d)) => format!("int {d}"),
            Val::Tuple(items) => {
                let parts: Vec<String> = items.iter().map(|i| i.describe()).collect();
                format!("({})", parts.join(", "))
            }
            Val::Layer(l) => format!("layer {}", l.ctor),
            Val::User { class, .. } => format!("module {class}"),
            _ => "?".into(),
        }
    }
}
