"""The English catalogue: every user-visible sentence, label and hint, keyed by code."""

from __future__ import annotations

CONVENTION = (
    "params = learnable parameters (BN running stats excluded); MACs = multiply-accumulates of "
    "conv/convT/linear, bias excluded; FLOPs = 2 × MACs (as torch FlopCounterMode); "
    "shapes per sample"
)

UI: dict[str, str] = {
    # params table, totals
    "col.layer": "Layer",
    "col.op": "Op",
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
    "totals.macs": "MACs         {n}  ({h})",
    "totals.flops": "FLOPs        {n}  ({h}, 2 × MACs)",
    "totals.activations": "Activations  {size} at peak",
    "totals.activations_batch": "Activations  {size} at peak (batch {batch})",
    "totals.output": "Output       {shape}",
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
    "explain.w.channel_path": "each layer's output channels are the next layer's input channels: "
    "few channels in shallow layers (edges, textures), more in deep ones (abstract features)",
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
    "explain.w.flatten": "{shape} = {total} values in one vector",
    "explain.w.upsample_channels": "upsampling keeps the channel count",
    "explain.w.upsample_params": "no weights: it repeats or interpolates values",
    "explain.w.concat": "{parts} = {total}: concatenation stacks the channels",
    "explain.w.add": "add needs equal shapes ({shapes}); the channel count is unchanged",
    "explain.w.mul": "{shapes} → {out}: element-wise product, size-1 axes broadcast",
    "explain.w.adaptive": "fixed by the layer: {o}, whatever the input ({i})",
    "explain.w.out_shape": "channels first, per sample",
    "explain.w.macs_conv": "{positions} output positions × {weights} weights ({kshape}) = {macs}",
    "explain.w.macs_transposed": "{positions} input positions × {weights} weights = {macs}",
    "explain.w.batch": "; × batch {batch} = {total}",
    "explain.w.no_bias": " (bias excluded)",
    "explain.w.rf": "input pixels seen by one output; jump {jump}",
    "explain.w.rf_step": "{formula} (input pixels seen by one output)",
    "explain.w.rf_merge": "the widest of the inputs: {size}",
    "explain.w.rf_same": "unchanged: element-wise",
    "explain.w.rf_whole": "sees every position that reaches it; jump {jump}",
    # lint
    "lint.why": "why: ",
    "lint.see": "see: ",
    "lint.clean": "no warnings ({files} file(s) checked)",
    "lint.summary": "{count} warning(s) in {files} file(s) checked: {codes}",
    "lint.CNN101.jump": "conv '{layer}': channels jump {cin} → {cout} ({ratio}×) in one conv",
    "lint.CNN101.shrink": "conv '{layer}': channels shrink {cin} → {cout} without a pooling "
    "or stride",
    "lint.CNN101.why": "grow channels step by step as the size shrinks (64 → 128 → 256 → 512): "
    "a jump multiplies every later layer's cost, a shrink at the same size throws features "
    "away (a 1×1 conv is the tool for changing channels)",
    "lint.CNN102.params": "{op} '{layer}' holds {share} of the network's params "
    "({part} of {total})",
    "lint.CNN102.macs": "{op} '{layer}' does {share} of the network's MACs ({part} of {total})",
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
    "err.error": "error: ",
    "err.hint": "hint: ",
    "err.note": "note: ",
    "ui.warning": "warning: ",
    "ui.colon": ": ",
    "err.layer_prefix": "{op} '{name}': {rest}",
    "err.from": "{rest} (from {src})",
    "err.network_input": "the network input",
    "err.src_line": "'{name}', line {line}",
    "err.no_file": "{name}: no such file",
    "err.is_dir": "{name}: is a directory, not a network file",
    "err.no_such_file": "no such file",
    "err.directory": "this is a directory, not a network file",
    "err.cannot_read": "cannot read the file: {reason}",
    "err.utf16": "the file is UTF-16 text; cnncalc reads UTF-8",
    "err.unknown_top": "unknown top-level key '{key}'",
    "err.no_arg": "'{op}' has no argument '{arg}'",
    "err.unknown_op": "unknown op '{op}'",
    "err.needs_arg": "'{op}' needs '{arg}' ({doc})",
    "err.no_input": "the network has no 'input'",
    "err.empty": "the file is empty",
    "err.no_layers": "the network has no layers",
    "err.yaml": "invalid YAML: {problem}",
    "err.tab": "a tab in the indentation: YAML indents with spaces only",
    "err.not_utf8": "the file is not UTF-8 text (byte {byte})",
    "err.stack_start": "the channels stack starts at {first} but the input has {c} channels "
    "(input: {shape}, line {line})",
    "err.groups": "groups={g} must divide both the input channels ({cin}) and the output "
    "channels ({cout})",
    "err.in_channels": "'in' is {e} but {x} input channels arrive",
    "err.in_features": "'in' is {e} but {x} input features arrive",
    "err.out_size": "{op} output size on axis {axis} would be {o}: {formula}",
    "err.same_stride": "padding 'same' needs stride 1 but stride is {s} (PyTorch rejects it)",
    "err.flat": "linear needs a flat input but receives {shape}",
    "err.spatial": "{op} needs a tensor with spatial axes but receives {shape}",
    "err.pool_pad": "{op} padding {p} is more than half the kernel ({k} // 2 = {h})",
    "err.dup_key": "duplicate key '{key}' (first at line {line})",
    "err.unknown_ref": "unknown reference '{ref}'",
    "err.int": "{what} must be an integer, got {got}",
    "err.no_layer": "no layer named '{name}' in this network",
    "err.no_rule": "no lint rule '{name}'",
    "err.ignore_rule": "--ignore: no lint rule '{name}'",
    "err.lang": "unknown language '{name}' (from {where})",
    "err.export_format": "--svg and --html save the table output; they do not combine with "
    "--format {fmt}",
    "err.did_you_mean": "did you mean '{name}'?",
    "err.merge": "{op} '{name}' needs inputs whose {what} match, but gets {inputs}",
    "err.base60": "'{v}' is a base-60 number in YAML 1.1 (it would read as {n}), not a shape",
    "err.bool": "{what} must be true or false; '{v}' is not a boolean in cnncalc",
    "err.dup_name": "duplicate name '{name}' (first at line {line})",
    "err.block_param": "block '{block}' has no parameter '{key}'",
    "err.block_needs": "block '{block}' needs parameter '{key}'",
    "err.shortcut_identity": "shortcut: identity, but the body changes the shape from {x} to {y} "
    "(its last layer is {last})",
    "err.h.write_shape": "write {shape} for a shape, or quote it for a string",
    "err.h.names_unique": "names must be unique within their scope",
    "err.h.stack_start": "start the stack with {c}",
    "err.h.write_in": "write in: {x}, or change the layer that produces the input",
    "err.h.groups": "in {cin} % {g} = {a}, out {cout} % {g} = {b}",
    "err.h.flat": "add 'flatten' (or 'gap' then 'flatten') before it",
    "err.h.too_small": "the input {shape} is too small for this window; reduce the kernel, "
    "stride or dilation, add padding, or use a larger input",
    "err.h.same": "use 'tf_same' for TensorFlow's SAME with a stride, or an explicit padding",
    "err.h.utf8": "save the file as UTF-8",
    "err.h.path": "check the path",
    "err.h.tab": "replace the tab with spaces",
    "err.h.input": "add a line like 'input: 3x224x224' (channels first, no batch)",
    "err.h.spatial": "put it before 'flatten' / 'linear'",
    "err.h.indent": "check the indentation of this line against the ones above it",
    "err.h.lang": "choose one of {langs}",
}


# --- shared hints and notes ------------------------------------------------------------------
SHARED: dict[str, str] = {
    "H0001": "did you mean '{name}'?",
}

# --- E00xx reading files and options, E06xx budgets/check/diff, E07xx explain/lint/flow,
# --- W06xx and up: cli/, analysis/, render/ --------------------------------------------------
CLI: dict[str, str] = {}

# --- E01xx source and YAML, E02xx values and expressions, E03xx document/scope/expansion,
# --- E08xx the `layer` command's options, W01xx: loader/ -------------------------------------
LOADER: dict[str, str] = {}

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
    "E0417": "linear needs a flat input but receives {shape}",
    "E0417.hint": "add 'flatten' (or 'gap' then 'flatten') before it",
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
    "E0432": "flatten counts only start_dim 1 and end_dim -1 (or {last}), the whole sample, but "
    "got start_dim {start} and end_dim {end}",
    "E0432.hint": "leave start_dim and end_dim out: shapes are per sample, and flatten makes each "
    "sample one vector",
    "E0433": "divisor_override needs a 2-D or 3-D input but receives {shape} (PyTorch's AvgPool1d "
    "has no divisor_override)",
    "E0433.hint": "leave divisor_override out (it changes no count)",
    "E0434": "{alias} takes one padding or {n} values (left and right of each axis, last axis "
    "first, as PyTorch writes them), but got {count}",
    "E0434.hint": "write 'padding: 1', or all {n} values in PyTorch's order",
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

# ---------------------------------------------------------------------------------------------
MESSAGES: dict[str, str] = {**UI, **SHARED, **CLI, **LOADER, **LAYERS}
