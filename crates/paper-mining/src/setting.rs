//! Which experiment a mined value belongs to, and which model a sentence names.
//!
//! A paper states the values of several settings side by side: the main training run, a
//! pre-training and a fine-tuning stage, ablations, other datasets or tasks (CIFAR next to
//! ImageNet, a COCO detector next to the classifier), and baselines. A value copied into a
//! replication's config from the wrong one is worse than none, so every mined row carries its
//! [`Setting`]: the section path it sits under and a [`Label`] read from the sentence and the
//! headings. The label is conservative in one direction only: whatever is not recognisably
//! something else is `Main`, and `repro-check init` still refuses to choose when the main
//! setting has more than one value.

use crate::re::compile;
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The kind of experiment a value belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Label {
    /// The paper's own main training run.
    Main,
    /// A pre-training stage.
    PreTraining,
    /// A fine-tuning stage.
    FineTuning,
    /// An ablation or sensitivity study.
    Ablation,
    /// Another dataset or task than the paper's main one.
    OtherTask,
    /// A baseline or prior model's value.
    Baseline,
}

impl Label {
    /// The name written to `hyperparams.json` and accepted by `repro-check init --setting`.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Main => "main",
            Label::PreTraining => "pre-training",
            Label::FineTuning => "fine-tuning",
            Label::Ablation => "ablation",
            Label::OtherTask => "other-task",
            Label::Baseline => "baseline",
        }
    }
}

/// Where a value belongs.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The section path, outermost first ("5 Experiments > 5.3 Experiments on CIFAR"), or "".
    pub path: String,
    /// What kind of experiment it is.
    pub label: Label,
    /// The dataset or task the sentence, table or section names ("cifar", "detection").
    pub dataset: Option<String>,
}

/// Datasets, as (pattern, canonical key). ILSVRC is ImageNet; CIFAR-10 and -100 are one family.
static DATASET: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(vocab\w*|imagenet|ilsvrc|cifar|coco|pascal voc|pascal|voc|ade20k|ade-20k|cityscapes|jft|squad|glue|mnli|race|wmt|bookcorpus|book corpus|wikitext|penn treebank|librispeech|mnist|svhn|celeba|lsun|kinetics|flan|oasst1|alpaca|mmlu|fasteval14k)",
    )
});

/// A sentence about timing the model: its batch size or input is the benchmark's, not the
/// training's.
static INFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:measur\w*\s+(?:the\s+)?(?:speed|latency|throughput|run\s*time|inference\s+time)|(?:speed|latency|throughput|inference\s+time)\s+(?:is\s+|was\s+|are\s+)?measured|(?:inference|test(?:ing)?)\s+(?:speed|latency|throughput)|frames\s+per\s+second|flops\s+(?:are|is|were|was)\s+(?:calculated|computed|measured|counted)|(?:calculat|comput|measur|count)\w*\s+(?:the\s+)?flops)\b",
    )
});

/// Tasks, by their usual words.
static TASK: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(classification|classifier|detection|detector|segmentation|translation|question answering|language model(?:ing)?)",
    )
});

fn dataset_key(m: &str) -> &'static str {
    let m = m.to_ascii_lowercase();
    if m.starts_with("vocab") {
        // "vocabulary" starts with "voc": matched here so that it is no VOC.
        return "";
    }
    match m.as_str() {
        "imagenet" | "ilsvrc" => "imagenet",
        "cifar" => "cifar",
        "coco" => "coco",
        "pascal voc" | "pascal" | "voc" => "voc",
        "ade20k" | "ade-20k" => "ade20k",
        "cityscapes" => "cityscapes",
        "jft" => "jft",
        "squad" => "squad",
        "glue" | "mnli" => "glue",
        "race" => "race",
        "wmt" => "wmt",
        "bookcorpus" | "book corpus" => "bookcorpus",
        "wikitext" => "wikitext",
        "penn treebank" => "ptb",
        "librispeech" => "librispeech",
        "mnist" => "mnist",
        "svhn" => "svhn",
        "celeba" => "celeba",
        "lsun" => "lsun",
        "kinetics" => "kinetics",
        "flan" => "flan",
        "oasst1" => "oasst1",
        "alpaca" => "alpaca",
        "mmlu" => "mmlu",
        "fasteval14k" => "jft",
        _ => "other",
    }
}

/// A heading's task: the tasks above, and localisation (VGG's appendix "A Localisation", whose
/// learning rate is not the classifier's). Only headings: in a sentence, a detector's
/// "localization loss" is part of detection.
static HEADING_TASK: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(classification|classifier|detection|detector|segmentation|translation|question answering|language model(?:ing)?|locali[sz]ation)",
    )
});

fn task_key(m: &str) -> &'static str {
    let m = m.to_ascii_lowercase();
    if m.starts_with("locali") {
        "localization"
    } else if m.starts_with("classif") {
        "classification"
    } else if m.starts_with("detect") {
        "detection"
    } else if m.starts_with("segment") {
        "segmentation"
    } else if m.starts_with("translation") {
        "translation"
    } else if m.starts_with("question") {
        "question answering"
    } else {
        "language modeling"
    }
}

/// The paper's main dataset and task: the ones its text names most often.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Paper {
    pub dataset: Option<&'static str>,
    pub task: Option<&'static str>,
    /// The main dataset's edition when the text names years ("voc2007" for a paper trained
    /// and tested on VOC2007, which also reports VOC2012).
    pub edition: Option<String>,
    /// The sized dataset the text pre-trains on ("imagenet-22k": "We pre-train ConvNeXts on
    /// ImageNet-22K", "ImageNet-22K pre-trained models"), when one is named so clearly more
    /// often than any other.
    pub pretrained_on: Option<String>,
    /// The model the text names most often, clearly ahead of any other ("MobileNetV2"): what
    /// "our primary network" is.
    pub model: Option<String>,
    /// How often the running text names each dataset.
    pub dataset_counts: BTreeMap<&'static str, usize>,
}

impl Paper {
    /// Counts dataset and task names over the running text.
    pub fn of_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Paper {
        let mut datasets: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut tasks: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut editions: BTreeMap<String, usize> = BTreeMap::new();
        let mut pretrained: BTreeMap<String, usize> = BTreeMap::new();
        let mut models: BTreeMap<String, usize> = BTreeMap::new();
        let mut introduced: Option<String> = None;
        for t in texts {
            if introduced.is_none()
                && let Some(m) = INTRODUCES.find(t)
            {
                introduced = model_in(m.as_str());
            }
            for m in MODEL.find_iter(t).filter(|m| is_model(m.as_str())) {
                *models.entry(m.as_str().to_string()).or_default() += 1;
            }
            for c in PRETRAINED_ON.captures_iter(t) {
                let m = c.get(1).or_else(|| c.get(2)).expect("one side matched");
                if let Some(d) = sized_dataset(m.as_str()) {
                    *pretrained.entry(d).or_default() += 1;
                }
            }
            for d in datasets_in(t) {
                *datasets.entry(d).or_default() += 1;
            }
            for e in editions_in(t) {
                *editions.entry(e).or_default() += 1;
            }
            for m in TASK.find_iter(t) {
                *tasks.entry(task_key(m.as_str())).or_default() += 1;
            }
        }
        let dataset = most(&datasets);
        // The edition of the main dataset named most often, clearly ahead of the others.
        let mut of_main: Vec<(&String, &usize)> = editions
            .iter()
            .filter(|(e, _)| dataset.is_some_and(|d| e.starts_with(d)))
            .collect();
        of_main.sort_by(|a, b| b.1.cmp(a.1));
        let edition = match of_main.as_slice() {
            [] => None,
            [(e, _)] => Some((*e).clone()),
            [(e, a), (_, b), ..] => (2 * **a >= 3 * **b).then(|| (*e).clone()),
        };
        let mut by_count: Vec<(&String, &usize)> = pretrained.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1));
        let pretrained_on = match by_count.as_slice() {
            [] => None,
            [(d, _)] => Some((*d).clone()),
            [(d, a), (_, b), ..] => (2 * **a >= 3 * **b).then(|| (*d).clone()),
        };
        // A main dataset made for another task than the most frequent task word (an ImageNet
        // paper that says "detection" most): the paper has no decided main task, and no value
        // is another task's by its task word alone (its dataset still decides). Headings can
        // say the same: see [`Paper::heed_headings`].
        let task = most(&tasks).filter(|t| {
            dataset.is_none_or(|d| {
                let made_for = dataset_tasks(d);
                made_for.is_empty() || made_for.contains(t)
            })
        });
        // The model named most often: clearly ahead, or ahead and the one the paper introduces
        // ("we describe a new mobile architecture, MobileNetV2": MobileNetV2 18 times,
        // MobileNetV1 13).
        let mut by_count: Vec<(&String, &usize)> = models.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1));
        let model = match by_count.as_slice() {
            [] => None,
            [(m, _)] => Some((*m).clone()),
            [(m, a), (_, b), ..] => (2 * **a >= 3 * **b
                || (a > b && introduced.as_deref() == Some(m.as_str())))
            .then(|| (*m).clone()),
        };
        Paper {
            dataset,
            task,
            edition,
            pretrained_on,
            model,
            dataset_counts: datasets,
        }
    }

    /// MobileNetV2 says "detection" 19 times and "classification" 5, names COCO 8 times,
    /// VOC 6 and ImageNet 5, and trains its model in "6.1 ImageNet Classification": a heading
    /// that names a dataset with the task it is made for is an experiment of the paper's own;
    /// when that task is not the most frequent task word and the dataset is named at least half
    /// as often as the most named one, the paper has no decided main task (its training values
    /// were labelled other-task). A dataset named far less ("5.3 Object Detection on COCO" in
    /// an ImageNet paper) is a side experiment and leaves the task as it is.
    pub fn heed_headings<'a>(&mut self, headings: impl IntoIterator<Item = &'a str>) {
        let Some(task) = self.task else {
            return;
        };
        let top = self.dataset_counts.values().copied().max().unwrap_or(0);
        for h in headings {
            let Some(t) = HEADING_TASK.find(h).map(|m| task_key(m.as_str())) else {
                continue;
            };
            if t == task {
                continue;
            }
            let weighty = datasets_in(h).any(|d| {
                dataset_tasks(d).contains(&t)
                    && 2 * self.dataset_counts.get(d).copied().unwrap_or(0) >= top
            });
            if weighty {
                self.task = None;
                return;
            }
        }
    }
}

/// The datasets `text` names, in order ("vocabulary" is no VOC).
fn datasets_in(text: &str) -> impl Iterator<Item = &'static str> + '_ {
    DATASET
        .find_iter(text)
        .map(|m| dataset_key(m.as_str()))
        .filter(|d| !d.is_empty())
}

/// The tasks a dataset is a benchmark of; empty where it is used for several (a text corpus,
/// JFT pre-training) or its task is not one of [`TASK`]'s.
fn dataset_tasks(dataset: &str) -> &'static [&'static str] {
    match dataset {
        "imagenet" | "cifar" | "mnist" | "svhn" => &["classification"],
        "coco" | "voc" => &["detection", "segmentation"],
        "ade20k" | "cityscapes" => &["segmentation"],
        "wmt" => &["translation"],
        "squad" => &["question answering"],
        _ => &[],
    }
}

/// "In this paper we describe a new mobile architecture, MobileNetV2, ...": the sentence that
/// introduces the paper's own model, up to its end.
static INTRODUCES: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:we|this\s+paper)\b[^.]{0,40}?\b(?:propose|present|introduce|describe)\w*\b[^.]{0,80}",
    )
});

/// A dataset named with its size: "ImageNet-22K", "ImageNet-1k", "JFT-300M".
static SIZED: LazyLock<Regex> =
    LazyLock::new(|| compile(r"(?i)\b(imagenet|jft|instagram|laion)[\s-]?(\d+(?:\.\d+)?[kmb])\b"));

/// "pre-train(ed|ing) ... on ImageNet-22K" or "ImageNet-22K pre-train(ed|ing)".
static PRETRAINED_ON: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\bpre-?\s?train\w*\s+(?:[\w-]+\s+){0,3}?on\s+((?:imagenet|jft|instagram|laion)[\s-]?\d+(?:\.\d+)?[kmb])\b|\b((?:imagenet|jft|instagram|laion)[\s-]?\d+(?:\.\d+)?[kmb])\s+pre-?\s?train",
    )
});

/// The first sized dataset `text` names, as "imagenet-22k".
pub fn sized_dataset(text: &str) -> Option<String> {
    SIZED.captures(text).map(|c| {
        format!(
            "{}-{}",
            dataset_key(&c[1]).replace("other", &c[1].to_ascii_lowercase()),
            c[2].to_ascii_lowercase()
        )
    })
}

/// The setting of a cell in a recipe table, whose rows name hyper-parameters and whose columns
/// name settings (ConvNeXt's Table 5: "ImageNet-1K" and "ImageNet-22K" side by side): the column
/// header decides, then the caption's stage ("ImageNet-1K fine-tuning settings"), and a sized
/// dataset the paper pre-trains on makes its column the pre-training stage.
pub fn of_column(column: &str, caption: &str, path: &str, paper: &Paper) -> Setting {
    let mut setting = classify(column, path, paper);
    let sized = sized_dataset(column);
    if setting.label == Label::Main {
        if let Some(stage) = stage_named(caption) {
            setting.label = stage;
        } else if sized.is_some() && sized == paper.pretrained_on {
            setting.label = Label::PreTraining;
        }
    }
    if let Some(d) = sized {
        setting.dataset = Some(d);
    }
    setting
}

/// "VOC2007", "PASCAL VOC 2012", "COCO 2014": a dataset with its year, as "voc2007".
static EDITION: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"(?i)\b(pascal\s+voc|voc|coco|ilsvrc|imagenet)[\s-]?((?:19|20)\d\d)\b")
});

fn editions_in(text: &str) -> Vec<String> {
    EDITION
        .captures_iter(text)
        .map(|c| format!("{}{}", dataset_key(&c[1]), &c[2]))
        .collect()
}

/// The most frequent key, when it is clearly ahead: named at least half as often again as
/// the next one. A close race is no answer, and then no row is "other" for its dataset.
fn most(counts: &BTreeMap<&'static str, usize>) -> Option<&'static str> {
    let mut v: Vec<(&&str, &usize)> = counts.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1));
    match v.as_slice() {
        [] => None,
        [(k, _)] => Some(k),
        [(k, a), (_, b), ..] => (2 * **a >= 3 * **b).then_some(**k),
    }
}

static ABLATION: LazyLock<Regex> =
    LazyLock::new(|| compile(r"(?i)\bablat|\bsensitivity (?:to|study|analysis)"));
static FINE_TUNING: LazyLock<Regex> = LazyLock::new(|| compile(r"(?i)\bfine-?\s?tun"));
static PRE_TRAINING: LazyLock<Regex> = LazyLock::new(|| compile(r"(?i)\bpre-?\s?train"));
static BASELINE: LazyLock<Regex> =
    LazyLock::new(|| compile(r"(?i)\bbaselines?\b|\bprior work\b|\breported by\b"));

/// A section (or sentence) about what the model is used for afterwards: "4 Empirical Evaluation
/// on Downstream Tasks" (ConvNeXt's COCO and ADE20K schedules, labelled main before),
/// "Transfer learning", "Transferring to COCO".
static DOWNSTREAM: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"(?i)\bdownstream\b|\btransfer(?:ring)?\s+(?:learning|to|results)\b")
});

static CITED: LazyLock<Regex> =
    LazyLock::new(|| compile(r"\bet al\.?\s*(?:\[\d+(?:\s*[,–-]\s*\d+)*\]|\(\d{4}[a-z]?\))"));
static FIRST_PERSON: LazyLock<Regex> = LazyLock::new(|| compile(r"(?i)\b(?:we|our|ours|us)\b"));

/// A sentence about a cited work and not about ours: "The breakthrough by Krizhevsky et al.
/// [7] was due to ... a large network with 8 layers" (U-Net's introduction; the dogfood run got
/// `layers = 8` as the main setting). "We follow He et al. [12] and use ..." stays ours.
fn about_cited_work(sentence: &str) -> bool {
    CITED.is_match(sentence) && !FIRST_PERSON.is_match(sentence)
}

/// The training stage a sentence names ("We then fine-tune ... on ImageNet-1K for 30 epochs"):
/// the next sentence of its paragraph, naming none, is usually its recipe ("We use AdamW, a
/// learning rate of 5e-5, ...", ConvNeXt p.6, labelled main before).
pub fn stage_named(sentence: &str) -> Option<Label> {
    if FINE_TUNING.is_match(sentence) {
        Some(Label::FineTuning)
    } else if PRE_TRAINING.is_match(sentence) {
        Some(Label::PreTraining)
    } else {
        None
    }
}

/// The other dataset a text names besides the paper's main one (a table caption: "Comparing
/// with Swin Transformer on ADE20K"): its values are another task's, whatever else it says.
pub fn other_dataset(text: &str, paper: &Paper) -> Option<&'static str> {
    let main = paper.dataset?;
    datasets_in(text).find(|d| *d != main)
}

/// The setting of a value read from `sentence` (or a table cell's headers) under `path`.
pub fn classify(sentence: &str, path: &str, paper: &Paper) -> Setting {
    let dataset = datasets_in(sentence)
        .next()
        .or_else(|| datasets_in(path).next());
    let path_task = HEADING_TASK.find(path).map(|m| task_key(m.as_str()));
    // A sentence naming the main task in a section about another one is about that other
    // task (VGG A.1: "Training was initialised with the corresponding classification models
    // ..., and the initial learning rate was set to 10−3" trains the localisation net).
    let task = match (TASK.find(sentence).map(|m| task_key(m.as_str())), path_task) {
        (Some(s), Some(p)) if paper.task == Some(s) && paper.task.is_some_and(|t| t != p) => {
            Some(p)
        }
        (s, p) => s.or(p),
    };
    let label = if ABLATION.is_match(sentence) || ABLATION.is_match(path) {
        Label::Ablation
    } else if FINE_TUNING.is_match(sentence) || FINE_TUNING.is_match(path) {
        Label::FineTuning
    } else if PRE_TRAINING.is_match(sentence) || PRE_TRAINING.is_match(path) {
        Label::PreTraining
    } else if BASELINE.is_match(sentence) || about_cited_work(sentence) {
        Label::Baseline
    } else if INFERENCE.is_match(sentence) {
        // "We measure the speed with batch size 8": a timing run, not training.
        return Setting {
            path: path.to_string(),
            label: Label::OtherTask,
            dataset: Some("inference".to_string()),
        };
    } else if DOWNSTREAM.is_match(sentence) || DOWNSTREAM.is_match(path) {
        return Setting {
            path: path.to_string(),
            label: Label::OtherTask,
            dataset: Some(
                dataset
                    .filter(|d| paper.dataset != Some(*d))
                    .or(task)
                    .unwrap_or("downstream")
                    .to_string(),
            ),
        };
    } else if dataset.is_some_and(|d| paper.dataset.is_some_and(|p| p != d))
        || task.is_some_and(|t| paper.task.is_some_and(|p| p != t))
    {
        Label::OtherTask
    } else {
        Label::Main
    };
    // Another edition of the main dataset (VOC2012 in a VOC2007 paper) is another benchmark,
    // trained on other data.
    if label == Label::Main
        && let Some(main) = &paper.edition
        && let Some(other) = editions_in(sentence)
            .into_iter()
            .chain(editions_in(path))
            .find(|e| e != main && e.starts_with(main.trim_end_matches(char::is_numeric)))
    {
        return Setting {
            path: path.to_string(),
            label: Label::OtherTask,
            dataset: Some(other),
        };
    }
    let named = match (dataset, task) {
        (Some(d), _) if label == Label::OtherTask && paper.dataset.is_some_and(|p| p != d) => {
            Some(d)
        }
        (_, Some(t)) if label == Label::OtherTask => Some(t),
        (Some(d), _) => Some(d),
        (None, t) => t,
    };
    Setting {
        path: path.to_string(),
        label,
        dataset: named.map(str::to_string),
    }
}

/// Section paths from the sequence of headings the paragraphs sit under: "5.3 Experiments on
/// CIFAR" under "5 Experiments" becomes "5 Experiments > 5.3 Experiments on CIFAR"; an
/// appendix letter ("A Implementation Details: CIFAR") is its own top level.
#[derive(Default)]
pub struct Paths {
    /// Heading text by its number ("5", "5.3").
    seen: BTreeMap<String, String>,
}

impl Paths {
    pub fn path(&mut self, section: &str) -> String {
        let section = section.trim();
        let number: String = section
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_end_matches('.')
            .to_string();
        let numbered = !number.is_empty()
            && number
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c.is_ascii_uppercase())
            && number
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
            && number.len() <= 8;
        if !numbered {
            return section.to_string();
        }
        self.seen.insert(number.clone(), section.to_string());
        let mut parts = Vec::new();
        let pieces: Vec<&str> = number.split('.').collect();
        for k in 1..pieces.len() {
            if let Some(h) = self.seen.get(&pieces[..k].join(".")) {
                parts.push(h.clone());
            }
        }
        parts.push(section.to_string());
        parts.join(" > ")
    }
}

/// Model names a sentence mentions: a capitalised word with a digit or a size suffix
/// ("ResNet-50", "SSD512", "MobileNetV2", "BERT-large", "EfficientDet-D0", "Inception V3"),
/// datasets, hardware and units left out.
static MODEL: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b([A-Z][A-Za-z]*[a-z][A-Za-z]*(?:-?[A-Z]?\d+[A-Za-z]?|(?:-| )V\d+)(?:-[A-Za-z0-9]+)?|[A-Z]{2,}[A-Za-z]*(?:-?\d+|-?(?:base|large|xlarge|xxlarge|small|tiny|huge)|-[A-Z]\d*)\b|[A-Z][A-Za-z]+-(?:base|large|xlarge|xxlarge|small|tiny|huge|[A-Z]\d*\b))",
    )
});

static NOT_MODEL: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)^(imagenet|ilsvrc|cifar|coco|voc|ade|jft|squad|wmt|mnist|gpu|tpu|k80|v100|p100|a100|titan|table|fig|figure|sec|section|eq|eqn|conv|fc|relu|float|bf|fp|int|top|map|ap|iou|sgd|adam|lamb|lora|nf|pixel|l\d|mnli|sst|race|glue|mmlu|oasst|flan|t5-?\d*$)",
    )
});

/// "Following MobileNetV1[27] setup we use ...", "as in ResNet-50", "similar to X": the model
/// named right after these words is the one whose setup the paper follows; the values are the
/// paper's own (MobileNetV2 p.6: its learning rate was labelled `model: MobileNetV1`, and init
/// then left it out of a MobileNetV2 config).
static FOLLOWED: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:following|follows?|followed|as\s+in|same\s+as|similar\s+to|identical\s+to)\s+(?:the\s+|that\s+of\s+)?$",
    )
});

/// The first model name in `sentence` that its values belong to, if any: not a dataset or a
/// unit, and not a model whose setup the sentence says it follows.
pub fn model_in(sentence: &str) -> Option<String> {
    MODEL
        .find_iter(sentence)
        .filter(|m| !FOLLOWED.is_match(&sentence[..m.start()]))
        .map(|m| m.as_str())
        .find(|m| is_model(m))
        .map(str::to_string)
}

/// The model of `text` whose name ends in the depth `layers` ("ResNet-200" for 200), if exactly
/// one such name occurs.
pub fn model_of_depth(text: &str, layers: f64) -> Option<String> {
    if layers.fract() != 0.0 || !(1.0..=10_000.0).contains(&layers) {
        return None;
    }
    let suffix = format!("-{}", layers as u64);
    let mut names: Vec<&str> = MODEL
        .find_iter(text)
        .map(|m| m.as_str())
        .filter(|m| m.ends_with(&suffix) && is_model(m))
        .collect();
    names.sort_unstable();
    names.dedup();
    match names[..] {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

/// A [`MODEL`] match that is no dataset, hardware or unit.
fn is_model(m: &str) -> bool {
    let head: String = m.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    !NOT_MODEL.is_match(&head) && !NOT_MODEL.is_match(m)
}

/// "Our primary network (width multiplier 1, 224 × 224), has ... 3.4 million parameters"
/// (MobileNetV2 p.4): the paper's own model, unnamed. A plain "our model" is left alone: it is
/// as often one of several variants.
static OUR_PRIMARY: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"(?i)\bour\s+(?:primary|main|final|proposed)\s+(?:network|model|architecture)\b")
});

/// The paper's own model when `sentence` calls it "our primary network" and names no model.
pub fn own_model<'a>(sentence: &str, paper: &'a Paper) -> Option<&'a str> {
    (OUR_PRIMARY.is_match(sentence) && model_in(sentence).is_none())
        .then_some(paper.model.as_deref())
        .flatten()
}

/// Builds every automaton of this module (see [`crate::prepare`]).
pub(crate) fn force() {
    LazyLock::force(&DATASET);
    LazyLock::force(&INFERENCE);
    LazyLock::force(&TASK);
    LazyLock::force(&HEADING_TASK);
    LazyLock::force(&INTRODUCES);
    LazyLock::force(&SIZED);
    LazyLock::force(&PRETRAINED_ON);
    LazyLock::force(&EDITION);
    LazyLock::force(&ABLATION);
    LazyLock::force(&FINE_TUNING);
    LazyLock::force(&PRE_TRAINING);
    LazyLock::force(&BASELINE);
    LazyLock::force(&DOWNSTREAM);
    LazyLock::force(&CITED);
    LazyLock::force(&FIRST_PERSON);
    LazyLock::force(&MODEL);
    LazyLock::force(&NOT_MODEL);
    LazyLock::force(&FOLLOWED);
    LazyLock::force(&OUR_PRIMARY);
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_depth_named_by_one_model_of_the_paragraph_is_that_models() {
        // ResNeXt (Xie et al. 2017), p.6.
        let p = "We compare the following variants that have ∼15 billion FLOPs. (i) Going deeper to 200 layers. We adopt the ResNet-200 [15] implemented in [11]. (ii) Going wider by increasing the bottleneck width.";
        assert_eq!(model_of_depth(p, 200.0).as_deref(), Some("ResNet-200"));
        assert_eq!(model_of_depth(p, 50.0), None);
        // Two models of that depth: which one is unknown.
        let two = "Going deeper to 101 layers: ResNet-101 and ResNeXt-101.";
        assert_eq!(model_of_depth(two, 101.0), None);
    }
    use super::*;

    #[test]
    fn section_paths_nest_by_number() {
        let mut p = Paths::default();
        assert_eq!(p.path("5 Experiments"), "5 Experiments");
        assert_eq!(
            p.path("5.3 Experiments on CIFAR"),
            "5 Experiments > 5.3 Experiments on CIFAR"
        );
        assert_eq!(
            p.path("A Implementation Details: CIFAR"),
            "A Implementation Details: CIFAR"
        );
        assert_eq!(p.path("Abstract"), "Abstract");
    }

    #[test]
    fn another_edition_of_the_main_dataset_is_another_setting() {
        let paper = Paper::of_texts([
            "We train on VOC2007 trainval and test on VOC2007 test.",
            "Results on VOC2007 test are in Table 1; VOC2012 results follow.",
            "On the PASCAL VOC 2007 test set our detector is best.",
        ]);
        assert_eq!(paper.dataset, Some("voc"));
        assert_eq!(paper.edition.as_deref(), Some("voc2007"));
        let c = |s: &str, path: &str| classify(s, path, &paper);
        let other = c(
            "We train for 60k iterations.",
            "4 Results > 4.3 PASCAL VOC2012",
        );
        assert_eq!(other.label, Label::OtherTask);
        assert_eq!(other.dataset.as_deref(), Some("voc2012"));
        assert_eq!(
            c(
                "We train for 40k iterations.",
                "4 Results > 4.1 PASCAL VOC2007"
            )
            .label,
            Label::Main
        );
        assert_eq!(
            c("We train for 40k iterations.", "4 Results").label,
            Label::Main
        );
        // Without years, editions say nothing.
        let plain = Paper::of_texts(["We train and test on PASCAL VOC.", "VOC results."]);
        assert_eq!(plain.edition, None);
    }

    /// ConvNeXt's "4 Empirical Evaluation on Downstream Tasks": "All model variants are trained
    /// for 160K iterations with a batch size of 16" names no dataset, and init pre-filled
    /// `steps = 160000` into the ImageNet classifier's config.
    #[test]
    fn downstream_and_transfer_sections_are_other_tasks() {
        let paper = Paper {
            dataset: Some("imagenet"),
            task: Some("classification"),
            edition: None,
            ..Paper::default()
        };
        let got = classify(
            "All model variants are trained for 160K iterations with a batch size of 16.",
            "4 Empirical Evaluation on Downstream Tasks",
            &paper,
        );
        assert_eq!(got.label, Label::OtherTask);
        assert_eq!(got.dataset.as_deref(), Some("downstream"));
        let got = classify(
            "We fine-tune on COCO for 12 epochs.",
            "5 Transfer learning",
            &paper,
        );
        assert_eq!(got.label, Label::FineTuning);
        let got = classify(
            "Training uses a batch size of 16 on COCO.",
            "5 Transfer Learning",
            &paper,
        );
        assert_eq!(got.label, Label::OtherTask);
        assert_eq!(got.dataset.as_deref(), Some("coco"));
        // The main training section stays main.
        let got = classify(
            "We train for 300 epochs with a batch size of 4096.",
            "3 Empirical Evaluations on ImageNet > 3.1 Settings",
            &paper,
        );
        assert_eq!(got.label, Label::Main);
    }

    #[test]
    fn timing_runs_are_not_the_training_setting() {
        let paper = Paper {
            dataset: Some("coco"),
            task: Some("detection"),
            edition: None,
            ..Paper::default()
        };
        for s in [
            "We measure the speed with batch size 4 on one GPU.",
            "Latency is measured with batch size 1 on the same machine.",
            "Inference speed is reported at 640 pixels.",
            // ConvNeXt's Table 3 note: the cost's input size, not a training size.
            "FLOPs are calculated with image size (1280, 800).",
        ] {
            let got = classify(s, "4 Experiments", &paper);
            assert_eq!(got.label, Label::OtherTask, "{s}");
            assert_eq!(got.dataset.as_deref(), Some("inference"), "{s}");
        }
        assert_eq!(
            classify(
                "We train with batch size 16 for speed.",
                "4 Experiments",
                &paper
            )
            .label,
            Label::Main
        );
    }

    /// VGG's appendix A.1 trains a localisation net from the classifiers: its learning rate
    /// (10^-3, p.10) is not the classifier's 10^-2, though the sentence names classification.
    /// A detector's "localization loss" in a sentence is no other task.
    #[test]
    fn a_localisation_appendix_is_another_task() {
        let paper = Paper {
            dataset: Some("imagenet"),
            task: Some("classification"),
            edition: None,
            ..Paper::default()
        };
        let a1 = classify(
            "Training was initialised with the corresponding classification models (trained on \
             the same scales), and the initial learning rate was set to 10^−3.",
            "A LOCALISATION > A.1 LOCALISATION CONVNET",
            &paper,
        );
        assert_eq!(
            (a1.label, a1.dataset.as_deref()),
            (Label::OtherTask, Some("localization"))
        );
        let main = classify(
            "The learning rate was initially set to 10^−2.",
            "3 CLASSIFICATION FRAMEWORK > 3.1 TRAINING",
            &paper,
        );
        assert_eq!(main.label, Label::Main);
        let detector = Paper {
            task: Some("detection"),
            ..paper.clone()
        };
        let ssd = classify(
            "the weight term α for the localization loss is set to 1",
            "2.2 Training",
            &detector,
        );
        assert_eq!(ssd.label, Label::Main);
    }

    #[test]
    fn settings_from_sentence_and_headings() {
        let paper = Paper {
            dataset: Some("imagenet"),
            task: Some("classification"),
            edition: None,
            ..Paper::default()
        };
        let c = |s: &str, path: &str| classify(s, path, &paper);
        assert_eq!(
            c(
                "We use a weight decay of 0.0001.",
                "4 Implementation details"
            )
            .label,
            Label::Main
        );
        let cifar = c(
            "with a weight decay of 0.0005",
            "A Implementation Details: CIFAR",
        );
        assert_eq!(
            (cifar.label, cifar.dataset.as_deref()),
            (Label::OtherTask, Some("cifar"))
        );
        let det = c(
            "We train the RPN step for 120k mini-batches at a learning rate of 0.02",
            "B Implementation Details: Object Detection",
        );
        assert_eq!(
            (det.label, det.dataset.as_deref()),
            (Label::OtherTask, Some("detection"))
        );
        // Swin's ADE20K warm-up is not the ImageNet classifier's.
        assert_eq!(
            c(
                "On ADE20K we use a linear warmup of 1500 iterations",
                "4.3 Semantic Segmentation"
            )
            .label,
            Label::OtherTask
        );
        assert_eq!(
            c("In all ablation comparisons we use 160 px", "").label,
            Label::Ablation
        );
        assert_eq!(
            c("For fine-tuning we use a batch size of 32", "").label,
            Label::FineTuning
        );
        assert_eq!(
            c("We pre-train at 224 × 224 resolution", "").label,
            Label::PreTraining
        );
        // A paper whose main dataset is unknown labels no dataset "other".
        assert_eq!(
            classify("on CIFAR with 0.1", "", &Paper::default()).label,
            Label::Main
        );
    }

    #[test]
    fn a_sentence_about_a_cited_work_is_not_ours() {
        let paper = Paper {
            dataset: None,
            task: Some("segmentation"),
            edition: None,
            ..Paper::default()
        };
        let c = |s: &str| classify(s, "1 Introduction", &paper).label;
        // U-Net, Sec. 1: AlexNet's depth, not U-Net's.
        assert_eq!(
            c(
                "The breakthrough by Krizhevsky et al. [7] was due to supervised training of a large network with 8 layers and millions of parameters."
            ),
            Label::Baseline
        );
        assert_eq!(
            c("as shown by Smith et al. (2019), a depth of 12 suffices"),
            Label::Baseline
        );
        // Ours, even when it follows a cited work.
        assert_eq!(
            c("We follow He et al. [12] and use a momentum of 0.9."),
            Label::Main
        );
        assert_eq!(c("Our network has 23 convolutional layers."), Label::Main);
    }

    #[test]
    fn main_dataset_is_the_clear_majority() {
        let p = Paper::of_texts(["ImageNet and CIFAR", "ImageNet classification", "COCO"]);
        assert_eq!(p.dataset, Some("imagenet"));
        assert_eq!(Paper::of_texts(["COCO and ImageNet"]).dataset, None);
        // 3 against 2 is a clear lead; 4 against 3 is not. PASCAL VOC is one name.
        let p = Paper::of_texts(["ImageNet ImageNet ImageNet, PASCAL VOC, VOC"]);
        assert_eq!(p.dataset, Some("imagenet"));
        let p = Paper::of_texts(["ImageNet ImageNet ImageNet ImageNet, COCO COCO COCO"]);
        assert_eq!(p.dataset, None);
    }

    /// MobileNetV2 §6.1 "ImageNet Classification" (p.6): the paper says "detection" 20 times
    /// and "classification" 6, but its main dataset is ImageNet; its training values were
    /// labelled other-task (detection being the main task).
    #[test]
    fn a_main_dataset_of_another_task_leaves_the_main_task_undecided() {
        let mut texts = vec!["We train on ImageNet.", "ImageNet results.", "ImageNet."];
        texts.extend(["object detection"; 10]);
        texts.extend(["classification"; 3]);
        let paper = Paper::of_texts(texts);
        assert_eq!(paper.dataset, Some("imagenet"));
        assert_eq!(paper.task, None);
        // The counts alone would make detection the main task.
        let words_only = Paper::of_texts(["object detection"; 10]);
        assert_eq!(words_only.task, Some("detection"));
        let got = classify(
            "Following MobileNetV1[27] setup we use initial learning rate of 0.045, and \
             learning rate decay rate of 0.98 per epoch.",
            "6 Experiments > 6.1 ImageNet Classification",
            &paper,
        );
        assert_eq!(got.label, Label::Main);
        // Another dataset is still another task.
        let coco = classify(
            "We train on COCO trainval35k with a batch size of 24.",
            "6 Experiments > 6.2 Object Detection",
            &paper,
        );
        assert_eq!(coco.label, Label::OtherTask);
        // COCO and VOC in a race are both detection benchmarks (SSD): detection stays.
        let mut texts = vec!["COCO"; 5];
        texts.extend(["PASCAL VOC"; 4]);
        texts.extend(["detection"; 5]);
        texts.extend(["classification"; 2]);
        assert_eq!(Paper::of_texts(texts).task, Some("detection"));
        // A main dataset of the most frequent task keeps it.
        let mut texts = vec!["COCO", "COCO", "COCO"];
        texts.extend(["detection"; 5]);
        texts.extend(["classification"; 2]);
        assert_eq!(Paper::of_texts(texts).task, Some("detection"));
        let mut texts = vec!["ImageNet", "ImageNet"];
        texts.extend(["classification"; 5]);
        texts.extend(["detection"; 2]);
        assert_eq!(Paper::of_texts(texts).task, Some("classification"));
    }

    /// MobileNetV2's own counts in its running text: COCO 8, VOC 6, ImageNet 5; detection 19,
    /// segmentation 9, classification 5; its model is trained in "6.1 ImageNet Classification".
    #[test]
    fn a_weighty_dataset_heading_of_another_task_leaves_the_main_task_undecided() {
        let mut texts = vec!["COCO"; 8];
        texts.extend(["PASCAL VOC"; 6]);
        texts.extend(["ImageNet"; 5]);
        texts.extend(["detection"; 19]);
        texts.extend(["segmentation"; 9]);
        texts.extend(["classification"; 5]);
        let mut paper = Paper::of_texts(texts.clone());
        assert_eq!((paper.dataset, paper.task), (None, Some("detection")));
        paper.heed_headings(["6 Experiments", "6.1 ImageNet Classification"]);
        assert_eq!(paper.task, None);
        let got = classify(
            "We use batch normalization after every layer, and the standard weight decay is set \
             to 0.00004.",
            "6 Experiments > 6.1 ImageNet Classification",
            &paper,
        );
        assert_eq!(got.label, Label::Main);
        // A heading of the main task, or a side experiment on a dataset named far less often,
        // leaves it.
        let mut same = Paper::of_texts(texts.clone());
        same.heed_headings(["6.2 Object Detection on COCO"]);
        assert_eq!(same.task, Some("detection"));
        texts.extend(["COCO"; 4]);
        let mut side = Paper::of_texts(texts);
        side.heed_headings(["6.1 ImageNet Classification"]);
        assert_eq!(side.task, Some("detection"));
    }

    /// GPT-2 and seq2seq say "vocabulary" often: it was counted as PASCAL VOC.
    #[test]
    fn a_vocabulary_is_no_voc() {
        let p = Paper::of_texts([
            "We train on WMT'14 with a vocabulary of 160,000 words.",
            "WMT results; the vocabulary is fixed; vocabularies differ; VOC2007.",
        ]);
        assert_eq!(p.dataset, Some("wmt"));
        assert_eq!(p.dataset_counts.get("voc"), Some(&1));
    }

    #[test]
    fn a_followed_setup_names_no_model_for_the_values() {
        // MobileNetV2 p.6.
        assert_eq!(
            model_in(
                "Following MobileNetV1[27] setup we use initial learning rate of 0.045, and \
                 learning rate decay rate of 0.98 per epoch."
            ),
            None
        );
        assert_eq!(
            model_in("We use the same schedule as in ResNet-50 with a batch size of 256."),
            None
        );
        // A model named after the followed one is the values' model.
        assert_eq!(
            model_in("Following ResNet-50, we train ResNet-101 with a batch size of 256.")
                .as_deref(),
            Some("ResNet-101")
        );
    }

    #[test]
    fn our_primary_network_is_the_model_the_paper_names_most() {
        let paper = Paper::of_texts([
            "MobileNetV2 improves on MobileNetV1.",
            "We compare MobileNetV2 with ShuffleNet.",
            "MobileNetV2 is fast.",
        ]);
        assert_eq!(paper.model.as_deref(), Some("MobileNetV2"));
        // MobileNetV2 p.4.
        let s = "Our primary network (width multiplier 1, 224 × 224), has a computational cost \
                 of 300 million multiply-adds and uses 3.4 million parameters.";
        assert_eq!(own_model(s, &paper), Some("MobileNetV2"));
        assert_eq!(
            own_model("Our model uses 3.4 million parameters.", &paper),
            None
        );
        // A lead that is not clear names the model the paper introduces (MobileNetV2 18,
        // MobileNetV1 13), and no other.
        let mut texts = vec![
            "In this paper we describe a new mobile architecture, MobileNetV2, that improves the \
             state of the art performance of mobile models.",
        ];
        texts.extend(["MobileNetV2"; 17]);
        texts.extend(["MobileNetV1"; 13]);
        assert_eq!(
            Paper::of_texts(texts.clone()).model.as_deref(),
            Some("MobileNetV2")
        );
        texts[0] = "In this paper we describe a new mobile architecture.";
        texts.push("MobileNetV2");
        assert_eq!(Paper::of_texts(texts).model, None);
        // A close race names no model.
        let close = Paper::of_texts(["ResNet-50 and ResNet-101", "ResNet-50, ResNet-101"]);
        assert_eq!(close.model, None);
        assert_eq!(own_model(s, &close), None);
    }

    #[test]
    fn model_names_in_sentences() {
        assert_eq!(
            model_in("ALBERT-large has about 18x fewer parameters").as_deref(),
            Some("ALBERT-large")
        );
        assert_eq!(
            model_in("Our primary network MobileNetV2 uses 3.4 million parameters").as_deref(),
            Some("MobileNetV2")
        );
        assert_eq!(
            model_in("For SSD512 model, we add extra conv12 2").as_deref(),
            Some("SSD512")
        );
        assert_eq!(
            model_in("We train on ImageNet-1K with 8 GPUs and K80 cards").as_deref(),
            None
        );
        assert_eq!(model_in("the RPN step of Fast R-CNN").as_deref(), None);
        assert_eq!(model_in("Swin-T and ViT-B/16").as_deref(), Some("Swin-T"));
        assert_eq!(
            model_in("Xception and Inception V3 have nearly the same number").as_deref(),
            Some("Inception V3")
        );
    }
}
