//! The hyper-parameter vocabulary: canonical names, the sentence patterns that state them, the
//! table headers that name them, and the range a value must fall in to be believed.
//!
//! | name | example sentence | table header |
//! |---|---|---|
//! | `learning_rate` | "learning rate of 1e-4", "α = 0.001" (with β nearby), "lr = 0.1" | Base LR, learning rate |
//! | `lr_schedule` | "cosine learning rate schedule", "divided by 10", "linear decay" | LR decay, schedule |
//! | `warmup` | "warmup of 10k steps", "2,000 warmup steps" | warmup |
//! | `optimizer` | "We use SGD", "using the AdamW optimizer" | optimizer |
//! | `beta1`, `beta2` | "β1 = 0.9, β2 = 0.999" | β1, β2 |
//! | `epsilon` | "ε = 10−8" | ε, epsilon |
//! | `momentum` | "a momentum of 0.9", "without momentum" (0) | momentum |
//! | `weight_decay` | "weight decay of 0.0001" | weight decay |
//! | `batch_size` | "mini-batch size of 256", "batches of 128 sequences" | batch size |
//! | `epochs` | "for 90 epochs", "Number of epochs: 2, 3, 4" | epochs |
//! | `steps` | "for 1,000,000 steps", "60 × 10^4 iterations" | steps, iterations |
//! | `dropout` | "dropout probability of 0.1", "P_drop = 0.1", "no dropout" (0) | dropout |
//! | `label_smoothing` | "label smoothing of value 0.1", "ε_ls = 0.1" | label smoothing |
//! | `drop_path` | | stochastic depth, drop path |
//! | `layer_scale` | | layer scale |
//! | `ema` | | EMA, exp. mov. avg. |
//! | `randaugment` | | randaugment |
//! | `mixup` | | mixup |
//! | `cutmix` | | cutmix |
//! | `random_erasing` | | random erasing |
//! | `layers` | "L=12", "4 layers", "number of weighted layers is 34" | layers, depth |
//! | `heads` | "A=12", "8 heads", "h = 8" (with "head" nearby) | heads |
//! | `hidden_dim` | "H=768", "d_model = 512", "hidden size of 768", "1000 cells at each layer" | hidden size, dimension, width |
//! | `ffn_dim` | "d_ff = 2048", "feed-forward size of 3072" | MLP size, d_ff |
//! | `head_dim` | "d_k = d_v = 64" | d_k, d_v |
//! | `kernel_size` | "3×3 convolutions", "kernel size of 5" | kernel size, KSize |
//! | `stride` | "with a stride of 2" | stride |
//! | `image_size` | "224×224 crop", "resolution 224" | resolution, image size |
//! | `patch_size` | "16 × 16 patches", "patch size of 14" | patch size |
//! | `vocab_size` | "a 30,000 token vocabulary", "vocabulary of 160,000" | vocabulary |
//! | `sequence_length` | "sequence length of 128" | sequence length, source/target length |
//! | `grad_clip` | "gradient clipping of 1.0", "gradient clipping at global norm 1" | gradient clipping |
//! | `init` | "We initialize the weights as in [13]", "initial weights from a Gaussian distribution" | init |
//! | `iou_threshold` | "jaccard overlap higher than a threshold (0.5)", "IoU threshold of 0.7" | IoU threshold |
//! | `neg_pos_ratio` | "the ratio between the negatives and positives is at most 3:1" (3) | |
//! | `anchors_per_location` | "6 default boxes per location", "9 anchors at each position" | |
//! | `num_anchors` | "the total number of boxes ... (8732)", "8732 default boxes in total" | |
//! | `expansion_factor` | "we use expansion factor of 6" (an inverted bottleneck's width multiple) | |
//! | `rmsprop_alpha` | "RMSProp optimizer with decay 0.9" (RMSProp's squared-gradient average: PyTorch `alpha`, TensorFlow `decay`, Keras `rho`; neither weight decay nor a learning-rate decay) | |
//! | `survival_prob` | "stochastic depth with survival probability 0.8" (the keep probability: a drop-path rate is 1 − it) | |
//!
//! Depth in a model's name ("50-layer", "ViT-L/16") is not a candidate: it names a model.

use crate::number::{NUM, parse_number};
use crate::re::RuleRegex;
use crate::trigger::Triggers;
use regex::Regex;
use std::sync::{LazyLock, OnceLock};

/// Every canonical name, in the order of the table above.
pub const NAMES: &[&str] = &[
    "learning_rate",
    "lr_schedule",
    "warmup",
    "optimizer",
    "beta1",
    "beta2",
    "epsilon",
    "momentum",
    "weight_decay",
    "batch_size",
    "epochs",
    "steps",
    "dropout",
    "label_smoothing",
    "drop_path",
    "layer_scale",
    "ema",
    "randaugment",
    "mixup",
    "cutmix",
    "random_erasing",
    "layers",
    "heads",
    "hidden_dim",
    "ffn_dim",
    "head_dim",
    "kernel_size",
    "stride",
    "image_size",
    "patch_size",
    "vocab_size",
    "sequence_length",
    "grad_clip",
    "init",
    "iou_threshold",
    "neg_pos_ratio",
    "anchors_per_location",
    "num_anchors",
    "expansion_factor",
    "rmsprop_alpha",
    "survival_prob",
];

/// How a rule's match becomes a value.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Group `v` is the number.
    Number,
    /// Group `v` is the first of a list ("16, 32", "5e-5, 3e-5, 2e-5").
    List,
    /// Groups `v` and `w` must be equal ("3×3"); the printed value spans both.
    Square,
    /// The match says the thing is not used ("no dropout"): the number is 0.
    Zero,
    /// The match says "a single image": the number is 1.
    One,
    /// Group `v` (or the whole match) is a name, not a number.
    Text,
}

struct Rule {
    name: &'static str,
    pattern: &'static str,
    /// The sentence must also match this for the rule to apply.
    requires: Option<&'static str>,
    kind: Kind,
}

const fn rule(name: &'static str, pattern: &'static str, kind: Kind) -> Rule {
    Rule {
        name,
        pattern,
        requires: None,
        kind,
    }
}

const fn rule_if(
    name: &'static str,
    pattern: &'static str,
    requires: &'static str,
    kind: Kind,
) -> Rule {
    Rule {
        name,
        pattern,
        requires: Some(requires),
        kind,
    }
}

/// Words allowed between a trigger and its value ("learning rate *is set to* 0.1").
pub(crate) const FILL: &str = r"(?:\s*(?:\b(?:of|is|was|were|are|be|been|to|at|from|as|by|with|and|the|a|an|we|use|used|set|sets|setting|equal|equals|fixed|initial|initially|initialized|initialised|start|starts|started|starting|peak|base|maximum|max|value|values|chosen|kept|always|constant|typically|then|among|about|approximately|around|roughly|size|rate|ratio|probability|global|norm|over|for|first|during|in|period|phase|linearly)\b|[=:≈~∼]|\([^()]{0,24}\)|[\{\[(]))*\s*";

const OPTIMIZERS: &str = r"(?P<v>SGD|AdamW|Adam|AdaMax|Adagrad|AdaGrad|RMSProp|RMSprop|Adadelta|AdaDelta|LAMB|LARS|Adafactor|[Ss]tochastic gradient descent|[Mm]omentum SGD)";

use Kind::*;

const RULES: &[Rule] = &[
    rule("learning_rate", r"(?i)\blearning[- ]rates?\b{F}{N}", List),
    // η is not an ASCII word character, so it takes no `\b` (see `re`).
    rule("learning_rate", r"(?:\b(?:lr|LR)|η)\s*[=:]\s*{N}", Number),
    rule_if(
        "learning_rate",
        r"α\s*=\s*{N}",
        // Adam's α comes with β1/β2; a bare β beside α is another formula's (AlexNet's local
        // response normalisation: "k = 2, n = 5, α = 10−4, and β = 0.75").
        r"(?i)β\s*_?\s*[12₁₂]|learning rate|step ?size",
        Number,
    ),
    rule("learning_rate", r"(?i)\bstep ?size\b{F}{N}", Number),
    // A warm-up's ramp ends at the learning rate ("linearly increased from 0 to 0.16"); a
    // decay starts from it ("linear-decay learning rate policy (decreased from 0.5 to 0)").
    rule(
        "learning_rate",
        r"(?i)\blearning[- ]rates?\b{F}(?:increas\w*|ramp\w*(?:\s+up)?|warm\w*\s+up|grow\w*|rais\w*)\s+from\s+\d[\d.]*\s+to\s+{N}",
        Number,
    ),
    rule(
        "learning_rate",
        r"(?i)\blearning[- ]rates?\b[^.;]{0,30}?\b(?:decreas\w*|decay\w*|anneal\w*|reduc\w*|lower\w*)\s+(?:linearly\s+)?from\s+{N}\s+to\b",
        Number,
    ),
    rule(
        "lr_schedule",
        r"(?i)\bcosine(?:\s+(?:learning[- ]rate|lr))?\s+(?:schedule|decay|annealing)\w*",
        Text,
    ),
    rule(
        "lr_schedule",
        r"(?i)\blinear(?:ly)?\s+(?:learning[- ]rate\s+)?(?:warm[- ]?up\s+and\s+)?decay\w*",
        Text,
    ),
    rule(
        "lr_schedule",
        r"(?i)\binverse\s+square[- ]root\s+(?:of\s+the\s+step|schedule|decay)",
        Text,
    ),
    rule(
        "lr_schedule",
        r"(?i)\bpolynomial\s+(?:learning[- ]rate\s+)?decay",
        Text,
    ),
    rule_if(
        "lr_schedule",
        r"(?i)\b(?:exponential|step)\s+(?:learning[- ]rate\s+)?decay\b",
        r"(?i)learning[- ]rate|\blr\b",
        Text,
    ),
    rule_if(
        "lr_schedule",
        r"(?i)\b(?:divided|divide it|divide the learning rate|dividing it|divides it)\s+by\s+\d+",
        r"(?i)learning[- ]rate|\blr\b",
        Text,
    ),
    rule(
        "lr_schedule",
        r"(?i)\bhalv(?:e|ed|ing)\s+the\s+learning\s+rate",
        Text,
    ),
    rule(
        "lr_schedule",
        r"(?i)\bconstant\s+(?:learning[- ]rate\s+|lr\s+)?schedule",
        Text,
    ),
    rule(
        "lr_schedule",
        r"(?i)\blinear-decay\s+(?:learning[- ]rate\s+)?(?:policy|schedule)",
        Text,
    ),
    // "Learning rate decay: decay of rate 0.94 every 2 epochs", "drops every 30 epochs".
    rule_if(
        "lr_schedule",
        r"(?i)\b(?:decay\s+(?:of\s+)?rate\s+(?:of\s+)?\d+(?:\.\d+)?|(?:drops?|dropped|decays?|decayed)(?:\s+by\s+\d+(?:\.\d+)?×?)?)\s+(?:every|per)\s+(?:\d[\d,]*(?:\.\d+)?\s+)?(?:epochs?|steps|iterations|samples)",
        r"(?i)learning[- ]rate|\blr\b",
        Text,
    ),
    rule_if(
        "lr_schedule",
        r"(?i)\b(?:multiplied|decayed|reduced|dropped|decays|decreased|lowered)\s+(?:it\s+|the\s+learning\s+rate\s+)?by\s+(?:a\s+factor\s+of\s+)?\d+(?:\.\d+)?(?:\s+(?:every|each|after\s+every)\s+\d[\d,]*(?:\.\d+)?\s+(?:epochs?|steps|iterations))?",
        r"(?i)learning[- ]rate|\blr\b",
        Text,
    ),
    rule("warmup", r"(?i)\bwarm(?:ing)?[- ]?ups?\b{F}{N}", Number),
    rule("warmup", r"(?i){N}\s+warm(?:ing)?[- ]?up\b", Number),
    rule("warmup", r"(?i)\bwarmup_steps\s*=\s*{N}", Number),
    rule(
        "optimizer",
        r"(?i:\b(?:use|uses|used|using|with|adopt|adopts|adopted|via|by)\s+(?:the\s+|an?\s+)?)OPT\b",
        Text,
    ),
    rule(
        "optimizer",
        r"\bOPT\s+(?i:optimi[sz]er|optimi[sz]ation)",
        Text,
    ),
    rule(
        "optimizer",
        r"(?i:\boptimi[sz]er\s*(?:is|:|=)\s*)OPT\b",
        Text,
    ),
    // TensorFlow's class name, glued: "We use the standard RMSPropOptimizer" (MobileNetV2 p.6,
    // printed "RMSPropOp-timizer" across a line break).
    rule(
        "optimizer",
        r"\bOPT(?i:-?o-?p-?t-?i-?m-?i-?[sz]-?e-?r)\b",
        Text,
    ),
    // VGG p.4: "using mini-batch gradient descent (based on back-propagation (LeCun et al.,
    // 1989)) with momentum": plain gradient descent with momentum, a remark in brackets
    // between them. The value is the method and its momentum (group `m`), without the remark.
    rule(
        "optimizer",
        r"(?i)\b(?:use|uses|used|using|with|by|via)\s+(?:the\s+|an?\s+)?(?P<v>(?:mini-?\s?batch\s+|stochastic\s+)?gradient\s+descent)\s*(?:\((?:[^()]|\([^()]*\))*\)\s*)?(?P<m>with\s+(?:(?:Nesterov|Nesterov's|heavy-ball)\s+)?momentum)\b",
        Text,
    ),
    rule(
        "beta1",
        r"(?:β|\bbeta|\\beta)\s*_?\s*\{?(?:1|₁)\}?\s*(?:[=:]|\bof\b|\bis\b)\s*{N}",
        Number,
    ),
    rule(
        "beta2",
        r"(?:β|\bbeta|\\beta)\s*_?\s*\{?(?:2|₂)\}?\s*(?:[=:]|\bof\b|\bis\b)\s*{N}",
        Number,
    ),
    rule(
        "epsilon",
        r"(?:ε|ϵ|\bepsilon|\beps)\s*(?:[=:]|\bof\b|\bis\b)\s*{N}",
        Number,
    ),
    rule("momentum", r"(?i)\bmomentum\b{F}{N}", Number),
    rule("momentum", r"(?i){N}\s+momentum\b", Number),
    rule("momentum", r"(?i)\b(?:no|without)\s+momentum\b", Zero),
    rule("weight_decay", r"(?i)\bweight[- ]decay\b{F}{N}", List),
    rule("weight_decay", r"(?i){N}\s+weight[- ]decay\b", Number),
    // VGG p.4: "weight decay (the L_2 penalty multiplier set to 5·10^−4)": the L2 written
    // with its subscript, and the multiplier named.
    rule(
        "weight_decay",
        r"(?i)\bL_?2\s+(?:regulari[sz]ation|penalty)(?:\s+(?:multiplier|coefficient|weight|strength))?\b{F}{N}",
        Number,
    ),
    rule(
        "batch_size",
        r"(?i)\b(?:mini-?)?batch(?:[- ]size|es)?\b{F}{N}",
        List,
    ),
    rule(
        "batch_size",
        r"(?i){N}\s+(?:images|sequences|examples|samples|tokens)\s+per\s+(?:mini-?)?batch\b",
        Number,
    ),
    rule(
        "batch_size",
        r"(?i)\bbatch\b[^.;]{0,20}?\bsingle\s+(?:image|example|sample|sequence)",
        One,
    ),
    rule(
        "epochs",
        r"(?i){N}\s+(?:training\s+|total\s+|more\s+|full\s+)?epochs?\b",
        Number,
    ),
    rule(
        "epochs",
        r"(?i)\b(?:number\s+of\s+)?(?:training\s+)?epochs\b{F}{N}",
        List,
    ),
    rule(
        "steps",
        r"(?i){N}\s+(?:training\s+|total\s+|gradient\s+|update\s+|optimi[sz]ation\s+|train\s+)?(?:steps|iterations|updates)\b",
        Number,
    ),
    rule(
        "steps",
        r"(?i)\b(?:training|train)\s+(?:steps|iterations)\b{F}{N}",
        Number,
    ),
    // "We train the RPN step for 120k mini-batches": one update per mini-batch.
    rule(
        "steps",
        r"(?i)\btrain\w*\b[^.;]{0,40}?\bfor\s+{N}\s+mini-?batch(?:es)?\b",
        Number,
    ),
    rule("dropout", r"(?i)\bdrop-?out\b{F}{N}", List),
    rule("dropout", r"\bP_?\s*drop\s*=\s*{N}", Number),
    rule("dropout", r"(?i){N}\s+drop-?out\b", Number),
    // AlexNet: "“dropout”, consists of setting to zero the output of each hidden neuron with
    // probability 0.5": a probability of zeroing (a keep probability names no zeroing).
    rule(
        "dropout",
        r"(?i)\bdrop-?out\b[^.;]{0,100}?\b(?:zero|drop(?:s|ped|ping)?|remov\w*|omit\w*)\b[^.;]{0,60}?\bwith\s+(?:a\s+)?probability\s+(?:of\s+)?{N}",
        Number,
    ),
    rule(
        "dropout",
        r"(?i)\bdrop-?out\s+layers?\s+(?:of|with)\s+(?:a\s+)?(?:rate|probability|ratio)\s+(?:of\s+)?{N}",
        Number,
    ),
    // "We remove all the dropout layers" (of the network a detector starts from).
    rule(
        "dropout",
        r"(?i)\b(?:remov(?:e|ed|ing)|discard(?:ed|ing)?)\s+(?:all\s+)?(?:the\s+)?drop-?out\b",
        Zero,
    ),
    rule(
        "dropout",
        r"(?i)\b(?:no|not\s+use|not\s+apply)\s+(?:any\s+)?drop-?out\b",
        Zero,
    ),
    rule(
        "dropout",
        // "without dropout" not before a comma: "Without dropout, our network exhibits
        // substantial overfitting" (AlexNet §5.2) says what dropout is for, not that it is off.
        r"(?i)\bwithout\s+(?:any\s+)?drop-?out\b(?:\s*[^,\s]|\s*$)",
        Zero,
    ),
    rule(
        "label_smoothing",
        r"(?i)\blabel[- ]smoothing\b(?:\s+(?:ε|ϵ)\s*_?\s*ls)?{F}{N}",
        Number,
    ),
    rule(
        "label_smoothing",
        r"(?:ε|ϵ)\s*_?\s*\{?ls\}?\s*=\s*{N}",
        Number,
    ),
    rule_if("layers", r"\bL\s*=\s*{N}", r"\b(?:H|A)\s*=\s*\d", Number),
    rule(
        "layers",
        r"\bN\s*=\s*{N}\s+(?:identical\s+)?layers\b",
        Number,
    ),
    rule(
        "layers",
        // Not the last side of a kernel size: "two 1 × 1 layers" is no layer count.
        r"(?i)(?:^|[^×x*\s\d.])\s*{N}\s+(?:(?:transformer|encoder|decoder|hidden|convolutional|conv|lstm|recurrent|residual|identical|attention|stacked|weighted)\s+)?layers\b",
        Number,
    ),
    rule(
        "layers",
        r"(?i)\bnumber\s+of\s+(?:\w+\s+)?layers\b{F}{N}",
        Number,
    ),
    rule_if("heads", r"\bA\s*=\s*{N}", r"\bL\s*=\s*\d", Number),
    rule_if("heads", r"\bh\s*=\s*{N}", r"(?i)\bheads?\b", Number),
    rule(
        "heads",
        r"(?i){N}\s+(?:(?:self-)?attention\s+|parallel\s+(?:attention\s+)?)?heads\b",
        Number,
    ),
    rule(
        "heads",
        r"(?i)\bnumber\s+of\s+(?:\w+\s+)?heads\b{F}{N}",
        Number,
    ),
    rule_if(
        "hidden_dim",
        r"\bH\s*=\s*{N}",
        r"\b(?:L|A)\s*=\s*\d",
        Number,
    ),
    rule("hidden_dim", r"\bd_?\s*model\s*=\s*{N}", Number),
    rule(
        "hidden_dim",
        r"(?i)\b(?:hidden|model|embedding)[- ](?:size|dimension(?:ality)?|dim|width|state\s+size)\b{F}{N}",
        Number,
    ),
    rule(
        "hidden_dim",
        r"(?i){N}\s+(?:hidden\s+)?(?:units|cells|neurons)\s+(?:at|in|per)\s+(?:each|every)\s+layer",
        Number,
    ),
    rule(
        "hidden_dim",
        r"(?i){N}[- ]dimensional\s+(?:word\s+)?(?:embeddings?|hidden\s+states?|representations?)",
        Number,
    ),
    rule("ffn_dim", r"\bd_?\s*ff\s*=\s*{N}", Number),
    rule(
        "ffn_dim",
        r"(?i)\b(?:feed[- ]forward|ffn|mlp|intermediate|inner[- ]layer)(?:/filter)?\s+(?:size|dimension(?:ality)?|dim|hidden\s+size|width)\b{F}{N}",
        Number,
    ),
    rule_if(
        "ffn_dim",
        r"{N}\s+for\s+the\s+H\s*=\s*\d",
        r"(?i)feed[- ]forward|filter size",
        Number,
    ),
    rule(
        "head_dim",
        r"\bd_?\s*k\s*=\s*d_?\s*v\s*=\s*(?:[^=,;]{0,20}=\s*)?{N}",
        Number,
    ),
    rule(
        "kernel_size",
        r"(?i)\b(?P<v>\d{1,2})\s*[×x]\s*(?P<w>\d{1,2})\s+(?:(?:max|average|avg)[- ])?(?:conv\w*|filters?|kernels?|pool\w*|up-?conv\w*|depthwise|receptive|layers?\b)",
        Square,
    ),
    rule("kernel_size", r"(?i)\bkernel[- ]sizes?\b{F}{N}", Number),
    rule("kernel_size", r"(?i)\bfilters?\s+of\s+size\s+{N}", Number),
    rule("stride", r"(?i)\bstrides?\b{F}{N}", Number),
    // "stride-2 convolutions": the hyphenated adjective (see `glued_but_meant`).
    rule(
        "stride",
        r"(?i)\bstride-{N}\s+(?:conv\w*|layers?|pool\w*|max-?pool\w*|depthwise)",
        Number,
    ),
    // "the input image is 224×224 randomly cropped", "cropping 224 × 224 center view".
    rule(
        "image_size",
        r"(?i)\binput\s+images?\s+(?:is|are|of)\s+(?P<v>\d{2,4})\s*[×x]\s*(?P<w>\d{2,4})\b",
        Square,
    ),
    rule(
        "image_size",
        r"(?i)\b(?P<v>\d{2,4})\s*[×x]\s*(?P<w>\d{2,4})\s+cent(?:er|re)\s+(?:crops?|views?)\b",
        Square,
    ),
    // "224 × 224 × 3 input image" (AlexNet): the channel count may follow the side lengths.
    rule(
        "image_size",
        r"(?i)\b(?P<v>\d{2,4})\s*[×x]\s*(?P<w>\d{2,4})(?:\s*[×x]\s*[134])?\s+(?:(?:random(?:ly)?\s+)?crops?|images?|pixels?|resolution|inputs?|input\s+images?)\b",
        Square,
    ),
    // "extracting random 224 × 224 patches" (AlexNet): random patches of an image are crops
    // (patch_size is a ViT patch, at most 128).
    rule(
        "image_size",
        r"(?i)\brandom\s+(?P<v>\d{3,4})\s*[×x]\s*(?P<w>\d{3,4})\s+(?:patches|crops?|regions?)\b",
        Square,
    ),
    rule(
        "image_size",
        r"(?i)\b(?:resolution|image\s+size|input\s+size|input\s+resolution|crop\s+size)\b{F}{N}",
        List,
    ),
    rule("patch_size", r"(?i)\bpatch[- ]size\b{F}{N}", Number),
    rule(
        "patch_size",
        r"(?i)\b(?P<v>\d{1,3})\s*[×x]\s*(?P<w>\d{1,3})\s+(?:input\s+)?patch(?:es)?\b",
        Square,
    ),
    rule(
        "patch_size",
        r"(?i)\bpatch(?:es)?\s+of\s+size\s+{N}",
        Number,
    ),
    rule(
        "vocab_size",
        r"(?i)\bvocabular(?:y|ies)(?:\s+size)?\b{F}{N}",
        Number,
    ),
    rule(
        "vocab_size",
        r"(?i){N}\s+(?:(?:token|word|wordpiece|word-piece|subword|sub-word|bpe|sentencepiece)\s+)?vocabular(?:y|ies)",
        Number,
    ),
    rule(
        "vocab_size",
        r"(?i)\bvocab(?:ulary)?[- _]size\b{F}{N}",
        Number,
    ),
    rule(
        "sequence_length",
        r"(?i)\b(?:sequence|context|input)\s+length\b{F}{N}",
        Number,
    ),
    rule(
        "sequence_length",
        r"(?i)\bsequences?\s+of\s+(?:length\s+)?{N}",
        Number,
    ),
    rule(
        "grad_clip",
        r"(?i)\b(?:gradient|grad)[- ](?:norm[- ])?clipping\b{F}{N}",
        Number,
    ),
    rule(
        "grad_clip",
        r"(?i)\bclip(?:ped|ping)?\s+(?:the\s+)?gradients?\s+(?:norm\s+)?(?:at|to)\s+{N}",
        Number,
    ),
    // "max grad norm of 0.3" (Hugging Face's max_grad_norm).
    rule(
        "grad_clip",
        r"(?i)\bmax(?:imum)?[ _](?:grad(?:ient)?)[ _]norm\b{F}{N}",
        Number,
    ),
    rule(
        "init",
        r"(?i)\b(?:initiali[sz]\w*|initial\s+weights?)\b[^.;]{0,90}?\b(?P<v>as in \[[\d,\s]+\]|in \[[\d,\s]+\]|of \[[\d,\s]+\]|xavier|glorot|kaiming|he et al\.?|truncated normal|(?:gaussian|normal|uniform) distribution|orthogonal(?:ly)?)",
        Text,
    ),
    // Detectors: which default box (anchor) matches which object, and how many boxes there are.
    rule(
        "iou_threshold",
        r"(?i)\b(?:jaccard|iou|intersection[- ]over[- ]union)(?:\s+overlap)?(?:\s+(?:with|to)\s[^\d.;]{0,30}?)?\s+(?:is\s+|are\s+)?(?:threshold\s+(?:of\s+)?|(?:higher|greater|larger)\s+than\s+(?:a\s+threshold\s+)?|above\s+|over\s+|>\s*|≥\s*|of\s+at\s+least\s+)\(?{N}",
        Number,
    ),
    rule(
        "neg_pos_ratio",
        r"(?i)\bnegatives?\b[^.;]{0,40}?\bpositives?\b[^.;]{0,30}?\b{N}\s*:\s*1\b",
        Number,
    ),
    rule(
        "neg_pos_ratio",
        r"(?i)\b{N}\s*:\s*1\s+(?:ratio\s+)?(?:of\s+|between\s+)?negatives?\b",
        Number,
    ),
    rule(
        "anchors_per_location",
        r"(?i)\b{N}\s+(?:default\s+|anchor\s+|prior\s+)?(?:boxes|anchors|priors)\s+(?:per|at\s+each|for\s+each|on\s+each|at\s+every)\s+(?:feature[- ]map\s+)?(?:location|position|cell|pixel|spatial\s+location)",
        Number,
    ),
    rule(
        "num_anchors",
        r"(?i)\btotal\s+(?:number\s+of\s+)?(?:default\s+|anchor\s+)?(?:boxes|anchors|priors)\b[^.;]{0,40}?\(\s*{N}\s*\)",
        Number,
    ),
    rule(
        "num_anchors",
        r"(?i)\b{N}\s+(?:default\s+|anchor\s+)?(?:boxes|anchors|priors)\s+in\s+total\b",
        Number,
    ),
    rule(
        "expansion_factor",
        r"(?i)\bexpansion\s+(?:factor|ratio|rate)s?\b{F}{N}",
        Number,
    ),
    // RMSProp's decay is the running average of squared gradients, stated beside the optimizer:
    // "RMSPropOptimizer with both decay and momentum set to 0.9" (MobileNetV2 p.6), "RMSProp
    // optimizer with decay 0.9 and momentum 0.9" (EfficientNet p.6). A bare "decay" elsewhere
    // is a weight or learning-rate decay.
    rule(
        "rmsprop_alpha",
        r"(?i)\bRMS-?Prop[\w-]*(?:\s+optimi[sz]er)?\s+with\s+(?:both\s+)?(?:a\s+)?decay\s+and\s+momentum\s+(?:both\s+)?(?:set\s+to|of|=|equal\s+to|are)\s+{N}",
        Number,
    ),
    rule(
        "rmsprop_alpha",
        r"(?i)\bRMS-?Prop[\w-]*(?:\s+optimi[sz]er)?\s+with\s+(?:a\s+)?decay(?:\s+rate)?\s*(?:of\s+|=\s*|set\s+to\s+)?{N}",
        Number,
    ),
    rule(
        "survival_prob",
        r"(?i)\bsurvival\s+probabilit(?:y|ies)\b{F}{N}",
        Number,
    ),
    // "We use the method of [19] to initialize all convolutions": the cited method first.
    rule(
        "init",
        r"(?i)\b(?P<v>(?:method|scheme|strategy|initiali[sz]ation)\s+(?:of|in|from)\s+\[[\d,\s]+\])\s+(?:to|for)\s+initiali[sz]\w*",
        Text,
    ),
];

struct Compiled {
    name: &'static str,
    re: RuleRegex,
    requires: Option<Regex>,
    kind: Kind,
}

/// Each rule's automaton, built the first time a sentence holds the rule's trigger.
static COMPILED: [OnceLock<Compiled>; RULES.len()] = [const { OnceLock::new() }; RULES.len()];

/// The rules each sentence can match (see [`crate::trigger`]): most rules of the vocabulary
/// never occur in a given paper, and their automata are then never built.
///
/// Finding the rules' literals (parsing every rule and running the literal extractor) took
/// ~5 ms of every run for the same answer each time, so the answer is kept in
/// `trigger_table.rs`, which a test regenerates. It is used only when its fingerprint is that of
/// the rules as they are; otherwise the literals are found here, as before.
static TRIGGERS: LazyLock<Triggers> = LazyLock::new(|| {
    let skeletons = skeletons();
    if crate::trigger::fingerprint(&skeletons) == crate::trigger_table::FINGERPRINT
        && crate::trigger_table::SETS.len() == RULES.len()
    {
        Triggers::from_sets(crate::trigger_table::SETS.iter().copied())
    } else {
        Triggers::new(&skeletons)
    }
});

/// Each rule's pattern as its trigger is found from: the filler and the value match too much
/// to require any literal; "anything" is a superset of both, so the literals found elsewhere
/// are still required.
fn skeletons() -> Vec<String> {
    RULES
        .iter()
        .map(|r| {
            crate::re::ascii_classes(
                &r.pattern
                    .replace("{F}", "(?s:.*)")
                    .replace("{N}", "(?s:.+)")
                    .replace("OPT", OPTIMIZERS),
            )
        })
        .collect()
}

/// A rule's pattern with the filler, the value and the optimizer names written out.
fn expanded(pattern: &str) -> String {
    pattern
        .replace("{F}", FILL)
        .replace("{N}", &format!("(?P<v>{NUM})"))
        .replace("OPT", OPTIMIZERS)
}

fn compiled(i: usize) -> &'static Compiled {
    COMPILED[i].get_or_init(|| {
        let r = &RULES[i];
        Compiled {
            name: r.name,
            re: RuleRegex::new(&expanded(r.pattern)),
            requires: r.requires.map(crate::re::compile),
            kind: r.kind,
        }
    })
}

static LIST_NEXT: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(&format!(
        r"^(?:\s+for\s+[^\s,;]+)?\s*(?:,\s*(?:and|or)?|and|or|/)\s*(?P<v>{NUM})"
    ))
});

/// The words after a list item that make it a value of another quantity ("10−3, 0.9 momentum",
/// "0.1, 5e-4 weight decay").
static LIST_OWNER: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"(?i)^\s*(?:momentum|weight[- ]decay|decay|dropout|batch|mini-?batch|epochs?|iterations?|steps?|warm-?up|label smoothing|β|beta|ε|epsilon|drop[- ]?path|layers?|heads?|channels?)\b",
    )
});

/// A schedule milestone or a warm-up length, not the training length ("divide it by 10 at 32k
/// iterations", "warmup over the first 10,000 steps", "after 5 epochs").
static MILESTONE: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"(?i)\b(?:warm[- ]?up|warm|divid\w*|decay\w*|drop\w*|reduc\w*|multipl\w*|halv\w*|decreas\w*|lower\w*|after|first|last|final|until)\b",
    )
});

/// "over 100 layers", "more than 8 heads": a claim about models in general, not a setting.
static COMPARATIVE: LazyLock<Regex> =
    LazyLock::new(|| crate::re::compile(r"(?i)\b(?:over|than|beyond|exceeding)\s+$"));

/// Builds the triggers and the automata every paper needs (see [`crate::warm_up`]); the rules'
/// own automata are built when a sentence first holds their trigger.
pub(crate) fn force() {
    LazyLock::force(&TRIGGERS);
    LazyLock::force(&LIST_NEXT);
    LazyLock::force(&LIST_OWNER);
    LazyLock::force(&MILESTONE);
    LazyLock::force(&PERIOD);
    LazyLock::force(&MILESTONE_LIST);
    LazyLock::force(&CITATION_TAIL);
    LazyLock::force(&COMPARATIVE);
    LazyLock::force(&NORM_BEFORE);
    LazyLock::force(&TIME_OR_HARDWARE_AFTER);
    LazyLock::force(&HEADERS);
}

/// Builds the automaton of every rule whose trigger occurs in a sentence of `text` (see
/// [`crate::prepare`]).
pub(crate) fn prepare(text: &str) {
    for sentence in crate::split_sentences(text) {
        let possible = TRIGGERS.possible(&sentence);
        for i in (0..RULES.len()).filter(|&i| possible[i]) {
            compiled(i);
        }
    }
}

/// One value a sentence states.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Canonical name.
    pub name: &'static str,
    /// The value as printed.
    pub value: String,
    /// Normalised number, `None` for names (optimizers, schedules, initialisations).
    pub number: Option<f64>,
}

/// Every hyper-parameter value stated in one sentence, in rule order, without duplicates.
pub fn hits(sentence: &str) -> Vec<Hit> {
    let mut out: Vec<Hit> = Vec::new();
    let possible = TRIGGERS.possible(sentence);
    for rule in (0..RULES.len()).filter(|&i| possible[i]).map(compiled) {
        if rule
            .requires
            .as_ref()
            .is_some_and(|r| !r.is_match(sentence))
        {
            continue;
        }
        for caps in rule.re.captures_iter(sentence) {
            let whole = caps.whole();
            let mut found: Vec<(String, Option<f64>)> = Vec::new();
            match rule.kind {
                Text => {
                    let v = caps.name("v").unwrap_or(whole);
                    let mut value = v.as_str().trim().to_string();
                    if let Some(m) = caps.name("m") {
                        value = format!("{value} {}", m.as_str().trim());
                    }
                    found.push((value, None));
                }
                Zero => found.push((whole.as_str().to_string(), Some(0.0))),
                One => found.push((whole.as_str().to_string(), Some(1.0))),
                Square => {
                    let (v, w) = (caps.name("v").unwrap(), caps.name("w").unwrap());
                    // "16 × 16 input patch size" is a patch, not an image.
                    let patch = rule.name == "image_size"
                        && sentence[whole.end()..].trim_start().starts_with("patch");
                    if v.as_str() == w.as_str()
                        && clean_edges(sentence, v.start(), w.end())
                        && !patch
                    {
                        found.push((
                            sentence[v.start()..w.end()].to_string(),
                            parse_number(v.as_str()),
                        ));
                    }
                }
                Number | List => {
                    let v = caps.name("v").unwrap();
                    let prefix = &sentence[..v.start()];
                    if in_citation(sentence, v.start(), v.end())
                        || !(clean_edges(sentence, v.start(), v.end())
                            || glued_but_meant(rule.name, prefix, sentence, v.end()))
                        || (matches!(rule.name, "steps" | "epochs") && is_milestone(prefix))
                        || (v.as_str().starts_with(char::is_alphabetic)
                            && !matches!(rule.name, "epochs" | "batch_size" | "patch_size"))
                        || COMPARATIVE.is_match(prefix)
                        || (rule.name == "momentum"
                            && NORM_BEFORE.is_match(&sentence[..whole.start()]))
                        || TIME_OR_HARDWARE_AFTER.is_match(&sentence[v.end()..])
                    {
                        continue;
                    }
                    found.push((v.as_str().to_string(), parse_number(v.as_str())));
                    let mut end = v.end();
                    while let Some(next) = LIST_NEXT
                        .captures(&sentence[end..])
                        .filter(|_| rule.kind == List)
                    {
                        let n = next.name("v").unwrap();
                        let (s, e) = (end + n.start(), end + n.end());
                        // "learning rate 10−3, 0.9 momentum": the next number names its own
                        // quantity, so it is no further value of this list.
                        if !clean_edges(sentence, s, e)
                            || in_citation(sentence, s, e)
                            || LIST_OWNER.is_match(&sentence[e..])
                        {
                            break;
                        }
                        found.push((n.as_str().to_string(), parse_number(n.as_str())));
                        end = e;
                    }
                }
            }
            for (value, number) in found {
                if number.is_some_and(|x| !plausible(rule.name, x))
                    || (number.is_none() && rule.kind != Text)
                {
                    continue;
                }
                let hit = Hit {
                    name: rule.name,
                    value,
                    number,
                };
                if !out.contains(&hit) {
                    out.push(hit);
                }
            }
        }
    }
    out
}

/// A number that counts days, hours or GPUs ("takes 1.7s per mini-batch and 10 days total on 8
/// GPUs", ResNeXt p.7, read as a batch size of 10) is no value of any hyper-parameter here.
static TIME_OR_HARDWARE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"(?i)^\s*(?:days?|hours?|hrs?|minutes?|mins?|seconds?|secs?|ms|GPUs?|TPUs?|GPU-days|machines|nodes)\b",
    )
});

/// "batch norm momentum 0.99" (EfficientNet p.6) is the normalisation's running-average
/// factor, not the optimizer's momentum (and PyTorch's BatchNorm momentum is 1 minus it): it is
/// no `momentum` value.
static NORM_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(r"(?i)\b(?:batch[- ]?norm(?:ali[sz]ation)?|bn|norm(?:ali[sz]ation)?)\s*$")
});

/// The number is a whole token: not glued to letters ("4H", "6n"), not a percentage, not the
/// tail of a model name ("ResNet-50", "ViT-L/16").
fn clean_edges(s: &str, start: usize, end: usize) -> bool {
    let before = s[..start].chars().next_back();
    let after = s[end..].chars().next();
    !before.is_some_and(|c| {
        c.is_alphanumeric() || matches!(c, '-' | '/' | '_' | '.' | '×' | '+' | '^' | '·' | '*')
    }) && !after.is_some_and(|c| c.is_alphanumeric() || c == '%' || c == '-')
}

/// "stride-2 convolutions": a stride written as a hyphenated adjective, the number glued to
/// the word before it.
fn glued_but_meant(name: &str, prefix: &str, s: &str, end: usize) -> bool {
    name == "stride"
        && prefix.to_lowercase().ends_with("stride-")
        && !s[end..].chars().next().is_some_and(char::is_alphanumeric)
}

fn is_milestone(prefix: &str) -> bool {
    // A list of milestones ("at 30, 60, and 90 epochs") is read from before its first item.
    let prefix = MILESTONE_LIST.replace(prefix, "");
    let prefix = prefix.as_ref();
    // Only the clause the number sits in: "..., and terminate training at 64k iterations".
    let clause = prefix.rsplit([',', ';']).next().unwrap_or(prefix);
    let tail: String = clause
        .chars()
        .rev()
        .take(90)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    // "every 30 epochs" is a period, but "Each model is trained for 300 epochs" is a length:
    // "every"/"each" mark a milestone only right before the number.
    MILESTONE.is_match(&tail) || PERIOD.is_match(&tail)
}

/// The earlier items of a list of numbers just before the value ("30, 60, and " of "30, 60,
/// and 90 epochs").
static MILESTONE_LIST: LazyLock<Regex> =
    LazyLock::new(|| crate::re::compile(r"(?:\d[\d.]*[kKM]?\s*(?:,\s*(?:and|or)?|and|or)\s*)+$"));

/// A citation: the value is a reference number in brackets ("epochs [16]").
fn in_citation(s: &str, start: usize, end: usize) -> bool {
    s[..start].trim_end().ends_with('[') && CITATION_TAIL.is_match(&s[end..])
}

static CITATION_TAIL: LazyLock<Regex> =
    LazyLock::new(|| crate::re::compile(r"^\s*(?:[,–-]\s*\d+\s*)*\]"));

/// "every 30 epochs", "each 2 epochs": the number is a period.
static PERIOD: LazyLock<Regex> = LazyLock::new(|| crate::re::compile(r"(?i)\b(?:every|each)\s+$"));

/// Whether `x` is a believable value for `name`; the rest are other numbers near a trigger.
pub fn plausible(name: &str, x: f64) -> bool {
    let int = x.fract() == 0.0;
    match name {
        "learning_rate" => x > 0.0 && x <= 1.0,
        "beta1" | "beta2" => x > 0.0 && x < 1.0,
        "momentum" => (0.0..1.0).contains(&x),
        "epsilon" => x > 0.0 && x <= 0.01,
        "weight_decay" | "dropout" | "label_smoothing" | "drop_path" | "random_erasing" => {
            (0.0..1.0).contains(&x)
        }
        "layer_scale" | "ema" => x > 0.0 && x < 1.0,
        "mixup" | "cutmix" => x > 0.0 && x <= 10.0,
        "batch_size" => int && x >= 1.0,
        "epochs" => x > 0.0 && x <= 10_000.0,
        "steps" => int && x >= 10.0,
        "warmup" | "grad_clip" => x > 0.0,
        "layers" | "heads" => int && (1.0..=1000.0).contains(&x),
        "hidden_dim" | "ffn_dim" => int && (8.0..=1_000_000.0).contains(&x),
        "head_dim" => int && (1.0..=4096.0).contains(&x),
        "kernel_size" => int && (1.0..=15.0).contains(&x),
        "stride" => int && (1.0..=8.0).contains(&x),
        "image_size" => int && (16.0..=4096.0).contains(&x),
        "patch_size" => int && (1.0..=128.0).contains(&x),
        "vocab_size" => int && x >= 100.0,
        "sequence_length" => int && x >= 8.0,
        "iou_threshold" => x > 0.0 && x < 1.0,
        "neg_pos_ratio" => x > 0.0 && x <= 100.0,
        "anchors_per_location" => int && (1.0..=100.0).contains(&x),
        "num_anchors" => int && x >= 10.0,
        "expansion_factor" => (1.0..=64.0).contains(&x),
        "rmsprop_alpha" => x > 0.0 && x < 1.0,
        "survival_prob" => x > 0.0 && x <= 1.0,
        _ => true,
    }
}

/// Names read from table headers only: no sentence rule states them yet.
pub const TABLE_ONLY: &[&str] = &[
    "drop_path",
    "layer_scale",
    "ema",
    "randaugment",
    "mixup",
    "cutmix",
    "random_erasing",
];

static CITATION: LazyLock<Regex> =
    LazyLock::new(|| crate::re::compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]"));

static HEADERS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        // "Box/class #layers": "#" says "number of", after the part it counts.
        ("layers", r"^(?:n\s*|#\s*|num(?:ber of)?\s+)?layers(?:\s+[lnd])?$|^depth$|^n_?layers$|^l$|^[\w/+-]+\s+#\s*layers$"),
        ("hidden_dim", r"^(?:hidden\s+size|hidden\s+dim\w*|d_?\s*model|dimension|dim|width|embedding\s+dim\w*|hidden)(?:\s+[dh])?$"),
        ("ffn_dim", r"^(?:mlp\s+size|mlp\s+dim\w*|d_?\s*ff|ffn\s+(?:size|dim\w*)|feed[- ]forward\s+dim\w*|intermediate\s+size)$"),
        ("heads", r"^(?:n\s*|#\s*|num(?:ber of)?\s+|attention\s+)?heads(?:\s+[ah])?$|^h$"),
        ("head_dim", r"^d_?\s*k$|^d_?\s*v$|^head\s+dim\w*$"),
        ("learning_rate", r"^(?:base\s+|peak\s+|max\s+|initial\s+)?(?:lr|learning\s+rate)$"),
        ("lr_schedule", r"^(?:lr|learning\s+rate)\s+(?:decay|schedule)$|^schedule$"),
        ("batch_size", r"^batch(?:\s+size)?$"),
        ("epochs", r"^(?:#\s*|train(?:ing)?\s+)?epochs$"),
        ("steps", r"^(?:train(?:ing)?\s+)?steps$|^iterations$"),
        ("grad_clip", r"^grad(?:ient)?\s+clip(?:ping)?$"),
        ("warmup", r"^warm-?up(?:\s+(?:steps|epochs|iters|iterations))?$"),
        ("weight_decay", r"^weight\s+decay$|^wd$"),
        ("dropout", r"^dropout(?:\s+rate)?$|^p_?\s*drop$"),
        ("label_smoothing", r"^label\s+smoothing$|^(?:ε|ϵ)\s*_?ls$"),
        // Regularisation and augmentation rows of a training-recipe table (ConvNeXt's Table 5).
        ("drop_path", r"^(?:stochastic\s+depth|drop[-\s]?path)(?:\s+rate)?$"),
        ("layer_scale", r"^layer\s+scale(?:\s+init(?:ial)?(?:\s+value)?)?$"),
        ("ema", r"^(?:exp\.?\s+mov(?:ing)?\.?\s+avg\.?|exponential\s+moving\s+average)(?:\s+\(ema\))?$|^ema(?:\s+decay)?$"),
        ("randaugment", r"^rand\s?augment$"),
        ("mixup", r"^mixup(?:\s+alpha)?$"),
        ("cutmix", r"^cutmix(?:\s+alpha)?$"),
        ("random_erasing", r"^random\s+erasing(?:\s+prob\w*)?$"),
        ("optimizer", r"^optimi[sz]er$"),
        ("patch_size", r"^patch(?:\s+size)?$"),
        ("image_size", r"^(?:resolution|image\s+size|input\s+size|res)$"),
        ("vocab_size", r"^vocab(?:ulary)?(?:\s+size)?$"),
        ("kernel_size", r"^(?:kernel(?:\s+size)?|k\.?\s*size|filter\s+size)$"),
        ("stride", r"^strides?$"),
        ("sequence_length", r"^(?:max(?:imum)?\s+)?(?:source|target|input|output|sequence|context|seq\.?)\s+len(?:gth|\.)?$|^seq_?len$"),
    ]
    .into_iter()
    .map(|(n, p)| (n, crate::re::compile(&format!("(?i){p}"))))
    .collect()
});

/// The canonical name a table header stands for ("Hidden size D" -> `hidden_dim`).
pub fn header_name(header: &str) -> Option<&'static str> {
    // A citation after the name ("label smoothing [69]", "layer-wise lr decay [6,12]").
    let header = CITATION.replace_all(header, " ");
    let words: Vec<&str> = header.split_whitespace().collect();
    let named = |h: &str| {
        HEADERS
            .iter()
            .find(|(_, re)| re.is_match(h.trim()))
            .map(|(n, _)| *n)
    };
    named(&words.join(" ")).or_else(|| {
        // "Input size Rinput", "Box/class #layers Dclass": the header's own symbol, a capital
        // with its subscript glued on (R_input), follows the words that name the quantity; the
        // subscript repeats one of those words, which tells it from a word ("Params").
        let (last, rest) = words.split_last()?;
        let mut chars = last.chars();
        let capital = chars.next().is_some_and(char::is_uppercase);
        // The subscript is written "_input" where the layout saw it set lower.
        let sub: String = chars.skip_while(|&c| c == '_').collect();
        let symbol = capital
            && sub.chars().count() >= 2
            && sub.chars().all(char::is_lowercase)
            && rest
                .iter()
                .flat_map(|w| w.split(|c: char| !c.is_alphanumeric()))
                .any(|w| w.eq_ignore_ascii_case(&sub));
        (symbol && !rest.is_empty())
            .then(|| named(&rest.join(" ")))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_parses_with_the_shared_pieces_as_it_does_whole() {
        // `hir_of` puts the filler and the number in parsed once; the tree must be the one a
        // parse of the whole text gives, or a rule would match something else.
        let whole = |p: &str| regex_syntax::ParserBuilder::new().build().parse(p).unwrap();
        let mut with_pieces = 0;
        for rule in RULES {
            let pattern = crate::re::ascii_classes(&expanded(rule.pattern));
            with_pieces += usize::from(pattern.contains(&crate::re::ascii_classes(NUM)));
            assert_eq!(
                crate::re::hir_of(&pattern),
                whole(&pattern),
                "{}",
                rule.pattern
            );
        }
        assert!(
            with_pieces > RULES.len() / 2,
            "{with_pieces} rules hold a number"
        );
    }

    fn one(sentence: &str, name: &str) -> Vec<(String, Option<f64>)> {
        hits(sentence)
            .into_iter()
            .filter(|h| h.name == name)
            .map(|h| (h.value, h.number))
            .collect()
    }

    fn num(sentence: &str, name: &str) -> Vec<f64> {
        one(sentence, name)
            .into_iter()
            .filter_map(|(_, n)| n)
            .collect()
    }

    /// A trigger may let through sentences the rule then rejects, never the reverse: every
    /// sentence a rule's own automaton matches must be let through for that rule.
    /// ConvNeXt: "except for one between two 1 × 1 layers" gave `layers = 1`, pre-filled into
    /// config.py; the side of a kernel is not a layer count, a count is.
    #[test]
    fn a_kernel_side_before_layers_is_no_layer_count() {
        for s in [
            "We eliminate all GELU layers from the residual block except for one between two 1 × 1 layers.",
            "Leaving only one BN layer before the conv 1 × 1 layers.",
            "The block stacks two 3x3 layers.",
        ] {
            assert!(num(s, "layers").is_empty(), "{s}");
        }
        assert_eq!(num("The encoder has 12 layers.", "layers"), [12.0]);
        assert_eq!(num("12 transformer layers are used.", "layers"), [12.0]);
        assert_eq!(
            num("It has (6 identical layers) in total.", "layers"),
            [6.0]
        );
    }

    /// AlexNet: the network's input is "224 × 224 × 3" and its crops "random 224 × 224
    /// patches", while the dataset is stored at 256 × 256; only the 256 was mined, and `init`
    /// pre-filled it as the input size. With both mined, `init` lists them as candidates.
    #[test]
    fn an_input_size_with_its_channels_and_random_patches_are_image_sizes() {
        assert_eq!(
            num(
                "The first convolutional layer filters the 224 × 224 × 3 input image with 96 kernels.",
                "image_size"
            ),
            [224.0]
        );
        assert_eq!(
            num(
                "We extract random 224 × 224 patches and train on them.",
                "image_size"
            ),
            [224.0]
        );
        // A ViT patch stays a patch, and a kernel with its depth is no image.
        assert!(num("We use 16 × 16 patches.", "image_size").is_empty());
        assert!(num("96 kernels of size 11 × 11 × 3 each.", "image_size").is_empty());
    }

    #[test]
    fn dropout_as_a_probability_of_zeroing_is_its_rate() {
        let s = "The recently-introduced technique, called “dropout”,^12 consists of setting to zero the output of each hidden neuron with probability 0.5.";
        assert_eq!(num(s, "dropout"), [0.5]);
        // A probability of keeping is not the rate of dropping.
        let keep = "Dropout keeps each unit with probability 0.8.";
        assert!(
            num(keep, "dropout").is_empty(),
            "{:?}",
            num(keep, "dropout")
        );
    }

    #[test]
    fn ramps_cited_initialisations_and_dropout_layers() {
        assert_eq!(
            num(
                "The learning rate is linearly increased from 0 to 0.2 during the first epoch.",
                "learning_rate"
            ),
            [0.2]
        );
        assert_eq!(
            num(
                "We use a linear learning rate schedule (decreased from 0.4 to 0) for all runs.",
                "learning_rate"
            ),
            [0.4]
        );
        // The end of a decay is not the learning rate.
        assert!(
            !num(
                "The learning rate is decayed from 0.1 to 0.001 by a cosine schedule.",
                "learning_rate"
            )
            .contains(&0.001)
        );
        for s in [
            "We follow the weight initialization of [7].",
            "We use the scheme of [7] to initialize every layer.",
            "We initialize the weights of all of the newly added prediction layers with the xavier method [7].",
        ] {
            assert_eq!(one(s, "init").len(), 1, "{s}");
        }
        assert_eq!(
            num(
                "Both models have a dropout layer of rate 0.3 before the classifier.",
                "dropout"
            ),
            [0.3]
        );
        assert_eq!(
            num(
                "We remove all the dropout layers of the backbone.",
                "dropout"
            ),
            [0.0]
        );
        // Dropout named but not removed.
        assert!(
            num(
                "Removing the classifier leaves dropout in place.",
                "dropout"
            )
            .is_empty()
        );
    }

    #[test]
    fn hyphenated_strides_square_layers_and_minibatch_schedules() {
        assert_eq!(
            num(
                "Each stage starts with stride-2 convolutions in its first block.",
                "stride"
            ),
            [2.0]
        );
        assert!(num("A stride-2x downsampling follows.", "stride").is_empty());
        assert_eq!(
            num(
                "The 5×5 layer of each block is replaced by two 3×3 layers.",
                "kernel_size"
            ),
            [5.0, 3.0]
        );
        assert_eq!(
            num(
                "We train the detector for 90k mini-batches at a learning rate of 0.01.",
                "steps"
            ),
            [90000.0]
        );
    }

    #[test]
    fn detector_matching_and_box_counts() {
        assert_eq!(
            num(
                "A prior is positive when its jaccard overlap with an object is higher than a threshold (0.6).",
                "iou_threshold"
            ),
            [0.6]
        );
        assert_eq!(
            num(
                "We use an IoU threshold of 0.7 for proposals.",
                "iou_threshold"
            ),
            [0.7]
        );
        // A score that is an overlap is no threshold.
        assert!(num("The mean IoU is 0.62 on the test set.", "iou_threshold").is_empty());
        assert_eq!(
            num(
                "We keep the hardest ones so that the ratio between negatives and positives is at most 4:1.",
                "neg_pos_ratio"
            ),
            [4.0]
        );
        assert_eq!(
            num(
                "We sample a 2:1 ratio of negatives to positives.",
                "neg_pos_ratio"
            ),
            [2.0]
        );
        assert_eq!(
            num(
                "Each head predicts 5 default boxes at each feature map location.",
                "anchors_per_location"
            ),
            [5.0]
        );
        assert_eq!(
            num("We use 9 anchors per position.", "anchors_per_location"),
            [9.0]
        );
        assert_eq!(
            num(
                "We keep the total number of boxes close to the original (1200).",
                "num_anchors"
            ),
            [1200.0]
        );
        assert_eq!(
            num(
                "The model predicts 2000 default boxes in total.",
                "num_anchors"
            ),
            [2000.0]
        );
    }

    #[test]
    fn milestone_lists_final_windows_and_citations_are_no_lengths() {
        assert_eq!(
            num(
                "We train 120 epochs, and lower the learning rate by 10× at 40, 80, and 110 epochs.",
                "epochs"
            ),
            [120.0]
        );
        assert!(
            num(
                "We report the mean accuracy of the final 3 epochs [8].",
                "epochs"
            )
            .is_empty()
        );
        assert!(
            num(
                "We follow the schedule in [12] of epochs [21, 22].",
                "epochs"
            )
            .is_empty()
        );
        assert_eq!(num("Training lasts 50 epochs [9].", "epochs"), [50.0]);
    }

    #[test]
    fn each_and_every_make_a_period_only_right_before_the_number() {
        assert_eq!(
            num("Each network is trained for 120 epochs.", "epochs"),
            [120.0]
        );
        assert_eq!(
            num(
                "Every model is trained 40 epochs with batch size 64.",
                "epochs"
            ),
            [40.0]
        );
        assert!(num("The learning rate is halved every 20 epochs.", "epochs").is_empty());
        assert!(num("We save a checkpoint each 5 epochs.", "epochs").is_empty());
    }

    #[test]
    fn triggers_never_hide_a_match() {
        let sentences = [
            "The LEARNING RATE starts from 0.1; Lr = 0.01, η = 3e-4 and α = 0.001 with β.",
            "Step size 0.5, a COSINE learning rate schedule, linearly decayed, divided by 10.",
            "We use 2,000 Warm-up steps, warmup_steps = 4000, and Adam with β₁ = 0.9, Β2 = 0.98.",
            "Using the AdamW optimizer (optimiser: SGD), ε = 10−9, eps of 1e-8, ϵ_ls = 0.1.",
            "a Momentum of 0.9, 0.9 momentum, no momentum, Weight-Decay of 5e-4, 1e-4 weight decay.",
            "L2 penalty 0.01; mini-batch size of 256; 128 sequences per batch; one single image.",
            "90 epochs, Number of Epochs: 3, 1M training steps, train iterations = 5k, 10 Epochs.",
            "Dropout 0.1, P_drop = 0.1, 0.3 dropout, without dropout, label-smoothing ε_ls of 0.1.",
            "L = 12, H = 768, A = 12, N = 6 identical layers, 34 layers, number of weighted layers 34.",
            "h = 8 heads, 16 attention heads, number of heads is 8, d_model = 512, hidden size 768.",
            "1000 cells at each layer, 512-dimensional embeddings, d_ff = 2048, FFN size 3072.",
            "d_k = d_v = 64, 3×3 conv, kernel size 5, filters of size 7, STRIDE of 2, 224×224 crops.",
            "Resolution 384, patch size 16, 16 × 16 patches, patches of size 14, vocabulary of 30k.",
            "a 30,000 WordPiece vocabulary, vocab_size = 50257, sequence length of 512, sequences of 128.",
            "Gradient clipping at 1.0, clipped the gradients at 5, initialized as in [13], Kaiming init.",
            // (?i) folds s to the long s (and k to the Kelvin sign; the ASCII `\b` keeps
            // either from starting a word): the full rules match these, so their triggers
            // must too (checked just below).
            "a kernel ſize of 5 and warmup_ſteps = 4000",
        ];
        let odd = sentences[sentences.len() - 1];
        let matching: Vec<&str> = (0..RULES.len())
            .filter(|&i| compiled(i).re.is_match(odd))
            .map(|i| RULES[i].name)
            .collect();
        assert!(
            matching.contains(&"kernel_size") && matching.contains(&"warmup"),
            "{matching:?}"
        );
        for s in sentences {
            let possible = TRIGGERS.possible(s);
            for (i, rule) in RULES.iter().enumerate() {
                if compiled(i).re.is_match(s) {
                    assert!(
                        possible[i],
                        "rule {} ({:?}) matches {s:?}",
                        rule.name, rule.pattern
                    );
                }
            }
        }
        // And the triggers do keep rules out: a sentence about nothing compiles nothing.
        assert!(
            TRIGGERS
                .possible("The cat sat on the mat.")
                .iter()
                .filter(|&&p| p)
                .count()
                < RULES.len() / 4
        );
    }

    /// The literal table kept in `trigger_table.rs` is the one the rules give now. When a rule
    /// changes, regenerate it: `PAPER_MINING_WRITE_TRIGGERS=1 cargo test -p paper-mining
    /// trigger_table`, then `cargo fmt`.
    #[test]
    fn the_trigger_table_is_that_of_the_rules() {
        let skeletons = skeletons();
        let sets = crate::trigger::literal_sets(&skeletons);
        let fingerprint = crate::trigger::fingerprint(&skeletons);
        let kept: Vec<Option<Vec<Vec<u8>>>> = crate::trigger_table::SETS
            .iter()
            .map(|s| s.map(|s| s.iter().map(|l| l.to_vec()).collect()))
            .collect();
        if kept == sets && fingerprint == crate::trigger_table::FINGERPRINT {
            return;
        }
        if std::env::var_os("PAPER_MINING_WRITE_TRIGGERS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/trigger_table.rs");
            std::fs::write(path, crate::trigger::table_source(&sets, fingerprint)).unwrap();
            panic!("wrote {path}: run `cargo fmt`, then the tests again");
        }
        panic!(
            "src/trigger_table.rs is stale: PAPER_MINING_WRITE_TRIGGERS=1 cargo test -p paper-mining trigger_table"
        );
    }

    #[test]
    fn a_list_stops_at_a_number_that_names_another_quantity() {
        // SSD (Liu et al. 2016), p. 7: "initial learning rate 10−3, 0.9 momentum, 0.0005 weight
        // decay": 0.9 is the momentum, not a second learning rate (the dogfood run saw
        // learning_rate 0.9 as a candidate).
        let s = "We fine-tune the resulting model using SGD with initial learning rate 10−3, 0.9 momentum, 0.0005 weight decay, and batch size 32.";
        assert_eq!(num(s, "learning_rate"), [1e-3]);
        assert_eq!(num(s, "momentum"), [0.9]);
        // A real list still reads as one ("learning rates of 5e-5, 3e-5, 2e-5").
        assert_eq!(
            num(
                "We tried learning rates of 5e-5, 3e-5 and 2e-5 for fine-tuning.",
                "learning_rate"
            ),
            [5e-5, 3e-5, 2e-5]
        );
    }

    /// VGG p.4, as paper.md reads it (the subscript of L_2 and the superscript of the
    /// exponent marked): the weight decay and the optimizer of the training recipe.
    #[test]
    fn batch_norm_momentum_is_not_the_optimizers() {
        // EfficientNet (Tan and Le 2019), p.6: the optimizer's momentum is 0.9; the batch
        // norm's 0.99 is another quantity.
        let s = "We train our EfficientNet models on ImageNet using similar settings as (Tan et al., 2019): RMSProp optimizer with decay 0.9 and momentum 0.9; batch norm momentum 0.99; weight decay 1e-5; initial learning rate 0.256 that decays by 0.97 every 2.4 epochs.";
        assert_eq!(num(s, "momentum"), [0.9]);
        assert_eq!(num("BN momentum of 0.997.", "momentum"), Vec::<f64>::new());
        assert_eq!(num("SGD with a momentum of 0.9.", "momentum"), [0.9]);
    }

    #[test]
    fn vgg_weight_decay_and_gradient_descent_with_momentum() {
        let s = "The training was regularised by weight decay (the L_2 penalty multiplier set to \
                 5·10^−4) and dropout regularisation for the first two fully-connected layers";
        assert_eq!(num(s, "weight_decay"), [5e-4]);
        let s = "the training is carried out by optimising the multinomial logistic regression \
                 objective using mini-batch gradient descent (based on back-propagation (LeCun \
                 et al., 1989)) with momentum.";
        assert_eq!(
            one(s, "optimizer"),
            [(
                "mini-batch gradient descent with momentum".to_string(),
                None
            )]
        );
        // Gradient descent with no momentum named is left to the other rules.
        assert!(one("trained using mini-batch gradient descent.", "optimizer").is_empty());
        assert!(one("the gradient descent with momentum literature", "optimizer").is_empty());
    }

    #[test]
    fn phrasings_from_unseen_papers() {
        assert_eq!(
            num(
                "On the ImageNet dataset, the input image is 224×224 randomly cropped",
                "image_size"
            ),
            [224.0]
        );
        assert_eq!(
            num(
                "cropping 224 × 224 center view from 256× input image",
                "image_size"
            ),
            [224.0]
        );
        assert_eq!(
            num("max grad norm of 0.3 and LoRA dropout", "grad_clip"),
            [0.3]
        );
        for (s, want) in [
            (
                "we use a constant learning rate schedule",
                "constant learning rate schedule",
            ),
            (
                "use linear-decay learning rate policy (decreased from 0.5 to 0)",
                "linear-decay learning rate policy",
            ),
            (
                "– Learning rate decay: decay of rate 0.94 every 2 epochs",
                "decay of rate 0.94 every 2 epochs",
            ),
            (
                "The learning rate starts from 0.1 and drops every 30 epochs.",
                "drops every 30 epochs",
            ),
            // The period is part of a step schedule: without it "reduced by a factor of 10"
            // reads the same as a plateau schedule.
            (
                "The base learning rate is 0.2 and is decreased by a factor of 10 every 40 epochs.",
                "decreased by a factor of 10 every 40 epochs",
            ),
            (
                "We set the learning rate to 0.05, lowered by 5 each 8 epochs.",
                "lowered by 5 each 8 epochs",
            ),
            // A fractional period is still the period.
            (
                "initial learning rate 0.1 that decays by 0.95 every 1.5 epochs.",
                "decays by 0.95 every 1.5 epochs",
            ),
        ] {
            assert_eq!(one(s, "lr_schedule"), [(want.to_string(), None)], "{s}");
        }
        // Without a learning rate, a decay rate is something else (an EMA, batch norm).
        assert!(
            one(
                "exponential moving average with decay 0.9998 every step",
                "lr_schedule"
            )
            .is_empty()
        );
    }

    /// AlexNet §4.3 (p. 3): the normalisation's constants are no learning rate. Found by a
    /// replication that followed SKILL.md: init wrote learning_rate = 0.0001 into config.py.
    #[test]
    fn an_alpha_beside_a_bare_beta_is_no_learning_rate() {
        let lrn = "The constants k, n, α, and β are hyper-parameters whose values are determined \
                   using a validation set; we used k = 2, n = 5, α = 10−4, and β = 0.75.";
        let names = |s: &str| hits(s).iter().map(|h| h.name).collect::<Vec<_>>();
        assert!(!names(lrn).contains(&"learning_rate"), "{:?}", names(lrn));
        let adam = "We use Adam with α = 0.001, β1 = 0.9 and β2 = 0.999.";
        assert!(names(adam).contains(&"learning_rate"), "{:?}", names(adam));
        // §5.2 motivates dropout with a counterfactual; a setting still reads as 0.
        let why = "Without dropout, our network exhibits substantial overfitting.";
        assert!(!names(why).contains(&"dropout"), "{:?}", names(why));
        // The rate itself is in §6: "The learning rate was initialized at 0.01 and reduced three
        // times prior to termination."
        let lr = hits("The learning rate was initialized at 0.01 and reduced three times.");
        assert!(
            lr.iter()
                .any(|h| h.name == "learning_rate" && h.number == Some(0.01)),
            "{:?}",
            lr.iter().map(|h| (h.name, h.number)).collect::<Vec<_>>()
        );
        for off in [
            "We train without dropout.",
            "We use no dropout and no weight decay",
        ] {
            assert!(names(off).contains(&"dropout"), "{off}: {:?}", names(off));
        }
    }

    #[test]
    fn every_name_has_a_sentence_that_states_it() {
        let cases: &[(&str, &str, &[f64])] = &[
            (
                "expansion_factor",
                "we use expansion factor of 6 applied to the size of the input tensor",
                &[6.0],
            ),
            (
                "rmsprop_alpha",
                "RMSProp optimizer with decay 0.9 and momentum 0.9",
                &[0.9],
            ),
            (
                "survival_prob",
                "stochastic depth with survival probability 0.8",
                &[0.8],
            ),
            (
                "iou_threshold",
                "Boxes with IoU above 0.5 are positives.",
                &[0.5],
            ),
            (
                "neg_pos_ratio",
                "Negatives and positives are sampled at a 3:1 ratio.",
                &[3.0],
            ),
            (
                "anchors_per_location",
                "There are 3 anchors per location.",
                &[3.0],
            ),
            ("num_anchors", "That gives 500 anchors in total.", &[500.0]),
            (
                "learning_rate",
                "The learning rate starts from 0.1 and decays.",
                &[0.1],
            ),
            (
                "learning_rate",
                "Defaults are α = 0.001, β1 = 0.9.",
                &[0.001],
            ),
            (
                "learning_rate",
                "Learning rate (Adam): 5e-5, 3e-5, 2e-5",
                &[5e-5, 3e-5, 2e-5],
            ),
            ("warmup", "We use 2, 000 warmup steps.", &[2000.0]),
            ("warmup", "We use 2, 000 warmup", &[2000.0]),
            (
                "warmup",
                "learning rate warmup over the first 10,000 steps",
                &[10_000.0],
            ),
            ("beta1", "We set β1 = 0.9 and β2 = 0.98.", &[0.9]),
            ("beta2", "We set β1 = 0.9 and β2 = 0.98.", &[0.98]),
            ("epsilon", "with ε = 10−9 in the denominator", &[1e-9]),
            (
                "momentum",
                "We use a weight decay of 0.0001 and a momentum of 0.9.",
                &[0.9],
            ),
            (
                "momentum",
                "we use a high momentum (0.99) such that",
                &[0.99],
            ),
            (
                "momentum",
                "SGD without momentum, with a fixed learning rate.",
                &[0.0],
            ),
            (
                "weight_decay",
                "We use a weight decay of 0.0001 and a momentum of 0.9.",
                &[0.0001],
            ),
            (
                "batch_size",
                "We use SGD with a mini-batch size of 256.",
                &[256.0],
            ),
            ("batch_size", "We used batches of 128 sequences.", &[128.0]),
            (
                "batch_size",
                "we reduce the batch to a single image",
                &[1.0],
            ),
            (
                "epochs",
                "We trained our models for a total of 7.5 epochs.",
                &[7.5],
            ),
            ("epochs", "Number of epochs: 2, 3, 4", &[2.0, 3.0, 4.0]),
            (
                "steps",
                "the models are trained for up to 60 × 104 iterations",
                &[600_000.0],
            ),
            ("steps", "for 1,000,000 steps", &[1e6]),
            (
                "dropout",
                "We use a dropout probability of 0.1 on all layers.",
                &[0.1],
            ),
            (
                "dropout",
                "we apply dropout with Pdrop = 0.1 to the output",
                &[0.1],
            ),
            ("dropout", "We do not use dropout, following [16].", &[0.0]),
            (
                "label_smoothing",
                "we employed label smoothing of value ϵls = 0.1",
                &[0.1],
            ),
            (
                "layers",
                "BERTBASE (L=12, H=768, A=12, Total Parameters=110M)",
                &[12.0],
            ),
            (
                "layers",
                "We used deep LSTMs with 4 layers, with 1000 cells at each layer",
                &[4.0],
            ),
            (
                "layers",
                "The total number of weighted layers is 34 in Fig. 3.",
                &[34.0],
            ),
            (
                "heads",
                "BERTBASE (L=12, H=768, A=12, Total Parameters=110M)",
                &[12.0],
            ),
            (
                "heads",
                "we employ h = 8 parallel attention layers, or heads",
                &[8.0],
            ),
            ("heads", "a model with 16 attention heads", &[16.0]),
            (
                "hidden_dim",
                "BERTBASE (L=12, H=768, A=12, Total Parameters=110M)",
                &[768.0],
            ),
            ("hidden_dim", "outputs of dimension dmodel = 512", &[512.0]),
            (
                "hidden_dim",
                "We used deep LSTMs with 4 layers, with 1000 cells at each layer",
                &[1000.0],
            ),
            (
                "ffn_dim",
                "the inner-layer has dimensionality dff = 2048",
                &[2048.0],
            ),
            (
                "ffn_dim",
                "we set the feed-forward/filter size to be 4H, i.e., 3072 for the H = 768 and 4096 for the H = 1024",
                &[3072.0, 4096.0],
            ),
            ("head_dim", "we use dk = dv = dmodel/h = 64", &[64.0]),
            (
                "kernel_size",
                "two 3x3 convolutions and a 2x2 max pooling operation",
                &[3.0, 2.0],
            ),
            ("kernel_size", "with a kernel size of 7", &[7.0]),
            (
                "stride",
                "a 2x2 max pooling operation with stride 2 for downsampling",
                &[2.0],
            ),
            (
                "image_size",
                "A 224×224 crop is randomly sampled from an image.",
                &[224.0],
            ),
            ("image_size", "Training resolution is 224.", &[224.0]),
            (
                "image_size",
                "higher resolution: 512 for ViT-L/16 and 518 for ViT-H/14",
                &[512.0, 518.0],
            ),
            (
                "patch_size",
                "the Large variant with 16 × 16 input patch size",
                &[16.0],
            ),
            ("patch_size", "with a patch size of 14", &[14.0]),
            (
                "vocab_size",
                "We use WordPiece embeddings with a 30,000 token vocabulary.",
                &[30_000.0],
            ),
            (
                "vocab_size",
                "with an input vocabulary of 160,000 and an output vocabulary of 80,000",
                &[160_000.0, 80_000.0],
            ),
            (
                "sequence_length",
                "we pre-train the model with sequence length of 128 for 90% of the steps",
                &[128.0],
            ),
            (
                "grad_clip",
                "We use a weight decay of 0.1 and gradient clipping of 1.0.",
                &[1.0],
            ),
            (
                "grad_clip",
                "apply gradient clipping at global norm 1.",
                &[1.0],
            ),
        ];
        for (name, sentence, want) in cases {
            assert_eq!(num(sentence, name), *want, "{name} in {sentence:?}");
        }
        let named: &[(&str, &str, &str)] = &[
            (
                "lr_schedule",
                "We use a cosine learning rate schedule.",
                "cosine learning rate schedule",
            ),
            (
                "lr_schedule",
                "The learning rate starts from 0.1 and is divided by 10 when the error plateaus",
                "divided by 10",
            ),
            (
                "lr_schedule",
                "learning rate warmup and linear decay of the learning rate",
                "linear decay",
            ),
            (
                "optimizer",
                "We use SGD with a mini-batch size of 256.",
                "SGD",
            ),
            (
                "optimizer",
                "Our models are trained using the AdamW optimizer.",
                "AdamW",
            ),
            (
                "init",
                "We initialize the weights as in [13] and train.",
                "as in [13]",
            ),
            (
                "init",
                "drawing the initial weights from a Gaussian distribution",
                "Gaussian distribution",
            ),
        ];
        for (name, sentence, want) in named {
            let got = one(sentence, name);
            assert_eq!(got, [(want.to_string(), None)], "{name} in {sentence:?}");
        }
        // Every name of the vocabulary is exercised above, except the recipe-table rows that
        // have no sentence rule yet (read from table headers only, tested below).
        for name in NAMES {
            assert!(
                cases.iter().any(|c| c.0 == *name)
                    || named.iter().any(|c| c.0 == *name)
                    || TABLE_ONLY.contains(name),
                "{name} has no test sentence"
            );
        }
    }

    /// ConvNeXt's Table 5 row headers, citations and all.
    #[test]
    fn recipe_table_rows_name_their_hyperparameters() {
        let rows = [
            ("label smoothing [69]", "label_smoothing"),
            ("stochastic depth [37]", "drop_path"),
            ("layer scale [74]", "layer_scale"),
            ("exp. mov. avg. (EMA) [51]", "ema"),
            ("randaugment [14]", "randaugment"),
            ("mixup [90]", "mixup"),
            ("cutmix [89]", "cutmix"),
            ("random erasing [91]", "random_erasing"),
            ("warmup epochs", "warmup"),
            ("gradient clip", "grad_clip"),
        ];
        for (header, name) in rows {
            assert_eq!(header_name(header), Some(name), "{header}");
        }
        for name in TABLE_ONLY {
            assert!(rows.iter().any(|r| r.1 == *name), "{name} untested");
        }
        for other in [
            "layer-wise lr decay [6,12]",
            "head init scale [74]",
            "weight init",
        ] {
            assert_eq!(header_name(other), None, "{other}");
        }
    }

    #[test]
    fn a_count_of_days_or_gpus_is_no_batch_size() {
        // ResNeXt (Xie et al. 2017), p.7: 10 days of training, not a batch of 10.
        let s = "Training the 2×complexity model (64×4d ResNeXt-101) takes 1.7s per mini-batch and 10 days total on 8 GPUs.";
        assert_eq!(num(s, "batch_size"), Vec::<f64>::new());
        // ResNeXt p.5: the batch is still read beside the GPUs it is spread over.
        let s = "We use SGD with a mini-batch size of 256 on 8 GPUs (32 per GPU).";
        assert_eq!(num(s, "batch_size"), [256.0]);
    }

    #[test]
    fn numbers_that_are_not_the_setting_are_left_out() {
        // Schedule milestones and warm-up lengths are not the training length.
        let s = "We start with a learning rate of 0.1, divide it by 10 at 32k and 48k iterations, \
                 and terminate training at 64k iterations.";
        assert_eq!(num(s, "steps"), [64_000.0]);
        assert!(num("learning rate warmup over the first 10,000 steps", "steps").is_empty());
        assert!(
            num(
                "After 5 epochs, we begun halving the learning rate.",
                "epochs"
            )
            .is_empty()
        );
        // Glued letters, percentages and model names are not values.
        assert!(num("the feed-forward size to be 4H", "ffn_dim").is_empty());
        assert!(num("a learning rate of 10% of the maximum", "learning_rate").is_empty());
        assert!(num("a stack of 6n layers", "layers").is_empty());
        assert!(num("the 34-layer plain net", "layers").is_empty());
        assert!(
            num(
                "extremely increased depth (e.g., over 100 layers)",
                "layers"
            )
            .is_empty()
        );
        assert!(num("the pairs of 3×3 layers", "layers").is_empty());
        assert!(num("F has two layers", "layers").is_empty());
        assert!(num("with 16 × 16 input patch size", "image_size").is_empty());
        assert!(one("g is the gradient divided by 128", "lr_schedule").is_empty());
        let warm = "So we use 0.01 to warm up the training until the training error is below 80% \
                    (about 400 iterations), and then go back to 0.1.";
        assert!(num(warm, "steps").is_empty());
        // An implausible value for the name.
        assert!(num("the learning rate for 256 steps", "learning_rate").is_empty());
        // Depth in a model name and an optimizer merely named.
        assert!(one("Adam is a versatile algorithm.", "optimizer").is_empty());
    }

    /// MobileNetV2 p.4 and p.6, EfficientNet p.6-7: the sentences as printed.
    #[test]
    fn expansion_factor_rmsprop_decay_and_survival_probability() {
        assert_eq!(
            num(
                "For all our main experiments we use expansion factor of 6 applied to the size \
                 of the input tensor.",
                "expansion_factor"
            ),
            [6.0]
        );
        assert!(
            num(
                "However, for our purposes we show that expansion ratio greater than 1 is the \
                 most useful.",
                "expansion_factor"
            )
            .is_empty()
        );
        let v2 = "We use the standard RMSPropOp-timizer with both decay and momentum set to 0.9.";
        assert_eq!(num(v2, "rmsprop_alpha"), [0.9]);
        assert_eq!(num(v2, "momentum"), [0.9]);
        assert_eq!(one(v2, "optimizer"), [("RMSProp".to_string(), None::<f64>)]);
        assert!(num(v2, "weight_decay").is_empty());
        let joined =
            "We use the standard RMSPropOptimizer with both decay and momentum set to 0.9.";
        assert_eq!(one(joined, "optimizer").len(), 1);
        assert_eq!(num(joined, "rmsprop_alpha"), [0.9]);
        let effnet = "We train our EfficientNet models on ImageNet using similar settings as (Tan \
                      et al., 2019): RMSProp optimizer with decay 0.9 and momentum 0.9; batch norm \
                      momentum 0.99; weight decay 1e-5; initial learning rate 0.256 that decays by \
                      0.97 every 2.4 epochs.";
        assert_eq!(num(effnet, "rmsprop_alpha"), [0.9]);
        assert_eq!(num(effnet, "momentum"), [0.9]);
        assert_eq!(num(effnet, "weight_decay"), [1e-5]);
        // The learning rate's decay is no RMSProp decay.
        assert!(
            num(
                "We use RMSProp and a learning rate decay of 0.97 every 2 epochs.",
                "rmsprop_alpha"
            )
            .is_empty()
        );
        assert_eq!(
            num(
                "We also use swish activation, fixed AutoAugment policy, and stochastic depth \
                 (Huang et al., 2016) with survival probability 0.8.",
                "survival_prob"
            ),
            [0.8]
        );
        // The keep probability is no drop-path rate.
        assert!(
            num(
                "stochastic depth (Huang et al., 2016) with survival probability 0.8.",
                "drop_path"
            )
            .is_empty()
        );
    }

    #[test]
    fn table_headers() {
        assert_eq!(header_name("Hidden size D"), Some("hidden_dim"));
        assert_eq!(header_name("MLP size"), Some("ffn_dim"));
        assert_eq!(header_name("n heads"), Some("heads"));
        assert_eq!(header_name("Layers"), Some("layers"));
        // A symbol with its subscript glued on after the words (R_input printed "Rinput").
        assert_eq!(header_name("Input size Rinput"), Some("image_size"));
        assert_eq!(header_name("Box/class #layers Dclass"), Some("layers"));
        assert_eq!(header_name("Encoder #layers"), Some("layers"));
        assert_eq!(header_name("Source Length"), Some("sequence_length"));
        assert_eq!(header_name("KSize"), Some("kernel_size"));
        assert_eq!(header_name("Kernel size"), Some("kernel_size"));
        assert_eq!(header_name("Stride"), Some("stride"));
        assert_eq!(
            header_name("Maximum target length"),
            Some("sequence_length")
        );
        assert_eq!(header_name("Length"), None);
        // Only a symbol is dropped: a last word that names something else keeps the header
        // unnamed, and a lone symbol names nothing.
        assert_eq!(header_name("Input size Params"), None);
        assert_eq!(header_name("Rinput"), None);
        assert_eq!(header_name("#channels"), None);
        assert_eq!(header_name("Base LR"), Some("learning_rate"));
        assert_eq!(header_name("LR decay"), Some("lr_schedule"));
        assert_eq!(header_name("Weight  decay"), Some("weight_decay"));
        assert_eq!(header_name("dimension"), Some("hidden_dim"));
        assert_eq!(header_name("Model"), None);
    }
}
