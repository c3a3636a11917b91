//! `verify.toml`: what `verify --run` runs (the model target, its inputs and the paper's count).
//!
//! The schema is fixed (`init` writes it with placeholders):
//!
//! ```toml
//! [model]
//! target = "model.py:ResNet50"          # FILE:Class, relative to the checked folder
//! inputs = ["x=[2,3,224,224]"]          # validate_model.py --input specs
//! kwargs = {}                            # constructor keyword arguments (optional)
//! inputs2 = ["x=[3,3,256,192]"]         # optional: run.trace's second size (else guessed)
//! one_size = "built for 300x300 only"   # optional, instead: why the model takes one size
//! expect_output = "[2,1000]"             # optional
//! paper_params = "25.6M"                 # the count as the paper prints it
//! paper_params_source = "Table 3, p.6"   # where it is printed
//! explain_mismatch = ""                  # optional: written cause of a known mismatch
//!
//! [loss]                                 # optional: the loss as a deliverable
//! target = "losses.py:YoloLoss"          # FILE:Class, called as loss(prediction, target)
//! make_targets = "losses.py:make_targets"   # make_targets(batch) -> a valid target (default)
//! reduction = "sum"                      # "mean" (default) or "sum" over the batch
//! kwargs = {}                            # loss constructor keyword arguments
//! perfect_prediction = "losses.py:perfect_prediction"  # optional: loss is 0 there
//!
//! [overfit]                              # optional: settings of run.overfit
//! optimizer = "config.py:TRAIN"          # the config object with the paper's optimizer
//! inputs = ["x=[2,3,32,32]"]             # optional: a smaller batch than [model] inputs
//! lr = 1e-3                              # only when the paper gives a schedule, with lr_reason
//! lr_reason = "Eq. 3 is a schedule; 1e-3 is its value at step 4000"
//! target = "overfit_model.py:SmallViT"  # optional: a smaller configuration of the same code
//! target_reason = "one ViT-B step takes ~10 CPU s"
//! factor = 2.0                           # goal: fit + (constant - fit) / factor (default 2)
//! floor = 0.05                           # or reach this value
//! max_steps = 200                        # default 200
//! max_seconds = 60.0                     # CPU seconds, default 60
//! ```
//!
//! Unknown keys are errors (a misspelt `paper_param` would otherwise silently skip the count
//! check), and a printed count without its source is an error (the skill's rule: every number
//! names where it comes from).

use serde::Deserialize;
use std::path::Path;

/// File name of the configuration, in the checked folder.
pub const FILE_NAME: &str = "verify.toml";

/// The `[model]` table.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// `FILE.py:Class`, relative to the checked folder.
    pub target: String,
    /// `--input` specs of `validate_model.py` (`x=[2,3,224,224]`, `ids=[2,16]:long:37000`).
    pub inputs: Vec<String>,
    /// Constructor keyword arguments.
    #[serde(default)]
    pub kwargs: toml::Table,
    /// `run.trace`'s second input size, one spec per input (guessed when absent).
    #[serde(default)]
    pub inputs2: Option<Vec<String>>,
    /// Why the model takes one input size: `run.trace`'s second run changes the batch alone and
    /// the two-size check is a SKIP with this reason.
    #[serde(default)]
    pub one_size: Option<String>,
    /// Expected output shape (`[2,1000]`), when given.
    #[serde(default)]
    pub expect_output: Option<String>,
    /// The parameter count as the paper prints it (`25.6M`); absent when the paper prints none.
    #[serde(default)]
    pub paper_params: Option<String>,
    /// Where the paper prints it.
    #[serde(default)]
    pub paper_params_source: Option<String>,
    /// The written cause of a known count mismatch.
    #[serde(default)]
    pub explain_mismatch: Option<String>,
}

/// The `[loss]` table: the loss `validate_model.py --loss` checks and `run.overfit` trains with.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LossConfig {
    /// `FILE.py:Class` of the loss module, relative to the checked folder.
    pub target: String,
    /// `FILE.py:function` of the target factory; `make_targets` in the loss file when absent.
    #[serde(default)]
    pub make_targets: Option<String>,
    /// `mean` or `sum` over the batch.
    #[serde(default = "default_reduction")]
    pub reduction: String,
    /// Loss constructor keyword arguments.
    #[serde(default)]
    pub kwargs: toml::Table,
    /// `FILE.py:function` returning the prediction at which the loss is 0.
    #[serde(default)]
    pub perfect_prediction: Option<String>,
}

fn default_reduction() -> String {
    "mean".into()
}

impl LossConfig {
    /// The target factory: `make_targets` as given, else `make_targets` in the loss file.
    pub fn make_targets(&self) -> String {
        match ModelConfig::given(&self.make_targets) {
            Some(m) => m.to_string(),
            None => {
                let file = self.target.rsplit_once(':').map_or("", |(f, _)| f);
                format!("{file}:make_targets")
            }
        }
    }

    /// `kwargs` as a JSON object, for `--loss-kwargs`; `None` when empty.
    pub fn kwargs_json(&self) -> Option<String> {
        (!self.kwargs.is_empty())
            .then(|| serde_json::to_string(&self.kwargs).ok())
            .flatten()
    }

    /// `perfect_prediction`, when given and not empty.
    pub fn perfect_prediction(&self) -> Option<&str> {
        ModelConfig::given(&self.perfect_prediction)
    }
}

/// The `[overfit]` table (every key optional).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OverfitConfig {
    /// `FILE.py:NAME` of the config object holding the optimizer (default `config.py:TRAIN`).
    #[serde(default)]
    pub optimizer: Option<String>,
    /// Smaller input specs for the overfit run (default: `[model] inputs`).
    #[serde(default)]
    pub inputs: Option<Vec<String>>,
    /// A fixed learning rate when the paper gives only a schedule.
    #[serde(default)]
    pub lr: Option<f64>,
    /// Why `lr` is set here and not read from config.py.
    #[serde(default)]
    pub lr_reason: Option<String>,
    /// `FILE.py:Class` of a smaller configuration of the same model code to train (default:
    /// `[model] target`), for a model whose one step takes too long at the paper's size.
    #[serde(default)]
    pub target: Option<String>,
    /// Why the overfit trains `target` and not the model itself.
    #[serde(default)]
    pub target_reason: Option<String>,
    /// The goal is `fit + min(constant - fit, first - fit) / factor` (default 2), where
    /// `constant` is the least loss one prediction shared by the batch reaches and `fit` the
    /// least a free prediction per sample reaches (scripts/overfit.py).
    #[serde(default)]
    pub factor: Option<f64>,
    /// A loss at or below this value also passes.
    #[serde(default)]
    pub floor: Option<f64>,
    /// At most this many steps (default 200).
    #[serde(default)]
    pub max_steps: Option<u32>,
    /// At most this many seconds of CPU time (default 60).
    #[serde(default)]
    pub max_seconds: Option<f64>,
}

/// The default optimizer object of `[overfit]`.
pub const DEFAULT_OPTIMIZER: &str = "config.py:TRAIN";

impl OverfitConfig {
    /// The optimizer object, `config.py:TRAIN` when not given.
    pub fn optimizer(&self) -> &str {
        ModelConfig::given(&self.optimizer).unwrap_or(DEFAULT_OPTIMIZER)
    }

    /// The smaller stand-in class, when given and not empty.
    pub fn target(&self) -> Option<&str> {
        ModelConfig::given(&self.target)
    }

    /// Why the stand-in is trained, when given and not empty.
    pub fn target_reason(&self) -> Option<&str> {
        ModelConfig::given(&self.target_reason)
    }
}

/// The whole file: `[model]`, and the optional `[loss]` and `[overfit]`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub model: ModelConfig,
    #[serde(default)]
    pub loss: Option<LossConfig>,
    #[serde(default)]
    pub overfit: Option<OverfitConfig>,
}

/// Why `verify.toml` cannot be used, with the 1-based line when one is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub line: Option<usize>,
    pub message: String,
}

impl ModelConfig {
    /// The model file and class of `target`.
    pub fn split_target(&self) -> Option<(&str, &str)> {
        tensor_shape_lint::split_target(&self.target).ok()
    }

    /// `kwargs` as a JSON object, for `--kwargs`; `None` when empty.
    pub fn kwargs_json(&self) -> Option<String> {
        if self.kwargs.is_empty() {
            return None;
        }
        serde_json::to_string(&self.kwargs).ok()
    }

    /// A non-empty optional string.
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// `expect_output`, when given and not empty.
    pub fn expect_output(&self) -> Option<&str> {
        Self::given(&self.expect_output)
    }

    /// `paper_params`, when given and not empty.
    pub fn paper_params(&self) -> Option<&str> {
        Self::given(&self.paper_params)
    }

    /// `explain_mismatch`, when given and not empty.
    pub fn explain_mismatch(&self) -> Option<&str> {
        Self::given(&self.explain_mismatch)
    }

    /// `one_size`, when given and not empty.
    pub fn one_size(&self) -> Option<&str> {
        Self::given(&self.one_size)
    }
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

/// Parses the text of a `verify.toml`: its `[model]` table.
pub fn parse(text: &str) -> Result<ModelConfig, ConfigError> {
    parse_all(text).map(|c| c.model)
}

/// Parses the text of a `verify.toml`, every table.
pub fn parse_all(text: &str) -> Result<Config, ConfigError> {
    let file: Config = toml::from_str(text).map_err(|e| ConfigError {
        line: e.span().map(|s| line_of(text, s.start)),
        message: e.message().trim().to_string(),
    })?;
    let m = &file.model;
    let key_line = |key: &str| {
        text.lines()
            .position(|l| l.trim_start().starts_with(key))
            .map(|i| i + 1)
    };
    let err = |key: &str, message: String| ConfigError {
        line: key_line(key),
        message,
    };
    if m.split_target().is_none() {
        return Err(err(
            "target",
            format!("target `{}`: expected FILE.py:Class", m.target),
        ));
    }
    if m.inputs.is_empty() {
        return Err(err(
            "inputs",
            "inputs is empty: give at least one spec such as \"x=[2,3,224,224]\"".into(),
        ));
    }
    if let Some(second) = &m.inputs2 {
        if m.one_size.is_some() {
            return Err(err(
                "one_size",
                "one_size and inputs2 contradict each other: keep inputs2 when the model takes a second size, one_size (the reason) when it does not".into(),
            ));
        }
        if second.len() != m.inputs.len() {
            return Err(err(
                "inputs2",
                format!(
                    "inputs2 has {} spec(s) for {} input(s): give one second size per input",
                    second.len(),
                    m.inputs.len()
                ),
            ));
        }
    }
    if m.one_size.is_some() && m.one_size().is_none() {
        return Err(err(
            "one_size",
            "one_size is empty: say why the model takes one input size".into(),
        ));
    }
    if m.paper_params().is_some() && ModelConfig::given(&m.paper_params_source).is_none() {
        return Err(err(
            "paper_params",
            "paper_params has no paper_params_source: say where the paper prints it".into(),
        ));
    }
    if let Some(loss) = &file.loss {
        let split = |s: &str| {
            s.rsplit_once(':')
                .is_some_and(|(f, n)| f.ends_with(".py") && !n.is_empty())
        };
        // the [loss] table's own keys: `target` also names the model's line, so search after it
        let loss_line = |key: &str| {
            let start = text.lines().position(|l| l.trim() == "[loss]").unwrap_or(0);
            text.lines()
                .skip(start)
                .position(|l| l.trim_start().starts_with(key))
                .map(|i| i + start + 1)
        };
        if !split(&loss.target) {
            return Err(ConfigError {
                line: loss_line("target"),
                message: format!("[loss] target `{}`: expected FILE.py:Class", loss.target),
            });
        }
        if !split(&loss.make_targets()) {
            return Err(ConfigError {
                line: loss_line("make_targets"),
                message: format!(
                    "[loss] make_targets `{}`: expected FILE.py:function",
                    loss.make_targets()
                ),
            });
        }
        if loss.reduction != "mean" && loss.reduction != "sum" {
            return Err(ConfigError {
                line: loss_line("reduction"),
                message: format!(
                    "[loss] reduction `{}`: \"mean\" or \"sum\" (how the paper's loss reduces over the batch)",
                    loss.reduction
                ),
            });
        }
    }
    if let Some(o) = &file.overfit {
        let o_line = |key: &str| {
            let start = text
                .lines()
                .position(|l| l.trim() == "[overfit]")
                .unwrap_or(0);
            text.lines()
                .skip(start)
                .position(|l| l.trim_start().starts_with(key))
                .map(|i| i + start + 1)
        };
        if o.lr.is_some() && ModelConfig::given(&o.lr_reason).is_none() {
            return Err(ConfigError {
                line: o_line("lr"),
                message:
                    "[overfit] lr has no lr_reason: say why the learning rate is not config.py's"
                        .into(),
            });
        }
        if ModelConfig::given(&o.target).is_some() && ModelConfig::given(&o.target_reason).is_none()
        {
            return Err(ConfigError {
                line: o_line("target"),
                message: "[overfit] target has no target_reason: say why the overfit trains another class than [model] target"
                    .into(),
            });
        }
        if o.inputs.as_ref().is_some_and(Vec::is_empty) {
            return Err(ConfigError {
                line: o_line("inputs"),
                message: "[overfit] inputs is empty: delete it to use [model] inputs".into(),
            });
        }
        if o.factor.is_some_and(|f| f.is_nan() || f <= 1.0) {
            return Err(ConfigError {
                line: o_line("factor"),
                message: "[overfit] factor must be above 1".into(),
            });
        }
        if o.max_seconds.is_some_and(|s| s.is_nan() || s <= 0.0) || o.max_steps == Some(0) {
            return Err(ConfigError {
                line: o_line("max_s"),
                message: "[overfit] max_steps and max_seconds must be positive".into(),
            });
        }
    }
    Ok(file)
}

/// Reads `root/verify.toml`: its `[model]` table.
pub fn read(root: &Path) -> Result<ModelConfig, ConfigError> {
    read_all(root).map(|c| c.model)
}

/// Reads `root/verify.toml`, every table.
pub fn read_all(root: &Path) -> Result<Config, ConfigError> {
    let path = root.join(FILE_NAME);
    // A FIFO or device here would block or never end: only a regular file is read.
    let text = crate::tree_guard::read_regular(&path, 1 << 20).map_err(|e| ConfigError {
        line: None,
        message: format!("cannot read: {e}"),
    })?;
    let config = parse_all(&text)?;
    // Every target is handed to Python: each must be a file of the checked tree.
    let line_of = |key: &str| {
        text.lines()
            .position(|l| l.trim_start().starts_with(key))
            .map(|i| i + 1)
    };
    let (file, _) = config.model.split_target().expect("checked by parse");
    let mut targets = vec![("target", file.to_string())];
    if let Some(loss) = &config.loss {
        for (key, spec) in [
            ("target", loss.target.clone()),
            ("make_targets", loss.make_targets()),
        ] {
            if let Some((f, _)) = spec.rsplit_once(':') {
                targets.push((key, f.to_string()));
            }
        }
    }
    for (key, file) in targets {
        crate::tree_guard::inside(root, &file).map_err(|message| ConfigError {
            line: line_of(key),
            message: format!("{key} {message}"),
        })?;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_config_parses() {
        let m = parse(
            "[model]\ntarget = \"model.py:ResNet50\"\ninputs = [\"x=[2,3,224,224]\"]\n\
             kwargs = {num_classes = 10}\nexpect_output = \"[2,10]\"\npaper_params = \"25.6M\"\n\
             paper_params_source = \"Table 9\"\nexplain_mismatch = \"\"\n",
        )
        .unwrap();
        assert_eq!(m.split_target(), Some(("model.py", "ResNet50")));
        assert_eq!(m.kwargs_json().as_deref(), Some("{\"num_classes\":10}"));
        assert_eq!(m.expect_output(), Some("[2,10]"));
        assert_eq!(m.paper_params(), Some("25.6M"));
        assert_eq!(m.explain_mismatch(), None);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse(
            "[model]\ntarget = \"model.py:M\"\ninputs = [\"x=[2,3]\"]\npaper_param = \"1M\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(4), "{e:?}");
        assert!(e.message.contains("paper_param"), "{e:?}");
        let e = parse("[model]\ntarget = \"model.py\"\ninputs = [\"x=[2,3]\"]\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e =
            parse("[model]\ntarget = \"m.py:M\"\ninputs = [\"x=[2]\"]\npaper_params = \"1M\"\n")
                .unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("paper_params_source"));
        let e = parse("[model]\ntarget = \"m.py:M\"\ninputs = []\n").unwrap_err();
        assert_eq!(e.line, Some(3));
    }

    const MODEL: &str = "[model]\ntarget = \"model.py:M\"\ninputs = [\"x=[2,3]\"]\n";

    #[test]
    fn loss_and_overfit_tables() {
        let c = parse_all(&format!(
            "{MODEL}[loss]\ntarget = \"losses.py:YoloLoss\"\nreduction = \"sum\"\n\
             kwargs = {{lambda_coord = 5}}\n[overfit]\nfloor = 0.5\ninputs = [\"x=[1,3]\"]\n"
        ))
        .unwrap();
        let loss = c.loss.unwrap();
        assert_eq!(loss.make_targets(), "losses.py:make_targets");
        assert_eq!(loss.reduction, "sum");
        assert_eq!(loss.kwargs_json().as_deref(), Some("{\"lambda_coord\":5}"));
        assert_eq!(loss.perfect_prediction(), None);
        let o = c.overfit.unwrap();
        assert_eq!(o.optimizer(), "config.py:TRAIN");
        assert_eq!(o.floor, Some(0.5));
        assert_eq!(o.inputs, Some(vec!["x=[1,3]".to_string()]));
        assert_eq!(o.factor, None);
        // without the tables: no loss declared
        assert_eq!(parse_all(MODEL).unwrap().loss, None);
    }

    #[test]
    fn loss_and_overfit_errors_name_their_line() {
        let e = parse_all(&format!(
            "{MODEL}[loss]\ntarget = \"losses.py:L\"\nreduction = \"avg\"\n"
        ))
        .unwrap_err();
        assert_eq!(e.line, Some(6), "{e:?}");
        assert!(e.message.contains("\"mean\" or \"sum\""), "{e:?}");
        let e = parse_all(&format!("{MODEL}[loss]\ntarget = \"losses.py\"\n")).unwrap_err();
        assert_eq!(e.line, Some(5), "{e:?}");
        let e =
            parse_all(&format!("{MODEL}[loss]\ntarget = \"l.py:L\"\nlambda = 5\n")).unwrap_err();
        assert_eq!(e.line, Some(6), "{e:?}");
        let e = parse_all(&format!("{MODEL}[overfit]\nlr = 0.001\n")).unwrap_err();
        assert_eq!(e.line, Some(5), "{e:?}");
        assert!(e.message.contains("lr_reason"), "{e:?}");
        let e = parse_all(&format!("{MODEL}[overfit]\ntarget = \"small.py:S\"\n")).unwrap_err();
        assert_eq!(e.line, Some(5), "{e:?}");
        assert!(e.message.contains("target_reason"), "{e:?}");
        let e = parse_all(&format!("{MODEL}[overfit]\nfactor = 1.0\n")).unwrap_err();
        assert_eq!(e.line, Some(5), "{e:?}");
        let e = parse_all(&format!("{MODEL}[overfit]\nfactor = 2.0\ninputs = []\n")).unwrap_err();
        assert_eq!(e.line, Some(6), "{e:?}");
    }

    #[test]
    fn the_second_size_is_given_or_its_absence_explained_never_both() {
        let m = parse(&format!("{MODEL}inputs2 = [\"x=[3,5]\"]\n")).unwrap();
        assert_eq!(m.inputs2, Some(vec!["x=[3,5]".to_string()]));
        assert_eq!(m.one_size(), None);
        let m = parse(&format!(
            "{MODEL}one_size = \" grids built for 300x300 \"\n"
        ))
        .unwrap();
        assert_eq!(m.one_size(), Some("grids built for 300x300"));
        let e = parse(&format!(
            "{MODEL}inputs2 = [\"x=[3,5]\"]\none_size = \"300 only\"\n"
        ))
        .unwrap_err();
        assert_eq!(e.line, Some(5), "{e:?}");
        assert!(e.message.contains("contradict"), "{e:?}");
        let e = parse(&format!("{MODEL}inputs2 = [\"x=[3,5]\", \"y=[3]\"]\n")).unwrap_err();
        assert_eq!(e.line, Some(4), "{e:?}");
        assert!(e.message.contains("one second size per input"), "{e:?}");
        let e = parse(&format!("{MODEL}one_size = \"\"\n")).unwrap_err();
        assert_eq!(e.line, Some(4), "{e:?}");
        assert!(e.message.contains("say why"), "{e:?}");
    }
}
