//! timm's convolution factories, read as the `nn.Conv2d` they build; its activation and
//! norm-layer factories, read as the classes their tables map names to.
//!
//! `create_conv2d` (timm/layers/create_conv2d.py) and `create_conv2d_pad`
//! (timm/layers/conv2d_same.py) build most convolutions of timm's models through `**kwargs`
//! juggling (`kwargs.pop('depthwise')`, `isinstance(kernel_size, list)`) that the interpreter
//! does not follow. For the plain case they return `nn.Conv2d(in, out, k, stride, padding,
//! dilation, groups)` with timm's padding rule (`get_padding`: `((stride - 1) + dilation *
//! (k - 1)) // 2` for `''`, the same for a static `'same'`, 0 for `'valid'`). Anything else —
//! a list of kernel sizes (MixedConv2d), `num_experts` (CondConv2d), a dynamic `'same'`
//! (Conv2dSame), an argument not known or not listed — is left to the interpreter, which then
//! says "unknown".

use super::layers::{self, int_arg};
use super::sym::{add, fdiv, int, mul, sub};
use super::value::Val;
use std::path::Path;

/// The `nn.Conv2d` a call of timm's factory `name` defined in `path` builds, when it is the
/// plain case; `None` otherwise (the call is then interpreted as written).
pub fn factory_conv(
    path: Option<&Path>,
    name: &str,
    args: &[Val],
    kwargs: &[(String, Val)],
    text: String,
) -> Option<Val> {
    let path = path?.to_string_lossy().replace('\\', "/");
    let depthwise_allowed = match name {
        "create_conv2d" if path.ends_with("timm/layers/create_conv2d.py") => true,
        "create_conv2d_pad" if path.ends_with("timm/layers/conv2d_same.py") => false,
        _ => return None,
    };
    const KNOWN: &[&str] = &[
        "in_channels",
        "in_chs",
        "out_channels",
        "out_chs",
        "kernel_size",
        "stride",
        "dilation",
        "padding",
        "groups",
        "depthwise",
        "bias",
        "device",
        "dtype",
    ];
    if args.len() > 3 || kwargs.iter().any(|(k, _)| !KNOWN.contains(&k.as_str())) {
        return None;
    }
    let kw = |names: &[&str]| {
        kwargs
            .iter()
            .find(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, v)| v.clone())
    };
    let arg = |i: usize, names: &[&str]| args.get(i).cloned().or_else(|| kw(names));
    let cin = arg(0, &["in_channels", "in_chs"])?;
    let cout = arg(1, &["out_channels", "out_chs"])?;
    let dim = |v: &Val| match v {
        Val::Int(Some(d)) => Some(d.clone()),
        _ => None,
    };
    let k = arg(2, &["kernel_size"])?;
    let kd = dim(&k)?;
    let stride = kw(&["stride"]).unwrap_or(Val::Int(Some(int(1))));
    let dilation = kw(&["dilation"]).unwrap_or(Val::Int(Some(int(1))));
    let (sd, dd) = (dim(&stride)?, dim(&dilation)?);
    let rule = || {
        Val::Int(Some(fdiv(
            add(
                sub(sd.clone(), int(1)),
                mul(dd.clone(), sub(kd.clone(), int(1))),
            ),
            int(2),
        )))
    };
    let padding = match kw(&["padding"]) {
        None => rule(),
        Some(Val::Str(s)) => match s.to_ascii_lowercase().as_str() {
            "" => rule(),
            "valid" => Val::Int(Some(int(0))),
            "same" => {
                let (k, s, d) = (int_arg(&k)?, int_arg(&stride)?, int_arg(&dilation)?);
                if s == 1 && (d * (k - 1)) % 2 == 0 {
                    rule()
                } else {
                    return None; // Conv2dSame pads at run time
                }
            }
            _ => rule(),
        },
        Some(v @ Val::Int(Some(_))) => v,
        Some(_) => return None,
    };
    let groups = match kw(&["depthwise"]) {
        Some(Val::Bool(Some(true))) if depthwise_allowed => cin.clone(),
        Some(Val::Bool(Some(false))) | None => kw(&["groups"]).unwrap_or(Val::Int(Some(int(1)))),
        _ => return None,
    };
    if !matches!(groups, Val::Int(Some(_))) {
        return None;
    }
    let mut conv_kwargs = vec![
        ("stride".to_string(), stride),
        ("padding".to_string(), padding),
        ("dilation".to_string(), dilation),
        ("groups".to_string(), groups),
    ];
    if let Some(b) = kw(&["bias"]) {
        conv_kwargs.push(("bias".to_string(), b));
    }
    layers::bind("Conv2d", vec![cin, cout, k], conv_kwargs, text).map(|c| Val::Layer(Box::new(c)))
}

/// timm's activation factories (timm/layers/create_act.py): `get_act_layer(name)` is the
/// activation class a name selects (every one of them keeps the input's shape; the torch
/// class of the same name stands for timm's own `GELU`, `Sigmoid`, ...), a class passed
/// stays, `None` and `''` give `None`; `create_act_layer(name, ...)` is an instance of it.
/// A name outside the table (`quick_gelu`, `hard_mish`) is left to the interpreter.
pub fn factory_act(
    path: Option<&Path>,
    name: &str,
    args: &[Val],
    kwargs: &[(String, Val)],
) -> Option<Val> {
    let path = path?.to_string_lossy().replace('\\', "/");
    if !path.ends_with("timm/layers/create_act.py") {
        return None;
    }
    let create = match name {
        "get_act_layer" => false,
        "create_act_layer" => true,
        _ => return None,
    };
    let given = args.first().cloned().or_else(|| {
        kwargs
            .iter()
            .find(|(k, _)| k == "name")
            .map(|(_, v)| v.clone())
    });
    let class = match given {
        None if !create => Val::Str("relu".into()),
        None => return None,
        Some(v) => v,
    };
    let class = match class {
        Val::NoneV => Val::NoneV,
        Val::Str(s) if s.is_empty() => Val::NoneV,
        Val::Str(s) => Val::Ctor(
            match s.to_ascii_lowercase().as_str() {
                "silu" | "swish" => "SiLU",
                "mish" => "Mish",
                "relu" => "ReLU",
                "relu6" => "ReLU6",
                "leaky_relu" => "LeakyReLU",
                "elu" => "ELU",
                "prelu" => "PReLU",
                "celu" => "CELU",
                "selu" => "SELU",
                "gelu" | "gelu_tanh" => "GELU",
                "sigmoid" => "Sigmoid",
                "tanh" => "Tanh",
                "hard_sigmoid" | "hardsigmoid" => "Hardsigmoid",
                "hard_swish" | "hardswish" => "Hardswish",
                "identity" => "Identity",
                _ => return None,
            }
            .to_string(),
        ),
        v @ Val::Ctor(_) if !create => v,
        Val::Ctor(n) => Val::Ctor(n),
        _ => return None,
    };
    if !create {
        return Some(class);
    }
    match class {
        Val::NoneV => Some(Val::NoneV),
        Val::Ctor(n) => {
            layers::bind(&n, vec![], vec![], format!("{n}()")).map(|c| Val::Layer(Box::new(c)))
        }
        _ => None,
    }
}

/// What timm's `get_norm_layer` (timm/layers/create_norm.py) or `get_norm_act_layer`
/// (timm/layers/create_norm_act.py) returns for a call.
pub enum NormPick {
    /// A value: `None`, a torch layer class, or the argument itself.
    Val(Val),
    /// A class of timm's layers, by its name in the factory's file (`BatchNormAct2d`), with
    /// the keyword arguments the factory binds (`functools.partial`) when there are any.
    Class(&'static str, Vec<(String, Val)>),
}

/// timm's norm-layer factories, as their tables say (timm 1.0): a name (`'batchnorm'`), a torch
/// norm class or a timm norm class maps to the class they return; a `partial` keeps its
/// keywords; `get_norm_act_layer` binds `act_layer` (all the classes it maps to take it).
/// `None` for anything outside those tables (the call is then interpreted as written).
pub fn factory_norm(
    path: Option<&Path>,
    name: &str,
    args: &[Val],
    kwargs: &[(String, Val)],
) -> Option<NormPick> {
    let path = path?.to_string_lossy().replace('\\', "/");
    let act = match name {
        "get_norm_layer" if path.ends_with("timm/layers/create_norm.py") => false,
        "get_norm_act_layer" if path.ends_with("timm/layers/create_norm_act.py") => true,
        _ => return None,
    };
    let arg = |i: usize, k: &str| {
        args.get(i)
            .cloned()
            .or_else(|| kwargs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    };
    let mut given = arg(0, "norm_layer")?;
    let mut bound: Vec<(String, Val)> = Vec::new();
    if let Val::Partial {
        callee,
        args: early,
        kwargs: kw,
    } = given
    {
        if !early.is_empty() {
            return None;
        }
        bound = kw;
        given = *callee;
    }
    // `name` lowered without `_` (and for get_norm_act_layer, before any `-`).
    let class: &'static str = match &given {
        Val::NoneV => return Some(NormPick::Val(Val::NoneV)),
        Val::Str(s) if s.is_empty() => return Some(NormPick::Val(Val::NoneV)),
        Val::Str(s) => {
            let mut key = s.replace('_', "").to_ascii_lowercase();
            if act {
                key = key.split('-').next().unwrap_or("").to_string();
            }
            match (act, key.as_str()) {
                (false, "batchnorm" | "batchnorm2d") => {
                    return Some(finish(Val::Ctor("BatchNorm2d".into()), bound));
                }
                (false, "batchnorm1d") => {
                    return Some(finish(Val::Ctor("BatchNorm1d".into()), bound));
                }
                (false, "groupnorm") => "GroupNorm",
                (false, "layernorm") => "LayerNorm",
                (false, "layernorm2d") => "LayerNorm2d",
                (true, "batchnorm" | "batchnorm2d") => "BatchNormAct2d",
                (true, "groupnorm") => "GroupNormAct",
                (true, "layernorm") => "LayerNormAct",
                (true, "layernorm2d") => "LayerNormAct2d",
                _ => return None,
            }
        }
        // get_norm_layer hands a class on as it is.
        Val::Ctor(_) | Val::Class { .. } if !act => return Some(finish(given, bound)),
        Val::Ctor(n) => match n.as_str() {
            "BatchNorm2d" => "BatchNormAct2d",
            "GroupNorm" => "GroupNormAct",
            "LayerNorm" => "LayerNormAct",
            _ => return None,
        },
        // timm's own classes, by name (the tables key on `__name__.lower()`).
        Val::Class { class, .. } => match class.as_str() {
            "BatchNormAct2d" => "BatchNormAct2d",
            "GroupNormAct" | "GroupNorm" => "GroupNormAct",
            "LayerNormAct" | "LayerNorm" => "LayerNormAct",
            "LayerNormAct2d" | "LayerNorm2d" => "LayerNormAct2d",
            _ => return None,
        },
        _ => return None,
    };
    if act && !bound.iter().any(|(k, _)| k == "act_layer") {
        bound.push((
            "act_layer".into(),
            arg(1, "act_layer").unwrap_or(Val::NoneV),
        ));
    }
    Some(NormPick::Class(class, bound))
}

fn finish(v: Val, bound: Vec<(String, Val)>) -> NormPick {
    if bound.is_empty() {
        NormPick::Val(v)
    } else {
        NormPick::Val(Val::Partial {
            callee: Box::new(v),
            args: vec![],
            kwargs: bound,
        })
    }
}
