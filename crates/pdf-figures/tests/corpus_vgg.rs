//! VGG (corpus paper `vgg.pdf`, Simonyan & Zisserman, ICLR 2015), read as a replication of
//! VGG-16 reads it (the VGG-16 dogfood run of session 12). Ground truth is the printed page,
//! read with `pdftotext -layout vgg.pdf` and checked by eye:
//! - p.3, Table 2 "Number of parameters (in millions)": "Network | A,A-LRN | B | C | D | E",
//!   "Number of parameters | 133 | 133 | 134 | 138 | 144". The paper calls the nets by
//!   letter; it never writes "VGG-16", so D's count belongs to model "D".
//! - p.4, Sect. 3.1: "using mini-batch gradient descent (based on back-propagation (LeCun et
//!   al., 1989)) with momentum", "weight decay (the L2 penalty multiplier set to 5 · 10−4)",
//!   "The learning rate was initially set to 10−2".
//! - p.10, appendix A.1 (localisation): "the initial learning rate was set to 10−3".
//! - p.12, Table 11: a results table (caption above, values "89.3 89.0 91.8 ± 1.0"); the page
//!   has no display equation.

mod common;
use common::shared_papers;
use serde_json::Value;

struct Vgg {
    hyper: Value,
    manifest: Value,
}

fn vgg() -> &'static Vgg {
    static VGG: std::sync::OnceLock<Vgg> = std::sync::OnceLock::new();
    VGG.get_or_init(|| {
        let data = std::fs::read(shared_papers().join("vgg.pdf")).unwrap();
        let ex = pdf_figures::extract(data, "vgg", &pdf_figures::Options::default()).unwrap();
        Vgg {
            hyper: serde_json::from_slice(ex.files.get("hyperparams.json").unwrap()).unwrap(),
            manifest: serde_json::to_value(&ex.manifest).unwrap(),
        }
    })
}

fn rows<'a>(name: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    vgg().hyper["hyperparameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(move |h| h["name"] == name)
}

#[test]
fn table_2_counts_take_the_captions_unit_and_the_nets_letter() {
    let counts: Vec<(String, u64, u64)> = vgg().hyper["param_counts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["source"]["table"] == "2")
        .map(|c| {
            (
                c["model"].as_str().unwrap_or("").to_string(),
                c["count"].as_u64().unwrap(),
                c["page"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, u64, u64)> = [
        ("A,A-LRN", 133),
        ("B", 133),
        ("C", 134),
        ("D", 138),
        ("E", 144),
    ]
    .iter()
    .map(|(m, n)| (m.to_string(), n * 1_000_000, 3))
    .collect();
    assert_eq!(counts, want);
}

#[test]
fn weight_decay_with_a_middle_dot_and_a_superscript_exponent() {
    let wd: Vec<(f64, u64, &str)> = rows("weight_decay")
        .map(|h| {
            (
                h["number"].as_f64().unwrap(),
                h["page"].as_u64().unwrap(),
                h["setting"]["label"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(wd, [(5e-4, 4, "main")]);
}

#[test]
fn gradient_descent_with_momentum_is_the_optimizer() {
    let opt: Vec<(&str, u64)> = rows("optimizer")
        .map(|h| (h["value"].as_str().unwrap(), h["page"].as_u64().unwrap()))
        .collect();
    assert_eq!(opt, [("mini-batch gradient descent with momentum", 4)]);
}

#[test]
fn the_localisation_learning_rate_is_not_the_classifiers() {
    let lr: Vec<(f64, u64, &str)> = rows("learning_rate")
        .map(|h| {
            (
                h["number"].as_f64().unwrap(),
                h["page"].as_u64().unwrap(),
                h["setting"]["label"].as_str().unwrap(),
            )
        })
        .collect();
    // p.4 also restarts the deeper nets from A at 10^-3 ("pre-training" label, as before).
    let main: Vec<(f64, u64)> = lr
        .iter()
        .filter(|(_, _, l)| *l == "main")
        .map(|(n, p, _)| (*n, *p))
        .collect();
    assert_eq!(main, [(1e-2, 4)], "every learning rate: {lr:?}");
    let p10: Vec<&(f64, u64, &str)> = lr.iter().filter(|(_, p, _)| *p == 10).collect();
    assert_eq!(p10, [&(1e-3, 10, "other-task")]);
    let a1 = rows("learning_rate").find(|h| h["page"] == 10).unwrap();
    assert_eq!(a1["setting"]["dataset"], "localization");
}

#[test]
fn table_11_is_a_table_and_no_equation() {
    let m = &vgg().manifest;
    let on_p12: Vec<&Value> = m["equations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["page"] == 12)
        .collect();
    assert!(on_p12.is_empty(), "equations on p.12: {on_p12:?}");
    assert!(
        m["tables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "11" && t["page"] == 12)
    );
}
