//! For every rule a failing and a passing source, checked with only that rule selected.
//!
//! The sources are written here (not taken from the linter's output): each failing one contains
//! exactly the defect the rule's documentation describes, each passing one the documented fix.

use tensor_shape_lint::rules::RULES;
use tensor_shape_lint::settings::Settings;

const HEAD: &str = "import random\nimport numpy as np\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom typing import Optional, Tuple\n\n";

/// A complete, clean model with a body slot for `forward`, `__init__` additions and its input.
fn model(init: &str, forward: &str) -> String {
    format!(
        "{HEAD}class Net(nn.Module):\n    \"\"\"Test net (He et al., 2016).\"\"\"\n\n    def __init__(self) -> None:\n        super().__init__()\n{init}        self.apply(self._init_weights)\n\n    def _init_weights(self, m: nn.Module) -> None:\n        pass\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        # x: [B, 64, H, W]\n{forward}        return x\n"
    )
}

fn cases() -> Vec<(&'static str, String, String)> {
    let conv = "        self.conv = nn.Conv2d(64, 64, kernel_size=3, padding=1)\n";
    vec![
        (
            "TSL101",
            format!(
                "{HEAD}class Head:\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        return x\n"
            ),
            format!(
                "{HEAD}class Head(nn.Module):\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n        return x\n"
            ),
        ),
        (
            "TSL102",
            model(conv, "").replace("        super().__init__()\n", ""),
            model(conv, ""),
        ),
        (
            "TSL103",
            model(
                "",
                &"        x = x + 1  # x: [B, 64, H, W] <- add\n".repeat(61),
            ),
            model(
                "",
                &"        x = x + 1  # x: [B, 64, H, W] <- add\n".repeat(59),
            ),
        ),
        (
            "TSL104",
            model(conv, "").replace("        self.apply(self._init_weights)\n", ""),
            model(conv, ""),
        ),
        (
            "TSL105",
            format!(
                "{HEAD}def set_seed(seed: int) -> None:\n    random.seed(seed)\n    torch.manual_seed(seed)\n"
            ),
            format!(
                "{HEAD}def set_seed(seed: int) -> None:\n    random.seed(seed)\n    np.random.seed(seed)\n    torch.manual_seed(seed)\n    torch.cuda.manual_seed_all(seed)\n    torch.backends.cudnn.deterministic = True\n    torch.backends.cudnn.benchmark = False\n"
            ),
        ),
        (
            "TSL106",
            model(conv, "").replace("Test net (He et al., 2016).", "A test network."),
            model(conv, ""),
        ),
        (
            "TSL201",
            format!("{HEAD}def scale(x, factor: float) -> torch.Tensor:\n    return x * factor\n"),
            format!(
                "{HEAD}def scale(x: torch.Tensor, factor: float) -> torch.Tensor:\n    return x * factor\n"
            ),
        ),
        (
            "TSL202",
            format!("{HEAD}def scale(x: torch.Tensor):\n    return x\n"),
            format!("{HEAD}def scale(x: torch.Tensor) -> torch.Tensor:\n    return x\n"),
        ),
        (
            "TSL203",
            format!(
                "{HEAD}def f(x: torch.Tensor, mask: torch.Tensor = None) -> torch.Tensor:\n    return x\n"
            ),
            format!(
                "{HEAD}def f(x: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:\n    return x\n"
            ),
        ),
        (
            "TSL204",
            format!("{HEAD}def f(x: torch.Tensor) -> torch.Tensor:\n    return x, x\n"),
            format!(
                "{HEAD}def f(x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:\n    return x, x\n"
            ),
        ),
        (
            "TSL301",
            model(
                conv,
                "        x = self.conv(x)\n        x = self.conv(x)  # x: [B, 64, H, W] <- Conv2d(64, 64, k=3, p=1)\n",
            ),
            model(
                conv,
                "        x = self.conv(x)  # x: [B, 64, H, W] <- Conv2d(64, 64, k=3, p=1)\n        x = self.conv(x)  # x: [B, 64, H, W] <- Conv2d(64, 64, k=3, p=1)\n",
            ),
        ),
        (
            "TSL302",
            model(
                conv,
                "        x = self.conv(x)  # x: [B, 64, H, W] <- Conv2d(64, 64, k=3, p=1)\n",
            )
            .replace("        # x: [B, 64, H, W]\n", ""),
            model(
                conv,
                "        x = self.conv(x)  # x: [B, 64, H, W] <- Conv2d(64, 64, k=3, p=1)\n",
            ),
        ),
        (
            "TSL303",
            model(
                conv,
                "        x = self.conv(x)  # x: [B, 64, H/2, W] <- Conv2d\n",
            ),
            model(
                conv,
                "        x = self.conv(x)  # x: [B, 64, H, W] <- Conv2d\n",
            ),
        ),
        (
            "TSL304",
            model(
                conv,
                "        y = self.conv(x)  # x: [B, 64, H, W] <- Conv2d\n        x = y  # x: [B, 64, H, W]\n",
            ),
            model(
                conv,
                "        y = self.conv(x)  # y: [B, 64, H, W] <- Conv2d\n        x = y  # x: [B, 64, H, W]\n",
            ),
        ),
        (
            "TSL305",
            model(
                conv,
                "        x = self.conv(x)  # x: [B, 64, Hgt, W] <- Conv2d\n",
            ),
            format!(
                "# symbols: Hgt = height\n{}",
                model(
                    conv,
                    "        x = self.conv(x)  # x: [B, 64, Hgt, W] <- Conv2d\n"
                )
            ),
        ),
        (
            "TSL401",
            model(
                "        # Paper did not specify: dropout rate\n        # Recommended: 0.1\n        self.drop = nn.Dropout(0.1)\n",
                "",
            ),
            model(
                "        # Paper did not specify: dropout rate\n        # Recommended: 0.1\n        # Reference: BERT (Devlin et al., 2019)\n        # Alternatives: 0.0, 0.2\n        # Impact: regularisation\n        self.drop = nn.Dropout(0.1)\n",
                "",
            ),
        ),
        (
            "TSL402",
            model(
                "        # Paper did not specify: dropout rate\n        # Recommended: 0.1\n        # Reference: BERT\n        # Alternatives: 0.0\n        # Impact: small\n\n        self.drop = nn.Dropout(0.1)\n",
                "",
            ),
            model(
                "        # Paper did not specify: dropout rate\n        # Recommended: 0.1\n        # Reference: BERT\n        # Alternatives: 0.0\n        # Impact: small\n        self.drop = nn.Dropout(0.1)\n",
                "",
            ),
        ),
        (
            "TSL501",
            model(
                "",
                "        y = x.transpose(1, 2)  # y: [B, H, 64, W] <- transpose\n        x = y.view(-1)  # x: [B*H*64*W] <- view\n",
            ),
            model(
                "",
                "        y = x.transpose(1, 2)  # y: [B, H, 64, W] <- transpose\n        x = y.reshape(-1)  # x: [B*H*64*W] <- reshape\n",
            ),
        ),
        (
            "TSL502",
            model("        self.bn = nn.BatchNorm2d(64, momentum=0.99)\n", ""),
            model("        self.bn = nn.BatchNorm2d(64, momentum=0.01)\n", ""),
        ),
        (
            "TSL503",
            model(
                "        self.act = nn.ReLU(inplace=True)\n",
                "        y = self.act(x)  # y: [B, 64, H, W] <- ReLU\n        x = y + x  # x: [B, 64, H, W] <- residual\n",
            ),
            model(
                "        self.act = nn.ReLU()\n",
                "        y = self.act(x)  # y: [B, 64, H, W] <- ReLU\n        x = y + x  # x: [B, 64, H, W] <- residual\n",
            ),
        ),
        (
            "TSL504",
            model("        self.sm = nn.Softmax()\n", ""),
            model("        self.sm = nn.Softmax(dim=1)\n", ""),
        ),
        (
            "TSL601",
            model(
                conv,
                "        x = self.conv(x)  # x: [B, 32, H, W] <- Conv2d(64, 64, k=3, p=1)\n",
            ),
            model(
                conv,
                "        x = self.conv(x)  # x: [B, 64, H, W] <- Conv2d(64, 64, k=3, p=1)\n",
            ),
        ),
        (
            "TSL602",
            model(
                "        self.down = nn.Conv2d(64, 64, kernel_size=3, stride=2, padding=1)\n",
                "        x = self.down(x)  # x: [B, 64, H//2, W//2] <- Conv2d(64, 64, k=3, s=2, p=1)\n",
            ),
            model(
                "        self.down = nn.Conv2d(64, 64, kernel_size=3, stride=2, padding=1)\n",
                "        x = self.down(x)  # x: [B, 64, (H - 1)//2 + 1, (W - 1)//2 + 1] <- Conv2d(64, 64, k=3, s=2, p=1)\n",
            ),
        ),
        (
            "TSL603",
            model(
                conv,
                "        x = self.conv(x)  # x: [B, 64, H, W] <- Conv2d(64, 64, k=5, p=1)\n",
            ),
            model(
                conv,
                "        x = self.conv(x)  # x: [B, 64, H, W] <- Conv2d(64, 64, k=3, p=1)\n",
            ),
        ),
        (
            "TSL604",
            model(
                "        self.fc = nn.Linear(32, 10)\n",
                "        x = x.mean(dim=(2, 3))  # x: [B, 64] <- global average\n        x = self.fc(x)  # x: [B, 10] <- Linear(32, 10)\n",
            ),
            model(
                "        self.fc = nn.Linear(64, 10)\n",
                "        x = x.mean(dim=(2, 3))  # x: [B, 64] <- global average\n        x = self.fc(x)  # x: [B, 10] <- Linear(64, 10)\n",
            ),
        ),
        (
            "TSL690",
            model(
                "",
                "        x = torch.fft.fft2(x)  # x: [B, 64, H, W] <- FFT\n",
            ),
            model(
                "",
                "        x = torch.relu(x)  # x: [B, 64, H, W] <- ReLU\n",
            ),
        ),
    ]
}

fn codes(src: &str, code: &str) -> Vec<&'static str> {
    let settings = Settings {
        select: vec![code.to_string()],
        verbose: true,
        ..Settings::default()
    };
    tensor_shape_lint::lint_source("t.py", src, &settings)
        .unwrap_or_else(|e| panic!("{code}: {e}\n{src}"))
        .iter()
        .map(|d| d.code)
        .collect()
}

#[test]
fn every_rule_has_a_failing_and_a_passing_case() {
    let cases = cases();
    for rule in RULES {
        // TSL605 needs a real forward pass: see `runtime_checks_comments_against_real_forward_passes`
        // in cli.rs.
        if rule.code == "TSL605" {
            continue;
        }
        assert!(
            cases.iter().any(|(c, _, _)| *c == rule.code),
            "no case for {}",
            rule.code
        );
    }
    for (code, fail, pass) in &cases {
        assert!(
            codes(fail, code).contains(code),
            "{code} not reported on:\n{fail}"
        );
        assert!(
            codes(pass, code).is_empty(),
            "{code} reported on the passing case:\n{pass}\n{:?}",
            codes(pass, code)
        );
    }
}

#[test]
fn passing_cases_are_clean_for_all_rules() {
    // The passing cases of the shape rules are complete models: no other rule fires either.
    let all = Settings::default();
    for (code, _, pass) in cases() {
        if !code.starts_with("TSL6") {
            continue;
        }
        let diags = tensor_shape_lint::lint_source("t.py", &pass, &all).unwrap();
        let loud: Vec<String> = diags
            .iter()
            .filter(|d| d.severity != tensor_shape_lint::rules::Severity::Info)
            .map(|d| format!("{}:{} {}", d.line, d.code, d.message))
            .collect();
        assert!(
            loud.is_empty(),
            "{code} passing case has findings: {loud:?}"
        );
    }
}

#[test]
fn noqa_suppresses_by_code_and_prefix() {
    let src = model(
        "        self.conv = nn.Conv2d(64, 64, kernel_size=3, padding=1)\n",
        "        x = self.conv(x)  # x: [B, 32, H, W] <- Conv2d  # noqa: TSL601\n",
    );
    assert!(codes(&src, "TSL601").is_empty());
    let src = src.replace("# noqa: TSL601", "# noqa: TSL6");
    assert!(codes(&src, "TSL601").is_empty());
    let src = src.replace("# noqa: TSL6", "# noqa: TSL3");
    assert_eq!(codes(&src, "TSL601"), vec!["TSL601"]);
}

/// TSL501 flags a `.view` exactly where PyTorch raises "view size is not compatible with input
/// tensor's size and stride" (each verdict below checked on a real [2, 64, 4, 5] tensor with
/// torch 2.14): after `.contiguous()`, or when the view only splits dims or merges dims that
/// are still neighbours in memory (`permute(0, 2, 3, 1)` then H*W), the view works; merging
/// the swapped dims of `transpose(1, 2)` fails.
#[test]
fn view_after_transpose_only_where_pytorch_fails() {
    let head = "        B = x.shape[0]\n";
    let fine = [
        "        y = x.permute(0, 2, 3, 1).contiguous().view(B, -1, 64)\n",
        "        y = x.permute(0, 2, 3, 1).contiguous()\n        z = y.view(B, -1, 64)\n",
        "        y = x.permute(0, 2, 3, 1).view(B, -1, 64)\n",
        "        y = x.permute(0, 2, 3, 1)\n        z = y.view(B, -1, 64)\n",
        "        y = x.permute(0, 2, 3, 1).view(B, 4, 5, 64)\n",
        "        y = x.permute(0, 2, 1, 3).view(B, 4, 64, 1, 5)\n",
        "        y = x.flatten(2).transpose(1, 2).reshape(B, -1)\n",
    ];
    for body in fine {
        let src = model("", &format!("{head}{body}"));
        assert!(codes(&src, "TSL501").is_empty(), "flagged:\n{body}");
    }
    let failing = [
        "        y = x.flatten(2)\n        z = y.transpose(1, 2).view(B, -1)\n",
        "        y = x.flatten(2).transpose(1, 2)\n        z = y.view(B, -1)\n",
        "        y = x.transpose(1, 2).view(B, -1)\n",
    ];
    for body in failing {
        let src = model("", &format!("{head}{body}"));
        assert_eq!(
            codes(&src, "TSL501"),
            vec!["TSL501"],
            "not flagged:\n{body}"
        );
    }
}

/// A loss owns no weights, so it needs no `_init_weights` (the U-Net dogfood run got TSL104 on
/// its cross-entropy module); a loss that learns something (a `nn.Parameter`, a `Linear`) still
/// does.
#[test]
fn a_weightless_loss_needs_no_init_weights() {
    let ce = format!(
        "{HEAD}class WeightedCrossEntropyLoss(nn.Module):\n    \"\"\"Eq. (1) of Ronneberger et al., 2015.\"\"\"\n\n    def __init__(self) -> None:\n        super().__init__()\n        self.ce = nn.CrossEntropyLoss(reduction=\"none\")\n\n    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:\n        return self.ce(logits, target).mean()\n"
    );
    assert_eq!(codes(&ce, "TSL104"), Vec::<&str>::new(), "{ce}");
    let learned = ce.replace(
        "        self.ce = nn.CrossEntropyLoss(reduction=\"none\")\n",
        "        self.ce = nn.CrossEntropyLoss(reduction=\"none\")\n        self.log_var = nn.Parameter(torch.zeros(2))\n",
    );
    assert_eq!(codes(&learned, "TSL104"), vec!["TSL104"], "{learned}");
}

/// TSL106 names a loss module a loss: the MobileNetV2 dogfood read "model class" about its loss
/// as a finding about the wrong class.
#[test]
fn a_loss_without_the_paper_is_called_a_loss() {
    let loss = format!(
        "{HEAD}class MobileNetV2Loss(nn.Module):\n    \"\"\"The loss.\"\"\"\n\n    def forward(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:\n        return ((prediction - target) ** 2).mean()\n"
    );
    let settings = Settings {
        select: vec!["TSL106".to_string()],
        verbose: true,
        ..Settings::default()
    };
    let found = tensor_shape_lint::lint_source("t.py", &loss, &settings).unwrap();
    assert_eq!(found.len(), 1, "{loss}");
    assert!(
        found[0]
            .message
            .starts_with("docstring of loss class `MobileNetV2Loss`"),
        "{}",
        found[0].message
    );
}

/// The exemption holds for any class that owns no weights, whatever its name
/// (transformer-base's `LabelSmoothedCrossEntropy`), as long as every sub-module it builds is of
/// a kind known to hold none: a block of a kind the linter cannot see may hold weights.
#[test]
fn a_weightless_class_of_any_name_needs_no_init_weights() {
    let smoothed = format!(
        "{HEAD}class LabelSmoothedCrossEntropy(nn.Module):\n    \"\"\"Section 5.4 of Vaswani et al., 2017.\"\"\"\n\n    def __init__(self, eps: float = 0.1) -> None:\n        super().__init__()\n        if not 0.0 <= eps < 1.0:\n            raise ValueError(\"eps must be in [0, 1)\")\n        self.eps = eps\n        self.drop = nn.Dropout(0.1)\n        self.act = nn.GELU()\n\n    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:\n        return F.cross_entropy(self.act(self.drop(logits)), target, label_smoothing=self.eps)\n"
    );
    assert_eq!(codes(&smoothed, "TSL104"), Vec::<&str>::new(), "{smoothed}");
    // A layer with weights, or a sub-module whose kind is not known, needs the initialisation.
    for (old, new) in [
        ("nn.GELU()", "nn.Linear(8, 8)"),
        ("nn.GELU()", "Block(8)"),
        ("nn.GELU()", "nn.LayerNorm(8)"),
    ] {
        let with = smoothed.replace(old, new);
        assert_eq!(codes(&with, "TSL104"), vec!["TSL104"], "{with}");
    }
}
