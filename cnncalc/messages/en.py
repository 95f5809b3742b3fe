"""The English catalogue: every user-visible sentence, label and hint, keyed by code."""

from __future__ import annotations

CONVENTION = (
    "params = learnable parameters (BN running stats excluded); MACs = multiply-accumulates of "
    "conv/convT/linear (at every position) and matrix products (matmul, attention's QKᵀ and "
    "AV), bias excluded; FLOPs = 2 × MACs (as torch FlopCounterMode); shapes per sample"
)

UI: dict[str, str] = {
    # params table, totals
    "col.layer": "Layer",
    "col.op": "Op",
    "col.input": "Input",
    "col.output": "Output",
    "col.kernel": "Kernel",
    "col.params": "Params",
    "col.macs": "MACs",
    "col.rf": "RF",
    "col.total": "Total",
    "col.quantity": "Quantity",
    "col.value": "Value",
    "col.working": "Working",
    "title.input": "{name}  ·  input {shape}",
    "title.batch": "  ·  batch {batch}",
    "totals.params": "Params       {n}  ({size} as {dtype})",
    "totals.trainable": "Trainable    {trainable} · frozen {frozen}",
    "totals.macs": "MACs         {n}  ({h})",
    "totals.flops": "FLOPs        {n}  ({h}, 2 × MACs)",
    "totals.activations": "Activations  {size} at peak",
    "totals.activations_batch": "Activations  {size} at peak (batch {batch})",
    "totals.output": "Output       {shape}",
    "totals.fused": "Fused        {n} params  (Ultralytics' model.fuse(): each Conv's BatchNorm "
    "folded into its conv{end2end})",
    "totals.fused_e2e": ", the one-to-many head removed",
    "totals.info": "info()       {unfused} FLOPs unfused, {fused} fused  (Ultralytics "
    "{version} model.info(): {unfused_g} / {fused_g} GFLOPs; before fusing, 8 FLOPs per "
    "element entering each BatchNorm)",
    "totals.outputs": "Outputs      {shapes}",
    "totals.counting": "Counting: {convention}.",
    "convention": CONVENTION,
    # explanations: labels
    "explain.input": "Input",
    "explain.channel_path": "Channel path",
    "explain.size_rule": "Output size rule",
    "explain.in_channels": "Input channels",
    "explain.out_channels": "Output channels",
    "explain.kernel_shape": "Kernel shape",
    "explain.groups": "Groups",
    "explain.pointwise": "1×1 conv",
    "explain.per_kernel": "Params per kernel",
    "explain.per_input_channel": "Params per input channel",
    "explain.total_params": "Total params",
    "explain.params": "Params",
    "explain.channels": "Channels",
    "explain.features": "Features",
    "explain.part": "Part",
    "explain.in_features": "Input features",
    "explain.out_features": "Output features",
    "explain.weight_shape": "Weight shape",
    "explain.per_output": "Params per output",
    "explain.out_size": "Output size {axis}",
    "explain.out_shape": "Output shape",
    "explain.macs": "MACs",
    "explain.flops": "FLOPs",
    "explain.rf": "Receptive field",
    "explain.network": "{name}: the whole network",
    # explanations: workings
    "explain.w.input_grey": "{c} channel: a greyscale image",
    "explain.w.input_rgb": "{c} channels: a colour image (red, green, blue)",
    "explain.w.input_multi": "{c} channels: a multi-channel input (e.g. several MRI sequences)",
    "explain.path_more": "({n} more)",
    "explain.w.channel_path": "each layer's output channels are the next layer's input channels: "
    "few channels in shallow layers (edges, textures), more in deep ones (abstract features)",
    "explain.layers": "Layers",
    "explain.share": "Share of params",
    "explain.shortcut": "Shortcut ({name})",
    "explain.block": "block",
    "explain.w.share": "of the network's params; {macs} of its MACs",
    "explain.w.projection": "projection {name}: {ops}",
    "explain.w.identity": "identity: adds '{name}' unchanged, no params",
    "explain.w.weighted_layers": "summed over the {count} layers with weights",
    "explain.w.depth_all": "each kernel is {depth} deep: it covers all input channels",
    "explain.w.depth_groups": "each kernel is {depth} deep: it covers {cin} / {g} groups = "
    "{depth} channels",
    "explain.w.depth_groups_ctx": "each kernel is {depth} deep: {cin} input channels / {g} groups",
    "explain.w.kernels": "{cout} kernels, one per output channel",
    "explain.w.layout_short": "(out, in/groups, {axes})",
    "explain.w.layout": "{cout} kernels of {each} (a {window} window, {depth} deep); "
    "(out, in/groups, {axes})",
    "explain.w.jump": "; jump ",
    "explain.w.layout_transposed": "(in, out/groups, {axes})",
    "explain.w.depthwise": "depthwise: groups = input channels = {g}, one {window} filter per "
    "channel",
    "explain.w.depthwise_ctx": "depthwise: groups = input channels = {g}, one {window} filter "
    "per channel; channels do not mix",
    "explain.w.depthwise_mult": "depthwise: groups = input channels = {g}, {mult} {window} "
    "filters per channel; channels do not mix",
    "explain.w.grouped": "groups={g} must divide both channel counts ({cin} and {cout})",
    "explain.w.group_split": "; each group maps {cin_g} → {cout_g} channels",
    "explain.w.pointwise": "mixes channels only: changes the channel count freely",
    "explain.w.pointwise_ctx": "mixes channels only: changes the channel count freely "
    "({cin} → {cout})",
    "explain.w.plus_bias": " + bias",
    "explain.w.per_kernel_bias": "{window}×{depth} + 1 = {per} (weights + bias)",
    "explain.w.per_kernel_nobias": "{window}×{depth} = {per}",
    "explain.w.total_conv": "{cout} × {per} = {total}",
    "explain.w.in_features": "every output is a weighted sum of all of them",
    "explain.w.out_features": "one row of weights per output",
    "explain.w.per_output_bias": "{cin} + 1 = {per} (weights + bias)",
    "explain.w.per_output_nobias": "{cin} (weights, no bias)",
    "explain.w.total_linear": "{cout} × {per} = {total}",
    "explain.w.norm_channels": "normalised per channel; the count is unchanged",
    "explain.w.norm_params": "2 × {c} = {total} (scale γ and shift β)",
    "explain.w.norm_no_affine": "no learnable affine",
    "explain.w.pool_channels": "pooling keeps the channel count; it only shrinks the spatial size",
    "explain.w.pool_params": "pooling has no weights",
    "explain.w.elementwise": "element-wise; shape and channels unchanged",
    "explain.w.dropout": "zeroes a fraction {p} of the values while training; shape unchanged",
    "explain.w.part": "indices {a} to {b} of the {n} along dim {dim} (a split, chunk or slice)",
    "explain.w.part_params": "a part of its input: no weights, nothing counted",
    "explain.w.shuffle": "interleaves the channel groups: no weights, shape unchanged",
    "explain.w.drop_path": "drops the whole path of a sample with probability {p} while "
    "training; the identity at inference",
    "explain.w.flatten": "{shape} = {total} values in one vector",
    "explain.w.upsample_channels": "upsampling keeps the channel count",
    "explain.w.upsample_params": "no weights: it repeats or interpolates values",
    "explain.w.concat": "{parts} = {total}: concatenation stacks the channels",
    "explain.w.add": "add needs equal shapes ({shapes}); the channel count is unchanged",
    "explain.w.mul": "{shapes} → {out}: element-wise product, size-1 axes broadcast",
    "explain.w.adaptive": "fixed by the layer: {o}, whatever the input ({i})",
    "explain.w.out_shape": "channels first, per sample",
    "explain.w.out_shape_last": "channels last (permuted), per sample",
    "explain.w.out_shape_moved": "per sample, the axes rearranged",
    "explain.w.macs_conv": "{positions} output positions × {weights} weights ({kshape}) = {macs}",
    "explain.w.macs_transposed": "{positions} input positions × {weights} weights = {macs}",
    "explain.w.batch": "; × batch {batch} = {total}",
    "explain.w.no_bias": " (bias excluded)",
    # channels last, tokens, attention (analysis/explain_tokens.py)
    "explain.tokens": "Tokens",
    "explain.joined": "Size on dim {dim}",
    "explain.w.concat_axis": "{parts} = {total}: the inputs joined along dim {dim}",
    "explain.heads": "Heads",
    "explain.w.layer_scale_channels": "γ has one learnable scale per channel (shape C×1×1)",
    "explain.w.layer_scale": "{c} parameters, one per channel; γ · x is element-wise, so no MACs",
    "explain.w.class_token": "{num} learnable token(s) × {e} features = {total}",
    "explain.w.tokens_grow": "prepended along the sequence: {a} → {b}",
    "explain.w.pos_embedding": "one learnable value per token and feature: {dims} = {total}; "
    "added element-wise, so no MACs",
    "explain.w.layernorm_features": "normalised over the last axis, at every position",
    "explain.w.layernorm_params": "2 × {f} = {total} (scale γ and shift β per feature)",
    "explain.w.attention_tokens": "every token attends to every token",
    "explain.w.attention_heads": "{e} features in {h} heads of d = {d}",
    "explain.w.in_proj": "in_proj_weight (3E, E): the query, key and value projections",
    "explain.w.attention_params": "in_proj 3·{e}² + 3·{e}, out_proj {e}² + {e}: 4·{e}² + 4·{e} "
    "= {total} (with their biases)",
    "explain.w.attention_params_nobias": "in_proj 3·{e}², out_proj {e}²: 4·{e}² = {total}",
    "explain.w.bias_kv": ", plus bias_k and bias_v, 2·{e}",
    "explain.windows": "Windows",
    "explain.w.windows": "the map padded to {hp}×{wp}, cut into {w}×{w} windows: {windows}; "
    "each token attends within its window",
    "explain.partition": "Window partition",
    "explain.w.partition": "{h}×{w}×{c} padded to {hp}×{wp}×{c}, cut into {windows} windows of "
    "{w2} tokens ({windows}×{w2}×{c}); after the attention the windows are put back (window "
    "reverse) and the padding cut off: reshapes and permutes, no parameters, no MACs",
    "explain.shift": "Shift",
    "explain.w.shift": "torch.roll by −{s} on both axes before the partition and by +{s} after "
    "the reverse, so these windows straddle the previous block's; a mask keeps tokens rolled in "
    "from the far edge apart: no parameters, no MACs",
    "explain.w.shift_covered": "none: the {w}×{w} window covers the {hp}×{wp} map, so the shift "
    "of {s} is not applied (as torchvision sets it to 0)",
    "explain.w.shift_none": "none: the windows are cut where they lie",
    "explain.w.shift_one": "torch.roll by −{s} along {axis} only, before the partition, and by "
    "+{s} after the reverse: the {w}-wide window covers the map's other axis, where torchvision "
    "sets the shift to 0; a mask keeps tokens rolled in from the far edge apart: no parameters, "
    "no MACs",
    "explain.w.window_params": "qkv 3·{c}² + 3·{c}, proj {c}² + {c} (with their biases), and "
    "a relative-position bias table of {k}·{k}·{h} = {table}: {total}",
    "explain.w.macs_window": "projections 4 · {p} · {c}² = {proj}, plus QKᵀ and AV in every "
    "window 2 · {p} · {w}² · {c} = {products}: {macs}. The square stays inside the window: "
    "linear in the map's size, quadratic in the window",
    "explain.w.reorder": "{a} → {b}: the same values in another arrangement, nothing learned",
    "explain.w.matmul": "{a} @ {b} → {out}: a product of two tensors, nothing learned",
    "explain.w.macs_positions": "{positions} positions × {cin} × {cout} = {macs} (a Linear at "
    "every position)",
    "explain.w.macs_attention": "projections 4 · {l} · {e}² = {proj}, plus QKᵀ and AV "
    "2 · {l} · {lk} · {e} = {products}: {macs}. The products grow with L²: twice the tokens, "
    "four times their cost; the {scores} scores are activations while it runs",
    "explain.w.macs_matmul": "{lead} × {n} × {k} × {m} = {macs}",
    "explain.w.rf": "input pixels seen by one output; jump {jump}",
    "explain.w.rf_step": "{formula} (input pixels seen by one output)",
    "explain.w.rf_merge": "the widest of the inputs: {size}",
    "explain.w.rf_same": "unchanged: element-wise",
    "explain.w.rf_whole": "sees every position that reaches it; jump {jump}",
    # lint
    "lint.why": "why: ",
    "lint.see": "see: ",
    "lint.doc.fires": "Fires when",
    "lint.doc.why": "Why",
    "lint.doc.example": "Example",
    "lint.doc.fix": "Fix",
    "lint.clean": "no design warnings ({files} file(s) checked)",
    "lint.summary": "{count} warning(s) in {files} file(s) checked: {codes}",
    "lint.CNN101.jump": "conv '{layer}': channels jump {cin} → {cout} ({ratio}×) in one conv",
    "lint.CNN101.shrink": "conv '{layer}': channels shrink {cin} → {cout} without a pooling "
    "or stride",
    "lint.CNN101.why": "grow channels step by step as the size shrinks (64 → 128 → 256 → 512): "
    "a jump multiplies every later layer's cost, a shrink at the same size throws features "
    "away (a 1×1 conv is the tool for changing channels)",
    "lint.CNN102.params": "{op} '{layer}' holds {share:.1%} of the network's params "
    "({part} of {total})",
    "lint.CNN102.macs": "{op} '{layer}' does {share:.1%} of the network's MACs ({part} of {total})",
    "lint.CNN102.why": "one very wide layer dominates the cost (VGG16's first FC holds 74% of "
    "its params); a global average pool before the classifier, or a narrower layer, removes "
    "most of it",
    "lint.CNN103.msg": "{op} '{layer}': stride {s} is larger than the kernel {k}: {skip} of "
    "every {s} input pixels along an axis are never read",
    "lint.CNN103.why": "pixels no window covers are lost to the network; use a kernel at least "
    "as large as the stride, or average-pool before a strided 1×1 conv (as ResNet-D does)",
    "lint.CNN104.msg": "conv '{layer}': padding '{mode}' around an even kernel ({k}) is "
    "asymmetric on {axis}: {pl} before, {pr} after",
    "lint.CNN104.why": "the extra pixel of padding goes on one side, so the features shift by "
    "half a pixel per layer; use an odd kernel (3, 5, 7) for centred windows",
    "lint.CNN105.msg": "{op} '{layer}' has a bias but feeds straight into bn '{bn}': "
    "its {bias} bias values are cancelled",
    "lint.CNN105.why": "batch norm subtracts each channel's mean, which removes any constant "
    "bias, then adds its own shift; set bias: false (or defaults: {{conv: {{bias: false}}}})",
    "lint.CNN106.msg": "the spatial size is 1×1 after '{layer}', but {count} later conv(s) with "
    "{k} kernels still run on 1×1 maps (first: '{first}')",
    "lint.CNN106.why": "a k×k window on a 1×1 map sees one pixel and padding, so its outer "
    "weights multiply zeros; downsample less, or end with a global pool and a linear head",
    "lint.CNN107.msg": "each position of the output '{layer}' sees only {rf} pixels of the "
    "{input} input (its receptive field)",
    "lint.CNN107.why": "an output cannot respond to anything larger than its receptive field; "
    "add depth, strides or dilation (or a global pool) if it should see the whole input",
    "lint.CNN108.few": "{op} '{layer}': the first layer makes only {cout} channels from {cin}",
    "lint.CNN108.many": "{op} '{layer}': the first layer makes {cout} channels from {cin}",
    "lint.CNN108.why": "the first layer sees raw pixels at full resolution: too few channels "
    "lose information early, too many cost the most; start near 64 (32-64 is common)",
    "lint.CNN109.msg": "dropout '{layer}' feeds straight into bn '{bn}'",
    "lint.CNN109.why": "dropout changes the variance between training and inference, so batch "
    "norm's running statistics stop matching ('variance shift'); put dropout after the last "
    "batch norm",
    "lint.CNN110.msg": "attention '{layer}' over {l} tokens of {e} features: QKᵀ and AV cost "
    "{products} MACs, more than its projections ({proj}), and its {scores} scores outweigh "
    "the tokens",
    "lint.CNN110.why": "attention's two products grow with the square of the tokens: from 2·E "
    "tokens on they cost more than every projection, and doubling the image side "
    "multiplies them by 16; windowed attention (Swin's) keeps them linear in the tokens, larger "
    "patches make fewer tokens",
    # flow
    "flow.title": "shape flow, bars by {by}",
    "flow.by_macs": "MACs",
    "flow.by_params": "Params",
    "flow.input": "input",
    "flow.skip": "↷ skip",
    "flow.where": "Where the {by} live: {parts}",
    "flow.heaviest": "Heaviest layer: {name} ({op}) {value}, {share}",
    "flow.no_cost": "no layer has any {by}",
    # errors: the framing, then English templates matched against messages
    "ui.error": "error: ",
    "ui.hint": "hint: ",
    "ui.note": "note: ",
    "graph.params": "{n} params",
    "graph.inputs": "in: {shapes}",
    "export.pytorch.doc": "{name} as a PyTorch module (class {cls}), written by cnncalc export.",
    "ui.warning": "warning: ",
    "ui.colon": ": ",
}


# --- shared hints and notes ------------------------------------------------------------------
SHARED: dict[str, str] = {
    "H0001": "did you mean '{name}'?",
}

# --- E00xx reading files and options, E06xx budgets/check/diff, E07xx explain/lint/flow,
# --- W06xx and up: cli/, analysis/, render/ --------------------------------------------------
CLI: dict[str, str] = {
    # reading files and options
    "E0001": "{path}: no .yaml or .yml file in this directory",
    "E0001.hint": "pass a network file, or a directory that holds some",
    "E0002": "no file matches '{pattern}'",
    "E0002.hint": "'**' matches any number of directories",
    "E0003": "--svg and --html save the table output; they do not combine with --format {fmt}",
    "E0003.hint": "drop --format {fmt}, or drop --svg and --html",
    "E0004": "{path}: cannot write: {reason}",
    "E0004.hint": "check that the directory exists and that you may write to it",
    "E0005": "{option}: cannot write {path}: {reason}",
    "E0005.hint": "check that the directory exists and that you may write to it",
    "E0006": "unknown language '{name}' (from {where})",
    "E0006.hint": "choose one of {langs}",
    "E0007": "'{spec}' is neither a file nor REV:path",
    "E0007.hint": "as in HEAD~1:models/net.yaml",
    "E0008": "cannot read '{spec}': git cannot run ({reason})",
    "E0008.hint": "install git, or pass the old version as a file",
    "E0009": "cannot read '{spec}' from git: {reason}",
    "E0009.hint": "write REV:path with a revision git knows (HEAD~1, main, a tag) and the file's "
    "path relative to the current directory",
    # streams, limits and paths (cli/common.py)
    "E0020": "standard output is closed; there is nowhere to write the report",
    "E0020.hint": "run the command without closing stdout (>&-), or redirect it to a file",
    "E0021": "cannot write the output: {reason}",
    "E0021.hint": "check that the disk is not full and that whatever reads the output is "
    "still running",
    "E0022": "{option}: {value} is more than {limit}",
    "E0022.hint": "pass {option} {limit} or less",
    "E0023": "the command line is not valid: {message}",
    "E0023.hint": "usage: {usage}; '{command} -h' lists every option",
    "W0020": "stderr output stopped at {limit}; later messages were dropped",
    "W0021": "{path}: a symbolic link to a directory already searched; skipped",
    "E0010": "{path}: none of its {count} YAML files is a network",
    "E0010.hint": "a network file has a top-level 'input:' and 'layers:' or 'channels:' "
    "(an Ultralytics model: 'backbone:' and 'head:'); name a file to load it anyway",
    "E0011": "--input: '{text}' is not an input shape",
    "E0011.hint": "sizes separated by x, channels first, per sample: 3x224x224 (2-D), 16x112 "
    "(1-D), 3x16x112x112 (3-D)",
    "E0012": "--input {shape} has 4 axes but no layer of the network is 3-D: shapes are per "
    "sample, so its first axis would be read as the channels of a volume",
    "E0012.hint": "for an image with a batch, write '--input {rest} --batch {batch}'; a 3-D "
    "network (a volume, a video) says so in its file with a 3-D op such as 'conv3d' or 'Conv3d'",
    "E0013": "--svg: the output is {lines} lines long, more than the {limit} an SVG picture holds",
    "E0013.hint": "save it with --html, or print less: 'explain --layer NAME' for one layer or "
    "block, 'params --depth N' for the top levels",
    "E0014": "--imgsz: '{text}' is not an image size",
    "E0014.hint": "one size (640) or height x width (384x640), each at least 1",
    "W0014": "{options}: for Ultralytics model files only, ignored for {path} (a cnncalc "
    "network takes --input, e.g. --input 3x640x640)",
    "W0012": "{path} does not exist: reading {real} at scale {scale}, as Ultralytics does",
    "W0605": "{path}: not a network (no top-level input, layers, channels or backbone); skipped",
    # budgets and check
    "E0601": "'{text}' is not a count quantity; write a number with k, M, G, T",
    "E0601.hint": "for example 12M or 2.5G",
    "E0602": "'{text}' is not a bytes quantity; write a number with KiB, MiB, GiB, kB, MB, GB",
    "E0602.hint": "for example 64MiB or 48MB",
    "E0603": "'{text}' is not a whole number of items",
    "E0603.hint": "write a whole count, such as 1500 or 1.5k",
    "E0604": "'{text}' is not a whole number of bytes",
    "E0604.hint": "write a whole number of bytes, such as 1536 or 1.5KiB",
    "E0605": "{option}: {problem}",
    "E0605.hint": "for example {option} {example}",
    "E0606": "--dtype: unknown dtype '{dtype}'",
    "E0606.hint": "one of: {dtypes}",
    "E0607": "--batch must be at least 1, got {batch}",
    "E0607.hint": "pass --batch 1 or more",
    "E0608": "budget 'rf': the output '{name}' has no spatial axes, so it has no receptive field",
    "E0608.hint": "an 'rf' budget needs an input with spatial axes (e.g. 3x224x224)",
    "E0609": "nothing to check: {path} declares no budget, and no limit option was given",
    "E0609.hint": "add a section such as 'budget: {{params: 12M, macs: 2G}}' to the file, or pass "
    "--max-params 12M; --only-budgeted skips files without a budget",
    "E0610": "nothing to check: none of the files has a budget, and no limit option was given",
    "E0610.hint": "add a section such as 'budget: {{params: 12M, macs: 2G}}' to the files, or "
    "pass --max-params 12M; --only-budgeted skips files without a budget",
    "E0611": "'{text}' has a power of ten beyond {limit}",
    "E0611.hint": "write the quantity with a suffix, such as 12M or 2.5G; no network needs more "
    "than 1e{limit}",
    "W0601": "{path} declares no budget; not checked",
    "W0602": "the file declares no budget; nothing to check",
    "W0603": "none of the {count} files has a budget; nothing to check",
    "W0604": "cannot append to GITHUB_STEP_SUMMARY ({path}): {reason}",
    # explain, lint
    "E0701": "no layer named '{name}' in this network",
    "E0701.hint": "the first column of 'cnncalc params' lists every layer's name",
    "E0702": "{option}: no lint rule '{name}'",
    "E0702.hint": "the rules are CNN101 to CNN110, or their names; 'cnncalc lint --explain "
    "CNN101' prints what one checks",
    "E0703": "no lint rule '{name}'",
    "E0703.hint": "list rule codes (CNN101 to CNN110) or their names, as in "
    "lint: {{ignore: [CNN105]}}",
    "E0704": "lint needs a network FILE to check, or --explain RULE",
    "E0704.hint": "cnncalc lint examples/vgg16.yaml, or cnncalc lint --explain CNN102",
    # export: graphs (Mermaid, DOT)
    "E0921": "{option} 0 draws nothing: a graph needs at least one layer or block",
    "E0921.hint": "pass {option} 1 for the top-level blocks, or leave it out for every layer",
    # export: PyTorch code
    "E0901": "--class-name '{name}' is not a Python class name",
    "E0901.hint": "use letters, digits and underscores, not starting with a digit, and no "
    "Python keyword, e.g. --class-name ResNet18",
    "E0902": "--class-name '{name}' is a name the generated module already uses",
    "E0902.hint": "choose another name than {names}",
    "E0903": "{option} does not apply to --to {to}",
    "E0903.hint": "{option} is read by --to {formats} only; leave it out",
    "E0904": "layer '{name}' has the name of the group that holds '{inner}': a PyTorch "
    "module cannot be both",
    "E0904.hint": "rename the layer or the group",
    "E0905": "'{name}': PyTorch keeps '{local}' for itself on every module (nn.Module.{local}), "
    "so no layer or block can be called so",
    "E0905.hint": "rename it, e.g. '{local}1'",
    "W0921": "{path}: the Mermaid graph has {edges} edges and {chars} characters, more than "
    "Mermaid draws by default (as on GitHub: {max_edges} edges, {max_chars} characters); "
    "fold blocks with {option} N",
    "E0922": "{option} adds a graph to the Markdown report, which --format {fmt} does not write",
    "E0922.hint": "use --format markdown, or --format github (the graph goes to the job summary, "
    "GITHUB_STEP_SUMMARY)",
}

# --- E01xx source and YAML, E02xx values and expressions, E03xx document/scope/expansion,
# --- E08xx the `layer` command's options, W01xx: loader/ -------------------------------------
LOADER: dict[str, str] = {
    # source.py: reading and decoding
    "E0101": "no such file",
    "E0101.hint": "check the path",
    "E0102": "this is a directory, not a network file",
    "E0102.hint": "give the path of a network file (.yaml) inside it",
    "E0103": "cannot read the file: {reason}",
    "E0103.hint": "check that the file exists and that you may read it",
    "E0104": "not a usable file name: {reason}",
    "E0104.hint": "check the path for stray characters",
    "E0105": "the file is UTF-16 text; cnncalc reads UTF-8",
    "E0105.hint": "save the file as UTF-8",
    "E0106": "the file is not UTF-8 text (byte {byte} at line {line}, column {col})",
    "E0106.hint": "save the file as UTF-8 (it may be Latin-1 or Windows-1252)",
    "E0107": "the file contains {char}, which YAML does not allow",
    "E0107.hint": "delete it (editors often show it as a box, ^X or nothing at all)",
    "E0108": "the file contains {char}, a space YAML does not separate with",
    "E0108.hint": "replace it with a plain space",
    "E0109": "the file contains {char}, an invisible character",
    "E0109.hint": "delete it",
    "E0110": "YAML directives ('%YAML', '%TAG') are not supported",
    "E0110.hint": "delete the line (a value that starts with '%' needs quotes)",
    "E0111": "a tab in the indentation: YAML indents with spaces only",
    "E0111.hint": "replace the tab with spaces",
    "E0112": "a tab character: cnncalc files separate with spaces",
    "E0112.hint": "replace the tab with spaces",
    "N0110": "{code} {name}",
    "N0111": "{code} ({kind})",
    "N0112": "a control character",
    "N0113": "a lone surrogate",
    "N0114": "no name",
    # nodes.py: composing YAML
    "E0120": "YAML aliases expand this file past {limit} values",
    "E0120.hint": "an alias bomb? repeat layers with 'repeat:' or a block instead",
    "E0121": "the file has more than {limit} values",
    "E0121.hint": "describe repeated parts once, with 'repeat:' or a block",
    "E0122": "duplicate key '{key}' (first at line {line})",
    "E0122.hint": "remove one of them (YAML would silently keep the last)",
    "E0123": "the file holds more than one YAML document",
    "E0123.hint": "one file describes one network: remove this '---' or split the file",
    "E0124": "the alias '*{name}' is inside the value that '&{name}' names, "
    "so it would repeat forever",
    "E0124.hint": "an alias can only repeat a value that is complete before it",
    "E0125": "the alias '*{name}' refers to no anchor",
    "E0125.hint": "define it first by writing '&{name}' before a value",
    "E0126": "YAML tags such as '{tag}' are not supported",
    "E0126.hint": "remove the tag; to make a value a string, quote it",
    "E0127": "the anchor '&{name}' is defined twice (first at line {line})",
    "E0127.hint": "give each anchor its own name",
    "E0128": "the anchor '&{name}' is defined twice",
    "E0128.hint": "give each anchor its own name",
    "E0129": "the YAML nests deeper than {depth} levels",
    "E0129.hint": "flatten the structure, or move repeated parts into blocks",
    "E0140": "invalid YAML: {problem}",
    "E0140.hint": "check the quotes, brackets and indentation around this point",
    "E0141": "invalid YAML: a tab where YAML expects a space",
    "E0141.hint": "replace the tab with spaces",
    "E0142": "invalid YAML: '{ch}' cannot start a value",
    "E0142.hint": "quote the value",
    "E0143": "invalid YAML: a ':' where no key can start",
    "E0143.hint": "quote a value that contains ': ', or check this line's indentation",
    "E0144": "invalid YAML: the '{bracket}' at line {line}, column {col} is never closed",
    "E0144.hint": "add the closing '{closer}'",
    "E0145": "invalid YAML: expected ',' or '{closer}' in the '{bracket}' at line {line}, "
    "column {col}",
    "E0145.hint": "separate entries with ', ' and close with '{closer}'",
    "E0146": "invalid YAML: this line does not fit the indentation of the {what}{where}",
    "E0146.hint": "align list items ('- ') and keys with their siblings, using spaces",
    "E0147": "invalid YAML: unexpected indentation at the top level",
    "E0147.hint": "top-level keys start in column 1",
    "E0148": "invalid YAML: the quoted string at line {line}, column {col} is never closed",
    "E0148.hint": "add the closing quote",
    "E0150": "invalid YAML: unknown escape sequence in a double-quoted string",
    "E0150.hint": "write '\\\\' for a backslash, or use single quotes",
    "E0151": "invalid YAML: '{sign}' must be followed by a name",
    "E0151.hint": "quote a value that starts with '{sign}'",
    "E0152": "invalid YAML: a '|' or '>' block of text is malformed here",
    "E0152.hint": "quote a value that starts with '|' or '>'",
    "E0153": "invalid YAML: a value is missing here",
    "E0153.hint": "quote a value that starts with YAML punctuation (, [ ] {{ }} | > ! & * …)",
    "E0154": "invalid YAML: a '- ' list item where none can start",
    "E0154.hint": "check this line's indentation",
    "E0155": "invalid YAML: a key without ': ' after it",
    "E0155.hint": "end each key with ': ', or quote a value that spans several lines",
    # limits and hostile input (source.py, nodes.py)
    "E0156": "the input is larger than {limit} bytes",
    "E0156.hint": "set CNNCALC_MAX_BYTES to a larger number of bytes to read it anyway",
    "E0157": "a string holds a control or invisible character ({char})",
    "E0157.hint": "remove the escape (such as \\e, \\x1b or \\n) from the quoted string; "
    "names and values may not hold control or invisible characters",
    "E0158": "standard input is closed",
    "E0158.hint": "pipe a network file into the command, or pass its path instead of '-'",
    "E0159": "the file is {encoding} text; cnncalc reads UTF-8",
    "E0159.hint": "save the file as UTF-8",
    "H0120": "quote the value ('@' and '`' are reserved in YAML)",
    "H0121": "to give '{op}' options, write '- {op}:' and align the options under it",
    "H0122": 'inside {{ }} or [ ], quote an expression: out: "${{cin * 2}}"',
    "N0120": "list",
    "N0121": "mapping",
    "N0122": " that starts at line {line}",
    # values.py: typed values
    "E0201": "{shown} is too large a number",
    "E0201.hint": "cnncalc, like PyTorch, works with 64-bit sizes (at most {max})",
    "E0202": "'{v}' is a base-60 number in YAML 1.1 (it would read as {n}), not a shape",
    "E0202.hint": "write {shape} for a shape, or quote it for a string",
    "E0203": "'{v}' uses ':' between numbers",
    "E0203.hint": "write {shape} for a shape, or quote it for a string",
    "E0204": "{what} must be an integer, not '{v}'",
    "E0204.hint": "write a whole number such as 1",
    "E0205": "{what} must be an integer, but '${{{expr}}}' gives {v}",
    "E0205.hint": "use // for whole-number division, or round(...) / int(...)",
    "E0206": "{what} must be an integer, got {got}",
    "E0206.hint": "write a whole number such as 64",
    "E0207": "{what} must be at least {min}, got {v}",
    "E0207.hint": "use {min} or more",
    "E0208": "{what} must be a number, got {got}",
    "E0208.hint": "write a number such as 0.5",
    "E0209": "{what} must be true or false; '{v}' is not a boolean in cnncalc",
    "E0209.hint": "write {word}",
    "E0210": "{what} must be true or false, got {got}",
    "E0210.hint": "write true or false",
    "E0211": "{what} must be a name, got {got}",
    "E0211.hint": "write a single word here, not a list or a mapping",
    "E0212": "{what} is empty",
    "E0212.hint": "write a value after the ':'",
    "E0213": "{what} must be a mapping (key: value), got {got}",
    "E0213.hint": "write 'key: value' entries indented under it, or {{key: value}}",
    "E0214": "a key in {what} must be a plain name, got {got}",
    "E0214.hint": "write a name before the ':'",
    "E0215": "YAML merge keys ('<<') are not supported",
    "E0215.hint": "write the keys out",
    "E0216": "{what} must be a list, got {got}",
    "E0216.hint": "write '- ' items indented under it, or [a, b]",
    "E0217": "{what} contains {char} ('{ch}')",
    "E0217.hint": "use ASCII letters and digits",
    "E0218": "{what} '{text}' is not a list of sizes",
    "E0218.hint": "write it as 3x32x32",
    "E0219": "every size in {what} must be at least 1, got '{text}'",
    "E0219.hint": "sizes count pixels or channels: write them as 3x32x32",
    "E0220": "{what} is an empty list",
    "E0220.hint": "give at least one value, as in [3, 3]",
    "E0221": "{what} is a probability between 0 and 1, got {p}",
    "E0221.hint": "write a value from 0 to 1, such as 0.5",
    "E0222": "{what} must be positive",
    "E0222.hint": "write a value above 0, such as 2",
    "E0223": "{what}: each per-side entry is [before, after]",
    "E0223.hint": "write one pair per axis, as in [[1, 2], [1, 2]]",
    "E0224": "{what} must be a size, got '{v}'",
    "E0224.hint": "write a number or one per axis, as in 1 or [1, 2]",
    "E0225": "{what} must be a size or one of {options}, got '{v}'",
    "E0225.hint": "write a number, or one of {options}",
    "E0226": "unknown {what} '{v}'",
    "E0226.hint": "one of: {options}",
    "E0227": "YAML tag '{tag}' is not supported",
    "E0227.hint": "remove the tag",
    "H0201": "{char} is not an ASCII digit",
    "H0202": "'{word}' contains {char}, not an ASCII letter",
    "H0203": "{found}; {close}",
    "H0204": "{hint} ({names})",
    "H0205": "remove the quotes: a quoted value is a string",
    "H0206": "cnncalc reads decimal numbers only",
    "H0207": "'$name' and '${{…}}' work only inside a block's layers",
    "H0208": "separate sizes with 'x' or '×', as in 3x32x32",
    "N0201": "a mapping",
    "N0202": "a list",
    "N0203": "'${{{expr}}}' = {v}",
    "N0204": 'the string "{v}"',
    "N0205": "'{v}'",
    "N0206": "nothing",
    "N0207": "a huge number",
    "N0208": "'{arg}' of {op}",
    "N0209": "{head}…{tail} ({n} characters)",
    # expr.py: $param and ${expr}
    "E0230": "in '${{{expr}}}': {reason}",
    "E0230.hint": "expressions use numbers, parameters, + - * / // %, parentheses, min, max, "
    "round, int, make_divisible",
    "E0231": "'${{{expr}}}' gives {v}, not a number",
    "E0231.hint": "keep the numbers in range: a division by a tiny value or a huge product "
    "overflows",
    "E0232": "'${{{expr}}}' gives a number beyond 64 bits",
    "E0232.hint": "cnncalc, like PyTorch, works with sizes up to {max}",
    "E0233": "unknown parameter '${key}'",
    "E0233.hint": "declare it under the block's 'params'",
    "E0234": "'{v}' is neither '$name' nor '${{expression}}'",
    "E0234.hint": "write '$out' for a parameter, '${{out * 2}}' to compute",
    "N0230": "'{expr}' is not a valid expression",
    "N0231": "the expression nests too deeply",
    "N0232": "booleans are not allowed in expressions",
    "N0233": "unknown name '{name}'; {close} (names here: {known})",
    "N0234": "unknown name '{name}' (names here: {known})",
    "N0235": "parameter '{name}' is {shown}, not a number",
    "N0236": "empty",
    "N0237": "division by zero",
    "N0238": "{shown} is not allowed ({construct}); expressions use numbers, parameters, "
    "+ - * / // %, parentheses, min, max, round, int, make_divisible, and the comparisons "
    "== != < <= > >=",
    "N0239": "round() takes at most 30 digits, got {digits}",
    "N0240": "a value has no finite size (infinite, not a number, or far too large)",
    "N0241": "a function or operator was given arguments of the wrong kind or number",
    "N0250": "the operator {op}",
    "N0251": "a call of '{name}', which is not one of the functions",
    "N0252": "a comparison other than == != < <= > >=",
    "N0253": "'and' / 'or'",
    "N0254": "a constant that is not a number",
    "N0255": "an attribute",
    "N0256": "indexing",
    "N0257": "a conditional expression",
    "N0258": "a lambda",
    "N0259": "this kind of expression",
    "N0260": "keyword or starred arguments",
    "N0261": "parameters here: {names}",
    "N0262": "the expression is {n} characters long; at most {limit} are allowed",
    "N0263": "the expression has more than {limit} parts (numbers, names, operators)",
    "N0264": "'{shown}' goes beyond ±10^30, the largest value an expression may hold",
    "N0265": "an f-string",
    "N0266": "a comprehension",
    "N0267": "a list, tuple, set or dict",
    "N0268": "an assignment (:=)",
    "H0232": "write 1 for true and 0 for false",
    "H0233": "an expression can use the block's parameters and cin; declare any other under "
    "the block's 'params'",
    "H0235": "give the parameter a number where the block is called, or a number as its default",
    "H0237": "with these parameters the divisor is 0; keep it positive, as in max(d, 1)",
    "H0239": "round(v) rounds to a whole number; round(v, d) takes d from -30 to 30",
    "H0240": "keep every value in range: a division by a tiny value or a huge product has no "
    "finite size",
    "H0241": "min(a, b, …) and max(a, b, …) take numbers; round(v), round(v, digits), int(v) and "
    "make_divisible(v, divisor) take one number each, and the digits and divisor",
    "H0262": "compute in steps: a block parameter's default can hold a part of it "
    "(params: {{mid: '${{cin * 4}}'}})",
    "H0264": "sizes are whole numbers below 2^63 (about 9.2e18): check the parameters this "
    "expression uses",
    # document.py: the top-level keys
    "E0301": "the file is empty",
    "E0301.hint": "a network needs at least 'input:' and 'layers:' (or 'channels:')",
    "E0302": "unknown top-level key '{key}'",
    "E0302.hint": "see 'cnncalc schema' for the format",
    "E0303": "'cnncalc' is the format version, 1; got {got}",
    "E0303.hint": "this cnncalc reads format 1: write 'cnncalc: 1'",
    "E0304": "the network has no 'input'",
    "E0304.hint": "add a line like 'input: 3x224x224' (channels first, no batch)",
    "E0305": "the network name must be text, got {got}",
    "E0305.hint": "write a name, as in 'name: resnet18'",
    "E0306": "'{short}' applies to the 'channels' stack, but there is no 'channels'",
    "E0306.hint": "add 'channels: 3→64→128', or give the argument to each layer",
    "E0307": "the network has no layers",
    "E0307.hint": "add 'layers:' or 'channels:'",
    "E0308": "input must be a shape like 3x224x224, got {got}",
    "E0308.hint": "write the channels, then the sizes: 3x224x224",
    "E0309": "input has {n} axes; cnncalc reads up to 4 (channels + 3 spatial), without the batch",
    "E0309.hint": "leave the batch out: write 'batch: N' separately",
    "E0310": "unknown budget '{key}'",
    "E0310.hint": "see 'cnncalc schema' for the budgets",
    "E0311": "budget '{key}' must be a quantity like {example}",
    "E0311.hint": "write a number with an optional suffix, as in {example}",
    "E0312": "budget '{key}': {reason}",
    "E0312.hint": "write a number with an optional suffix, as in {example}",
    "E0313": "unknown op '{key}' in defaults",
    "E0313.hint": "see 'cnncalc schema' for every op",
    "E0314": "'{op}' has no argument '{arg}'",
    "E0314.hint": "see 'cnncalc schema' for its arguments",
    "E0315": "block name '{key}' is already an op or a keyword",
    "E0315.hint": "choose another name",
    "E0316": "'cin' is built in (the channels entering the block); choose another parameter name",
    "E0316.hint": "use '$cin' in the block's layers without declaring it",
    "E0317": "unknown key '{key}' in block '{block}'",
    "E0317.hint": "a block has 'params', 'layers' and 'frozen'",
    "E0318": "block '{block}' has no 'layers'",
    "E0318.hint": "add 'layers:' with the block's items",
    "E0319": "the channels stack must start with the input channels",
    "E0319.hint": "start it with the input's channel count, as in 3→64→128",
    "E0320": "the channels stack starts at {first} but the input has {c} channels "
    "(input: {shape}, line {line})",
    "E0320.hint": "start the stack with {c}",
    "E0321": "norm: gn needs a group count",
    "E0321.hint": "use 'bn' in the stack, or list the layers under 'layers'",
    "E0322": "{shown} in channels is neither a channel count nor 'M'",
    "E0322.hint": "write positive integers and 'M' (a 2×2 max pool), as in 3→64→M→128",
    "E0323": "the channels stack needs at least two numbers (in → out)",
    "E0323.hint": "write it as 3→64",
    "E0324": "'lint' must be a mapping, as in lint: {{ignore: [CNN105]}}",
    "E0324.hint": "write lint: {{ignore: [CNN105]}}",
    "E0325": "unknown key '{key}' in 'lint'",
    "E0325.hint": "the only key is 'ignore'",
    "H0303": "its arguments: {names}",
    "H0304": "'{op}' takes no arguments",
    "H0306": "write '{op}: {{{arg}: ...}}' or '{op}: N'",
    "H0307": "'{op}' is not an op (and plain YAML 1.1 would read it as a boolean)",
    "H0320": "the top-level keys: {keys}",
    "H0321": "'{key}' is not a cnncalc key (and plain YAML 1.1 would even read it as a boolean)",
    "H0322": "one of: {options}",
    "H0323": "separate channels with '→' or '->', as in 3→64→128",
    "N0330": "the network file",
    "N0331": "defaults for '{op}'",
    "N0332": "block '{block}'",
    "N0333": "params of block '{block}'",
    # scope.py and expand.py: names and expansion
    "E0330": "blocks and structures nest deeper than {depth} levels ({chain})",
    "E0330.hint": "flatten the nesting",
    "E0331": "this item has no op",
    "E0331.hint": "write an op such as 'conv: 64' beside 'name'/'from'/'repeat'",
    "E0332": "one item has several ops ({names})",
    "E0332.hint": "put each op in its own list item ('- ' before each)",
    "E0333": "unknown op '{op}'",
    "E0333.hint": "see 'cnncalc schema' for every op",
    "E0334": "'{name}' cannot be a layer name",
    "E0334.hint": "names may not contain '.' nor be 'input' or 'prev'",
    "E0335": "duplicate name '{name}' (first at line {line})",
    "E0335.hint": "names must be unique within their scope",
    "E0336": "duplicate name '{name}'",
    "E0336.hint": "names must be unique within their scope",
    "E0337": "'first' needs 'repeat'",
    "E0337.hint": "'first' overrides arguments of the first of the repeated copies",
    "E0338": "'first' does not apply to '{op}'",
    "E0338.hint": "put the structure in a block and repeat the block call",
    "E0339": "'repeat: {repeat}'{each} expands the network past {limit} layers",
    "E0339.hint": "lower the count (nested repeats and block calls multiply); the limit keeps any "
    "file within seconds and a few hundred MB, and CNNCALC_MAX_LAYERS=<n> raises it",
    "E0340": "'{key}' and '{other}' are the same argument of '{op}' ({doc})",
    "E0340.hint": "give it once",
    "E0341": "'{op}' takes no value here",
    "E0341.hint": "write '{op}' alone, or '{op}: {{...}}' with named arguments",
    "E0342": "'{op}' needs '{arg}' ({doc})",
    "E0342.hint": "write '{op}: {{{arg}: ...}}'",
    "E0343": "{op} '{name}' would make a tensor larger than PyTorch's 64-bit sizes allow "
    "(an axis of {size})",
    "E0343.hint": "check the scale factors and strides",
    "E0344": "the network expands past {limit} layers",
    "E0344.hint": "check the 'repeat' counts and block calls (they multiply); the limit keeps any "
    "file within seconds and a few hundred MB, and CNNCALC_MAX_LAYERS=<n> raises it",
    "E0345": "a relative reference must be negative (-1 = previous), got {v}",
    "E0345.hint": "write -1 for the item before, -2 for the one before that",
    "E0346": "reference {v} goes back past the first item (only {n} before it)",
    "E0346.hint": "write 'input' for what enters this sequence",
    "E0347": "a reference must be a name, 'prev', 'input' or -N, got {got}",
    "E0347.hint": "write a layer's name, as in 'from: conv1'",
    "E0348": "unknown reference '{ref}'",
    "E0348.hint": "refer to a layer named earlier in this scope",
    "E0350": "'{op}' takes a list of references, as in '{op}: [a, b]'",
    "E0350.hint": "list the layers to merge, as in '{op}: [conv1, prev]'",
    "E0351": "'{op}' needs at least two inputs",
    "E0351.hint": "list two or more references",
    "E0352": "{op} '{name}' needs inputs whose {what} match, but gets {inputs}",
    "E0352.hint": "make the inputs agree, e.g. with a 1×1 conv or a pool on one path",
    "E0353": "'residual' needs a 'body'",
    "E0353.hint": "write 'residual: {{body: [...]}}'",
    "E0354": "'{op}' has no key '{key}'",
    "E0354.hint": "remove the key",
    "E0355": "'parallel' needs 'branches'",
    "E0355.hint": "write 'parallel: {{branches: [[...], [...]]}}'",
    "E0356": "'parallel' needs at least two branches",
    "E0356.hint": "give two or more branches, each a list of items",
    "E0357": "shortcut: identity, but the body changes the shape from {x} to {y} "
    "(its last layer is '{body}'{line})",
    "E0357.hint": "use 'shortcut: auto' for a 1×1 projection, or 'optional' for none",
    "E0358": "shortcut: auto cannot project {x} to {y}",
    "E0358.hint": "give the shortcut layers explicitly",
    "E0359": "shortcut: auto needs a whole stride from {x} to {y}",
    "E0359.hint": "give the shortcut layers explicitly",
    "E0360": "block '{block}' calls itself ({chain})",
    "E0360.hint": "blocks cannot recurse",
    "E0361": "block '{block}' has no parameter '{key}'",
    "E0361.hint": "declare it under the block's 'params'",
    "E0362": "block '{block}' needs parameter '{key}'",
    "E0362.hint": "write '{block}: {{{key}: ...}}' (declared at line {line})",
    "E0364": "'{op}' with arguments takes its references as 'inputs', as in "
    "'{op}: {{inputs: [a, b], dim: 2}}'",
    "E0364.hint": "write the list of references under 'inputs'",
    "E0363": "input {shape} has 4 axes but no layer is 3-D: shapes are per sample, so its first "
    "axis would be read as the channels of a volume",
    "E0363.hint": "for an image with a batch, write 'input: {rest}' and 'batch: {batch}'; for a "
    "3-D network (a volume, a video), say so with a 3-D op such as 'conv3d' or 'Conv3d'",
    # block parameters as ops and optional items
    "E0380": "'{param}' stands for an op, but the parameter holds {got}",
    "E0380.hint": "pass the op's name as a word, e.g. 'act: hardswish' in the block call",
    "E0381": "an item with 'if' that is false cannot have '{key}'",
    "E0381.hint": "put 'if' on the item only, or make the condition true where '{key}' is used",
    "E0382": "'{key}' of a residual is 'true' or 'false'",
    "E0382.hint": "shortcut_first: true computes the shortcut before the body (RegNet, "
    "torchvision's order for names and generated code)",
    "E0385": "'{arg}' cannot be a default of {op}: it names one tensor, not a value for every "
    "layer",
    "E0385.hint": "write it on each {op} item that needs it",
    # Ultralytics model files (loader/ultralytics.py)
    "E0390": "model.{row}: module '{module}' is not one cnncalc reads in Ultralytics files",
    "E0390.hint": "write one of the supported modules, or describe the layer in a cnncalc file",
    "H0391": "supported: {names}",
    "E0392": "scale '{scale}' is not in the file's scales ({names})",
    "E0392.hint": "choose one with --scale",
    "H0390": "the file's scales: {names}",
    "E0393": "{what}: '{value}' is not a value Ultralytics accepts here",
    "E0393.hint": "see the Ultralytics documentation of the module for its arguments",
    "E0394": "{module} needs the number of classes, and the file has no 'nc'",
    "E0394.hint": "give it with --nc N, or write 'nc: N' at the top of the file",
    "E0395": "activation '{value}' is not one cnncalc reads",
    "E0395.hint": "write nn.<Name>() with one of: {names}",
    "E0396": "--scale {scale}: the file has no 'scales'",
    "E0396.hint": "drop --scale: the file sets its size with depth_multiple and width_multiple",
    "E0397": "model.{row}: from '{value}' names no earlier row",
    "E0397.hint": "-1 is the row before, -2 the one before it, a number from 0 an earlier row",
    "W0390": "no scale given: '{scale}', the file's first, as Ultralytics assumes",
    "W0390.hint": "choose the scale with --scale, or name the file after it (yolov8s.yaml)",
    # E081x/W081x: a cnncalc file that points at an Ultralytics model file
    "E0811": "ultralytics: '{path}' does not exist (read relative to {dir})",
    "E0811.hint": "write the model file's path relative to this file's directory, such as "
    "'ultralytics: models/yolov8.yaml'",
    "E0812": "ultralytics: '{path}' is outside {dir} and the working directory",
    "E0812.hint": "a file may point only at a model file inside its own directory or the "
    "working directory, by a relative path; copy the model file there",
    "E0813": "ultralytics: '{path}' is not an Ultralytics model file",
    "E0813.hint": "the file it names needs top-level 'backbone:' and 'head:' lists of "
    "[from, repeats, module, args] rows",
    "E0814": "'{key}' has no place beside 'ultralytics:': the network is the model file's",
    "E0814.hint": "such a file takes: {keys}",
    "E0815": "'{key}' says how to build an Ultralytics model: it needs 'ultralytics: PATH'",
    "E0815.hint": "name the model file with 'ultralytics: yolov8.yaml', or remove '{key}'",
    "E0817": "model.{row}: a row is [from, repeats, module, args], but this one has {got} item(s)",
    "E0817.hint": "write the row as four items, such as [-1, 1, Conv, [64, 3, 2]]",
    "E0818": "the model has no rows: 'backbone:' and 'head:' are both empty",
    "E0818.hint": "give at least one row, such as '- [-1, 1, Conv, [64, 3, 2]]'",
    "E0816": "{key}: '{value}' is not an image size",
    "E0816.hint": "one size (640), height x width (384x640) or [384, 640], each at least 1",
    "W0811": "--imgsz {size} is not a multiple of the max stride {stride}: using {used}, as "
    "Ultralytics' check_imgsz rounds it",
    "W0811.hint": "give a multiple of {stride}, such as --imgsz {used}",
    "E0383": "{op} takes 'size_of' or '{key}', not both",
    "E0383.hint": "size_of fixes the output size to another tensor's; drop '{key}'",
    "E0369": "with this item the network has at least {n} layers, past the limit of {limit}",
    "E0369.hint": "repeats and block calls multiply: check the counts; the limit keeps any file "
    "within seconds and a few hundred MB, and CNNCALC_MAX_LAYERS=<n> raises it",
    "E0370": "a layer name of {length} characters; at most {limit}",
    "E0370.hint": "shorten the name: each layer's full name repeats it (with a 'repeat:', once per "
    "copy), in every report row and in the JSON",
    "E0365": "'outputs' is an empty list",
    "E0365.hint": "name the output layers, as in 'outputs: [head]', or leave 'outputs' out: the "
    "last layer is then the output",
    "E0366": "'{ref}' is defined later, at line {line}",
    "E0366.hint": "a layer takes the output of one above it: move this item below '{ref}', or "
    "refer to a layer before it",
    "E0367": "'{ref}' is this layer's own name: a layer cannot take its own output",
    "E0367.hint": "refer to the layer before it ('prev' or -1), or to another one above it",
    "E0368": "{op} '{name}' has a receptive field past {limit} input pixels (strides and "
    "dilations multiply it)",
    "E0368.hint": "a real network's receptive field is at most a few thousand pixels: check the "
    "strides, dilations and scale factors",
    "H0310": "only the channels differ: 'concat' joins them, or project one side",
    "H0311": "mul broadcasts: each axis must match or be 1",
    "H0312": "its keys: {keys}",
    "N0301": " of {n} layers each",
    "N0302": "names in scope: {names}",
    "N0303": ", line {line}",
    "N0304": "none",
    "N0305": "shapes",
    "N0306": "sizes except channels",
    "N0360": "inner sizes (the first's last, the second's second-to-last)",
    "N0361": "sizes except on the joined axis",
    "N0307": "a layer",
    "N0308": "arguments of '{op}'",
    "N0309": "branch {i}",
    "N0310": "arguments of block '{block}'",
    "N0311": "its parameters: {names}",
    "N0312": "layers of block '{block}'",
    "N0313": "{shape} (from {src})",
    "N0314": "{a} and {b}",
    "N0315": "the network input",
    "N0316": "'{name}'",
    "N0317": "'{name}', line {line}",
    "N0318": "{names}, … ({n} more)",
    "N0320": "in block '{block}', called as '{name}' at line {line}",
    "N0321": "… (in more enclosing block calls)",
    # single.py: the `layer` command's options
    "E0801": "{what} '{text}' is not a size",
    "E0801.hint": "write e.g. 3 or 3x5 for {what}",
    "E0802": "{what} '{text}': every size must be between {min} and {max}",
    "E0802.hint": "write e.g. {example} or 3x5 for {what}",
    "E0803": "--op {op} takes no --{option}",
    "E0803.hint": "{op} takes: {options}",
    "E0804": "--op linear takes no --size or --dim: its input is a vector of --in features",
    "E0804.hint": "leave out --size and --dim",
    "E0805": "a {rank}-D layer: PyTorch has 1-D, 2-D and 3-D convolutions and pools",
    "E0805.hint": "give at most 3 sizes to --size, --kernel, --stride and --dilation",
    "E0806": "--size {size} is {n}-D but --dim is {dim}",
    "E0806.hint": "leave out --dim, or give --size {dim} sizes",
    "E0807": "--op {op} needs --out",
    "E0807.hint": "e.g. --in 3 --out 64",
    "E0808": "--op {op} takes no --out (it keeps the channel count)",
    "E0808.hint": "leave out --out",
    "E0809": "dwconv --out {out} must be a multiple of --in {cin}",
    "E0809.hint": "use a multiple of {cin}, such as --out {double}",
    "E0810": "{op} takes an integer padding",
    "E0810.hint": "give --padding as sizes, as in 1 or 1x2",
}

# --- E04xx layer arguments and sizes, E05xx the graph, W05xx: layers/ and engine ------------
LAYERS: dict[str, str] = {
    # arguments per axis
    "E0401": "'{what}' has {count} values but the input has {n} spatial axes",
    "E0401.hint": "give one value or {n}",
    "E0402": "'{what}' has {count} values but the input has 1 spatial axis",
    "E0402.hint": "give one value",
    "E0403": "'padding' has {count} per-side pairs but the input has {n} spatial axes",
    "E0403.hint": "give one [before, after] pair per spatial axis: {n} pairs",
    # what a kind accepts
    "E0404": "{op} needs a tensor with spatial axes but receives {shape}",
    "E0404.hint": "put it before 'flatten' / 'linear'",
    "E0405": "{alias} expects a {rank_name} input ({rank} axes with channels) but receives {shape}",
    "E0405.hint": "write '{kind}' to take the rank from the input",
    "E0406": "'in' is {e} but {x} input channels arrive",
    "E0406.hint": "write in: {x}, or change the layer that produces the input",
    "E0407": "'in' is {e} but {x} input features arrive",
    "E0407.hint": "write in: {x}, or change the layer that produces the input",
    # windows and sizes
    "E0408": "padding 'same' needs stride 1 but stride is {s} (PyTorch rejects it)",
    "E0408.hint": "use 'tf_same' for TensorFlow's SAME with a stride, or explicit sizes",
    "E0409": "{op} output size on axis {axis} would be {o}: {formula}",
    "E0409.hint": "the input {shape} is too small for this window; reduce the kernel, stride or "
    "dilation, add padding, or use a larger input",
    "E0410": "groups={g} must divide both the input channels ({cin}) and the output channels "
    "({cout})",
    "E0410.hint": "in {cin} % {g} = {a}, out {cout} % {g} = {b}",
    "E0411": "output_padding {op} must be smaller than max(stride, dilation) = max({s}, {d}) = {m}",
    "E0411.hint": "PyTorch's ConvTranspose rule: output_padding < max(stride, dilation)",
    "E0412": "{op} padding {p} is more than half the kernel ({k} // 2 = {h})",
    "E0412.hint": "PyTorch requires padding <= kernel_size // 2; use at most {h}",
    "E0413": "avgpool on a 3-D input needs every spatial size to be at least the kernel, but "
    "the input is {size} and the kernel {k}",
    "E0413.hint": "PyTorch's AvgPool3d rejects an input smaller than its kernel, even with "
    "padding or ceil_mode",
    # norms, prelu, linear
    "E0414": "gn groups={g} must divide the {c} input channels",
    "E0414.hint": "{c} % {g} = {r}",
    "E0415": "inorm needs more than one position per channel but receives {shape}",
    "E0415.hint": "instance norm is for feature maps; use 'ln' or 'bn' on vectors",
    "E0416": "prelu num={num} must be 1 or the {c} input channels",
    "E0416.hint": "write num: 1 (one slope shared by every channel) or num: {c} (one per channel)",
    "E0417": "linear needs a flat input but receives {shape} (or a tensor with the channels last: "
    "it acts on the last axis, here a spatial one)",
    "E0417.hint": "add 'flatten' (or 'gap' then 'flatten') before it; for a Linear at every "
    "position, put the channels last first: 'permute: [{dims}]'",
    # upsample and pad
    "E0418": "upsample mode '{mode}' needs a {rank} input but receives {shape}",
    "E0418.hint": "for this input use one of the modes {modes}",
    "E0419": "upsample takes 'scale' or 'size', not both (PyTorch rejects both)",
    "E0419.hint": "keep one: 'scale' multiplies the input size, 'size' fixes the output size",
    "E0420": "upsample by {f} overflows a size of {i}",
    "E0420.hint": "use a scale that keeps the output within PyTorch's 64-bit sizes",
    "E0421": "upsample output size on axis {axis} would be {o}: ⌊{i} · {f}⌋ = {o}",
    "E0421.hint": "the input {shape} is too small for this scale; use a larger one",
    "E0422": "pad needs explicit sizes, not '{mode}'",
    "E0422.hint": "write the sizes, as in 'p: 1' or 'p: [[0, 1], [0, 1]]'",
    "E0423": "reflect padding {p} must be smaller than the input size {i}",
    "E0423.hint": "use mode constant or replicate, or pad in smaller steps",
    "E0424": "circular padding {p} must be at most the input size {i}",
    "E0424.hint": "use mode constant or replicate, or pad in smaller steps",
    # PyTorch's count-neutral arguments, validated as PyTorch validates them
    "E0428": "padding_mode reflect pads {p} but the input size is {i}: it must be smaller "
    "(PyTorch's rule)",
    "E0428.hint": "use padding_mode replicate or zeros, or a smaller padding",
    "E0429": "padding_mode circular pads {p} but the input size is {i}: it may be at most that "
    "(PyTorch's rule)",
    "E0429.hint": "use padding_mode replicate or zeros, or a smaller padding",
    "E0430": "align_corners is only for the interpolating modes ({modes}), not mode '{mode}' "
    "(PyTorch rejects it)",
    "E0430.hint": "leave align_corners out with mode '{mode}', or choose an interpolating mode",
    "E0431": "recompute_scale_factor needs a 'scale', not a 'size' (PyTorch rejects it)",
    "E0431.hint": "leave recompute_scale_factor out, or give 'scale' instead of 'size'",
    "E0432": "flatten start_dim {start} and end_dim {end} must name per-sample axes 1 to {last} "
    "in order (0 is the batch, negative counts from the end)",
    "E0432.hint": "leave start_dim and end_dim out to make each sample one vector; start_dim: 2 "
    "keeps the channels (a grid to a sequence)",
    "E0433": "divisor_override needs a 2-D or 3-D input but receives {shape} (PyTorch's AvgPool1d "
    "has no divisor_override)",
    "E0433.hint": "leave divisor_override out (it changes no count)",
    "E0434": "{alias} takes one padding or {n} values (left and right of each axis, last axis "
    "first, as PyTorch writes them), but got {count}",
    "E0434.hint": "write 'padding: 1', or all {n} values in PyTorch's order",
    # channels last, tokens, attention (layers/kinds_tokens.py, kinds_attn.py)
    "E0480": "{op} reads the first axis as channels, but this tensor is permuted ({shape}, "
    "its channels moved)",
    "E0480.hint": "permute it back first: 'permute: [{dims}]'",
    "E0481": "{op} normalises the last axis, but receives a channels-first {shape} (the last "
    "axis is spatial)",
    "E0481.hint": "use 'ln' for the channels of a grid (ConvNeXt's LayerNorm2d), or put the "
    "channels last first: 'permute: [{dims}]'",
    "E0482": "permute dims [{dims}] must name each of the {n} axes 0 to {last} once, the batch "
    "(0) first",
    "E0482.hint": "write every axis, batch included: 'permute: [0, 2, 3, 1]' puts the channels "
    "of an image last",
    "E0483": "{op} dim {dim} names no per-sample axis: they are 1 to {last} (or -1 down to "
    "-{last}); 0 is the batch",
    "E0483.hint": "count the axes as PyTorch does, with the batch as axis 0",
    "E0484": "{op} sizes [{sizes}] may hold at most one -1 and otherwise sizes of at least 1 "
    "(input {shape})",
    "E0484.hint": "write the per-sample sizes, leaving one as -1 to be inferred",
    "E0485": "{op} sizes [{sizes}] do not hold the {n} elements of the input {shape}",
    "E0485.hint": "the sizes' product must equal {n} (one size may be -1)",
    "E0486": "select index {index} is outside the {size} positions of axis {dim}",
    "E0486.hint": "indices go from 0 to size − 1 (or −size to −1 from the end)",
    "E0487": "pixel_unshuffle by {r} needs every spatial size divisible by {r}, but receives "
    "{shape}",
    "E0487.hint": "pad or crop the input to a multiple of {r} first",
    "E0488": "pixel_shuffle by {r} needs the channels divisible by {rn}, but {c} arrive",
    "E0488.hint": "give the layer before it a multiple of {rn} output channels",
    "E0489": "{op} needs a token sequence, tokens × features, but receives {shape}",
    "E0489.hint": "flatten the grid and put the features last: 'flatten: {{start_dim: 2}}' then "
    "'transpose: {{dim0: 1, dim1: 2}}' (for a sequence that is already flat: "
    "'permute: [{dims}]')",
    "E0490": "attention num_heads={h} must divide the {e} features",
    "E0490.hint": "{e} % {h} = {r}; each head gets features / heads of them",
    "E0491": "matmul needs a …×n×k and a …×k×m input (leading axes broadcasting), but "
    "receives {shapes}",
    "E0492": "{op} needs a channels-last image, height × width × channels, but receives {shape}",
    "E0492.hint": "put the channels of an image last first: 'permute: [{dims}]'",
    "E0493": "roll needs one shift per axis, but has shifts [{shifts}] and dims [{dims}]",
    "E0493.hint": "write as many shifts as dims, as in 'roll: {{shifts: [-3, -3], dims: [1, 2]}}'",
    "E0494": "select would leave no axis of the vector {shape}: a sample stays at least a vector",
    "E0494.hint": "select from a tensor of two or more axes (ViT's class token: 'select' on the "
    "197×768 tokens)",
    "E0495": "concat along dim {dim} needs inputs whose sizes match on every other axis, but "
    "receives {shapes}",
    "E0495.hint": "only the joined axis may differ; check which axis is which (PyTorch's "
    "numbers: 0 is the batch)",
    "E0491.hint": "the first input's last size must equal the second's second-to-last; "
    "transpose one of them",
    # hints for an unknown op (the registry's suggest_op)
    "H0401": "did you mean '{name}'? {reason}",
    "H0402": "Keras' Dense is a fully connected layer: 'linear' (PyTorch's Linear)",
    "H0403": "a fully connected layer is 'linear' (also 'fc')",
    "H0404": "global average pooling is 'gap' ('avgpool' slides a window)",
    "H0405": "global max pooling is 'gmp' ('maxpool' slides a window)",
    "H0406": "a separable conv is two ops: 'dwconv', then a 1×1 'conv'",
    "H0407": "a depthwise conv is 'dwconv' (groups = input channels)",
    "H0408": "batch normalisation is 'bn' (or PyTorch's BatchNorm2d)",
    "H0409": "layer normalisation is 'ln' (over the channels)",
    "H0410": "a transposed convolution is 'convT' (also 'deconv')",
    "H0411": "upsampling is 'upsample' (with 'mode', and 'scale' or 'size')",
    "H0412": "Keras' MaxPooling2D, AveragePooling2D and ZeroPadding2D are 'maxpool', 'avgpool' and "
    "'pad'",
    "H0413": "joining along the channels is the merge 'concat' ('concat: [a, b]')",
    "H0414": "softmax has no parameters and no MACs: leave it out, or write 'identity' to keep "
    "its place",
    "H0415": "pooling is 'maxpool' or 'avgpool' over a window, 'gap' or 'gmp' over the whole map",
    "H0416": "a norm is 'bn' (batch), 'gn' (group), 'ln' (layer) or 'inorm' (instance)",
    # merges
    "E0425": "add needs inputs whose shapes match, but receives {shapes}",
    "E0425.hint": "give every input the same shape (a 1×1 conv can project one side)",
    "E0426": "concat needs inputs whose shapes except channels match, but receives {shapes}",
    "E0426.hint": "concat joins channels: every input needs the same spatial size",
    "E0427": "mul needs inputs whose shapes (after broadcasting) match, but receives {shapes}",
    "E0427.hint": "mul broadcasts: each axis must match or be 1",
    # parts of a tensor (split, chunk, slice) and channel shuffle
    "E0460": "dim {dim} is outside the tensor {shape} with its batch axis (dims {lo} to {hi})",
    "E0460.hint": "dims count as in PyTorch, the batch included: 1 is the channels, -1 the last "
    "axis",
    "E0461": "dim {dim} is the batch axis: shapes are per sample, so a part is taken along "
    "channels (dim 1) or a spatial axis",
    "E0461.hint": "write dim: 1 for channels (the default), 2 or more for a spatial axis",
    "E0462": "the split sizes {total} = {sum} must add up to the {n} the axis has",
    "E0462.hint": "as torch.split: give sizes that sum to {n}, or one size for equal parts",
    "E0463": "slice {start}:{end} of an axis of {n} is empty",
    "E0463.hint": "start and end count as Python's slices do (negative from the end); keep at "
    "least one index between them",
    "E0464": "channel_shuffle groups={g} must divide the {c} input channels",
    "E0464.hint": "{c} % {g} = {r}",
    "E0465": "size_of '{ref}' names a tensor {shape} without spatial axes",
    "E0465.hint": "name a feature map (with height and width), such as 'input' or a conv's output",
    # the engine
    "E0500": "unknown dtype '{dtype}'",
    "E0500.hint": "use one of {dtypes}",
    "W0501": "{op} '{name}' merges paths whose receptive fields are misaligned (jumps {jumps}; "
    "centres {centres} input pixels)",
    "W0501.hint": "each input pixel lands at a different place on each path; check the strides "
    "and paddings before the merge",
    # the engine's framing of a layer's message (the error keeps the layer's own code)
    "N0500": "{op} '{name}': {rest}",
    "N0501": "{op} '{name}': {rest} (from {src})",
    # where a tensor comes from
    "N0502": "the network input",
    "N0503": "'{name}', line {line}",
    "N0504": "'{name}'",
}

# --- lint rules: each rule's documentation (`cnncalc lint --explain CODE`, docs/lint.md) ---
RULE_DOCS: dict[str, str] = {
    "lint.CNN101.fires": (
        "a conv with a spatial kernel (not 1×1, not grouped or depthwise) that follows another "
        "conv along the path either makes more than 4× its input channels, or makes half its "
        "input channels or fewer while the spatial size has not changed since that previous "
        "conv (no pooling, no stride) — unless its output goes into a concatenation (DenseNet "
        "and Inception branches are meant to be narrow). The first conv of the network is "
        "CNN108's business. A gentler taper is a design choice, not a loss: AlexNet's 384 → 256 "
        "at 13×13 does not fire; 384 → 192 does."
    ),
    "lint.CNN101.reason": (
        "The usual advice: grow channels step by step as the size shrinks (64 → 128 → 256 → "
        "512) and avoid channel explosion. A jump multiplies the cost of the layer and of every "
        "layer after it; shrinking at the same resolution throws features away that the layer "
        "before just paid to compute. A 1×1 conv is the tool for changing the channel count (it "
        "is exempt)."
    ),
    "lint.CNN101.fix": (
        "Grow by 2× per stage, with a pooling or a stride between stages; change channels with "
        "a 1×1 conv."
    ),
    "lint.CNN101.example": (
        "input: 3x32x32\n"
        "layers:\n"
        "  - conv: {{out: 32, k: 3, p: 1}}\n"
        "  - conv: {{out: 256, k: 3, p: 1}}   # CNN101: 32 → 256 (8×) in one conv\n"
    ),
    "lint.CNN102.fires": (
        "one layer holds more than half of the network's params (or of its MACs), and more than "
        "three times an equal share (`max(50%, 3/n)` over the n layers that have any). The "
        "message says which share, e.g. VGG16's first fully connected layer: 102,764,544 of "
        "138,357,544 params, 74.3%."
    ),
    "lint.CNN102.reason": (
        "A single very wide layer — usually the first FC after a large flattened feature map "
        "(512×7×7 = 25,088 inputs × 4,096 outputs) — dominates the model's size and memory "
        "while doing little of its work."
    ),
    "lint.CNN102.fix": (
        "A global average pool before the classifier (as ResNet, MobileNet and EfficientNet do) "
        "shrinks the FC's input to the channel count; or narrow the layer."
    ),
    "lint.CNN103.fires": (
        "a conv or pooling has a stride larger than its effective kernel `d·(k−1)+1` along some "
        "axis — unless another layer reading the same input reads every pixel of it. That "
        "exempts ResNet's projection shortcut (a 1×1 conv with stride 2, written out or made by "
        "`shortcut: auto`): the body beside it reads the pixels the shortcut skips, and the sum "
        "carries them on."
    ),
    "lint.CNN103.reason": (
        "With kernel 1 and stride 2, one of every two input rows and columns — three pixels in "
        "four — is never read by any window. On the main path that information is gone for "
        "good: it is why ResNet v1.5 moved the stride of its bottleneck from the first 1×1 conv "
        "to the 3×3 conv."
    ),
    "lint.CNN103.fix": (
        "Use a kernel at least as large as the stride, or average-pool (2×2, stride 2) before a "
        "1×1 conv with stride 1 (ResNet-D does this even on the shortcut)."
    ),
    "lint.CNN103.example": (
        "input: 3x32x32\n"
        "layers:\n"
        "  - conv: {{out: 64, k: 3, p: 1}}\n"
        "  - conv: {{out: 128, k: 1, s: 2}}   # CNN103: three pixels in four are never read\n"
    ),
    "lint.CNN104.fires": (
        "a conv with `padding: same` or `tf_same` pads one side more than the other (an even "
        "effective kernel; with `tf_same`, also some strides)."
    ),
    "lint.CNN104.reason": (
        "The total padding `d·(k−1)` is odd, so PyTorch puts the extra pixel on one side: the "
        "output shifts by half a pixel, and the shift accumulates layer after layer."
    ),
    "lint.CNN104.fix": (
        "Use an odd kernel (3, 5, 7), or explicit per-side padding if the asymmetry is intended."
    ),
    "lint.CNN105.fires": (
        "a conv (or transposed conv) with `bias: true` has a batch norm as its only consumer."
    ),
    "lint.CNN105.reason": (
        "Batch norm subtracts each channel's mean, which removes any constant per-channel bias, "
        "and then adds its own learned shift β. The conv's bias is dead weight: `out` "
        "parameters that train to nothing."
    ),
    "lint.CNN105.fix": (
        "`bias: false` on the conv, or once for the file: `defaults: {{conv: {{bias: "
        "false}}}}`. (torchvision's `vgg16_bn` keeps the biases; ignore the rule to reproduce "
        "it.)"
    ),
    "lint.CNN106.fires": (
        "a conv whose kernel is wider than 1 runs on a 1×1 spatial map. The warning points at "
        "the layer that made the map 1×1 and counts the convs that follow."
    ),
    "lint.CNN106.reason": (
        "On a 1×1 map a k×k window sees one pixel and padding: its outer weights multiply "
        "zeros, so the layer costs k² times the parameters of the 1×1 conv it effectively is. "
        "The network has downsampled too early for its input size. Squeeze-excite gates (global "
        "pool, then 1×1 convs) are not affected."
    ),
    "lint.CNN106.fix": (
        "Downsample less (fewer strides or poolings), use a larger input, or end the spatial "
        "part with a global pool and a linear head."
    ),
    "lint.CNN107.fires": (
        "a position of a network output sees fewer input pixels than the input has, along some "
        "axis (the receptive field, as `cnncalc params` reports it). Classifiers whose head is "
        "a global pool or a linear layer see the whole input and never fire."
    ),
    "lint.CNN107.reason": (
        "An output cannot respond to anything larger than its receptive field: a segmentation "
        "output with a 200×200 field on a 256×256 image cannot use context from the far side."
    ),
    "lint.CNN107.fix": (
        "Add depth, strides, dilation or a global-context block, if the output should see the "
        "whole input; otherwise ignore the rule — it is a fact worth knowing, not always a "
        "fault."
    ),
    "lint.CNN108.fires": (
        "the first conv makes fewer than 16 or more than 128 channels — unless it is a patch "
        "embedding (kernel = stride > 1, no padding: ViT's 16×16 patches to 768 features, "
        "ConvNeXt's 4×4 stem), which is meant to turn each patch into one wide token."
    ),
    "lint.CNN108.reason": (
        "The first layer's input channels are fixed (3 for RGB, 1 for grey) and its output "
        "channels moderate (about 64). It sees raw pixels at full resolution: too few channels "
        "lose information before anything else can use it, too many make it the most expensive "
        "layer of the network."
    ),
    "lint.CNN108.fix": (
        "Start with 32–64 channels (ResNet and VGG: 64; MobileNet and EfficientNet: 32)."
    ),
    "lint.CNN109.fires": "a dropout layer feeds straight into a batch norm.",
    "lint.CNN109.reason": (
        "Dropout scales activations during training and not at inference, so the variance batch "
        "norm sees while training differs from the one at test time; its running statistics "
        'then no longer match ("variance shift", Li et al., 2019).'
    ),
    "lint.CNN109.fix": "Put dropout after the last batch norm (e.g. just before the classifier).",
    "lint.CNN110.fires": (
        "an `attention` layer attends over at least twice as many tokens as it has features (L "
        "≥ 2E): its two matrix products, QKᵀ and AV (2·L²·E MACs), then cost more than its four "
        "projections (4·L·E²), and its h·L² scores take more memory than the tokens themselves."
    ),
    "lint.CNN110.reason": (
        "The products grow with the square of the sequence. ViT-B/16 at 224×224 has 197 tokens "
        "of 768 features, and its products are a tenth of the projections; at 1024×1024 it has "
        "4,097 tokens and they are five times the projections. Doubling the image side "
        "quadruples the tokens and multiplies the products by 16."
    ),
    "lint.CNN110.fix": (
        "Windowed attention (`window_attention`, as Swin) keeps the square inside each window, "
        "so the cost is linear in the tokens; larger patches, or a pooled sequence, make fewer "
        "tokens."
    ),
    "lint.CNN110.example": (
        "input: 3x256x256\n"
        "layers:\n"
        "  - conv: {{out: 64, k: 4, s: 4}}        # 64×64 patches: 4,096 tokens of 64\n"
        "  - flatten: {{start_dim: 2}}\n"
        "  - transpose: {{dim0: 1, dim1: 2}}\n"
        "  - attention: 4                       # 2·4096²·64 MACs in QKᵀ and AV\n"
    ),
}

# ---------------------------------------------------------------------------------------------
# ONNX files (loader/onnx.py)
ONNX: dict[str, str] = {
    "E0941": "reading an ONNX file needs the onnx package, which is not installed",
    "E0941.hint": "install it with: {install}",
    "E0942": "this is not an ONNX model ({reason})",
    "E0942.hint": "an ONNX file is the binary protobuf torch.onnx.export writes; check that the "
    "file is whole (not cut short by a download) and is not another format named .onnx",
    "E0943": "the graph has {count} inputs ({names}); cnncalc reads a graph with one",
    "E0943.hint": "export the model with a single input tensor (the image)",
    "E0944": "the graph input '{name}' has the shape {shape}; cnncalc reads a batch axis and at "
    "least one axis more",
    "E0944.hint": "export the model with a batched input, such as 1x3x224x224",
    "E0945": "--input {asked} does not fit the file's input {shape}",
    "E0945.hint": "give the per-sample sizes (without the batch), one for each axis after it",
    "E0946": "the size of axis {axis} of the graph input '{name}' ({shape}) is not fixed in the "
    "file",
    "E0946.hint": "give the per-sample input with --input, such as --input 3x224x224",
    "E0947": "an axis of {value} is more than the {limit} cnncalc reads",
    "E0947.hint": "give a smaller input with --input",
    "E0948": "the graph has a cycle (node '{name}' depends on its own output)",
    "E0948.hint": "an ONNX graph is acyclic: re-export the model",
    "E0949": "{op} '{name}': cnncalc reads an output of {ours}, the file's shape inference "
    "{theirs}",
    "E0949.hint": "cnncalc does not guess: please report this with the file",
    "E0950": "ONNX shape inference failed: {reason}",
    "E0950.hint": "check the file with onnx.checker.check_model; a model exported with a newer "
    "opset than the installed onnx knows may need a newer onnx",
    "E0951": "{op} '{name}': cnncalc cannot count this node as the file writes it (a weight "
    "computed in the graph, a batch that is not the first axis, or padding it does not read)",
    "E0951.hint": "cnncalc reads a conv, pool or linear on a tensor whose batch is its first "
    "axis, with its weight an initializer (or computed from one) on the right; export with "
    "do_constant_folding=True",
    "E0952": "{op} '{name}': an op cnncalc does not know, whose output is not its input's shape",
    "E0952.hint": "cnncalc counts the standard ONNX ops it knows and never guesses the others; "
    "control flow (If, Loop, Scan) and other domains are not read",
    "E0953": "node '{name}' writes '{tensor}', which another node or an input also defines",
    "E0953.hint": "every tensor of an ONNX graph has one producer: re-export the model",
    "E0954": "node '{name}' reads '{tensor}', which no node, input or initializer defines",
    "E0954.hint": "the file is incomplete: re-export the model",
    "E0955": "the graph has {count} nodes or layers, more than the limit of {limit}",
    "E0955.hint": "set CNNCALC_MAX_LAYERS to a larger number to read it anyway",
    "E0956": "{op} '{name}': shape inference found no shape for '{tensor}'",
    "E0956.hint": "give the input's sizes with --input; an op whose output size depends on the "
    "data (NonZero, a dynamic Resize) cannot be counted",
    "E0957": "{op} '{name}': '{tensor}' is {a} at batch 1 and {b} at batch 2, so its batch axis "
    "is not known",
    "E0957.hint": "cnncalc counts per sample: export with the batch as a separate axis",
    "E0958": "no output of the graph depends on its input",
    "E0958.hint": "check that the exported graph is the model, not a constant",
    "E0959": "{op} '{name}': {reason}",
    "E0959.hint": "cnncalc maps this node onto its own layer and the layer refuses it; please "
    "report this with the file",
    "E0960": "{op} '{name}': '{tensor}' is {shape}, whose first axis is not the file's batch "
    "of {batch}",
    "E0960.hint": "export with a batch of 1, or with a dynamic batch (dynamic_axes)",
    "E0961": "the file holds no ONNX graph (ir_version {ir}, {nodes} nodes, {inputs} inputs)",
    "E0961.hint": "an empty or foreign file named .onnx: export the model again",
    "E0962": "{op} '{name}': its attributes or inputs are not what the op takes",
    "E0962.hint": "check the file with onnx.checker.check_model, or export the model again",
    "E0963": "a name in the file is not UTF-8 text (node #{index})",
    "E0963.hint": "the file is damaged: export the model again",
    "E0964": "layer '{name}' is the ONNX op {op}, which cnncalc reads for its shape only: it has "
    "no PyTorch code",
    "E0964.hint": "--to mermaid or --to dot draws the graph; --to pytorch writes the networks "
    "whose ONNX ops are all cnncalc's own layers (Conv, Gemm, MatMul, the norms, pools and "
    "activations, Add, Mul, Concat, Resize, Flatten)",
    "W0941": "{count} layers hold weights the exporter computed (a BatchNorm folded into its "
    "conv, as an eval-mode export does): params are the fused model's, fewer than the module's "
    "(2 per channel for each BatchNorm folded)",
    "W0941.hint": "export with training=torch.onnx.TrainingMode.TRAINING and "
    "do_constant_folding=False to count the model as PyTorch does",
    "W0942": "ops cnncalc does not know, read as free and shape-preserving: {ops}",
}

# E10xx, W10xx: training: backward FLOPs and saved activations, memory, `fit`, `--train`
# (analysis/train.py, analysis/memory.py, analysis/explain_train.py, cli/train.py)
TRAIN: dict[str, str] = {
    "E1001": "training is counted for float activations only, not '{dtype}'",
    "E1001.hint": "use one of {dtypes} (--dtype)",
    "E1031": "--dtype: '{dtype}' is not a training precision",
    "E1031.hint": "one of: {dtypes} (mixed-bf16 and mixed-fp16 keep float32 master weights and "
    "optimizer state)",
    "E1032": "unknown optimizer '{name}'",
    "E1032.hint": "one of: {options}",
    "E1033": "batch 1 does not fit: a training step needs {need} ({need_b} bytes; {optimizer}, "
    "{dtype}), but --memory is {limit} ({limit_b} bytes)",
    "E1033.hint": "the weights, gradients and optimizer state alone take {weights} "
    "({weights_b} bytes); try "
    "--optimizer sgd or momentum, --dtype mixed-bf16, or freezing layers (frozen: true)",
    "E1034": "--memory: {problem}",
    "E1034.hint": "a size in bytes, for example --memory 24GiB (or 16GB, 512MiB)",
    "E1035": "--dtype {dtype} is a training precision: it needs --train",
    "E1035.hint": "add --train, or use one of {dtypes}",
    "E1036": "--optimizer needs --train",
    "E1036.hint": "add --train to count the training step",
    "E1037": "--train shows in the table and JSON formats, not {fmt}",
    "E1037.hint": "use --format table or --format json with --train",
    "W1031": "every batch fits in {limit}: nothing the step keeps grows with the batch "
    "(no layer needs a gradient)",
    "W1032": "every batch up to {batch} (PyTorch's largest size) fits in {limit}",
    # the components
    "mem.parameters": "Parameters",
    "mem.buffers": "Buffers",
    "mem.gradients": "Gradients",
    "mem.master_weights": "Master weights",
    "mem.optimizer_state": "Optimizer state",
    "mem.activations": "Saved activations",
    "mem.transient": "Backward transient",
    "mem.total": "Training step",
    "mem.w.parameters": "{params} params × {b} B ({dtype}), frozen ones too",
    "mem.w.buffers": "BatchNorm running mean and variance ({dtype}) and int64 counters: "
    "module state, not learned",
    "mem.w.no_buffers": "none",
    "mem.w.gradients": "one .grad per trainable param: {trainable} × {b} B",
    "mem.w.master_weights": "a float32 copy of each trainable param, which the optimizer "
    "updates: {trainable} × 4 B",
    "mem.w.no_master": "none: the optimizer updates the params themselves",
    "mem.w.sgd": "plain SGD keeps no state",
    "mem.w.momentum": "one momentum buffer per trainable param: {trainable} × {b} B",
    "mem.w.adam": "exp_avg and exp_avg_sq: 2 × {trainable} × {b} B, plus a 0-d float32 step "
    "per param tensor: {tensors} × 4 B",
    "mem.w.activations": "what autograd keeps from forward to backward, batch {batch}",
    "mem.w.transient": "the largest layer's output and input gradients, alive while its "
    "backward runs",
    "mem.w.total": "the sum, {bytes} bytes: an estimate of the step's peak",
    "mem.title": "Training memory  ·  {optimizer}, {dtype}, batch {batch}",
    "mem.not_modelled": "Not counted: the allocator's rounding and cache, cuDNN/cuBLAS "
    "workspaces, the framework's own context (CUDA's takes some hundreds of MiB), the input "
    "batch and the loss. Leave headroom.",
    # fit
    "diff.col.old": "Old",
    "diff.col.new": "New",
    "diff.col.layer": "Layer",
    "diff.col.change": "Change",
    "diff.col.op": "Op",
    "diff.col.output": "Output",
    "diff.col.params": "Params",
    "diff.col.macs": "MACs",
    "diff.col.also": "Also",
    "diff.change.added": "added",
    "diff.change.removed": "removed",
    "diff.change.changed": "changed",
    "diff.total.params": "params",
    "diff.total.trainable_params": "trainable params",
    "diff.total.frozen_params": "frozen params",
    "diff.total.macs": "MACs",
    "diff.total.flops": "FLOPs",
    "diff.total.param_bytes": "param memory",
    "diff.total.peak_activation_bytes": "peak activations",
    "diff.layers": "{added} added, {removed} removed, {changed} changed, {unchanged} unchanged",
    "diff.layers_line": "Layers: {counts}",
    "diff.none": "No differences.",
    "diff.pct_new": "new",
    "fit.title": "{name}  ·  {optimizer}, {dtype}  ·  {limit}: batch {batch} fits",
    "fit.next": "Batch {batch} would need {need} bytes ({need_h}), {over} over {limit}.",
    "fit.line": "Memory(b) = {fixed} + {per} × b bytes ({fixed_h} + {per_h} per sample)",
    "fit.spark": "Batch 1 to {end}: {spark} (the limit is crossed after batch {batch})",
    "fit.svg.batch": "batch",
    "fit.svg.memory": "memory (GiB)",
    "fit.svg.limit": "limit {limit}",
    "fit.svg.title": "{name}: training memory against batch ({optimizer}, {dtype})",
    # --train on params, explain
    "train.title": "Training  ·  {optimizer}, {dtype}, batch {batch}",
    "train.backward": "Backward FLOPs",
    "train.step_flops": "Step FLOPs",
    "train.trainable": "Trainable params",
    "train.w.network_backward": "as FlopCounterMode counts loss.backward(): each layer's input "
    "and weight gradients",
    "train.w.step_flops": "forward {fwd} + backward {bwd} = {total} ({ratio}× forward)",
    "train.w.trainable": "{trainable} trainable + {frozen} frozen = {params}",
    "train.adam": "Adam's memory",
    "train.w.adam_triples": "Adam keeps two running moments per param (exp_avg, exp_avg_sq), "
    "each as large as the weights: weights {w} + moments {m} = {total}, {ratio} × the weights "
    "({with_grads} × with the gradients); plain SGD keeps none, momentum one",
    # explain --train: per layer
    "train.l.backward": "Backward MACs",
    "train.l.saved": "Saved for backward",
    "train.w.conv_backward": "gradient of the input {gi} + gradient of the weight {gw}: "
    "each as many MACs as the forward's {fwd}, so about twice the forward",
    "train.w.conv_backward_weight": "gradient of the weight only: {gw} (the input needs no "
    "gradient: nothing before it learns)",
    "train.w.conv_backward_input": "gradient of the input only: {gi} (frozen: no weight gradient)",
    "train.w.layer_backward": "{macs} MACs backward ({fwd} forward)",
    "train.w.no_grad": "not in the autograd graph: nothing before or in it learns",
    "train.w.saved_input": "its input, to compute the weight gradient (dL/dW = input × dL/dout)",
    "train.w.saved_relu": "its output: where it is positive is where the gradient passes",
    "train.w.saved_bn": "its input, and per channel the batch mean and inverse std",
    "train.w.saved_maxpool": "the int64 index of each window's maximum (the gradient goes "
    "there only)",
    "train.w.saved_dropout": "the noise it multiplied by: zero where a value was dropped",
    "train.w.saved_input_shared": "its input, for the weight gradient: kept already by an "
    "earlier layer, and counted there once",
    "train.w.no_macs": "none: its gradient is element-wise, and only products (conv, linear, "
    "matmul) count as MACs",
    "train.w.saved_none": "nothing: the gradient passes through unchanged or is split",
    "train.w.saved_shared": "nothing new: what it needs is kept already (counted once)",
    "train.w.saved": "tensors it needs to compute its gradients",
}

# ---------------------------------------------------------------------------------------------
MESSAGES: dict[str, str] = {**UI, **SHARED, **CLI, **LOADER, **LAYERS, **RULE_DOCS, **TRAIN, **ONNX}
