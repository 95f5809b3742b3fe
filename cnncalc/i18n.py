"""Messages in English and Chinese: the two catalogues, the lookup, and error translation.

`t(key, lang, **args)` formats a catalogue entry. The Chinese catalogue uses the teaching text's
terms (输入通道数, 输出通道数, 卷积核形状, 参数数量, 输出尺寸, 感受野). The two catalogues hold the
same keys with the same placeholders (a test keeps them in step). Errors are raised in English
by the loader and the layers; `render_error` translates them by matching the English `err.*`
templates (the placeholders become capture groups) and filling in the Chinese ones. A message
no template matches stays English inside the translated framing (`错误：`, `提示：`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from cnncalc.engine import CONVENTION
from cnncalc.errors import CnnCalcError

LANGS = ("en", "zh")
DEFAULT = "en"
ENV = "CNNCALC_LANG"

_EN: dict[str, str] = {
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

_ZH: dict[str, str] = {
    "col.layer": "层",
    "col.op": "操作",
    "col.output": "输出尺寸",
    "col.kernel": "卷积核形状",
    "col.params": "参数数量",
    "col.macs": "乘加次数",
    "col.rf": "感受野",
    "col.total": "合计",
    "col.quantity": "项目",
    "col.value": "数值",
    "col.working": "计算过程",
    "title.input": "{name}  ·  输入 {shape}",
    "title.batch": "  ·  批大小 {batch}",
    "totals.params": "参数数量     {n}  （{dtype} 下占 {size}）",
    "totals.macs": "乘加次数     {n}  （{h}）",
    "totals.flops": "浮点运算     {n}  （{h}，2 × MACs）",
    "totals.activations": "激活内存     峰值 {size}",
    "totals.activations_batch": "激活内存     峰值 {size}（批大小 {batch}）",
    "totals.output": "输出尺寸     {shape}",
    "totals.outputs": "输出尺寸     {shapes}",
    "totals.counting": "计数约定：{convention}。",
    "convention": "参数数量 = 可学习参数（不含 BN 的运行统计量）；MACs = conv/convT/linear 的"
    "乘加次数，不含偏置；FLOPs = 2 × MACs（与 torch FlopCounterMode 一致）；形状按单个样本计",
    "explain.input": "输入",
    "explain.channel_path": "通道变化",
    "explain.size_rule": "输出尺寸公式",
    "explain.in_channels": "输入通道数",
    "explain.out_channels": "输出通道数",
    "explain.kernel_shape": "卷积核形状",
    "explain.groups": "分组数",
    "explain.pointwise": "1×1 卷积",
    "explain.per_kernel": "每个卷积核的参数",
    "explain.per_input_channel": "每个输入通道的参数",
    "explain.total_params": "参数数量",
    "explain.params": "参数数量",
    "explain.channels": "通道数",
    "explain.features": "特征数",
    "explain.in_features": "输入特征数",
    "explain.out_features": "输出特征数",
    "explain.weight_shape": "权重形状",
    "explain.per_output": "每个输出的参数",
    "explain.out_size": "输出尺寸 {axis}",
    "explain.out_shape": "输出形状",
    "explain.macs": "乘加次数 (MACs)",
    "explain.flops": "浮点运算 (FLOPs)",
    "explain.rf": "感受野",
    "explain.network": "{name}：整个网络",
    "explain.w.input_grey": "{c} 个通道：灰度图像（黑白）",
    "explain.w.input_rgb": "{c} 个通道：彩色图像（红、绿、蓝）",
    "explain.w.input_multi": "{c} 个通道：多通道输入（如 MRI 的多个序列）",
    "explain.w.channel_path": "每层的输出通道数就是下一层的输入通道数：浅层通道较少（边缘、纹理），"
    "深层通道较多（语义、抽象特征）",
    "explain.w.weighted_layers": "{count} 个带权重的层之和",
    "explain.w.depth_all": "决定卷积核的深度：每个卷积核深 {depth}，覆盖全部输入通道",
    "explain.w.depth_groups": "决定卷积核的深度：每个卷积核深 {depth}，覆盖 {cin} / {g} 组 = "
    "{depth} 个通道",
    "explain.w.depth_groups_ctx": "决定卷积核的深度：{cin} 个输入通道 / {g} 组，"
    "每个卷积核深 {depth}",
    "explain.w.kernels": "即卷积核的数量：{cout} 个卷积核，每个输出通道一个",
    "explain.w.layout_short": "权重布局 (out, in/groups, {axes})",
    "explain.w.layout": "{cout} 个 {each} 的卷积核（{depth} 个输入通道，每个通道 {window} 的核）；"
    "权重布局 (out, in/groups, {axes})",
    "explain.w.jump": "；跳步 ",
    "explain.w.layout_transposed": "(in, out/groups, {axes})：转置卷积的权重布局",
    "explain.w.depthwise": "深度卷积：组数 = 输入通道数 = {g}，每个通道一个 {window} 的核",
    "explain.w.depthwise_ctx": "深度卷积：组数 = 输入通道数 = {g}，每个通道一个 {window} 的核；"
    "通道之间不混合",
    "explain.w.depthwise_mult": "深度卷积：组数 = 输入通道数 = {g}，每个通道 {mult} 个 {window} "
    "的核；通道之间不混合",
    "explain.w.grouped": "输入/输出通道数需能被组数整除（{cin} 和 {cout} 都能被 {g} 整除）",
    "explain.w.group_split": "；每组 {cin_g} → {cout_g} 个通道",
    "explain.w.pointwise": "只混合通道：可任意调整通道数",
    "explain.w.pointwise_ctx": "只混合通道：可任意调整通道数（{cin} → {cout}）",
    "explain.w.plus_bias": " + 偏置",
    "explain.w.per_kernel_bias": "{window}×{depth}（输入通道）+ 1（偏置）= {per}",
    "explain.w.per_kernel_nobias": "{window}×{depth}（输入通道）= {per}",
    "explain.w.total_conv": "{cout}（输出通道）× {per} = {total}",
    "explain.w.in_features": "每个输出都是全部输入特征的加权和",
    "explain.w.out_features": "每个输出一行权重",
    "explain.w.per_output_bias": "{cin} + 1 = {per}（权重 + 偏置）",
    "explain.w.per_output_nobias": "{cin}（权重，无偏置）",
    "explain.w.total_linear": "{cout}（输出特征）× {per} = {total}",
    "explain.w.norm_channels": "按通道归一化；通道数不变",
    "explain.w.norm_params": "2 × {c} = {total}（缩放 γ 和平移 β）",
    "explain.w.norm_no_affine": "没有可学习的仿射参数",
    "explain.w.pool_channels": "池化保持通道数不变，只缩小空间尺寸",
    "explain.w.pool_params": "池化没有权重",
    "explain.w.elementwise": "逐元素运算；形状和通道数不变",
    "explain.w.dropout": "训练时把 {p} 比例的值置零；形状不变",
    "explain.w.flatten": "{shape} = {total} 个值，展平成一个向量",
    "explain.w.upsample_channels": "上采样保持通道数不变",
    "explain.w.upsample_params": "没有权重：只是复制或插值",
    "explain.w.concat": "{parts} = {total}：拼接把各输入的通道叠在一起",
    "explain.w.add": "相加要求形状一致（{shapes}）；通道数不变",
    "explain.w.mul": "{shapes} → {out}：逐元素相乘，大小为 1 的轴会广播",
    "explain.w.adaptive": "由层指定：{o}，与输入（{i}）无关",
    "explain.w.out_shape": "通道在前，单个样本",
    "explain.w.macs_conv": "{positions} 个输出位置 × {weights} 个权重（{kshape}）= {macs}",
    "explain.w.macs_transposed": "{positions} 个输入位置 × {weights} 个权重 = {macs}",
    "explain.w.batch": "；× 批大小 {batch} = {total}",
    "explain.w.no_bias": "（不含偏置）",
    "explain.w.rf": "一个输出看到的输入像素；跳步 {jump}",
    "explain.w.rf_step": "{formula}（一个输出看到的输入像素）",
    "explain.w.rf_merge": "取各输入中最大的：{size}",
    "explain.w.rf_same": "不变：逐元素运算",
    "explain.w.rf_whole": "看到到达它的所有位置；跳步 {jump}",
    "lint.why": "原因：",
    "lint.see": "参见：",
    "lint.clean": "没有警告（已检查 {files} 个文件）",
    "lint.summary": "{count} 条警告，已检查 {files} 个文件：{codes}",
    "lint.CNN101.jump": "conv '{layer}'：通道数在一个卷积里从 {cin} 跳到 {cout}（{ratio} 倍）",
    "lint.CNN101.shrink": "conv '{layer}'：通道数从 {cin} 减少到 {cout}，其间没有池化或步长",
    "lint.CNN101.why": "通道数应随空间尺寸缩小逐步增加（如 128 → 256 → 512）：跳增会使后续每层的"
    "计算量爆炸，同一尺寸下缩减会丢弃特征（调整通道数应使用 1×1 卷积）",
    "lint.CNN102.params": "{op} '{layer}' 占整个网络参数数量的 {share}（{total} 中的 {part}）",
    "lint.CNN102.macs": "{op} '{layer}' 占整个网络乘加次数的 {share}（{total} 中的 {part}）",
    "lint.CNN102.why": "一个很宽的层占据了大部分开销（VGG16 的第一个全连接层占其参数的 74%）；"
    "在分类器前使用全局平均池化，或缩窄这一层，可以去掉大部分开销",
    "lint.CNN103.msg": "{op} '{layer}'：步长 {s} 大于卷积核 {k}：每个轴上每 {s} 个输入像素中有 "
    "{skip} 个从未被读取",
    "lint.CNN103.why": "没有任何窗口覆盖的像素对网络来说就丢失了；卷积核至少应与步长一样大，"
    "或在带步长的 1×1 卷积前先做平均池化（如 ResNet-D）",
    "lint.CNN104.msg": "conv '{layer}'：偶数卷积核（{k}）的 '{mode}' 填充在 {axis} 轴上不对称："
    "前 {pl}，后 {pr}",
    "lint.CNN104.why": "多出的一个填充像素只加在一侧，特征图每层偏移半个像素；使用奇数卷积核"
    "（3、5、7）使窗口居中",
    "lint.CNN105.msg": "{op} '{layer}' 带偏置，但直接接入 bn '{bn}'：它的 {bias} 个偏置参数被抵消",
    "lint.CNN105.why": "批归一化会减去每个通道的均值，任何常数偏置都被消去，然后再加上自己的平移；"
    "设置 bias: false（或 defaults: {{conv: {{bias: false}}}}）",
    "lint.CNN106.msg": "在 '{layer}' 之后空间尺寸已是 1×1，但后面还有 {count} 个 {k} 卷积在 1×1 "
    "的特征图上运行（第一个：'{first}'）",
    "lint.CNN106.why": "在 1×1 特征图上，k×k 窗口只看到一个像素和填充，外圈权重都乘以零；"
    "减少下采样，或以全局池化加全连接层结尾",
    "lint.CNN107.msg": "输出 '{layer}' 的每个位置只看到 {input} 输入中的 {rf} 个像素（感受野）",
    "lint.CNN107.why": "输出无法响应比感受野更大的东西；如果每个输出都应看到整个输入，"
    "请加深网络、增加步长或膨胀（或使用全局池化）",
    "lint.CNN108.few": "{op} '{layer}'：第一层只从 {cin} 个输入通道生成 {cout} 个输出通道",
    "lint.CNN108.many": "{op} '{layer}'：第一层从 {cin} 个输入通道生成多达 {cout} 个输出通道",
    "lint.CNN108.why": "初始层：输入通道数固定（如 3），输出通道数适中（如 64）；它在全分辨率上"
    "处理原始像素，通道太少会过早丢失信息，太多则计算量最大",
    "lint.CNN109.msg": "dropout '{layer}' 直接接入 bn '{bn}'",
    "lint.CNN109.why": "dropout 使训练和推理时的方差不同，批归一化的运行统计量因此不再匹配"
    "（方差偏移）；把 dropout 放在最后一个批归一化之后",
    "flow.title": "形状流，条形按{by}",
    "flow.by_macs": "乘加次数",
    "flow.by_params": "参数数量",
    "flow.input": "输入",
    "flow.skip": "↷ 跳连",
    "flow.where": "{by}集中在：{parts}",
    "flow.heaviest": "最重的层：{name}（{op}）{value}，{share}",
    "flow.no_cost": "没有任何层有{by}",
    "err.error": "错误：",
    "err.hint": "提示：",
    "err.note": "注：",
    "err.layer_prefix": "{op} '{name}'：{rest}",
    "err.from": "{rest}（来自 {src}）",
    "err.network_input": "网络输入",
    "err.src_line": "'{name}'，第 {line} 行",
    "err.no_file": "{name}：文件不存在",
    "err.is_dir": "{name}：是目录，不是网络文件",
    "err.no_such_file": "文件不存在",
    "err.directory": "这是目录，不是网络文件",
    "err.cannot_read": "无法读取文件：{reason}",
    "err.utf16": "文件是 UTF-16 文本；cnncalc 读取 UTF-8",
    "err.unknown_top": "未知的顶层键 '{key}'",
    "err.no_arg": "'{op}' 没有参数 '{arg}'",
    "err.unknown_op": "未知的操作 '{op}'",
    "err.needs_arg": "'{op}' 需要参数 '{arg}'（{doc}）",
    "err.no_input": "网络没有 'input'",
    "err.empty": "文件为空",
    "err.no_layers": "网络没有任何层",
    "err.yaml": "YAML 无效：{problem}",
    "err.tab": "缩进中有制表符：YAML 只能用空格缩进",
    "err.not_utf8": "文件不是 UTF-8 文本（字节 {byte}）",
    "err.stack_start": "通道堆叠从 {first} 开始，但输入有 {c} 个通道"
    "（input: {shape}，第 {line} 行）",
    "err.groups": "groups={g} 必须同时整除输入通道数（{cin}）和输出通道数（{cout}）",
    "err.in_channels": "'in' 为 {e}，但实际到达的输入通道数为 {x}",
    "err.in_features": "'in' 为 {e}，但实际到达的输入特征数为 {x}",
    "err.merge": "{op} '{name}' 的各输入必须一致（{what}），但收到 {inputs}",
    "err.base60": "'{v}' 在 YAML 1.1 中是六十进制数（会被读成 {n}），不是形状",
    "err.bool": "{what} 必须是 true 或 false；'{v}' 在 cnncalc 中不是布尔值",
    "err.dup_name": "名称 '{name}' 重复（第一次出现在第 {line} 行）",
    "err.block_param": "块 '{block}' 没有参数 '{key}'",
    "err.block_needs": "块 '{block}' 需要参数 '{key}'",
    "err.shortcut_identity": "shortcut: identity，但主体把形状从 {x} 变成了 {y}"
    "（其最后一层是 {last}）",
    "err.h.write_shape": "形状请写成 {shape}，若是字符串请加引号",
    "err.h.names_unique": "同一作用域内的名称必须唯一",
    "err.out_size": "{op} 在 {axis} 轴上的输出尺寸将为 {o}：{formula}",
    "err.same_stride": "padding 'same' 要求步长为 1，但步长为 {s}（PyTorch 会拒绝）",
    "err.flat": "linear 需要展平的输入，但收到 {shape}",
    "err.spatial": "{op} 需要带空间维度的张量，但收到 {shape}",
    "err.pool_pad": "{op} 的填充 {p} 超过卷积核的一半（{k} // 2 = {h}）",
    "err.dup_key": "重复的键 '{key}'（首次出现在第 {line} 行）",
    "err.unknown_ref": "未知的引用 '{ref}'",
    "err.int": "{what} 必须是整数，得到的是 {got}",
    "err.no_layer": "网络中没有名为 '{name}' 的层",
    "err.no_rule": "没有名为 '{name}' 的 lint 规则",
    "err.ignore_rule": "--ignore：没有名为 '{name}' 的 lint 规则",
    "err.lang": "未知的语言 '{name}'（来自 {where}）",
    "err.export_format": "--svg 和 --html 保存的是表格输出，不能与 --format {fmt} 同用",
    "err.did_you_mean": "你是想写 '{name}' 吗？",
    "err.h.stack_start": "用 {c} 开始通道堆叠",
    "err.h.write_in": "写 in: {x}，或修改产生该输入的层",
    "err.h.groups": "输入 {cin} % {g} = {a}，输出 {cout} % {g} = {b}",
    "err.h.flat": "在它之前加 'flatten'（或先 'gap' 再 'flatten'）",
    "err.h.too_small": "输入 {shape} 对这个窗口来说太小；请减小卷积核、步长或膨胀，增加填充，"
    "或使用更大的输入",
    "err.h.same": "带步长时请用 'tf_same'（TensorFlow 的 SAME），或写明填充",
    "err.h.utf8": "请将文件保存为 UTF-8",
    "err.h.path": "请检查路径",
    "err.h.tab": "把制表符换成空格",
    "err.h.input": "加一行如 'input: 3x224x224'（通道在前，不含批维度）",
    "err.h.spatial": "把它放在 'flatten' / 'linear' 之前",
    "err.h.indent": "对照上面几行检查这一行的缩进",
    "err.h.lang": "可选：{langs}",
}

CATALOGUES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"en": MappingProxyType(_EN), "zh": MappingProxyType(_ZH)}
)


def t(key: str, lang: str = DEFAULT, /, **args: object) -> str:
    """The message `key` in `lang`, formatted with `args` (English when `lang` lacks it)."""
    template = CATALOGUES.get(lang, _EN).get(key)
    if template is None:
        template = _EN[key]
    return template.format(**args) if args or "{" in template else template


def placeholders(template: str) -> frozenset[str]:
    """The names a template formats: `'{a} of {b}'` -> {a, b}."""
    return frozenset(f for _, f, _, _ in string.Formatter().parse(template) if f)


def choose(option: str | None, env: str | None) -> str:
    """The language: the option, else the environment (`CNNCALC_LANG`), else English.
    `zh_CN.UTF-8` and `zh-TW` count as `zh`; anything else unknown is an error."""
    for value, where in ((option, "--lang"), (env, ENV)):
        if not value:
            continue
        lang = re.split(r"[-_.@]", value.strip().lower(), maxsplit=1)[0]
        if lang not in LANGS:
            raise CnnCalcError(
                t("err.lang", DEFAULT, name=value, where=where),
                None,
                t("err.h.lang", DEFAULT, langs=", ".join(LANGS)),
            )
        return lang
    return DEFAULT


# --- translating errors ---------------------------------------------------------------------

#: placeholders that never contain a space, so that a template cannot swallow more than a word
_WORDS = frozenset({"op", "g", "e", "x", "c", "o", "s", "p", "k", "h", "a", "b", "line"})
_WRAPPERS = ("err.layer_prefix", "err.from")


@cache
def _pattern(key: str) -> re.Pattern[str]:
    out, seen = [], set()
    for literal, name, _, _ in string.Formatter().parse(_EN[key]):
        out.append(re.escape(literal))
        if not name:
            continue
        if name in seen:
            out.append(f"(?P={name})")
        else:
            seen.add(name)
            out.append(f"(?P<{name}>\\S+?)" if name in _WORDS else f"(?P<{name}>.+?)")
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def _error_keys() -> list[str]:
    return [k for k in _EN if k.startswith("err.") and k not in _WRAPPERS and "{" in _EN[k]] + [
        k for k in _EN if k.startswith("err.") and "{" not in _EN[k]
    ]


def translate(text: str, lang: str) -> str:
    """An English error message or hint in `lang`, by the first `err.*` template it matches;
    the layer prefix (`conv 'x': …`) and the source suffix (`… (from 'y', line 3)`) are
    peeled off and the rest translated in turn. Unmatched text stays as it is."""
    if lang == DEFAULT or not text:
        return text
    for key in _error_keys():
        m = _pattern(key).match(text)
        if m:
            return t(key, lang, **m.groupdict())
    m = _pattern("err.from").match(text)
    if m:
        src = m["src"]
        if src == _EN["err.network_input"]:
            src = t("err.network_input", lang)
        elif sm := _pattern("err.src_line").match(src):
            src = t("err.src_line", lang, **sm.groupdict())
        return t("err.from", lang, rest=translate(m["rest"], lang), src=src)
    m = _pattern("err.layer_prefix").match(text)
    if m and " " not in m["op"]:
        return t("err.layer_prefix", lang, op=m["op"], name=m["name"],
                 rest=translate(m["rest"], lang))  # fmt: skip
    return text


def render_error(err: CnnCalcError, lang: str = DEFAULT) -> str:
    """The error as a compiler diagnostic in `lang` (English: exactly `err.render()`). The
    English rendering is taken as it is and its message, notes and hint lines translated, so
    the layout (quoted line, caret) is stated once, in `errors`."""
    text = err.render()
    if lang == DEFAULT:
        return text
    where = f"{err.pos}: " if err.pos is not None else ""
    head = f"{where}error: {err.message}"
    if text.startswith(head):
        text = f"{where}{t('err.error', lang)}{translate(err.message, lang)}" + text[len(head) :]
    tail = f"hint: {err.hint}" if err.hint else None
    if tail and text.endswith(tail):
        text = text[: -len(tail)] + t("err.hint", lang) + translate(err.hint or "", lang)
    note = t("err.note", lang)
    return "\n".join(note + line[6:] if line.startswith("note: ") else line
                     for line in text.split("\n"))  # fmt: skip
