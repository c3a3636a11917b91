//! Layer constructors (signatures with PyTorch's defaults) and their shape rules.

use super::sym::{Dim, add, fdiv, int, mul, same_expr, simplify, sub};
use super::value::{LayerCfg, Val};
use pymodel::DimExpr;

/// Marks a "problem" that is really a symbol binding (`D=192`), split off by the interpreter.
pub const BIND_PREFIX: &str = "\u{0}bind:";

/// Default of a constructor parameter.
#[derive(Clone, Copy)]
pub enum Def {
    Req,
    I(i64),
    B(bool),
    None,
    F,
}

/// Positional parameter names and defaults of the `torch.nn` layers the checker models.
pub fn signature(ctor: &str) -> Option<&'static [(&'static str, Def)]> {
    use Def::*;
    const CONV: &[(&str, Def)] = &[
        ("in_channels", Req),
        ("out_channels", Req),
        ("kernel_size", Req),
        ("stride", I(1)),
        ("padding", I(0)),
        ("dilation", I(1)),
        ("groups", I(1)),
        ("bias", B(true)),
    ];
    const CONVT: &[(&str, Def)] = &[
        ("in_channels", Req),
        ("out_channels", Req),
        ("kernel_size", Req),
        ("stride", I(1)),
        ("padding", I(0)),
        ("output_padding", I(0)),
        ("groups", I(1)),
        ("bias", B(true)),
        ("dilation", I(1)),
    ];
    const MAXPOOL: &[(&str, Def)] = &[
        ("kernel_size", Req),
        ("stride", None),
        ("padding", I(0)),
        ("dilation", I(1)),
        ("return_indices", B(false)),
        ("ceil_mode", B(false)),
    ];
    const AVGPOOL: &[(&str, Def)] = &[
        ("kernel_size", Req),
        ("stride", None),
        ("padding", I(0)),
        ("ceil_mode", B(false)),
    ];
    const ADAPTIVE: &[(&str, Def)] = &[("output_size", Req)];
    const NORM: &[(&str, Def)] = &[("num_features", Req), ("eps", F), ("momentum", F)];
    const PASS: &[(&str, Def)] = &[];
    Some(match ctor {
        "Conv1d" | "Conv2d" | "Conv3d" => CONV,
        "ConvTranspose1d" | "ConvTranspose2d" | "ConvTranspose3d" => CONVT,
        "MaxPool1d" | "MaxPool2d" | "MaxPool3d" => MAXPOOL,
        "AvgPool1d" | "AvgPool2d" | "AvgPool3d" => AVGPOOL,
        "AdaptiveAvgPool1d" | "AdaptiveAvgPool2d" | "AdaptiveAvgPool3d" | "AdaptiveMaxPool1d"
        | "AdaptiveMaxPool2d" | "AdaptiveMaxPool3d" => ADAPTIVE,
        "BatchNorm1d" | "BatchNorm2d" | "BatchNorm3d" | "InstanceNorm1d" | "InstanceNorm2d"
        | "InstanceNorm3d" | "SyncBatchNorm" => NORM,
        "Linear" => &[
            ("in_features", Req),
            ("out_features", Req),
            ("bias", B(true)),
        ],
        "LayerNorm" => &[("normalized_shape", Req), ("eps", F)],
        "GroupNorm" => &[("num_groups", Req), ("num_channels", Req), ("eps", F)],
        "Embedding" => &[("num_embeddings", Req), ("embedding_dim", Req)],
        "Flatten" => &[("start_dim", I(1)), ("end_dim", I(-1))],
        "Unflatten" => &[("dim", Req), ("unflattened_size", Req)],
        "MultiheadAttention" => &[
            ("embed_dim", Req),
            ("num_heads", Req),
            ("dropout", F),
            ("bias", B(true)),
            ("add_bias_kv", B(false)),
            ("add_zero_attn", B(false)),
            ("kdim", None),
            ("vdim", None),
            ("batch_first", B(false)),
        ],
        "Upsample" => &[("size", None), ("scale_factor", None)],
        // torchvision.ops.Permute (the dotted name keeps any class a file defines from
        // being taken for it: calls are matched on their last name, which has no dot).
        "ops.Permute" => &[("dims", Req)],
        "PixelShuffle" => &[("upscale_factor", Req)],
        "Softmax" | "LogSoftmax" | "Softmin" => &[("dim", None)],
        "ReLU" | "ReLU6" | "GELU" | "SiLU" | "Sigmoid" | "Tanh" | "LeakyReLU" | "ELU" | "Mish"
        | "Hardswish" | "Hardsigmoid" | "PReLU" | "Identity" | "Dropout" | "Dropout1d"
        | "Dropout2d" | "Dropout3d" | "AlphaDropout" | "DropPath" | "Softplus" | "SELU"
        | "CELU" | "Tanhshrink" | "Softsign" => PASS,
        // Halves `dim` (it was read as shape-preserving).
        "GLU" => &[("dim", I(-1))],
        _ => return Option::None,
    })
}

/// Layers whose output has the shape of their input, whatever it is (no argument, no rank
/// requirement): `Identity`, activations, dropout.
pub fn preserves_any_input(ctor: &str) -> bool {
    signature(ctor).is_some_and(|s| s.is_empty())
}

fn def_val(d: Def) -> Val {
    match d {
        Def::Req => Val::Unknown,
        Def::I(v) => Val::Int(Some(int(v))),
        Def::B(b) => Val::Bool(Some(b)),
        Def::None => Val::NoneV,
        Def::F => Val::Float(None),
    }
}

/// Binds constructor arguments to parameter names; `None` if the layer is not modelled or a
/// required argument is missing or `*args`/`**kwargs` hide the binding.
pub fn bind(
    ctor: &str,
    args: Vec<Val>,
    kwargs: Vec<(String, Val)>,
    text: String,
) -> Option<LayerCfg> {
    let sig = signature(ctor)?;
    let mut params: Vec<(String, Val)> = Vec::new();
    for (i, (name, def)) in sig.iter().enumerate() {
        let v = kwargs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .or_else(|| args.get(i).cloned())
            .unwrap_or_else(|| def_val(*def));
        params.push((name.to_string(), v));
    }
    // Keyword-only options (ceil_mode, batch_first, ...) beyond the positional table.
    for (k, v) in kwargs {
        if !params.iter().any(|(n, _)| *n == k) {
            params.push((k, v));
        }
    }
    Some(LayerCfg {
        ctor: ctor.to_string(),
        params,
        text,
    })
}

/// Outcome of applying a layer: the output, or why it cannot be inferred; plus input problems.
pub struct Applied {
    pub out: Result<Val, String>,
    pub problems: Vec<String>,
}

fn per_dim(v: &Val, n: usize) -> Option<Vec<DimExpr>> {
    match v {
        Val::Int(Some(d)) => Some(vec![d.clone(); n]),
        Val::Tuple(items) if items.len() == n => items
            .iter()
            .map(|i| match i {
                Val::Int(Some(d)) => Some(d.clone()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn spatial_rank(ctor: &str) -> usize {
    if ctor.contains("1d") {
        1
    } else if ctor.contains("3d") {
        3
    } else {
        2
    }
}

fn concrete(d: &DimExpr) -> Option<i64> {
    d.eval(&|_| None).ok()
}

/// Output size of a `ceil_mode=True` pooling window along one dimension, exact for every input
/// size `L`. PyTorch takes `o = ceil((L + 2p - d(k-1) - 1) / s) + 1` and then drops the last
/// window when it would start inside the right padding (`(o-1)s >= L + p`). The dropped case
/// leaves `o - 1 = ceil((L+p)/s) - 1`, so `o - 1 = min(floor((L + a)/s), floor((L + b)/s))` with
/// `a = 2p - d(k-1) - 2 + s` and `b = p - 1`; with one divisor the smaller offset wins for every
/// `L`, which keeps the result one symbolic floor division. Needs concrete `k, s, d, p` (the
/// choice of offset depends on them); otherwise the size is lost rather than guessed.
fn ceil_pool_size(
    size: DimExpr,
    k: &DimExpr,
    s: &DimExpr,
    d: &DimExpr,
    pad: &DimExpr,
) -> Option<DimExpr> {
    let (k, s, d, p) = (concrete(k)?, concrete(s)?, concrete(d)?, concrete(pad)?);
    if s <= 0 {
        return None;
    }
    let offset = (2 * p - d * (k - 1) - 2 + s).min(p - 1);
    Some(add(fdiv(add(size, int(offset)), int(s)), int(1)))
}

/// Reports `what` when both sides are concrete integers that differ. A bare symbol meeting a
/// concrete size (`LayerNorm(192)` on `[B, N, D]`) is recorded as the binding `D = 192`.
fn check_size(problems: &mut Vec<String>, what: &str, expected: &Val, got: &Dim) {
    // A constructor parameter the layer consumes takes the input's size: `Conv2d(in_ch, ...)`
    // on `[B, C, H, W]` binds `in_ch = C` (the forward only runs when they are equal).
    // An input symbol met by any size the code fixes is tied to it (`D = dim`), so it is no
    // longer free: a later `3*D` compares as `3*dim`.
    if let (Val::Int(Some(p)), Some(g)) = (expected, got)
        && !matches!(g, DimExpr::Int(_))
    {
        match (g, p) {
            (DimExpr::Sym(s), e) if !e.symbols().contains(s) => {
                problems.push(format!("{BIND_PREFIX}{s}={e}"));
                return;
            }
            (g, DimExpr::Sym(p)) if !g.symbols().contains(p) => {
                problems.push(format!("{BIND_PREFIX}{p}={g}"));
                return;
            }
            _ => {}
        }
    }
    // `LayerNorm(4*dim)` on `[..., 4*C]`: `dim = C`, when the equation has one solution.
    if let (Val::Int(Some(e)), Some(g)) = (expected, got)
        && let [p] = e.symbols().as_slice()
        && !g.symbols().contains(p)
        && let Some(Ok(v)) = super::sym::solve_for(&sub(e.clone(), g.clone()), p, &int(0))
    {
        problems.push(format!("{BIND_PREFIX}{p}={v}"));
        return;
    }
    if let (Val::Int(Some(e)), Some(DimExpr::Sym(s))) = (expected, got)
        && let Some(e) = concrete(e)
    {
        problems.push(format!("{BIND_PREFIX}{s}={e}"));
        return;
    }
    if let (Val::Int(Some(e)), Some(g)) = (expected, got)
        && let (Some(e), Some(g)) = (concrete(e), concrete(&simplify(g)))
        && e != g
    {
        problems.push(format!("{what} expects {e}, input has {g}"));
    }
}

pub fn apply(cfg: &LayerCfg, inputs: &[Val]) -> Applied {
    let mut problems = Vec::new();
    let out = apply_inner(cfg, inputs, &mut problems);
    Applied { out, problems }
}

fn apply_inner(cfg: &LayerCfg, inputs: &[Val], problems: &mut Vec<String>) -> Result<Val, String> {
    let ctor = cfg.ctor.as_str();
    let p = |n: &str| cfg.get(n);
    let x = match inputs.first() {
        Some(Val::Tensor(Some(dims))) => dims.clone(),
        Some(Val::Tensor(None)) => return Err("input rank unknown".into()),
        _ => {
            return Err(format!(
                "`{ctor}` called on a value that is not a known tensor"
            ));
        }
    };
    let rank_error = |want: usize| format!("`{ctor}` expects a {want}-D input, got {}-D", x.len());
    match ctor {
        "Conv1d" | "Conv2d" | "Conv3d" | "ConvTranspose1d" | "ConvTranspose2d"
        | "ConvTranspose3d" | "MaxPool1d" | "MaxPool2d" | "MaxPool3d" | "AvgPool1d"
        | "AvgPool2d" | "AvgPool3d" => {
            let n = spatial_rank(ctor);
            if x.len() != n + 2 {
                if x.len() != n + 1 {
                    problems.push(rank_error(n + 2));
                }
                return Err(rank_error(n + 2));
            }
            let is_conv = ctor.starts_with("Conv");
            let transposed = ctor.starts_with("ConvTranspose");
            let k = per_dim(p("kernel_size"), n).ok_or("kernel size not known")?;
            let s = match p("stride") {
                Val::NoneV if !is_conv => k.clone(),
                v => per_dim(v, n).ok_or("stride not known")?,
            };
            let d = if ctor.starts_with("AvgPool") {
                vec![int(1); n]
            } else {
                per_dim(p("dilation"), n).ok_or("dilation not known")?
            };
            let pad: Vec<DimExpr> = match p("padding") {
                Val::Str(m) if m == "valid" => vec![int(0); n],
                Val::Str(m) if m == "same" => {
                    // 'same' keeps the size (stride 1 only, enforced by PyTorch).
                    let mut out = x.clone();
                    if is_conv {
                        check_size(problems, "in_channels", p("in_channels"), &x[1]);
                        out[1] = int_of(p("out_channels"));
                    }
                    return Ok(Val::Tensor(Some(out)));
                }
                v => per_dim(v, n).ok_or("padding not known")?,
            };
            let ceil = matches!(p("ceil_mode"), Val::Bool(Some(true)));
            let mut out = vec![x[0].clone()];
            if is_conv {
                check_size(problems, "in_channels", p("in_channels"), &x[1]);
                out.push(int_of(p("out_channels")));
            } else {
                out.push(x[1].clone());
            }
            for i in 0..n {
                let Some(size) = x[2 + i].clone() else {
                    out.push(None);
                    continue;
                };
                let (k, s, d, pad) = (k[i].clone(), s[i].clone(), d[i].clone(), pad[i].clone());
                let span = mul(d.clone(), sub(k.clone(), int(1)));
                let dim = if transposed {
                    let op = per_dim(p("output_padding"), n).ok_or("output_padding not known")?;
                    add(
                        add(sub(mul(sub(size, int(1)), s), mul(int(2), pad)), span),
                        add(op[i].clone(), int(1)),
                    )
                } else if ceil {
                    let Some(dim) = ceil_pool_size(size, &k, &s, &d, &pad) else {
                        out.push(None);
                        continue;
                    };
                    dim
                } else {
                    let num = sub(sub(add(size, mul(int(2), pad)), span), int(1));
                    add(fdiv(num, s), int(1))
                };
                out.push(Some(simplify(&dim)));
            }
            Ok(Val::Tensor(Some(out)))
        }
        c if c.starts_with("Adaptive") => {
            let n = spatial_rank(c);
            if x.len() != n + 2 && x.len() != n + 1 {
                problems.push(rank_error(n + 2));
                return Err(rank_error(n + 2));
            }
            let lead = x.len() - n;
            let sizes: Vec<Dim> = match p("output_size") {
                Val::Tuple(items) if items.len() == n => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| match v {
                        Val::NoneV => x[lead + i].clone(),
                        v => Some(int_of(v)).flatten(),
                    })
                    .collect(),
                v => vec![int_of(v); n],
            };
            let mut out = x[..lead].to_vec();
            out.extend(sizes);
            Ok(Val::Tensor(Some(out)))
        }
        "Linear" => {
            check_size(
                problems,
                "in_features",
                p("in_features"),
                x.last().unwrap_or(&None),
            );
            let mut out = x.clone();
            if out.is_empty() {
                return Err("Linear on a 0-D tensor".into());
            }
            *out.last_mut().expect("non-empty") = int_of(p("out_features"));
            Ok(Val::Tensor(Some(out)))
        }
        "BatchNorm1d" | "BatchNorm2d" | "BatchNorm3d" | "InstanceNorm1d" | "InstanceNorm2d"
        | "InstanceNorm3d" | "SyncBatchNorm" => {
            if x.len() >= 2 {
                check_size(problems, "num_features", p("num_features"), &x[1]);
            }
            Ok(Val::Tensor(Some(x)))
        }
        "GroupNorm" => {
            if x.len() >= 2 {
                check_size(problems, "num_channels", p("num_channels"), &x[1]);
            }
            Ok(Val::Tensor(Some(x)))
        }
        "LayerNorm" => {
            let shape: Vec<Val> = match p("normalized_shape") {
                Val::Tuple(items) => items.clone(),
                v => vec![v.clone()],
            };
            if shape.len() <= x.len() {
                let tail = &x[x.len() - shape.len()..];
                for (want, got) in shape.iter().zip(tail) {
                    check_size(problems, "normalized_shape", want, got);
                }
            }
            Ok(Val::Tensor(Some(x)))
        }
        "Embedding" => {
            let mut out = x.clone();
            out.push(int_of(p("embedding_dim")));
            Ok(Val::Tensor(Some(out)))
        }
        "Flatten" => {
            let start = int_arg(p("start_dim")).ok_or("start_dim not known")?;
            let end = int_arg(p("end_dim")).ok_or("end_dim not known")?;
            flatten(&x, start, end).ok_or_else(|| "flatten dims out of range".to_string())
        }
        "Unflatten" => Err("Unflatten is not modelled".into()),
        "ops.Permute" => {
            let dims: Option<Vec<usize>> = match p("dims") {
                Val::Tuple(items) => items
                    .iter()
                    .map(|v| int_arg(v).and_then(|d| norm_dim(d, x.len())))
                    .collect(),
                _ => Option::None,
            };
            match dims {
                Some(d) if d.len() == x.len() => {
                    Ok(Val::Tensor(Some(d.iter().map(|&i| x[i].clone()).collect())))
                }
                _ => Err("Permute dims not known".into()),
            }
        }
        "GLU" => {
            let d = int_arg(p("dim")).ok_or("GLU dim not known")?;
            let i = norm_dim(d, x.len()).ok_or("GLU dim out of range")?;
            let mut out = x.clone();
            out[i] = x[i].clone().map(|s| simplify(&fdiv(s, int(2))));
            Ok(Val::Tensor(Some(out)))
        }
        "PixelShuffle" => {
            let r = int_of(p("upscale_factor")).ok_or("upscale factor not known")?;
            if x.len() != 4 {
                return Err(rank_error(4));
            }
            let rr = mul(r.clone(), r.clone());
            let scale = |d: &Dim| d.clone().map(|d| simplify(&mul(d, r.clone())));
            Ok(Val::Tensor(Some(vec![
                x[0].clone(),
                x[1].clone().map(|c| simplify(&fdiv(c, rr))),
                scale(&x[2]),
                scale(&x[3]),
            ])))
        }
        "Upsample" => {
            if x.len() < 3 {
                return Err(rank_error(4));
            }
            let n = x.len() - 2;
            let mut out = x[..2].to_vec();
            match (p("size"), p("scale_factor")) {
                (Val::NoneV, Val::Int(Some(f))) => out.extend(
                    x[2..]
                        .iter()
                        .map(|d| d.clone().map(|d| simplify(&mul(d, f.clone())))),
                ),
                (size @ (Val::Int(_) | Val::Tuple(_)), _) => out.extend(
                    per_dim(size, n)
                        .ok_or("size not known")?
                        .into_iter()
                        .map(Some),
                ),
                _ => return Err("Upsample scale not an integer".into()),
            }
            Ok(Val::Tensor(Some(out)))
        }
        "MultiheadAttention" => {
            let batch_first = matches!(p("batch_first"), Val::Bool(Some(true)));
            let q = x;
            let k = match inputs.get(1) {
                Some(Val::Tensor(Some(k))) => k.clone(),
                _ => return Err("key shape unknown".into()),
            };
            if q.len() != 3 || k.len() != 3 {
                return Err("MultiheadAttention modelled for 3-D inputs only".into());
            }
            check_size(problems, "embed_dim", p("embed_dim"), &q[2]);
            let (b, l, s) = if batch_first {
                (q[0].clone(), q[1].clone(), k[1].clone())
            } else {
                (q[1].clone(), q[0].clone(), k[0].clone())
            };
            let weights = Val::Tensor(Some(vec![b, l, s]));
            Ok(Val::Tuple(vec![Val::Tensor(Some(q)), weights]))
        }
        _ if signature(ctor).is_some_and(|s| s.is_empty())
            || ctor.contains("Softmax")
            || ctor == "Softmin" =>
        {
            Ok(Val::Tensor(Some(x)))
        }
        _ => Err(format!("`{ctor}` is not modelled")),
    }
}

fn int_of(v: &Val) -> Dim {
    match v {
        Val::Int(d) => d.clone(),
        _ => None,
    }
}

pub fn int_arg(v: &Val) -> Option<i64> {
    match v {
        Val::Int(Some(d)) => concrete(d),
        _ => None,
    }
}

/// Python-style index normalisation.
pub fn norm_dim(d: i64, rank: usize) -> Option<usize> {
    let r = rank as i64;
    let i = if d < 0 { d + r } else { d };
    (0..r).contains(&i).then_some(i as usize)
}

pub fn product(dims: &[Dim]) -> Dim {
    let mut acc = int(1);
    for d in dims {
        acc = mul(acc, d.clone()?);
    }
    Some(simplify(&acc))
}

pub fn flatten(x: &[Dim], start: i64, end: i64) -> Option<Val> {
    if x.is_empty() {
        return Some(Val::Tensor(Some(vec![Some(int(1))])));
    }
    let s = norm_dim(start, x.len())?;
    let e = norm_dim(end, x.len())?;
    if s > e {
        return None;
    }
    let mut out = x[..s].to_vec();
    out.push(product(&x[s..=e]));
    out.extend_from_slice(&x[e + 1..]);
    Some(Val::Tensor(Some(out)))
}

/// Broadcast result of two shapes (right-aligned); `None` dims where it cannot be decided.
pub fn broadcast(a: &[Dim], b: &[Dim]) -> Vec<Dim> {
    let n = a.len().max(b.len());
    let get = |s: &[Dim], i: usize| {
        let off = n - s.len();
        if i < off {
            Some(Some(int(1)))
        } else {
            Some(s[i - off].clone())
        }
    };
    (0..n)
        .map(|i| {
            let (x, y) = (get(a, i).flatten(), get(b, i).flatten());
            match (x, y) {
                (Some(x), Some(y)) => {
                    if concrete(&x) == Some(1) {
                        Some(y)
                    } else if concrete(&y) == Some(1) || same_expr(&x, &y) {
                        Some(x)
                    } else {
                        None
                    }
                }
                _ => None,
            }
        })
        .collect()
}

/// Description of the constructor in the short notation of shape comments.
pub fn short_key(name: &str) -> &str {
    match name {
        "k" => "kernel_size",
        "s" => "stride",
        "p" => "padding",
        "d" => "dilation",
        "g" => "groups",
        other => other,
    }
}
