//! Symbolic dimensions: simplification to a canonical linear form, readable forms for comments,
//! and comparison by evaluation at several bindings of the symbols.

use pymodel::{DimExpr, floor_div};
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub type Dim = Option<DimExpr>;

pub fn int(v: i64) -> DimExpr {
    DimExpr::Int(v)
}
pub fn add(a: DimExpr, b: DimExpr) -> DimExpr {
    DimExpr::Add(Box::new(a), Box::new(b))
}
pub fn sub(a: DimExpr, b: DimExpr) -> DimExpr {
    DimExpr::Sub(Box::new(a), Box::new(b))
}
pub fn mul(a: DimExpr, b: DimExpr) -> DimExpr {
    DimExpr::Mul(Box::new(a), Box::new(b))
}
pub fn fdiv(a: DimExpr, b: DimExpr) -> DimExpr {
    DimExpr::FloorDiv(Box::new(a), Box::new(b))
}

/// Linear combination of atoms (symbols or opaque products/floor-divisions) plus a constant.
#[derive(Clone, Debug, Default, PartialEq)]
struct Lin {
    terms: BTreeMap<DimExpr, i64>,
    c: i64,
}

impl Lin {
    fn constant(c: i64) -> Self {
        Lin {
            terms: BTreeMap::new(),
            c,
        }
    }
    fn atom(a: DimExpr) -> Self {
        let mut terms = BTreeMap::new();
        terms.insert(a, 1);
        Lin { terms, c: 0 }
    }
    fn as_const(&self) -> Option<i64> {
        self.terms.is_empty().then_some(self.c)
    }
    fn scale(mut self, k: i64) -> Self {
        if k == 0 {
            return Lin::constant(0);
        }
        for v in self.terms.values_mut() {
            *v = v.saturating_mul(k);
        }
        self.c = self.c.saturating_mul(k);
        self
    }
    fn plus(mut self, other: Lin) -> Self {
        for (a, k) in other.terms {
            *self.terms.entry(a).or_insert(0) += k;
        }
        self.terms.retain(|_, k| *k != 0);
        self.c = self.c.saturating_add(other.c);
        self
    }
}

fn to_lin(e: &DimExpr) -> Lin {
    match e {
        DimExpr::Int(v) => Lin::constant(*v),
        DimExpr::Sym(_) => Lin::atom(e.clone()),
        DimExpr::Neg(a) => to_lin(a).scale(-1),
        DimExpr::Add(a, b) => to_lin(a).plus(to_lin(b)),
        DimExpr::Sub(a, b) => to_lin(a).plus(to_lin(b).scale(-1)),
        DimExpr::Mul(a, b) => {
            let (la, lb) = (to_lin(a), to_lin(b));
            match (la.as_const(), lb.as_const()) {
                (Some(x), _) => lb.scale(x),
                (_, Some(y)) => la.scale(y),
                _ => {
                    let (x, y) = (from_lin(&la), from_lin(&lb));
                    let (x, y) = if x <= y { (x, y) } else { (y, x) };
                    Lin::atom(mul(x, y))
                }
            }
        }
        DimExpr::FloorDiv(a, b) => {
            let la = to_lin(a);
            let lb = to_lin(b);
            let Some(d) = lb.as_const().filter(|d| *d > 0) else {
                return Lin::atom(fdiv(from_lin(&la), from_lin(&lb)));
            };
            if d == 1 {
                return la;
            }
            // (d*k*X + rest)//d == k*X + rest//d exactly.
            let mut out = Lin::default();
            let mut rest = Lin::default();
            for (atom, k) in la.terms {
                if k % d == 0 {
                    out.terms.insert(atom, k / d);
                } else {
                    rest.terms.insert(atom, k);
                }
            }
            if rest.terms.is_empty() {
                out.c = floor_div(la.c, d).unwrap_or(0);
                return out;
            }
            // Keep multiples of d out of the constant as well: (X + d*q + r)//d = X//d... only
            // when X's coefficients are multiples of d, which they are not here; keep it whole.
            rest.c = la.c;
            // floor((floor(x/a) + c)/d) == floor((x + c*a)/(a*d)) for positive a, d and integer
            // c, since floor(x/a) + c == floor((x + c*a)/a): a max pool after a stride-2 conv,
            // `((H - 1)//2 - 2)//2 + 1`, reads `(H - 5)//4 + 1`.
            if rest.terms.len() == 1 {
                let (atom, k) = rest.terms.iter().next().expect("one term");
                if *k == 1
                    && let DimExpr::FloorDiv(inner, a) = atom
                    && let DimExpr::Int(a) = **a
                    && a > 0
                    && let Some(shift) = rest.c.checked_mul(a)
                    && let Some(ad) = a.checked_mul(d)
                {
                    let inner = from_lin(&to_lin(inner).plus(Lin::constant(shift)));
                    return out.plus(Lin::atom(fdiv(inner, int(ad))));
                }
            }
            out.plus(Lin::atom(fdiv(from_lin(&rest), int(d))))
        }
    }
}

fn from_lin(l: &Lin) -> DimExpr {
    // Positive terms first so that the expression reads `H - 1` rather than `-1 + H`.
    let mut terms: Vec<(&DimExpr, i64)> = l.terms.iter().map(|(a, k)| (a, *k)).collect();
    terms.sort_by_key(|(_, k)| *k < 0);
    let mut out: Option<DimExpr> = None;
    for (atom, k) in terms {
        let mag = k.unsigned_abs() as i64;
        let term = if mag == 1 {
            atom.clone()
        } else {
            mul(int(mag), atom.clone())
        };
        out = Some(match out {
            None if k < 0 => DimExpr::Neg(Box::new(term)),
            None => term,
            Some(acc) if k < 0 => sub(acc, term),
            Some(acc) => add(acc, term),
        });
    }
    match out {
        None => int(l.c),
        Some(acc) if l.c > 0 => add(acc, int(l.c)),
        Some(acc) if l.c < 0 => sub(acc, int(-l.c)),
        Some(acc) => acc,
    }
}

/// Solves `expr = value` for `sym` when `expr` is `a*sym + rest` with `sym` nowhere else
/// (`dim*3`, `K + 5*n_b - 10`). `Some(Ok(v))`: the one solution; `Some(Err(()))`: no integer
/// solution exists (a contradiction whatever `sym` is); `None`: not solvable here.
pub fn solve_for(expr: &DimExpr, sym: &str, value: &DimExpr) -> Option<Result<DimExpr, ()>> {
    let mut l = to_lin(expr);
    let key = DimExpr::Sym(sym.to_string());
    let a = l.terms.remove(&key)?;
    if a == 0 || l.terms.keys().any(|t| t.symbols().iter().any(|s| s == sym)) {
        return None;
    }
    // a*sym = value - rest
    let rhs = to_lin(value).plus(l.scale(-1));
    if value.symbols().iter().any(|s| s == sym) {
        return None;
    }
    match rhs.as_const() {
        Some(v) if v % a == 0 => Some(Ok(int(v / a))),
        Some(_) => Some(Err(())),
        // `4*dim = 4*C`: exact when every coefficient divides.
        None if rhs.c % a == 0 && rhs.terms.values().all(|k| k % a == 0) => {
            let mut q = rhs;
            q.c /= a;
            for k in q.terms.values_mut() {
                *k /= a;
            }
            Some(Ok(from_lin(&q)))
        }
        None => None,
    }
}

/// Canonical simplified form: `(H + 2 - 3)//1 + 1` becomes `H`, `((H - 1)//2 + 1 - 1)//2 + 1`
/// becomes `(H - 1)//4 + 1`.
pub fn simplify(e: &DimExpr) -> DimExpr {
    from_lin(&to_lin(e))
}

/// Values of the symbols for one evaluation.
pub type Binding = HashMap<String, i64>;

/// Distinct sizes, all multiples of 32, for the aligned bindings.
const ALIGNED: [i64; 12] = [224, 160, 96, 288, 352, 416, 480, 64, 128, 192, 256, 320];

/// Bindings of `symbols`: three aligned sets (distinct multiples of 32, rotated between sets so
/// that swapped symbols never coincide) and two odd sets.
pub fn bindings(symbols: &BTreeSet<String>) -> (Vec<Binding>, Vec<Binding>) {
    let value = |i: usize, set: usize| {
        let j = i + set * 5;
        ALIGNED[j % ALIGNED.len()] + 512 * (j / ALIGNED.len()) as i64
    };
    let make = |set: usize, offset: i64| {
        symbols
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), value(i, set) + offset))
            .collect::<HashMap<_, _>>()
    };
    (
        (0..3).map(|k| make(k, 0)).collect(),
        (0..2).map(|k| make(k, 1)).collect(),
    )
}

/// How an annotated dimension relates to the inferred one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Agreement {
    Equal,
    /// Equal for sizes divisible by 32, different for odd sizes.
    WhenDivisible,
    Different,
    /// Different for sizes divisible by 32 but equal for some other sizes: a comment written
    /// for the sizes the model accepts (U-Net's tiles, `H % 16 == 12`) is not shown wrong.
    ForSomeSizes,
    /// Not comparable (a symbol only one side knows).
    Unknown,
}

/// Compares two dims over `known` symbols (others make the comparison `Unknown`).
pub fn agree(comment: &DimExpr, inferred: &DimExpr, known: &dyn Fn(&str) -> bool) -> Agreement {
    let mut syms: BTreeSet<String> = BTreeSet::new();
    for s in comment.symbols().into_iter().chain(inferred.symbols()) {
        if !known(&s) {
            return Agreement::Unknown;
        }
        syms.insert(s);
    }
    let (aligned, odd) = bindings(&syms);
    let same = |b: &HashMap<String, i64>| {
        let look = |s: &str| b.get(s).copied();
        match (comment.eval(&look), inferred.eval(&look)) {
            (Ok(x), Ok(y)) => Some(x == y),
            _ => None,
        }
    };
    let mut all_aligned = true;
    for b in &aligned {
        match same(b) {
            Some(true) => {}
            Some(false) => all_aligned = false,
            None => return Agreement::Unknown,
        }
    }
    if !all_aligned {
        // Wrong only if no size of a window of 64 consecutive ones (every residue modulo 64)
        // agrees; every symbol moves together, so a swapped H and W still differ everywhere.
        let base = &aligned[0];
        let agrees_somewhere = (0..64i64).any(|k| {
            let b: HashMap<String, i64> = base.iter().map(|(s, v)| (s.clone(), v + k)).collect();
            same(&b) == Some(true)
        });
        return if agrees_somewhere {
            Agreement::ForSomeSizes
        } else {
            Agreement::Different
        };
    }
    if odd.iter().all(|b| same(b) != Some(false)) {
        Agreement::Equal
    } else {
        Agreement::WhenDivisible
    }
}

/// A readable form for comments: `S//k`, `k*S` or `S*p//q` when it equals `e` for sizes that
/// are multiples of 32; otherwise the simplified exact form.
pub fn pretty(e: &DimExpr) -> DimExpr {
    let s = simplify(e);
    let syms = s.symbols();
    if syms.len() != 1 {
        return s;
    }
    let sym = &syms[0];
    let f = |v: i64| s.eval(&|_| Some(v)).ok();
    let samples = [224i64, 160, 96, 512];
    let Some(f0) = f(samples[0]) else { return s };
    if f0 <= 0 {
        return s;
    }
    // f(v) = v * p / q
    let g = gcd(f0, samples[0]);
    let (p, q) = (f0 / g, samples[0] / g);
    if !samples
        .iter()
        .all(|&v| f(v).is_some_and(|fv| fv * q == v * p))
    {
        return s;
    }
    let x = DimExpr::Sym(sym.clone());
    match (p, q) {
        (1, 1) => x,
        (p, 1) => mul(x, int(p)),
        (1, q) => fdiv(x, int(q)),
        (p, q) => fdiv(mul(x, int(p)), int(q)),
    }
}

/// [`pretty`] only where it is exact: `infer` prints what holds for every input size, so
/// `(H - 1)//2 + 1` (a stride-2 convolution with padding 1) stays as it is, while it reads
/// `H//2` in `annotate`, whose comments state the divisibility assumption (TSL602).
pub fn pretty_exact(e: &DimExpr) -> DimExpr {
    let exact = simplify(e);
    let p = pretty(e);
    if p == exact {
        return p;
    }
    let syms = exact.symbols();
    let [sym] = syms.as_slice() else {
        return exact;
    };
    let same = (1..=256i64).all(|v| {
        let at = |x: &DimExpr| x.eval(&|s| (s == sym).then_some(v)).ok();
        at(&p) == at(&exact)
    });
    if same { p } else { exact }
}

/// The form `annotate` writes: [`pretty`] where it equals the exact size for every input size,
/// or where it equals it at every binding of `at` (the sizes the model is validated at, each
/// binding every symbol of the dim); otherwise the simplified exact form. A stride-2
/// convolution with padding 1 gives `(H - 1)//2 + 1`: `H//2` is one less for odd H (Xception's
/// 299 gives 150, not 149), so it is written only when every size of `at` is even.
pub fn pretty_for(e: &DimExpr, at: &[Binding]) -> DimExpr {
    let p = pretty_exact(e);
    let exact = simplify(e);
    if p != exact || at.is_empty() {
        return p;
    }
    let short = pretty(e);
    let holds = at.iter().all(|b| {
        let look = |s: &str| b.get(s).copied();
        matches!((short.eval(&look), exact.eval(&look)), (Ok(x), Ok(y)) if x == y)
    });
    if holds { short } else { exact }
}

/// The smallest `m` (at most 1024) such that `comment` equals `inferred` whenever their one
/// symbol is a multiple of `m`, with an input size where they differ (`H//2` against
/// `(H - 1)//2 + 1`: `Some((2, 299, 149, 150))`); `None` for several symbols or no such `m`.
pub fn divisor_needed(comment: &DimExpr, inferred: &DimExpr) -> Option<(i64, i64, i64, i64)> {
    let mut syms = comment.symbols();
    syms.extend(inferred.symbols());
    syms.sort();
    syms.dedup();
    let [sym] = syms.as_slice() else {
        return None;
    };
    let at = |e: &DimExpr, v: i64| e.eval(&|s| (s == sym).then_some(v)).ok();
    let m = (2..=1024i64).find(|m| (1..=8).all(|k| at(comment, k * m) == at(inferred, k * m)))?;
    // An example a reader knows: the first size from 299 (Inception's, Xception's) up where
    // the two differ, else the first from 1.
    let v = (299..=1324)
        .chain(1..299)
        .find(|v| at(comment, *v) != at(inferred, *v))?;
    Some((m, v, at(comment, v)?, at(inferred, v)?))
}

/// An input size where `comment` and `inferred` differ, every symbol taking it (224 first, a
/// size papers use, then 299, 256, 227, then from 1 up), as `(symbols, size, comment's value,
/// inferred value)`: `H//4` against `(H - 7)//4 + 1` gives `("H", 224, 56, 55)`.
pub fn differs_at(comment: &DimExpr, inferred: &DimExpr) -> Option<(String, i64, i64, i64)> {
    let mut syms = comment.symbols();
    syms.extend(inferred.symbols());
    syms.sort();
    syms.dedup();
    if syms.is_empty() {
        return None;
    }
    let at = |e: &DimExpr, v: i64| e.eval(&|s| syms.iter().any(|x| x == s).then_some(v)).ok();
    [224, 299, 256, 227]
        .into_iter()
        .chain(1..=1024)
        .find_map(|v| match (at(comment, v), at(inferred, v)) {
            (Some(c), Some(r)) if r > 0 && c != r => Some((syms.join(" = "), v, c, r)),
            _ => None,
        })
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

/// Structural equality after simplification.
pub fn same_expr(a: &DimExpr, b: &DimExpr) -> bool {
    a == b || simplify(a) == simplify(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> DimExpr {
        DimExpr::parse(s).unwrap()
    }

    #[test]
    fn simplifies_conv_arithmetic() {
        assert_eq!(
            simplify(&p("(H + 2*1 - 1*(3 - 1) - 1)//1 + 1")).to_string(),
            "H"
        );
        assert_eq!(
            simplify(&p("(H + 2 - 2 - 1)//2 + 1")).to_string(),
            "(H - 1)//2 + 1"
        );
        assert_eq!(
            simplify(&p("((H - 1)//2 + 1 + 2 - 2 - 1)//2 + 1")).to_string(),
            "(H - 1)//4 + 1"
        );
        assert_eq!(
            simplify(&p("((H - 1)//16 + 1 - 2)//2 + 1")).to_string(),
            "(H - 17)//32 + 1"
        );
        assert_eq!(
            simplify(&p("((H - 1)//2 + 1 - 3)//2 + 1")).to_string(),
            "(H - 5)//4 + 1"
        );
        assert_eq!(simplify(&p("(4*C)//2")).to_string(), "2*C");
        assert_eq!(simplify(&p("C*4 - C")).to_string(), "3*C");
    }

    #[test]
    fn agreement_distinguishes_divisibility_and_swaps() {
        let all = |_: &str| true;
        assert_eq!(
            agree(&p("H//2"), &p("(H - 1)//2 + 1"), &all),
            Agreement::WhenDivisible
        );
        assert_eq!(agree(&p("H//2"), &p("H//2"), &all), Agreement::Equal);
        assert_eq!(agree(&p("W"), &p("H"), &all), Agreement::Different);
        assert_eq!(agree(&p("H*W"), &p("W*H"), &all), Agreement::Equal);
        assert_eq!(agree(&p("64"), &p("128"), &all), Agreement::Different);
        assert_eq!(agree(&p("D"), &p("768"), &|s| s != "D"), Agreement::Unknown);
    }

    #[test]
    fn annotate_forms_are_exact_unless_the_validated_sizes_agree() {
        let conv = p("(H + 2 - 3)//2 + 1");
        // No size known: the exact form, since H//2 is one less for odd H.
        assert_eq!(pretty_for(&conv, &[]).to_string(), "(H - 1)//2 + 1");
        let at = |v: i64| -> Binding { [("H".to_string(), v)].into_iter().collect() };
        assert_eq!(pretty_for(&conv, &[at(224)]).to_string(), "H//2");
        assert_eq!(
            pretty_for(&conv, &[at(224), at(299)]).to_string(),
            "(H - 1)//2 + 1"
        );
        // Exact for every size: the short form whatever is known.
        assert_eq!(pretty_for(&p("(H - 2)//2 + 1"), &[]).to_string(), "H//2");
        assert_eq!(pretty_for(&p("H*2"), &[at(299)]).to_string(), "H*2");
        // A symbol the sizes do not bind: exact.
        assert_eq!(
            pretty_for(&p("(W - 1)//2 + 1"), &[at(224)]).to_string(),
            "(W - 1)//2 + 1"
        );
    }

    #[test]
    fn a_size_where_two_forms_differ() {
        // AlexNet's conv1 (k=11, s=4, p=2) at 224: (224 - 7)//4 + 1 = 55, 224//4 = 56.
        assert_eq!(
            differs_at(&p("H//4"), &p("(H - 7)//4 + 1")),
            Some(("H".to_string(), 224, 56, 55))
        );
        // 224 agrees for H//2 against (H - 1)//2 + 1; 299 is the next tried.
        assert_eq!(
            differs_at(&p("H//2"), &p("(H - 1)//2 + 1")),
            Some(("H".to_string(), 299, 149, 150))
        );
        assert_eq!(differs_at(&p("H//2"), &p("(H - 2)//2 + 1")), None);
    }

    #[test]
    fn the_divisor_a_floor_form_needs() {
        assert_eq!(
            divisor_needed(&p("H//2"), &p("(H - 1)//2 + 1")),
            Some((2, 299, 149, 150))
        );
        assert_eq!(
            divisor_needed(&p("H//16"), &p("(H - 1)//16 + 1")),
            Some((16, 299, 18, 19))
        );
        assert_eq!(divisor_needed(&p("H//2*(W//2)"), &p("H*W//4")), None);
    }

    #[test]
    fn pretty_forms() {
        assert_eq!(pretty(&p("(H - 1)//2 + 1")).to_string(), "H//2");
        assert_eq!(pretty(&p("(H - 1)//4 + 1")).to_string(), "H//4");
        assert_eq!(pretty(&p("(H - 1)*2 + 2")).to_string(), "H*2");
        assert_eq!(pretty(&p("H//16*(W//16)")).to_string(), "H//16*(W//16)");
        assert_eq!(pretty(&p("C + 1")).to_string(), "C + 1");
    }
}
