"""The Chinese catalogue: the same keys and placeholders as `en`, in the teaching text's terms
(输入通道数, 输出通道数, 卷积核形状, 参数数量, 输出尺寸, 感受野)."""

from __future__ import annotations

UI: dict[str, str] = {
    "col.layer": "层",
    "col.op": "操作",
    "col.input": "输入尺寸",
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
    "totals.trainable": "可训练参数   {trainable} · 冻结 {frozen}",
    "totals.macs": "乘加次数     {n}  （{h}）",
    "totals.flops": "浮点运算     {n}  （{h}，2 × MACs）",
    "totals.activations": "激活内存     峰值 {size}",
    "totals.activations_batch": "激活内存     峰值 {size}（批大小 {batch}）",
    "totals.output": "输出尺寸     {shape}",
    "totals.fused": "融合后参数   {n}  （Ultralytics 的 model.fuse()：每个 Conv 的 BatchNorm "
    "并入其卷积{end2end}）",
    "totals.fused_e2e": "，并去掉一对多检测头",
    "totals.info": "info()       未融合 {unfused} FLOPs，融合后 {fused}  （Ultralytics "
    "{version} 的 model.info()：{unfused_g} / {fused_g} GFLOPs；融合前每个进入 BatchNorm "
    "的元素计 8 FLOPs）",
    "totals.outputs": "输出尺寸     {shapes}",
    "totals.counting": "计数约定：{convention}。",
    "convention": "参数数量 = 可学习参数（不含 BN 的运行统计量）；MACs = conv/convT/linear"
    "（在每个位置）与矩阵乘法（matmul、注意力的 QKᵀ 和 AV）的乘加次数，不含偏置；"
    "FLOPs = 2 × MACs（与 torch FlopCounterMode 一致）；形状按单个样本计",
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
    "explain.part": "部分",
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
    "explain.path_more": "（另 {n} 个）",
    "explain.w.channel_path": "每层的输出通道数就是下一层的输入通道数：浅层通道较少（边缘、纹理），"
    "深层通道较多（语义、抽象特征）",
    "explain.layers": "层",
    "explain.share": "参数占比",
    "explain.shortcut": "捷径（{name}）",
    "explain.block": "块",
    "explain.w.share": "占整个网络的参数；MACs 占 {macs}",
    "explain.w.projection": "投影 {name}：{ops}",
    "explain.w.identity": "恒等映射：原样加上 '{name}'，没有参数",
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
    "explain.w.part": "沿 dim {dim} 的 {n} 个下标中的第 {a} 到第 {b} 个（split、chunk 或 slice）",
    "explain.w.part_params": "输入的一部分：没有权重，不计任何数",
    "explain.w.shuffle": "交错各组通道：没有权重，形状不变",
    "explain.w.drop_path": "训练时以概率 {p} 丢弃整个样本的这条路径；推理时原样输出",
    "explain.w.flatten": "{shape} = {total} 个值，展平成一个向量",
    "explain.w.upsample_channels": "上采样保持通道数不变",
    "explain.w.upsample_params": "没有权重：只是复制或插值",
    "explain.w.concat": "{parts} = {total}：拼接把各输入的通道叠在一起",
    "explain.w.add": "相加要求形状一致（{shapes}）；通道数不变",
    "explain.w.mul": "{shapes} → {out}：逐元素相乘，大小为 1 的轴会广播",
    "explain.w.adaptive": "由层指定：{o}，与输入（{i}）无关",
    "explain.w.out_shape": "通道在前，单个样本",
    "explain.w.out_shape_last": "通道在后（已重排），单个样本",
    "explain.w.out_shape_moved": "单个样本，维度已重新排列",
    "explain.w.macs_conv": "{positions} 个输出位置 × {weights} 个权重（{kshape}）= {macs}",
    "explain.w.macs_transposed": "{positions} 个输入位置 × {weights} 个权重 = {macs}",
    "explain.w.batch": "；× 批大小 {batch} = {total}",
    "explain.w.no_bias": "（不含偏置）",
    # 通道在后、词元、注意力（analysis/explain_tokens.py）
    "explain.tokens": "词元",
    "explain.joined": "第 {dim} 维尺寸",
    "explain.w.concat_axis": "{parts} = {total}：各输入沿第 {dim} 维拼接",
    "explain.heads": "头数",
    "explain.w.layer_scale_channels": "γ 为每个通道配一个可学习的缩放（形状 C×1×1）",
    "explain.w.layer_scale": "{c} 个参数，每个通道一个；γ · x 是逐元素乘法，所以没有 MACs",
    "explain.w.class_token": "{num} 个可学习词元 × {e} 个特征 = {total}",
    "explain.w.tokens_grow": "沿序列维拼在最前：{a} → {b}",
    "explain.w.pos_embedding": "每个词元、每个特征一个可学习的值：{dims} "
    "= {total}；逐元素相加，所以没有 MACs",
    "explain.w.layernorm_features": "在每个位置上对最后一个维度做归一化",
    "explain.w.layernorm_params": "2 × {f} = {total}（每个特征一个缩放 γ 和平移 β）",
    "explain.w.attention_tokens": "每个词元都关注所有词元",
    "explain.w.attention_heads": "{e} 个特征分成 {h} 个头，每头 d = {d}",
    "explain.w.in_proj": "in_proj_weight (3E, E)：查询、键、值三个投影",
    "explain.w.attention_params": "in_proj 3·{e}² + 3·{e}，out_proj {e}² + {e}：4·{e}² + 4·{e} "
    "= {total}（含偏置）",
    "explain.w.attention_params_nobias": "in_proj 3·{e}²，out_proj {e}²："
    "共 4·{e}² = {total}（无偏置）",
    "explain.w.bias_kv": "，另加 bias_k 与 bias_v，2·{e}",
    "explain.windows": "窗口数",
    "explain.w.windows": "特征图填充到 {hp}×{wp}，切成 {w}×{w} 的窗口：{windows} 个；"
    "每个词元只在自己的窗口内做注意力",
    "explain.partition": "窗口划分",
    "explain.w.partition": "{h}×{w}×{c} 填充到 {hp}×{wp}×{c}，切成 {windows} 个窗口，"
    "每个 {w2} 个词元（{windows}×{w2}×{c}）；注意力之后把窗口拼回原位（窗口还原）并去掉填充："
    "只是重排与变形，没有参数，不计 MAC",
    "explain.shift": "移位",
    "explain.w.shift": "划分前用 torch.roll 在两个轴上各移 −{s}，还原后再移 +{s}，"
    "使这些窗口跨过上一块的窗口边界；掩码让从另一侧卷入的词元互不相见：没有参数，不计 MAC",
    "explain.w.shift_covered": "不移位：{w}×{w} 的窗口已覆盖 {hp}×{wp} 的整张特征图，"
    "移位量 {s} 不起作用（torchvision 同样将其置为 0）",
    "explain.w.shift_none": "不移位：窗口按原位切分",
    "explain.w.shift_one": "只在 {axis} 轴上移位：划分前用 torch.roll 移 −{s}，还原后再移 +{s}；"
    "宽 {w} 的窗口已覆盖另一个轴，torchvision 在那个轴上将移位置为 0；"
    "掩码让从另一侧卷入的词元互不相见：没有参数，不计 MAC",
    "explain.w.window_params": "qkv 3·{c}² + 3·{c}，proj {c}² + {c}（含偏置），"
    "再加相对位置偏置表 {k}·{k}·{h} = {table}：共 {total}",
    "explain.w.macs_window": "投影 4 · {p} · {c}² = {proj}，加上每个窗口内的 QKᵀ 与 AV "
    "2 · {p} · {w}² · {c} = {products}：共 {macs}。平方只在窗口内：随特征图大小线性增长，"
    "随窗口边长平方增长",
    "explain.w.reorder": "{a} → {b}：同样的值换一种排列，没有可学习参数",
    "explain.w.matmul": "{a} @ {b} → {out}：两个张量相乘，没有可学习参数",
    "explain.w.macs_positions": "{positions} 个位置 × {cin} × {cout}"
    " = {macs}（在每个位置做一次 Linear）",
    "explain.w.macs_attention": "投影 4 · {l} · {e}² = {proj}，加上 QKᵀ 与 AV "
    "2 · {l} · {lk} · {e} = {products}：共 {macs}。这两次乘法随 L² 增长：词元数翻倍，"
    "代价变为四倍；运行时 {scores} 个注意力分数也算作激活",
    "explain.w.macs_matmul": "{lead} × {n} × {k} × {m} = {macs}",
    "explain.w.rf": "一个输出看到的输入像素；跳步 {jump}",
    "explain.w.rf_step": "{formula}（一个输出看到的输入像素）",
    "explain.w.rf_merge": "取各输入中最大的：{size}",
    "explain.w.rf_same": "不变：逐元素运算",
    "explain.w.rf_whole": "看到到达它的所有位置；跳步 {jump}",
    "lint.why": "原因：",
    "lint.see": "参见：",
    "lint.doc.fires": "触发条件",
    "lint.doc.why": "原因",
    "lint.doc.example": "示例",
    "lint.doc.fix": "修正",
    "lint.clean": "没有设计警告（已检查 {files} 个文件）",
    "lint.summary": "{count} 条警告，已检查 {files} 个文件：{codes}",
    "lint.CNN101.jump": "conv '{layer}'：通道数在一个卷积里从 {cin} 跳到 {cout}（{ratio} 倍）",
    "lint.CNN101.shrink": "conv '{layer}'：通道数从 {cin} 减少到 {cout}，其间没有池化或步长",
    "lint.CNN101.why": "通道数应随空间尺寸缩小逐步增加（如 128 → 256 → 512）：跳增会使后续每层的"
    "计算量爆炸，同一尺寸下缩减会丢弃特征（调整通道数应使用 1×1 卷积）",
    "lint.CNN102.params": "{op} '{layer}' 占整个网络参数数量的 {share:.1%}（{total} 中的 {part}）",
    "lint.CNN102.macs": "{op} '{layer}' 占整个网络乘加次数的 {share:.1%}（{total} 中的 {part}）",
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
    "lint.CNN110.msg": "attention '{layer}' 作用于 {l} 个词元、每个 {e} 个特征：QKᵀ 与 AV 需要 "
    "{products} 次乘加，超过它的投影（{proj}），{scores} 个注意力分数也超过了词元本身",
    "lint.CNN110.why": "注意力的两次矩阵乘法随词元数的平方增长：词元数达到 2·E "
    "起，它们的代价就超过全部投影；图像边长翻倍，这部分代价变为 16 倍；窗口注意力（Swin 的做法）"
    "让它随词元数线性增长，更大的图块也能减少词元",
    "flow.title": "形状流，条形按{by}",
    "flow.by_macs": "乘加次数",
    "flow.by_params": "参数数量",
    "flow.input": "输入",
    "flow.skip": "↷ 跳连",
    "flow.where": "{by}集中在：{parts}",
    "flow.heaviest": "最重的层：{name}（{op}）{value}，{share}",
    "flow.no_cost": "没有任何层有{by}",
    "ui.error": "错误：",
    "ui.hint": "提示：",
    "ui.note": "注：",
    "graph.params": "参数 {n}",
    "graph.inputs": "输入：{shapes}",
    "export.pytorch.doc": "{name} 的 PyTorch 模块（类 {cls}），由 cnncalc export 生成。",
    "ui.warning": "警告：",
    "ui.colon": "：",
}


# --- shared hints and notes ------------------------------------------------------------------
SHARED: dict[str, str] = {
    "H0001": "是不是想写 '{name}'？",
}

# --- E00xx reading files and options, E06xx budgets/check/diff, E07xx explain/lint/flow,
# --- W06xx and up: cli/, analysis/, render/ --------------------------------------------------
CLI: dict[str, str] = {
    # 读取文件与选项
    "E0001": "{path}：这个目录里没有 .yaml 或 .yml 文件",
    "E0001.hint": "请给出网络文件，或包含网络文件的目录",
    "E0002": "没有文件匹配 '{pattern}'",
    "E0002.hint": "'**' 可匹配任意层级的子目录",
    "E0003": "--svg 和 --html 保存的是表格输出，不能与 --format {fmt} 同时使用",
    "E0003.hint": "去掉 --format {fmt}，或去掉 --svg 和 --html",
    "E0004": "{path}：无法写入：{reason}",
    "E0004.hint": "请确认目录存在且有写入权限",
    "E0005": "{option}：无法写入 {path}：{reason}",
    "E0005.hint": "请确认目录存在且有写入权限",
    "E0006": "未知的语言 '{name}'（来自 {where}）",
    "E0006.hint": "可选语言：{langs}",
    "E0007": "'{spec}' 既不是文件，也不是 REV:path 形式",
    "E0007.hint": "写法如 HEAD~1:models/net.yaml",
    "E0008": "无法读取 '{spec}'：git 无法运行（{reason}）",
    "E0008.hint": "请安装 git，或直接以文件形式给出旧版本",
    "E0009": "无法从 git 读取 '{spec}'：{reason}",
    "E0009.hint": "REV:path 中的版本须为 git 认识的版本（HEAD~1、main、标签），路径相对于当前目录",
    # 流、限制与路径（cli/common.py）
    "E0020": "标准输出已关闭；报告无处可写",
    "E0020.hint": "运行命令时不要关闭标准输出（>&-），或将其重定向到文件",
    "E0021": "无法写出输出：{reason}",
    "E0021.hint": "检查磁盘是否已满，以及读取输出的程序是否仍在运行",
    "E0022": "{option}：{value} 超过上限 {limit}",
    "E0022.hint": "请传入不超过 {limit} 的 {option}",
    "E0023": "命令行无效：{message}",
    "E0023.hint": "用法：{usage}；运行 '{command} -h' 查看全部选项",
    "W0020": "标准错误输出已达 {limit}；其后的消息已省略",
    "W0021": "{path}：指向已搜索过的目录的符号链接；已跳过",
    "E0010": "{path}：其中 {count} 个 YAML 文件都不是网络",
    "E0010.hint": "网络文件的顶层有 'input:'，以及 'layers:' 或 'channels:'"
    "（Ultralytics 模型则是 'backbone:' 和 'head:'）；"
    "直接指名某个文件即可照常加载它",
    "E0011": "--input：'{text}' 不是输入形状",
    "E0011.hint": "用 x 分隔各维大小，通道在前，按单个样本：3x224x224（二维）、16x112（一维）、"
    "3x16x112x112（三维）",
    "E0012": "--input {shape} 有 4 个轴，但网络中没有一层是 3-D 的：形状按单个样本写，"
    "第一个轴会被当作体数据的通道数",
    "E0012.hint": "若是带批维度的图像，写 '--input {rest} --batch {batch}'；"
    "若确是 3-D 网络（体数据、视频），在文件里用 'conv3d' 或 'Conv3d' 这样的 3-D 层表明",
    "E0013": "--svg：输出共 {lines} 行，超过 SVG 图片可容纳的 {limit} 行",
    "E0013.hint": "改用 --html 保存，或减少输出：用 'explain --layer NAME' 只讲解一层或一个块，"
    "用 'params --depth N' 只显示顶部几层",
    "E0014": "--imgsz：'{text}' 不是图像尺寸",
    "E0014.hint": "一个尺寸（640）或 高x宽（384x640），每个至少为 1",
    "W0014": "{options}：只用于 Ultralytics 模型文件，对 {path} 不起作用"
    "（cnncalc 网络请用 --input，例如 --input 3x640x640）",
    "W0012": "{path} 不存在：按 Ultralytics 的做法，以规模 {scale} 读取 {real}",
    "W0605": "{path}：不是网络（顶层没有 input、layers、channels 或 backbone），已跳过",
    # 预算与 check
    "E0601": "'{text}' 不是有效的数量；请写成数字加 k、M、G、T",
    "E0601.hint": "例如 12M 或 2.5G",
    "E0602": "'{text}' 不是有效的字节数；请写成数字加 KiB、MiB、GiB、kB、MB、GB",
    "E0602.hint": "例如 64MiB 或 48MB",
    "E0603": "'{text}' 不是整数个",
    "E0603.hint": "请写成整数，如 1500 或 1.5k",
    "E0604": "'{text}' 不是整数个字节",
    "E0604.hint": "请写成整数个字节，如 1536 或 1.5KiB",
    "E0605": "{option} 的值有误：{problem}",
    "E0605.hint": "例如 {option} {example}",
    "E0606": "--dtype：未知的数据类型 '{dtype}'",
    "E0606.hint": "可选：{dtypes}",
    "E0607": "--batch 至少为 1，实际为 {batch}",
    "E0607.hint": "请给出 1 或更大的批大小",
    "E0608": "预算 'rf'：输出 '{name}' 没有空间维度，因此没有感受野",
    "E0608.hint": "'rf' 预算要求输入带空间维度（如 3x224x224）",
    "E0609": "没有可检查的内容：{path} 没有声明预算，也没有给出限额选项",
    "E0609.hint": "在文件中加入如 'budget: {{params: 12M, macs: 2G}}' 的一节，"
    "或给出 --max-params 12M；--only-budgeted 会跳过没有预算的文件",
    "E0610": "没有可检查的内容：所有文件都没有声明预算，也没有给出限额选项",
    "E0610.hint": "在文件中加入如 'budget: {{params: 12M, macs: 2G}}' 的一节，"
    "或给出 --max-params 12M；--only-budgeted 会跳过没有预算的文件",
    "E0611": "'{text}' 的十的幂超过 {limit}",
    "E0611.hint": "请用后缀写数量，如 12M 或 2.5G；没有网络需要超过 1e{limit}",
    "W0601": "{path} 没有声明预算，未检查",
    "W0602": "该文件没有声明预算，无可检查",
    "W0603": "{count} 个文件都没有声明预算，无可检查",
    "W0604": "无法追加写入 GITHUB_STEP_SUMMARY（{path}）：{reason}",
    # explain、lint
    "E0701": "网络中没有名为 '{name}' 的层",
    "E0701.hint": "'cnncalc params' 的第一列列出了每一层的名字",
    "E0702": "{option}：没有名为 '{name}' 的 lint 规则",
    "E0702.hint": "规则为 CNN101 至 CNN110，也可写规则名；'cnncalc lint --explain CNN101' "
    "会说明一条规则检查什么",
    "E0703": "没有名为 '{name}' 的 lint 规则",
    "E0703.hint": "请列出规则代码（CNN101 至 CNN110）或规则名，如 lint: {{ignore: [CNN105]}}",
    "E0704": "lint 需要一个要检查的网络文件 FILE，或 --explain RULE",
    "E0704.hint": "检查网络：cnncalc lint 网络文件.yaml；"
    "查看规则说明：cnncalc lint --explain CNN102",
    # export: graphs (Mermaid, DOT)
    "E0921": "{option} 0 不画任何东西：图至少需要一个层或块",
    "E0921.hint": "用 {option} 1 画顶层块，或省略它画出每一层",
    # export: PyTorch code
    "E0901": "--class-name '{name}' 不是合法的 Python 类名",
    "E0901.hint": "只用字母、数字和下划线，不以数字开头，也不要用 Python 关键字，例如 "
    "--class-name ResNet18",
    "E0902": "--class-name '{name}' 是生成的模块已经使用的名字",
    "E0902.hint": "换一个不同于 {names} 的名字",
    "E0903": "{option} 不适用于 --to {to}",
    "E0903.hint": "只有 --to {formats} 读取 {option}；请去掉它",
    "E0904": "层 '{name}' 与包含 '{inner}' 的组同名：PyTorch 模块不能同时是两者",
    "E0904.hint": "重命名该层或该组",
    "E0905": "'{name}'：PyTorch 在每个模块上都保留了 '{local}'（nn.Module.{local}），"
    "层或块不能使用这个名字",
    "E0905.hint": "重命名它，例如 '{local}1'",
    "W0921": "{path}：Mermaid 图有 {edges} 条边、{chars} 个字符，超过 Mermaid 默认能画的上限"
    "（GitHub 上也是 {max_edges} 条边、{max_chars} 个字符）；请用 {option} N 折叠块",
    "E0922": "{option} 把图加进 Markdown 报告，而 --format {fmt} 不输出 Markdown",
    "E0922.hint": "请用 --format markdown，或 --format github"
    "（图写入作业摘要 GITHUB_STEP_SUMMARY）",
}

# --- E01xx source and YAML, E02xx values and expressions, E03xx document/scope/expansion,
# --- E08xx the `layer` command's options, W01xx: loader/ -------------------------------------
LOADER: dict[str, str] = {
    # source.py：读取与解码
    "E0101": "文件不存在",
    "E0101.hint": "请检查路径",
    "E0102": "这是目录，不是网络文件",
    "E0102.hint": "请给出目录中某个网络文件（.yaml）的路径",
    "E0103": "无法读取文件：{reason}",
    "E0103.hint": "请确认文件存在，并且有读取权限",
    "E0104": "无法使用的文件名：{reason}",
    "E0104.hint": "请检查路径中是否混入了多余的字符",
    "E0105": "文件是 UTF-16 文本；cnncalc 读取 UTF-8",
    "E0105.hint": "请将文件保存为 UTF-8",
    "E0106": "文件不是 UTF-8 文本（第 {line} 行第 {col} 列的字节 {byte}）",
    "E0106.hint": "请将文件保存为 UTF-8（它可能是 Latin-1 或 Windows-1252 编码）",
    "E0107": "文件中含有 {char}，YAML 不允许这个字符",
    "E0107.hint": "删除它（编辑器里它常显示为方框、^X，或者根本看不见）",
    "E0108": "文件中含有 {char}，YAML 不把它当作分隔用的空格",
    "E0108.hint": "换成普通空格",
    "E0109": "文件中含有 {char}，这是一个看不见的字符",
    "E0109.hint": "删除它",
    "E0110": "不支持 YAML 指令（'%YAML'、'%TAG'）",
    "E0110.hint": "删除这一行（以 '%' 开头的值需要加引号）",
    "E0111": "缩进中有制表符：YAML 只能用空格缩进",
    "E0111.hint": "把制表符换成空格",
    "E0112": "出现制表符：cnncalc 文件用空格分隔",
    "E0112.hint": "把制表符换成空格",
    "N0110": "{code} {name}",
    "N0111": "{code}（{kind}）",
    "N0112": "控制字符",
    "N0113": "孤立的代理码元",
    "N0114": "无名称",
    # nodes.py：组装 YAML
    "E0120": "YAML 别名把这个文件展开到超过 {limit} 个值",
    "E0120.hint": "这是别名炸弹吗？重复的层请用 'repeat:' 或块来写",
    "E0121": "文件中的值超过 {limit} 个",
    "E0121.hint": "重复的部分只写一次，用 'repeat:' 或块",
    "E0122": "重复的键 '{key}'（首次出现在第 {line} 行）",
    "E0122.hint": "删掉其中一个（YAML 会悄悄只保留最后一个）",
    "E0123": "文件中有不止一个 YAML 文档",
    "E0123.hint": "一个文件只描述一个网络：删掉这个 '---'，或把文件拆开",
    "E0124": "别名 '*{name}' 位于 '&{name}' 所命名的值内部，会无限重复下去",
    "E0124.hint": "别名只能重复在它之前已经写完的值",
    "E0125": "别名 '*{name}' 没有对应的锚点",
    "E0125.hint": "先在某个值前写 '&{name}' 定义它",
    "E0126": "不支持 '{tag}' 这样的 YAML 标签",
    "E0126.hint": "删掉标签；若想让值成为字符串，请加引号",
    "E0127": "锚点 '&{name}' 定义了两次（首次在第 {line} 行）",
    "E0127.hint": "每个锚点用不同的名字",
    "E0128": "锚点 '&{name}' 定义了两次",
    "E0128.hint": "每个锚点用不同的名字",
    "E0129": "YAML 嵌套超过 {depth} 层",
    "E0129.hint": "把结构拉平，或把重复的部分放进块里",
    "E0140": "YAML 无效：{problem}",
    "E0140.hint": "检查这里附近的引号、括号和缩进",
    "E0141": "YAML 无效：这里应是空格，却是制表符",
    "E0141.hint": "把制表符换成空格",
    "E0142": "YAML 无效：值不能以 '{ch}' 开头",
    "E0142.hint": "给这个值加引号",
    "E0143": "YAML 无效：此处不能开始一个键，却出现了 ':'",
    "E0143.hint": "含有 ': ' 的值请加引号，或检查这一行的缩进",
    "E0144": "YAML 无效：第 {line} 行第 {col} 列的 '{bracket}' 没有闭合",
    "E0144.hint": "补上闭合的 '{closer}'",
    "E0145": "YAML 无效：第 {line} 行第 {col} 列的 '{bracket}' 中应为 ',' 或 '{closer}'",
    "E0145.hint": "各项之间用 ', ' 分隔，最后用 '{closer}' 闭合",
    "E0146": "YAML 无效：这一行与{where}{what}的缩进对不上",
    "E0146.hint": "用空格让列表项（'- '）和键与同级对齐",
    "E0147": "YAML 无效：顶层出现了意外的缩进",
    "E0147.hint": "顶层键从第 1 列开始写",
    "E0148": "YAML 无效：第 {line} 行第 {col} 列开始的带引号字符串没有闭合",
    "E0148.hint": "补上闭合的引号",
    "E0150": "YAML 无效：双引号字符串中有未知的转义序列",
    "E0150.hint": "反斜杠写成 '\\\\'，或改用单引号",
    "E0151": "YAML 无效：'{sign}' 后面必须跟一个名字",
    "E0151.hint": "以 '{sign}' 开头的值请加引号",
    "E0152": "YAML 无效：这里的 '|' 或 '>' 文本块格式不对",
    "E0152.hint": "以 '|' 或 '>' 开头的值请加引号",
    "E0153": "YAML 无效：这里缺少一个值",
    "E0153.hint": "以 YAML 标点（, [ ] {{ }} | > ! & * …）开头的值请加引号",
    "E0154": "YAML 无效：此处不能开始 '- ' 列表项",
    "E0154.hint": "检查这一行的缩进",
    "E0155": "YAML 无效：键后面缺少 ': '",
    "E0155.hint": "每个键后写 ': '，跨多行的值请加引号",
    # 限制与恶意输入（source.py、nodes.py）
    "E0156": "输入超过 {limit} 字节",
    "E0156.hint": "如确需读取，请将 CNNCALC_MAX_BYTES 设为更大的字节数",
    "E0157": "字符串中含有控制字符或不可见字符（{char}）",
    "E0157.hint": "请从带引号的字符串中删去转义（如 \\e、\\x1b 或 \\n）；"
    "名称和值不能含控制字符或不可见字符",
    "E0158": "标准输入已关闭",
    "E0158.hint": "请将网络文件通过管道传给命令，或用文件路径代替 '-'",
    "E0159": "文件是 {encoding} 文本；cnncalc 读取 UTF-8",
    "E0159.hint": "请将文件保存为 UTF-8",
    "H0120": "给这个值加引号（'@' 和 '`' 是 YAML 的保留字符）",
    "H0121": "要给 '{op}' 写选项，请写成 '- {op}:'，并把选项对齐写在它下面",
    "H0122": '在 {{ }} 或 [ ] 里，表达式要加引号：out: "${{cin * 2}}"',
    "N0120": "列表",
    "N0121": "映射",
    "N0122": "从第 {line} 行开始的",
    # values.py：值的类型
    "E0201": "{shown} 这个数太大了",
    "E0201.hint": "cnncalc 与 PyTorch 一样使用 64 位尺寸（最大 {max}）",
    "E0202": "'{v}' 在 YAML 1.1 中是六十进制数（会被读成 {n}），不是形状",
    "E0202.hint": "形状请写成 {shape}，若是字符串请加引号",
    "E0203": "'{v}' 在数字之间用了 ':'",
    "E0203.hint": "形状请写成 {shape}，若是字符串请加引号",
    "E0204": "{what} 必须是整数，不能是 '{v}'",
    "E0204.hint": "写一个整数，例如 1",
    "E0205": "{what} 必须是整数，但 '${{{expr}}}' 的结果是 {v}",
    "E0205.hint": "整除请用 //，或用 round(...) / int(...) 取整",
    "E0206": "{what} 必须是整数，得到的是 {got}",
    "E0206.hint": "写一个整数，例如 64",
    "E0207": "{what} 至少为 {min}，得到的是 {v}",
    "E0207.hint": "请用不小于 {min} 的值",
    "E0208": "{what} 必须是数字，得到的是 {got}",
    "E0208.hint": "写一个数字，例如 0.5",
    "E0209": "{what} 必须是 true 或 false；'{v}' 在 cnncalc 中不是布尔值",
    "E0209.hint": "写成 {word}",
    "E0210": "{what} 必须是 true 或 false，得到的是 {got}",
    "E0210.hint": "写 true 或 false",
    "E0211": "{what} 必须是一个名字，得到的是 {got}",
    "E0211.hint": "这里写一个单词，不要写列表或映射",
    "E0212": "{what} 为空",
    "E0212.hint": "在 ':' 后面写上值",
    "E0213": "{what} 必须是映射（键: 值），得到的是 {got}",
    "E0213.hint": "在它下面缩进写 '键: 值'，或写成 {{键: 值}}",
    "E0214": "{what} 中的键必须是普通名字，得到的是 {got}",
    "E0214.hint": "在 ':' 前写一个名字",
    "E0215": "不支持 YAML 合并键（'<<'）",
    "E0215.hint": "把各个键逐一写出来",
    "E0216": "{what} 必须是列表，得到的是 {got}",
    "E0216.hint": "在它下面缩进写 '- ' 列表项，或写成 [a, b]",
    "E0217": "{what} 中含有 {char}（'{ch}'）",
    "E0217.hint": "请使用 ASCII 字母和数字",
    "E0218": "{what} '{text}' 不是一组尺寸",
    "E0218.hint": "写成 3x32x32 的形式",
    "E0219": "{what} 中每个尺寸至少为 1，得到的是 '{text}'",
    "E0219.hint": "尺寸是像素数或通道数：写成 3x32x32 的形式",
    "E0220": "{what} 是空列表",
    "E0220.hint": "至少给一个值，例如 [3, 3]",
    "E0221": "{what} 是 0 到 1 之间的概率，得到的是 {p}",
    "E0221.hint": "写一个 0 到 1 之间的值，例如 0.5",
    "E0222": "{what} 必须为正数",
    "E0222.hint": "写一个大于 0 的值，例如 2",
    "E0223": "{what}：每一项两侧填充都写成 [前, 后]",
    "E0223.hint": "每个轴写一对，例如 [[1, 2], [1, 2]]",
    "E0224": "{what} 必须是尺寸，得到的是 '{v}'",
    "E0224.hint": "写一个数，或每个轴一个数，例如 1 或 [1, 2]",
    "E0225": "{what} 必须是尺寸或 {options} 之一，得到的是 '{v}'",
    "E0225.hint": "写一个数，或 {options} 之一",
    "E0226": "未知的 {what} '{v}'",
    "E0226.hint": "可选：{options}",
    "E0227": "不支持 YAML 标签 '{tag}'",
    "E0227.hint": "删掉标签",
    "H0201": "{char} 不是 ASCII 数字",
    "H0202": "'{word}' 中含有 {char}，不是 ASCII 字母",
    "H0203": "{found}；{close}",
    "H0204": "{hint}（{names}）",
    "H0205": "去掉引号：加了引号的值是字符串",
    "H0206": "cnncalc 只读十进制数",
    "H0207": "'$name' 和 '${{…}}' 只能用在块的层里",
    "H0208": "尺寸之间用 'x' 或 '×' 分隔，例如 3x32x32",
    "N0201": "一个映射",
    "N0202": "一个列表",
    "N0203": "'${{{expr}}}' = {v}",
    "N0204": '字符串 "{v}"',
    "N0205": "'{v}'",
    "N0206": "空值",
    "N0207": "一个极大的数",
    "N0208": "{op} 的 '{arg}'",
    "N0209": "{head}…{tail}（共 {n} 个字符）",
    # expr.py：$param 与 ${expr}
    "E0230": "'${{{expr}}}' 中：{reason}",
    "E0230.hint": "表达式可以用数字、参数、+ - * / // %、括号，以及 min、max、round、int、"
    "make_divisible",
    "E0231": "'${{{expr}}}' 的结果是 {v}，不是一个数",
    "E0231.hint": "让数值保持在范围内：除以极小的数或极大的乘积都会溢出",
    "E0232": "'${{{expr}}}' 的结果超出了 64 位",
    "E0232.hint": "cnncalc 与 PyTorch 一样，尺寸最大为 {max}",
    "E0233": "未知的参数 '${key}'",
    "E0233.hint": "在块的 'params' 中声明它",
    "E0234": "'{v}' 既不是 '$name' 也不是 '${{表达式}}'",
    "E0234.hint": "参数写 '$out'，计算写 '${{out * 2}}'",
    "N0230": "'{expr}' 不是合法的表达式",
    "N0231": "表达式嵌套太深",
    "N0232": "表达式中不能用布尔值",
    "N0233": "未知的名字 '{name}'；{close}（这里可用的名字：{known}）",
    "N0234": "未知的名字 '{name}'（这里可用的名字：{known}）",
    "N0235": "参数 '{name}' 是 {shown}，不是数字",
    "N0236": "空值",
    "N0237": "除数为零",
    "N0238": "不允许使用 {shown}（{construct}）；表达式只能用数字、参数、+ - * / // %、括号，"
    "min、max、round、int、make_divisible，以及比较 == != < <= > >=",
    "N0239": "round() 最多保留 30 位，得到的是 {digits}",
    "N0240": "某个值没有有限的大小（无穷大、非数，或大得离谱）",
    "N0241": "某个函数或运算符得到的参数类型或个数不对",
    "N0250": "运算符 {op}",
    "N0251": "调用 '{name}'，它不在可用函数之列",
    "N0252": "== != < <= > >= 以外的比较",
    "N0253": "逻辑运算 'and' / 'or'",
    "N0254": "不是数字的常量",
    "N0255": "属性访问",
    "N0256": "下标",
    "N0257": "条件表达式",
    "N0258": "lambda 函数",
    "N0259": "这种表达式",
    "N0260": "关键字参数或星号参数",
    "N0261": "这里的参数：{names}",
    "N0262": "表达式长 {n} 个字符；最多允许 {limit} 个",
    "N0263": "表达式的组成部分（数字、名字、运算符）超过 {limit} 个",
    "N0264": "'{shown}' 超出了 ±10^30，这是表达式中允许的最大值",
    "N0265": "f-string 格式化字符串",
    "N0266": "推导式",
    "N0267": "列表、元组、集合或字典",
    "N0268": "赋值表达式（:=）",
    "H0232": "真写作 1，假写作 0",
    "H0233": "表达式可以使用块的参数和 cin；其他名字请在块的 'params' 中声明",
    "H0235": "在调用块的地方给这个参数一个数字，或把数字作为它的默认值",
    "H0237": "按这些参数，除数为 0；请让它保持为正，例如 max(d, 1)",
    "H0239": "round(v) 取整；round(v, d) 中 d 的取值范围是 -30 到 30",
    "H0240": "让每个值保持在范围内：除以极小的数或极大的乘积没有有限的大小",
    "H0241": "min(a, b, …) 和 max(a, b, …) 接受数字；round(v)、round(v, digits)、int(v) 与 "
    "make_divisible(v, divisor) 各接受一个数字，以及位数和除数",
    "H0262": "分步计算：块参数的默认值可以保存其中一部分（params: {{mid: '${{cin * 4}}'}}）",
    "H0264": "尺寸是小于 2^63（约 9.2e18）的整数：请检查这个表达式用到的参数",
    # document.py：顶层键
    "E0301": "文件为空",
    "E0301.hint": "一个网络至少需要 'input:' 和 'layers:'（或 'channels:'）",
    "E0302": "未知的顶层键 '{key}'",
    "E0302.hint": "格式见 'cnncalc schema'",
    "E0303": "'cnncalc' 是格式版本号，应为 1；得到的是 {got}",
    "E0303.hint": "这个 cnncalc 读取格式 1：写 'cnncalc: 1'",
    "E0304": "网络没有 'input'",
    "E0304.hint": "加一行如 'input: 3x224x224'（通道在前，不含批维度）",
    "E0305": "网络名称必须是文本，得到的是 {got}",
    "E0305.hint": "写一个名称，例如 'name: resnet18'",
    "E0306": "'{short}' 作用于 'channels' 通道堆叠，但没有写 'channels'",
    "E0306.hint": "加上 'channels: 3→64→128'，或把这个参数写到每一层上",
    "E0307": "网络没有任何层",
    "E0307.hint": "加上 'layers:' 或 'channels:'",
    "E0308": "input 必须是 3x224x224 这样的形状，得到的是 {got}",
    "E0308.hint": "先写通道数，再写尺寸：3x224x224",
    "E0309": "input 有 {n} 个轴；cnncalc 最多读 4 个（通道 + 3 个空间轴），不含批维度",
    "E0309.hint": "不要写批维度：另写 'batch: N'",
    "E0310": "未知的预算 '{key}'",
    "E0310.hint": "可用的预算见 'cnncalc schema'",
    "E0311": "预算 '{key}' 必须是 {example} 这样的数量",
    "E0311.hint": "写一个数，可带后缀，例如 {example}",
    "E0312": "预算 '{key}'：{reason}",
    "E0312.hint": "写一个数，可带后缀，例如 {example}",
    "E0313": "defaults 中有未知的操作 '{key}'",
    "E0313.hint": "所有操作见 'cnncalc schema'",
    "E0314": "'{op}' 没有参数 '{arg}'",
    "E0314.hint": "它的参数见 'cnncalc schema'",
    "E0315": "块名 '{key}' 已经是一个操作或关键字",
    "E0315.hint": "换一个名字",
    "E0316": "'cin' 是内置的（进入块的输入通道数）；请换一个参数名",
    "E0316.hint": "在块的层里直接用 '$cin'，无需声明",
    "E0317": "块 '{block}' 中有未知的键 '{key}'",
    "E0317.hint": "块只有 'params'、'layers' 和 'frozen' 三个键",
    "E0318": "块 '{block}' 没有 'layers'",
    "E0318.hint": "加上 'layers:'，写出块中的各项",
    "E0319": "通道堆叠必须从输入通道数开始",
    "E0319.hint": "以输入的通道数开头，例如 3→64→128",
    "E0320": "通道堆叠从 {first} 开始，但输入有 {c} 个通道（input: {shape}，第 {line} 行）",
    "E0320.hint": "用 {c} 开始通道堆叠",
    "E0321": "norm: gn 需要指定分组数",
    "E0321.hint": "在堆叠中用 'bn'，或在 'layers' 下逐层写出",
    "E0322": "channels 中的 {shown} 既不是通道数也不是 'M'",
    "E0322.hint": "写正整数和 'M'（2×2 最大池化），例如 3→64→M→128",
    "E0323": "通道堆叠至少需要两个数（输入 → 输出）",
    "E0323.hint": "写成 3→64",
    "E0324": "'lint' 必须是映射，例如 lint: {{ignore: [CNN105]}}",
    "E0324.hint": "写成 lint: {{ignore: [CNN105]}}",
    "E0325": "'lint' 中有未知的键 '{key}'",
    "E0325.hint": "唯一的键是 'ignore'",
    "H0303": "它的参数：{names}",
    "H0304": "'{op}' 不接受参数",
    "H0306": "写成 '{op}: {{{arg}: ...}}' 或 '{op}: N'",
    "H0307": "'{op}' 不是操作（而且普通的 YAML 1.1 会把它读成布尔值）",
    "H0320": "顶层键有：{keys}",
    "H0321": "'{key}' 不是 cnncalc 的键（而且普通的 YAML 1.1 甚至会把它读成布尔值）",
    "H0322": "可选：{options}",
    "H0323": "通道之间用 '→' 或 '->' 分隔，例如 3→64→128",
    "N0330": "网络文件",
    "N0331": "'{op}' 的 defaults",
    "N0332": "块 '{block}'",
    "N0333": "块 '{block}' 的 params",
    # scope.py 与 expand.py：名称与展开
    "E0330": "块和结构嵌套超过 {depth} 层（{chain}）",
    "E0330.hint": "减少嵌套层数",
    "E0331": "这一项没有操作",
    "E0331.hint": "在 'name'/'from'/'repeat' 旁写一个操作，例如 'conv: 64'",
    "E0332": "一项中有多个操作（{names}）",
    "E0332.hint": "每个操作单独写成一个列表项（各自以 '- ' 开头）",
    "E0333": "未知的操作 '{op}'",
    "E0333.hint": "所有操作见 'cnncalc schema'",
    "E0334": "'{name}' 不能用作层名",
    "E0334.hint": "层名不能含 '.'，也不能是 'input' 或 'prev'",
    "E0335": "名称 '{name}' 重复（第一次出现在第 {line} 行）",
    "E0335.hint": "同一作用域内的名称必须唯一",
    "E0336": "名称 '{name}' 重复",
    "E0336.hint": "同一作用域内的名称必须唯一",
    "E0337": "'first' 需要配合 'repeat'",
    "E0337.hint": "'first' 用来覆盖重复副本中第一个的参数",
    "E0338": "'first' 不适用于 '{op}'",
    "E0338.hint": "把这个结构放进块里，再重复调用这个块",
    "E0339": "'repeat: {repeat}'{each}会让网络超过 {limit} 层",
    "E0339.hint": "减小次数（嵌套的 repeat 和块调用会相乘）；这个上限让任何文件都能在几秒、"
    "几百 MB 内处理完，可用 CNNCALC_MAX_LAYERS=<n> 调高",
    "E0340": "'{key}' 和 '{other}' 是 '{op}' 的同一个参数（{doc}）",
    "E0340.hint": "只写一次",
    "E0341": "'{op}' 这里不接受值",
    "E0341.hint": "单独写 '{op}'，或写 '{op}: {{...}}' 并给出具名参数",
    "E0342": "'{op}' 需要参数 '{arg}'（{doc}）",
    "E0342.hint": "写成 '{op}: {{{arg}: ...}}'",
    "E0343": "{op} '{name}' 产生的张量超出 PyTorch 64 位尺寸的上限（某个轴为 {size}）",
    "E0343.hint": "检查缩放倍数和步长",
    "E0344": "网络展开后超过 {limit} 层",
    "E0344.hint": "检查 'repeat' 次数和块调用（它们会相乘）；这个上限让任何文件都能在几秒、"
    "几百 MB 内处理完，可用 CNNCALC_MAX_LAYERS=<n> 调高",
    "E0345": "相对引用必须是负数（-1 表示上一项），得到的是 {v}",
    "E0345.hint": "-1 表示上一项，-2 表示再往前一项",
    "E0346": "引用 {v} 越过了第一项（它前面只有 {n} 项）",
    "E0346.hint": "用 'input' 表示进入这一段序列的输入",
    "E0347": "引用必须是名称、'prev'、'input' 或 -N，得到的是 {got}",
    "E0347.hint": "写一个层的名称，例如 'from: conv1'",
    "E0348": "未知的引用 '{ref}'",
    "E0348.hint": "引用本作用域中前面已命名的层",
    "E0350": "'{op}' 接受一组引用，例如 '{op}: [a, b]'",
    "E0350.hint": "列出要合并的层，例如 '{op}: [conv1, prev]'",
    "E0351": "'{op}' 至少需要两个输入",
    "E0351.hint": "列出两个或更多引用",
    "E0352": "{op} '{name}' 要求各输入的{what}一致，但收到 {inputs}",
    "E0352.hint": "让各输入一致，例如在某一路上加 1×1 卷积或池化",
    "E0353": "'residual' 需要 'body'",
    "E0353.hint": "写成 'residual: {{body: [...]}}'",
    "E0354": "'{op}' 没有键 '{key}'",
    "E0354.hint": "删掉这个键",
    "E0355": "'parallel' 需要 'branches'",
    "E0355.hint": "写成 'parallel: {{branches: [[...], [...]]}}'",
    "E0356": "'parallel' 至少需要两个分支",
    "E0356.hint": "给出两个或更多分支，每个分支是一个列表",
    "E0357": "shortcut: identity，但主体把形状从 {x} 变成了 {y}（其最后一层是 '{body}'{line}）",
    "E0357.hint": "用 'shortcut: auto' 做 1×1 投影，或用 'optional' 表示不要捷径",
    "E0358": "shortcut: auto 无法把 {x} 投影到 {y}",
    "E0358.hint": "明确写出捷径上的层",
    "E0359": "shortcut: auto 需要从 {x} 到 {y} 的整数步长",
    "E0359.hint": "明确写出捷径上的层",
    "E0360": "块 '{block}' 调用了自身（{chain}）",
    "E0360.hint": "块不能递归",
    "E0361": "块 '{block}' 没有参数 '{key}'",
    "E0361.hint": "在块的 'params' 中声明它",
    "E0362": "块 '{block}' 需要参数 '{key}'",
    "E0362.hint": "写成 '{block}: {{{key}: ...}}'（声明于第 {line} 行）",
    "E0364": "带参数的 '{op}' 要把引用写在 'inputs' 下，例如 '{op}: {{inputs: [a, b], dim: 2}}'",
    "E0364.hint": "把引用列表写在 'inputs' 下",
    "E0363": "input {shape} 有 4 个轴，但没有一层是 3-D 的：形状按单个样本写，"
    "第一个轴会被当作体数据的通道数",
    "E0363.hint": "若是带批维度的图像，写 'input: {rest}' 和 'batch: {batch}'；"
    "若确是 3-D 网络（体数据、视频），用 'conv3d' 或 'Conv3d' 这样的 3-D 层表明",
    # 作为块参数的 op 与可选的条目
    "E0380": "'{param}' 代表一个 op，但该参数的值是 {got}",
    "E0380.hint": "在块调用里把 op 的名字写成一个词，例如 'act: hardswish'",
    "E0381": "'if' 为假的条目不能带 '{key}'",
    "E0381.hint": "只在条目上写 'if'，或在用到 '{key}' 的地方让条件为真",
    "E0382": "residual 的 '{key}' 只能是 'true' 或 'false'",
    "E0382.hint": "shortcut_first: true 表示先算捷径再算主体（RegNet 以及 torchvision 的顺序，"
    "影响名称和生成的代码）",
    "E0385": "'{arg}' 不能作为 {op} 的默认值：它指向某一个张量，而不是适用于每一层的值",
    "E0385.hint": "在需要它的每个 {op} 条目上分别写",
    # Ultralytics model files (loader/ultralytics.py)
    "E0390": "model.{row}：模块 '{module}' 不在 cnncalc 能读取的 Ultralytics 模块之列",
    "E0390.hint": "改用受支持的模块，或在 cnncalc 文件中描述这一层",
    "H0391": "受支持的模块：{names}",
    "E0392": "规模 '{scale}' 不在文件的 scales 中（{names}）",
    "E0392.hint": "用 --scale 选择其中之一",
    "H0390": "文件中的规模：{names}",
    "E0393": "{what}：'{value}' 不是 Ultralytics 在此处接受的值",
    "E0393.hint": "该模块的参数见 Ultralytics 文档",
    "E0394": "{module} 需要类别数，而文件中没有 'nc'",
    "E0394.hint": "用 --nc N 给出，或在文件开头写 'nc: N'",
    "E0395": "cnncalc 不能读取激活函数 '{value}'",
    "E0395.hint": "写成 nn.<名称>()，名称取以下之一：{names}",
    "E0396": "--scale {scale}：文件中没有 'scales'",
    "E0396.hint": "去掉 --scale：该文件用 depth_multiple 和 width_multiple 设定规模",
    "E0397": "model.{row}：from '{value}' 没有指向前面的某一行",
    "E0397.hint": "-1 是上一行，-2 是再上一行，从 0 起的数字是前面某一行的序号",
    "W0390": "未给出规模：按 Ultralytics 的做法取文件中的第一个 '{scale}'",
    "W0390.hint": "用 --scale 选择规模，或按规模命名文件（yolov8s.yaml）",
    # E081x/W081x：指向 Ultralytics 模型文件的 cnncalc 文件
    "E0811": "ultralytics：'{path}' 不存在（相对于 {dir} 读取）",
    "E0811.hint": "请写出模型文件相对于本文件所在目录的路径，例如 "
    "'ultralytics: models/yolov8.yaml'",
    "E0812": "ultralytics：'{path}' 在 {dir} 与工作目录之外",
    "E0812.hint": "文件只能用相对路径指向其所在目录或工作目录之内的模型文件；"
    "请把模型文件复制到那里",
    "E0813": "ultralytics：'{path}' 不是 Ultralytics 模型文件",
    "E0813.hint": "它所指的文件需要顶层的 'backbone:' 和 'head:' 列表，每行为 "
    "[from, repeats, module, args]",
    "E0814": "'{key}' 不能与 'ultralytics:' 并存：网络来自模型文件",
    "E0814.hint": "这种文件可用的键：{keys}",
    "E0815": "'{key}' 说明如何构建 Ultralytics 模型：需要 'ultralytics: 路径'",
    "E0815.hint": "用 'ultralytics: yolov8.yaml' 指明模型文件，或删去 '{key}'",
    "E0817": "model.{row}：每行应为 [from, repeats, module, args]，但这一行有 {got} 项",
    "E0817.hint": "把这一行写成四项，例如 [-1, 1, Conv, [64, 3, 2]]",
    "E0818": "模型没有任何行：'backbone:' 和 'head:' 都是空的",
    "E0818.hint": "至少写一行，例如 '- [-1, 1, Conv, [64, 3, 2]]'",
    "E0816": "{key}：'{value}' 不是图像尺寸",
    "E0816.hint": "一个尺寸（640）、高 x 宽（384x640）或 [384, 640]，每个至少为 1",
    "W0811": "--imgsz {size} 不是最大步长 {stride} 的倍数：按 Ultralytics 的 check_imgsz "
    "向上取整，使用 {used}",
    "W0811.hint": "请给出 {stride} 的倍数，例如 --imgsz {used}",
    "E0383": "{op} 只能给 'size_of' 或 '{key}' 之一，不能同时给",
    "E0383.hint": "size_of 把输出尺寸定为另一个张量的尺寸；去掉 '{key}'",
    "E0369": "加上这一项后网络至少有 {n} 层，超过了上限 {limit}",
    "E0369.hint": "repeat 和块调用会相乘：请检查次数；这个上限让任何文件都能在几秒、几百 MB "
    "内处理完，可用 CNNCALC_MAX_LAYERS=<n> 调高",
    "E0370": "层名长 {length} 个字符，最多 {limit} 个",
    "E0370.hint": "请缩短名字：每层的完整名字都包含它（有 'repeat:' 时每个副本一次），"
    "报告的每一行和 JSON 里也都有",
    "E0365": "'outputs' 是空列表",
    "E0365.hint": "写出作为输出的层，例如 'outputs: [head]'，或者去掉 'outputs'："
    "这时最后一层就是输出",
    "E0366": "'{ref}' 在后面才定义，位于第 {line} 行",
    "E0366.hint": "一层只能接收它上方某层的输出：把这一项移到 '{ref}' 之后，或者引用它之前的层",
    "E0367": "'{ref}' 是这一层自己的名字：一层不能接收自己的输出",
    "E0367.hint": "引用它前面的层（'prev' 或 -1），或者它上方的其他层",
    "E0368": "{op} '{name}' 的感受野超过了 {limit} 个输入像素（步幅和膨胀率会使它成倍增长）",
    "E0368.hint": "真实网络的感受野至多几千个像素：请检查步幅、膨胀率和缩放倍数",
    "H0310": "只有通道数不同：用 'concat' 拼接，或对其中一路做投影",
    "H0311": "mul 会广播：每个轴必须相等或为 1",
    "H0312": "它的键：{keys}",
    "N0301": "（每份 {n} 层）",
    "N0302": "作用域中的名称：{names}",
    "N0303": "，第 {line} 行",
    "N0304": "无",
    "N0305": "形状",
    "N0306": "除通道外的尺寸",
    "N0360": "内侧尺寸（第一个的最后一维与第二个的倒数第二维）",
    "N0361": "除拼接维度外的尺寸",
    "N0307": "一个层",
    "N0308": "'{op}' 的参数",
    "N0309": "第 {i} 个分支",
    "N0310": "块 '{block}' 的参数",
    "N0311": "它的参数：{names}",
    "N0312": "块 '{block}' 的层",
    "N0313": "{shape}（来自{src}）",
    "N0314": "{a} 与 {b}",
    "N0315": "网络输入",
    "N0316": "'{name}'",
    "N0317": "'{name}'，第 {line} 行",
    "N0318": "{names}，……（另有 {n} 个）",
    "N0320": "位于块 '{block}' 中，以 '{name}' 调用，第 {line} 行",
    "N0321": "……（还有更多外层的块调用）",
    # single.py：layer 命令的选项
    "E0801": "{what} '{text}' 不是尺寸",
    "E0801.hint": "{what} 写成 3 或 3x5 这样的形式",
    "E0802": "{what} '{text}'：每个尺寸都必须在 {min} 到 {max} 之间",
    "E0802.hint": "{what} 写成 {example} 或 3x5 这样的形式",
    "E0803": "--op {op} 不接受 --{option}",
    "E0803.hint": "{op} 接受：{options}",
    "E0804": "--op linear 不接受 --size 或 --dim：它的输入是 --in 个特征组成的向量",
    "E0804.hint": "去掉 --size 和 --dim",
    "E0805": "{rank}-D 的层：PyTorch 只有 1-D、2-D 和 3-D 的卷积与池化",
    "E0805.hint": "--size、--kernel、--stride 和 --dilation 最多给 3 个尺寸",
    "E0806": "--size {size} 是 {n}-D 的，但 --dim 为 {dim}",
    "E0806.hint": "去掉 --dim，或给 --size {dim} 个尺寸",
    "E0807": "--op {op} 需要 --out",
    "E0807.hint": "例如 --in 3 --out 64",
    "E0808": "--op {op} 不接受 --out（它保持通道数不变）",
    "E0808.hint": "去掉 --out",
    "E0809": "dwconv 的 --out {out} 必须是 --in {cin} 的倍数",
    "E0809.hint": "用 {cin} 的倍数，例如 --out {double}",
    "E0810": "{op} 的填充必须是整数",
    "E0810.hint": "--padding 写成尺寸，例如 1 或 1x2",
}

# --- E04xx layer arguments and sizes, E05xx the graph, W05xx: layers/ and engine ------------
LAYERS: dict[str, str] = {
    # arguments per axis
    "E0401": "'{what}' 给了 {count} 个值，但输入有 {n} 个空间维度",
    "E0401.hint": "给一个值，或每个空间维度一个，共 {n} 个",
    "E0402": "'{what}' 给了 {count} 个值，但输入只有 1 个空间维度",
    "E0402.hint": "只给一个值",
    "E0403": "'padding' 给了 {count} 对两侧填充，但输入有 {n} 个空间维度",
    "E0403.hint": "每个空间维度给一对 [前, 后]，共 {n} 对",
    # what a kind accepts
    "E0404": "{op} 需要带空间维度的张量，但收到 {shape}",
    "E0404.hint": "把它放在 'flatten' / 'linear' 之前",
    "E0405": "{alias} 需要 {rank_name} 输入（连同通道共 {rank} 个维度），但收到 {shape}",
    "E0405.hint": "改写成 '{kind}'，维数由输入决定",
    "E0406": "'in' 为 {e}，但实际到达的输入通道数为 {x}",
    "E0406.hint": "写 in: {x}，或修改产生该输入的层",
    "E0407": "'in' 为 {e}，但实际到达的输入特征数为 {x}",
    "E0407.hint": "写 in: {x}，或修改产生该输入的层",
    # windows and sizes
    "E0408": "padding 'same' 要求步长为 1，但步长为 {s}（PyTorch 会拒绝）",
    "E0408.hint": "带步长时请用 'tf_same'（TensorFlow 的 SAME），或写明填充大小",
    "E0409": "{op} 在 {axis} 轴上的输出尺寸将为 {o}：{formula}",
    "E0409.hint": "输入 {shape} 对这个窗口来说太小；请减小卷积核、步长或膨胀，增加填充，"
    "或使用更大的输入",
    "E0410": "groups={g} 必须同时整除输入通道数（{cin}）和输出通道数（{cout}）",
    "E0410.hint": "输入 {cin} % {g} = {a}，输出 {cout} % {g} = {b}",
    "E0411": "output_padding {op} 必须小于 max(stride, dilation) = max({s}, {d}) = {m}",
    "E0411.hint": "PyTorch 对转置卷积的规定：output_padding < max(步长, 膨胀)",
    "E0412": "{op} 的填充 {p} 超过了窗口的一半（{k} // 2 = {h}）",
    "E0412.hint": "PyTorch 要求 padding <= kernel_size // 2；这里最多为 {h}",
    "E0413": "3-D 输入上的 avgpool 要求每个空间尺寸都不小于池化窗口，但输入为 {size}，窗口为 {k}",
    "E0413.hint": "PyTorch 的 AvgPool3d 不接受比窗口还小的输入，即使有填充或 ceil_mode 也不行",
    # norms, prelu, linear
    "E0414": "gn 的 groups={g} 必须整除输入通道数 {c}",
    "E0414.hint": "{c} % {g} = {r}",
    "E0415": "inorm 要求每个通道不止一个位置，但收到 {shape}",
    "E0415.hint": "实例归一化用于特征图；向量请用 'ln' 或 'bn'",
    "E0416": "prelu 的 num={num} 必须为 1 或等于输入通道数 {c}",
    "E0416.hint": "写 num: 1（所有通道共用一个斜率）或 num: {c}（每个通道一个）",
    "E0417": "linear 需要展平的输入，但收到 {shape}（"
    "或通道在后的张量：它作用于最后一个维度，这里是空间维）",
    "E0417.hint": "在它之前加 'flatten'（或先 'gap' 再 'flatten'）；若要在每个位置做 Linear，"
    "先把通道放到最后：'permute: [{dims}]'",
    # upsample and pad
    "E0418": "upsample 的 mode '{mode}' 需要 {rank} 输入，但收到 {shape}",
    "E0418.hint": "这个输入可用的 mode：{modes}",
    "E0419": "upsample 只能给 'scale' 或 'size' 中的一个，不能都给（PyTorch 会拒绝）",
    "E0419.hint": "保留一个：'scale' 按倍数放大输入尺寸，'size' 直接指定输出尺寸",
    "E0420": "upsample 放大 {f} 倍后，尺寸 {i} 会溢出",
    "E0420.hint": "请用较小的放大倍数，让输出不超出 PyTorch 的 64 位尺寸",
    "E0421": "upsample 在 {axis} 轴上的输出尺寸将为 {o}：⌊{i} · {f}⌋ = {o}",
    "E0421.hint": "输入 {shape} 对这个放大倍数来说太小；请用更大的倍数",
    "E0422": "pad 需要写明填充大小，不能用 '{mode}'",
    "E0422.hint": "写出大小，如 'p: 1' 或 'p: [[0, 1], [0, 1]]'",
    "E0423": "reflect 填充 {p} 必须小于输入尺寸 {i}",
    "E0423.hint": "改用 mode constant 或 replicate，或分几次填充",
    "E0424": "circular 填充 {p} 不能超过输入尺寸 {i}",
    "E0424.hint": "改用 mode constant 或 replicate，或分几次填充",
    # PyTorch 中不影响计数的参数，按 PyTorch 的规则检查
    "E0428": "padding_mode reflect 填充 {p}，但输入尺寸是 {i}："
    "填充必须小于输入尺寸（PyTorch 的规则）",
    "E0428.hint": "改用 padding_mode replicate 或 zeros，或减小填充",
    "E0429": "padding_mode circular 填充 {p}，但输入尺寸是 {i}："
    "填充不能超过输入尺寸（PyTorch 的规则）",
    "E0429.hint": "改用 padding_mode replicate 或 zeros，或减小填充",
    "E0430": "align_corners 只用于插值模式（{modes}），不能用于 mode '{mode}'（PyTorch 会拒绝）",
    "E0430.hint": "mode '{mode}' 时去掉 align_corners，或改用插值模式",
    "E0431": "recompute_scale_factor 需要 'scale'，不能配合 'size'（PyTorch 会拒绝）",
    "E0431.hint": "去掉 recompute_scale_factor，或用 'scale' 代替 'size'",
    "E0432": "flatten 的 start_dim {start} 与 end_d"
    "im {end} 必须按顺序指向单个样本的第 1 到第 {last} 维"
    "（0 是批维，负数从末尾数）",
    "E0432.hint": "去掉 start_dim 和 end_dim，把每个样本展"
    "成一个向量；start_dim: 2 保留通道（网格变序列）",
    "E0433": "divisor_override 需要 2-D 或 3-D 输入，但收到 {shape}（PyTorch 的 AvgPool1d 没有 "
    "divisor_override）",
    "E0433.hint": "去掉 divisor_override（它不影响任何计数）",
    "E0434": "{alias} 的填充要么给一个值，要么给 {n} 个值（按 PyTorch 的写法：每个维度先左后右，"
    "从最后一个维度开始），但给了 {count} 个",
    "E0434.hint": "写 'padding: 1'，或按 PyTorch 的顺序写全 {n} 个值",
    # 通道在后、词元、注意力（layers/kinds_tokens.py、kinds_attn.py）
    "E0480": "{op} 把第一个维度当作通道，但这个张量已被重排（{shape}，通道已移走）",
    "E0480.hint": "先重排回来：'permute: [{dims}]'",
    "E0481": "{op} 对最后一个维度做归一化，但收到通道在前的 {shape}（最后一维是空间维）",
    "E0481.hint": "网格的通道请用 'ln'（ConvNeXt 的 LayerNorm2d），或先把通道放到最后："
    "'permute: [{dims}]'",
    "E0482": "permute 的 dims [{dims}] 必须把 0 到 {last} 这 {n} 个维度各写一次，且批维（0）在最前",
    "E0482.hint": "写出所有维度（含批维）：'permute: [0, 2, 3, 1]' 把图像的通道放到最后",
    "E0483": "{op} 的 dim {dim} 不是单个样本的维度：它们是 "
    "1 到 {last}（或 -1 到 -{last}）；0 是批维",
    "E0483.hint": "按 PyTorch 的方式数维度，批维是第 0 维",
    "E0484": "{op} 的尺寸 [{sizes}] 最多只能有一个 -1，其余都须至少为 1（输入 {shape}）",
    "E0484.hint": "写单个样本的尺寸，可留一个 -1 由系统推算",
    "E0485": "{op} 的尺寸 [{sizes}] 容纳不了输入 {shape} 的 {n} 个元素",
    "E0485.hint": "各尺寸之积必须等于 {n}（可有一个 -1）",
    "E0486": "select 的下标 {index} 超出了第 {dim} 维的 {size} 个位置",
    "E0486.hint": "下标取 0 到 size − 1（或从末尾数 −size 到 −1）",
    "E0487": "pixel_unshuffle 按 {r} 需要每个空间尺寸都能被 {r} 整除，但收到 {shape}",
    "E0487.hint": "先把输入填充或裁剪到 {r} 的倍数",
    "E0488": "pixel_shuffle 按 {r} 需要通道数能被 {rn} 整除，但到达的是 {c}",
    "E0488.hint": "让它前面一层输出 {rn} 的倍数个通道",
    "E0489": "{op} 需要词元序列（词元数 × 特征数），但收到 {shape}",
    "E0489.hint": "把网格展平并把特征放到最后：先 'flatten: {{start_dim: 2}}'，再 "
    "'transpose: {{dim0: 1, dim1: 2}}'（已经是序列时：'permute: [{dims}]'）",
    "E0490": "attention 的 num_heads={h} 必须整除 {e} 个特征",
    "E0490.hint": "{e} % {h} = {r}；每个头分到 特征数 / 头数 个特征",
    "E0491": "matmul 需要 …×n×k 与 …×k×m 两个输入（前面的维度可广播），但收到 {shapes}",
    "E0492": "{op} 需要通道在后的图像（高 × 宽 × 通道），但收到 {shape}",
    "E0492.hint": "先把图像的通道放到最后：'permute: [{dims}]'",
    "E0493": "roll 每个维度需要一个位移量，但 shifts 为 [{shifts}]，dims 为 [{dims}]",
    "E0493.hint": "shifts 与 dims 个数相同，例如 'roll: {{shifts: [-3, -3], dims: [1, 2]}}'",
    "E0494": "select 会让向量 {shape} 一个维度都不剩：单个样本至少是一个向量",
    "E0494.hint": "请在两个及以上维度的张量上使用 select"
    "（例如取类别词元：在 197×768 的词元上 select）",
    "E0495": "沿 dim {dim} 拼接要求各输入在其余维度上尺寸一致，但收到 {shapes}",
    "E0495.hint": "只有拼接的维度可以不同；请核对维度编号（按 PyTorch 计，0 是批维）",
    "E0491.hint": "第一个输入的最后一维须等于第二个输入的倒数第二维；请转置其中一个",
    # 未知 op 的提示（registry 的 suggest_op）
    "H0401": "是不是想写 '{name}'？{reason}",
    "H0402": "Keras 的 Dense 就是全连接层：'linear'（PyTorch 的 Linear）",
    "H0403": "全连接层写作 'linear'（也可写 'fc'）",
    "H0404": "全局平均池化写作 'gap'（'avgpool' 是滑动窗口池化）",
    "H0405": "全局最大池化写作 'gmp'（'maxpool' 是滑动窗口池化）",
    "H0406": "可分离卷积是两个 op：先 'dwconv'，再接一个 1×1 'conv'",
    "H0407": "深度卷积写作 'dwconv'（groups 等于输入通道数）",
    "H0408": "批归一化写作 'bn'（或 PyTorch 的 BatchNorm2d）",
    "H0409": "层归一化写作 'ln'（在通道上归一化）",
    "H0410": "转置卷积写作 'convT'（也可写 'deconv'）",
    "H0411": "上采样写作 'upsample'（配合 'mode'，以及 'scale' 或 'size'）",
    "H0412": "Keras 的 MaxPooling2D、AveragePooling2D 和 ZeroPadding2D "
    "分别是 'maxpool'、'avgpool' 和 'pad'",
    "H0413": "沿通道拼接是合并操作 'concat'（'concat: [a, b]'）",
    "H0414": "softmax 没有参数，也没有乘加运算：可以省略，或写 'identity' 占位",
    "H0415": "窗口池化写作 'maxpool' 或 'avgpool'，对整张特征图池化写作 'gap' 或 'gmp'",
    "H0416": "归一化有 'bn'（批）、'gn'（组）、'ln'（层）和 'inorm'（实例）",
    # merges
    "E0425": "add 要求各输入形状一致，但收到 {shapes}",
    "E0425.hint": "让每个输入的形状相同（可以用 1×1 卷积投影其中一路）",
    "E0426": "concat 要求各输入除通道外形状一致，但收到 {shapes}",
    "E0426.hint": "concat 沿通道拼接：各输入的空间尺寸必须相同",
    "E0427": "mul 要求各输入（广播后）形状一致，但收到 {shapes}",
    "E0427.hint": "mul 会广播：每个维度必须相等或为 1",
    # 张量的切分（split、chunk、slice）与通道混洗
    "E0460": "dim {dim} 超出了带批次维的张量 {shape}（可用的 dim 为 {lo} 到 {hi}）",
    "E0460.hint": "dim 按 PyTorch 的方式计数，包含批次维：1 是通道，-1 是最后一个维度",
    "E0461": "dim {dim} 是批次维：形状按单个样本计，只能沿通道（dim 1）或空间维切分",
    "E0461.hint": "通道写 dim: 1（默认），空间维写 2 或更大",
    "E0462": "切分大小 {total} = {sum}，必须等于该维度的长度 {n}",
    "E0462.hint": "与 PyTorch 的 split 相同：各段之和须为 {n}，或只给一个大小表示等分",
    "E0463": "对长度为 {n} 的维度取 {start}:{end} 得到空切片",
    "E0463.hint": "start 和 end 按切片的规则计数（负数从末尾数起）；两者之间至少留一个下标",
    "E0464": "channel_shuffle 的 groups={g} 必须整除输入通道数 {c}",
    "E0464.hint": "{c} % {g} = {r}",
    "E0465": "size_of '{ref}' 指向的张量 {shape} 没有空间维",
    "E0465.hint": "指向一个特征图（有高和宽），例如 'input' 或某个卷积的输出",
    # the engine
    "E0500": "未知的数据类型 '{dtype}'",
    "E0500.hint": "可选：{dtypes}",
    "W0501": "{op} '{name}' 合并的几条路径感受野没有对齐（跳步 {jumps}；中心位于 {centres} "
    "个输入像素处）",
    "W0501.hint": "同一个输入像素在各条路径上落在不同位置；请检查合并之前的步长和填充",
    # the engine's framing of a layer's message (the error keeps the layer's own code)
    "N0500": "{op} '{name}'：{rest}",
    "N0501": "{op} '{name}'：{rest}（来源：{src}）",
    # where a tensor comes from
    "N0502": "网络输入",
    "N0503": "'{name}'，第 {line} 行",
    "N0504": "'{name}'",
}

# --- lint 规则：每条规则的说明（`cnncalc lint --explain CODE`，docs/lint.md） ---
RULE_DOCS: dict[str, str] = {
    "lint.CNN101.fires": (
        "一个带空间卷积核的卷积（不是 1×1，也不是分组或深度卷积），沿数据路径跟在另一个卷积之后，"
        "输出通道数超过输入通道数的 4 倍；或者在空间尺寸自上一个卷积以来未变（没有池化、没有步长）"
        "的情况下，输出通道数只有输入的一半或更少——除非它的输出进入拼接（DenseNet 和 Inception "
        "的分支本就很窄）。网络的第一个卷积归 CNN108 管。较缓的收窄是设计选择，不是损失："
        "AlexNet 在 13×13 上的 384 → 256 不触发；384 → 192 会触发。"
    ),
    "lint.CNN101.reason": (
        "通常的建议：通道数随空间尺寸缩小逐步增加（64 → 128 → 256 → 512），避免通道数爆炸。"
        "跳增会使这一层及其后每一层的计算量成倍增加；在同一分辨率下缩减通道，则丢弃了上一层刚"
        "花代价算出的特征。改变通道数应使用 1×1 卷积（它不受此规则约束）。"
    ),
    "lint.CNN101.fix": "每个阶段增加 2 倍，阶段之间用池化或步长；用 1×1 卷积改变通道数。",
    "lint.CNN101.example": (
        "input: 3x32x32\n"
        "layers:\n"
        "  - conv: {{out: 32, k: 3, p: 1}}\n"
        "  - conv: {{out: 256, k: 3, p: 1}}   # CNN101：一个卷积中 32 → 256（8 倍）\n"
    ),
    "lint.CNN102.fires": (
        "某一层占整个网络参数数量（或乘加次数）的一半以上，且超过平均份额的三倍"
        "（在有参数或乘加的 n 层上取 `max(50%, 3/n)`）。消息会给出份额，例如 VGG16 的第一个"
        "全连接层：138,357,544 个参数中的 102,764,544 个，占 74.3%。"
    ),
    "lint.CNN102.reason": (
        "单个很宽的层——通常是展平大特征图之后的第一个全连接层（512×7×7 = 25,088 个输入 × "
        "4,096 个输出）——占据了模型的大部分大小和内存，却只做了很少的计算。"
    ),
    "lint.CNN102.fix": (
        "在分类器前使用全局平均池化（ResNet、MobileNet、EfficientNet 都这样做），把全连接层的"
        "输入缩小到通道数；或者缩窄这一层。"
    ),
    "lint.CNN103.fires": (
        "卷积或池化在某个轴上的步长大于其有效卷积核 `d·(k−1)+1`——除非读取同一输入的另一层读到了"
        "它的每个像素。这豁免了 ResNet 的投影捷径（步长为 2 的 1×1 卷积，无论是写出的还是 "
        "`shortcut: auto` 生成的）：旁边的主体读取了捷径跳过的像素，相加后这些信息得以保留。"
    ),
    "lint.CNN103.reason": (
        "卷积核为 1、步长为 2 时，每两行、每两列输入中就有一行一列——四个像素中的三个——从未被任何"
        "窗口读取。在主路径上，这些信息就永远丢失了：这正是 ResNet v1.5 把瓶颈块的步长从第一个 "
        "1×1 卷积移到 3×3 卷积的原因。"
    ),
    "lint.CNN103.fix": (
        "使用至少与步长一样大的卷积核，或在步长为 1 的 1×1 卷积之前先做平均池化（2×2，步长 2）"
        "（ResNet-D 甚至在捷径上也这样做）。"
    ),
    "lint.CNN103.example": (
        "input: 3x32x32\n"
        "layers:\n"
        "  - conv: {{out: 64, k: 3, p: 1}}\n"
        "  - conv: {{out: 128, k: 1, s: 2}}   # CNN103：四个像素中有三个从未被读取\n"
    ),
    "lint.CNN104.fires": (
        "带 `padding: same` 或 `tf_same` 的卷积在一侧填充得比另一侧多（有效卷积核为偶数；"
        "使用 `tf_same` 时，某些步长也会如此）。"
    ),
    "lint.CNN104.reason": (
        "总填充量 `d·(k−1)` 为奇数，PyTorch 把多出的一个像素放在一侧：输出偏移半个像素，"
        "并且逐层累积。"
    ),
    "lint.CNN104.fix": "使用奇数卷积核（3、5、7）；如果不对称是有意为之，则显式写出每侧的填充。",
    "lint.CNN105.fires": "带 `bias: true` 的卷积（或转置卷积）的唯一使用者是批归一化。",
    "lint.CNN105.reason": (
        "批归一化减去每个通道的均值，任何常数的逐通道偏置都被消去，然后再加上它自己学习的平移 β。"
        "卷积的偏置是无用的权重：`out` 个训练不出任何东西的参数。"
    ),
    "lint.CNN105.fix": (
        "在卷积上写 `bias: false`，或在整个文件中写一次：`defaults: {{conv: {{bias: false}}}}`。"
        "（torchvision 的 `vgg16_bn` 保留了这些偏置；要复现它，忽略此规则即可。）"
    ),
    "lint.CNN106.fires": (
        "卷积核大于 1 的卷积运行在 1×1 的空间特征图上。警告指向使特征图变为 1×1 的那一层，"
        "并统计其后的卷积个数。"
    ),
    "lint.CNN106.reason": (
        "在 1×1 特征图上，k×k 窗口只看到一个像素和填充：外圈权重都乘以零，所以这一层的参数是它"
        "实际等效的 1×1 卷积的 k² 倍。对于这个输入尺寸，网络下采样得太早了。挤压-激励门控"
        "（全局池化后接 1×1 卷积）不受影响。"
    ),
    "lint.CNN106.fix": (
        "减少下采样（更少的步长或池化），使用更大的输入，或以全局池化加全连接头结束空间部分。"
    ),
    "lint.CNN107.fires": (
        "网络输出的某个位置在某个轴上看到的输入像素少于输入的大小（即 `cnncalc params` 报告的"
        "感受野）。以全局池化或全连接层作为头部的分类器能看到整个输入，不会触发。"
    ),
    "lint.CNN107.reason": (
        "输出无法响应比其感受野更大的东西：在 256×256 图像上感受野为 200×200 的分割输出，"
        "无法利用另一侧的上下文。"
    ),
    "lint.CNN107.fix": (
        "如果输出应该看到整个输入，就增加深度、步长、膨胀或全局上下文模块；否则忽略此规则——"
        "这是值得了解的事实，并不总是缺陷。"
    ),
    "lint.CNN108.fires": (
        "第一个卷积生成少于 16 或多于 128 个通道——除非它是图块嵌入（卷积核 = 步长 > 1，无填充："
        "ViT 把 16×16 图块变成 768 个特征，ConvNeXt 的 4×4 主干），"
        "它本就要把每个图块变成一个宽词元。"
    ),
    "lint.CNN108.reason": (
        "初始层：输入通道数固定（RGB 为 3，灰度为 1），输出通道数适中（约 64）。它在全分辨率上"
        "处理原始像素：通道太少会在其他层能利用之前丢失信息，太多则使它成为整个网络中计算量最大的层。"
    ),
    "lint.CNN108.fix": "从 32–64 个通道开始（ResNet 和 VGG：64；MobileNet 和 EfficientNet：32）。",
    "lint.CNN109.fires": "dropout 层直接接入批归一化。",
    "lint.CNN109.reason": (
        "dropout 在训练时缩放激活值，推理时则不缩放，所以批归一化在训练时看到的方差与测试时不同；"
        "它的运行统计量因此不再匹配（“方差偏移”，Li 等，2019）。"
    ),
    "lint.CNN109.fix": "把 dropout 放在最后一个批归一化之后（例如紧挨分类器之前）。",
    "lint.CNN110.fires": (
        "`attention` 层所作用的词元数至少是其特征数的两倍（L ≥ 2E）：此时它的两次矩阵乘法 QKᵀ 和 "
        "AV（2·L²·E 次乘加）比四个投影（4·L·E²）更贵，h·L² 个注意力分数占用的内存也超过词元本身。"
    ),
    "lint.CNN110.reason": (
        "这两次乘法随序列长度的平方增长。ViT-B/16 在 224×224 上有 197 个 768 维的词元，两次乘法是"
        "投影的十分之一；在 1024×1024 上有 4,097 个词元，它们是投影的五倍。图像边长翻倍，词元数"
        "变为 4 倍，两次乘法变为 16 倍。"
    ),
    "lint.CNN110.fix": (
        "窗口注意力（`window_attention`，如 Swin）把平方限制在每个窗口内，代价随词元数线性增长；"
        "更大的图块或池化后的序列可以减少词元。"
    ),
    "lint.CNN110.example": (
        "input: 3x256x256\n"
        "layers:\n"
        "  - conv: {{out: 64, k: 4, s: 4}}        # 64×64 个图块：4,096 个 64 维词元\n"
        "  - flatten: {{start_dim: 2}}\n"
        "  - transpose: {{dim0: 1, dim1: 2}}\n"
        "  - attention: 4                       # QKᵀ 与 AV 中 2·4096²·64 次乘加\n"
    ),
}

# ---------------------------------------------------------------------------------------------
# ONNX 文件（loader/onnx.py）
ONNX: dict[str, str] = {
    "E0941": "读取 ONNX 文件需要 onnx 包，但它未安装",
    "E0941.hint": "安装方法：{install}",
    "E0942": "这不是 ONNX 模型（{reason}）",
    "E0942.hint": "ONNX 文件是 torch.onnx.export 写出的二进制 protobuf；请检查文件是否完整"
    "（下载未被截断），且不是误以 .onnx 命名的其他格式",
    "E0943": "计算图有 {count} 个输入（{names}）；cnncalc 只读取单输入的计算图",
    "E0943.hint": "导出模型时只保留一个输入张量（图像）",
    "E0944": "计算图输入 '{name}' 的形状为 {shape}；cnncalc 需要一个批量轴和至少一个其他轴",
    "E0944.hint": "以带批量的输入导出模型，例如 1x3x224x224",
    "E0945": "--input {asked} 与文件的输入 {shape} 不符",
    "E0945.hint": "给出单个样本的尺寸（不含批量），批量轴之后每个轴一个",
    "E0946": "计算图输入 '{name}'（{shape}）的第 {axis} 轴尺寸在文件中未固定",
    "E0946.hint": "用 --input 给出单个样本的输入，例如 --input 3x224x224",
    "E0947": "轴尺寸 {value} 超过 cnncalc 可读取的 {limit}",
    "E0947.hint": "用 --input 给出更小的输入",
    "E0948": "计算图有环（节点 '{name}' 依赖于它自己的输出）",
    "E0948.hint": "ONNX 计算图是无环的：请重新导出模型",
    "E0949": "{op} '{name}'：cnncalc 算得输出为 {ours}，文件的形状推断为 {theirs}",
    "E0949.hint": "cnncalc 不做猜测：请附上该文件报告此问题",
    "E0950": "ONNX 形状推断失败：{reason}",
    "E0950.hint": "用 onnx.checker.check_model 检查文件；若模型的 opset 比已安装的 onnx 新，"
    "可能需要更新 onnx",
    "E0951": "{op} '{name}'：cnncalc 无法按文件的写法计数此节点（权重在图中计算、批量不是第一"
    "个轴，或不支持的填充）",
    "E0951.hint": "cnncalc 读取的卷积、池化或全连接层须作用于批量在第一个轴的张量，"
    "其权重为右侧的初始化器（或由初始化器计算得到）；请以 do_constant_folding=True 导出",
    "E0952": "{op} '{name}'：cnncalc 不认识的算子，且其输出形状与输入不同",
    "E0952.hint": "cnncalc 只计数它认识的标准 ONNX 算子，不猜测其他算子；不读取控制流"
    "（If、Loop、Scan）和其他域",
    "E0953": "节点 '{name}' 写出 '{tensor}'，但另一个节点或输入也定义了它",
    "E0953.hint": "ONNX 计算图中每个张量只有一个生产者：请重新导出模型",
    "E0954": "节点 '{name}' 读取 '{tensor}'，但没有节点、输入或初始化器定义它",
    "E0954.hint": "文件不完整：请重新导出模型",
    "E0955": "计算图有 {count} 个节点或层，超过上限 {limit}",
    "E0955.hint": "如确需读取，请将 CNNCALC_MAX_LAYERS 设为更大的数",
    "E0956": "{op} '{name}'：形状推断未能得到 '{tensor}' 的形状",
    "E0956.hint": "用 --input 给出输入尺寸；输出尺寸取决于数据的算子（NonZero、动态 Resize）"
    "无法计数",
    "E0957": "{op} '{name}'：'{tensor}' 在批量 1 时为 {a}，在批量 2 时为 {b}，无法确定其批量轴",
    "E0957.hint": "cnncalc 按单个样本计数：导出时请让批量成为单独的轴",
    "E0958": "计算图的输出都不依赖于其输入",
    "E0958.hint": "检查导出的计算图是模型本身，而不是常量",
    "E0959": "{op} '{name}'：{reason}",
    "E0959.hint": "cnncalc 把此节点映射为自己的层，而该层拒绝了它；请附上该文件报告此问题",
    "E0960": "{op} '{name}'：'{tensor}' 为 {shape}，其第一个轴不是文件的批量 {batch}",
    "E0960.hint": "以批量 1 或动态批量（dynamic_axes）导出",
    "E0961": "文件中没有 ONNX 计算图（ir_version {ir}，{nodes} 个节点，{inputs} 个输入）",
    "E0961.hint": "这是以 .onnx 命名的空文件或其他文件：请重新导出模型",
    "E0962": "{op} '{name}'：其属性或输入不符合该算子的要求",
    "E0962.hint": "用 onnx.checker.check_model 检查文件，或重新导出模型",
    "E0963": "文件中的名称不是 UTF-8 文本（节点 #{index}）",
    "E0963.hint": "文件已损坏：请重新导出模型",
    "E0964": "层 '{name}' 是 ONNX 算子 {op}，cnncalc 只读取它的形状：它没有 PyTorch 代码",
    "E0964.hint": "--to mermaid 或 --to dot 可画出该图；--to pytorch 只能写出 ONNX 算子"
    "全是 cnncalc 自有层的网络（Conv、Gemm、MatMul、各种归一化、池化与激活、"
    "Add、Mul、Concat、Resize、Flatten）",
    "W0941": "{count} 个层的权重由导出器计算（BatchNorm 被折叠进卷积，eval 模式导出即如此）："
    "参数量是融合后模型的，少于原模块（每个被折叠的 BatchNorm 每通道少 2 个）",
    "W0941.hint": "以 training=torch.onnx.TrainingMode.TRAINING 和 do_constant_folding=False "
    "导出，可按 PyTorch 的方式计数",
    "W0942": "cnncalc 不认识的算子，按无计算、保持形状读取：{ops}",
}

# 训练内存、`fit`、`--train`
TRAIN: dict[str, str] = {
    "E1001": "训练开销只对浮点激活计算，不支持 '{dtype}'",
    "E1001.hint": "可选：{dtypes}（--dtype）",
    "E1031": "--dtype：'{dtype}' 不是可用于训练的精度",
    "E1031.hint": "可选：{dtypes}（mixed-bf16 与 mixed-fp16 保留 float32 主权重和优化器状态）",
    "E1032": "未知的优化器 '{name}'",
    "E1032.hint": "可选：{options}",
    "E1033": "批大小 1 也放不下：一个训练步需要 {need}（{need_b} 字节；{optimizer}，{dtype}），"
    "而 --memory 只有 {limit}（{limit_b} 字节）",
    "E1033.hint": "仅权重、梯度和优化器状态就占 {weights}（{weights_b} 字节）；"
    "可试 --optimizer sgd 或 momentum、"
    "--dtype mixed-bf16，或冻结部分层（frozen: true）",
    "E1034": "--memory 的值无效：{problem}",
    "E1034.hint": "以字节为单位的大小，例如 --memory 24GiB（或 16GB、512MiB）",
    "E1035": "--dtype {dtype} 是训练精度：需要同时给出 --train",
    "E1035.hint": "加上 --train，或使用 {dtypes} 之一",
    "E1036": "--optimizer 需要同时给出 --train",
    "E1036.hint": "加上 --train 以计算训练步",
    "E1037": "--train 只用于 table 与 json 格式，不支持 {fmt}",
    "E1037.hint": "与 --train 同用时请选 --format table 或 --format json",
    "W1031": "任何批大小都放得进 {limit}：训练步保存的内容不随批大小增长（没有层需要梯度）",
    "W1032": "直到 {batch}（PyTorch 的最大尺寸）的所有批大小都放得进 {limit}",
    "mem.parameters": "参数",
    "mem.buffers": "缓冲区",
    "mem.gradients": "梯度",
    "mem.master_weights": "主权重",
    "mem.optimizer_state": "优化器状态",
    "mem.activations": "保存的激活",
    "mem.transient": "反向临时张量",
    "mem.total": "训练步",
    "mem.w.parameters": "{params} 个参数 × {b} B（{dtype}），冻结的也算",
    "mem.w.buffers": "BatchNorm 的滑动均值与方差（{dtype}）及 int64 计数器：模块状态，不参与学习",
    "mem.w.no_buffers": "无",
    "mem.w.gradients": "每个可训练参数一个 .grad：{trainable} × {b} B",
    "mem.w.master_weights": "每个可训练参数的 float32 副本，由优化器更新：{trainable} × 4 B",
    "mem.w.no_master": "无：优化器直接更新参数本身",
    "mem.w.sgd": "普通 SGD 不保存状态",
    "mem.w.momentum": "每个可训练参数一个动量缓冲：{trainable} × {b} B",
    "mem.w.adam": "exp_avg 与 exp_avg_sq：2 × {trainable} × {b} B，另每个参数张量一个 0 维 "
    "float32 的 step：{tensors} × 4 B",
    "mem.w.activations": "autograd 从前向保存到反向的张量，批大小 {batch}",
    "mem.w.transient": "最大一层在反向时同时存在的输出梯度与输入梯度",
    "mem.w.total": "以上之和，{bytes} 字节：训练步峰值的估计",
    "mem.title": "训练内存  ·  {optimizer}，{dtype}，批大小 {batch}",
    "mem.not_modelled": "未计入：分配器的取整与缓存、cuDNN/cuBLAS 工作区、框架自身的上下文"
    "（CUDA 的约几百 MiB）、输入批数据与损失。请预留余量。",
    "diff.col.old": "旧",
    "diff.col.new": "新",
    "diff.col.layer": "层",
    "diff.col.change": "变化",
    "diff.col.op": "操作",
    "diff.col.output": "输出尺寸",
    "diff.col.params": "参数数量",
    "diff.col.macs": "乘加次数",
    "diff.col.also": "其他变化",
    "diff.change.added": "新增",
    "diff.change.removed": "删除",
    "diff.change.changed": "改变",
    "diff.total.params": "参数数量",
    "diff.total.trainable_params": "可训练参数",
    "diff.total.frozen_params": "冻结参数",
    "diff.total.macs": "乘加次数",
    "diff.total.flops": "浮点运算",
    "diff.total.param_bytes": "参数内存",
    "diff.total.peak_activation_bytes": "峰值激活内存",
    "diff.layers": "新增 {added}，删除 {removed}，改变 {changed}，未变 {unchanged}",
    "diff.layers_line": "层：{counts}",
    "diff.none": "没有差异。",
    "diff.pct_new": "新增",
    "fit.title": "{name}  ·  {optimizer}，{dtype}  ·  {limit}：可容纳批大小 {batch}",
    "fit.next": "批大小 {batch} 需要 {need} 字节（{need_h}），超出 {limit} {over}。",
    "fit.line": "内存(b) = {fixed} + {per} × b 字节（{fixed_h} + 每个样本 {per_h}）",
    "fit.spark": "批大小 1 到 {end}：{spark}（批大小 {batch} 之后超出上限）",
    "fit.svg.batch": "批大小",
    "fit.svg.memory": "内存 (GiB)",
    "fit.svg.limit": "上限 {limit}",
    "fit.svg.title": "{name}：训练内存与批大小（{optimizer}，{dtype}）",
    "train.title": "训练  ·  {optimizer}，{dtype}，批大小 {batch}",
    "train.backward": "反向 FLOPs",
    "train.step_flops": "训练步 FLOPs",
    "train.trainable": "可训练参数",
    "train.w.network_backward": "按 FlopCounterMode 统计 loss.backward()：每层输入与权重的梯度",
    "train.w.step_flops": "前向 {fwd} + 反向 {bwd} = {total}（前向的 {ratio} 倍）",
    "train.w.trainable": "{trainable} 可训练 + {frozen} 冻结 = {params}",
    "train.adam": "Adam 的内存",
    "train.w.adam_triples": "Adam 为每个参数保存两个滑动矩（exp_avg、exp_avg_sq），各与权重一样大："
    "权重 {w} + 矩 {m} = {total}，是权重的 {ratio} 倍（加上梯度为 {with_grads} 倍）；"
    "普通 SGD 不保存，momentum 保存一个",
    "train.l.backward": "反向 MACs",
    "train.l.saved": "为反向保存",
    "train.w.conv_backward": "输入的梯度 {gi} + 权重的梯度 {gw}：各与前向的 {fwd} 相同，"
    "所以约为前向的两倍",
    "train.w.conv_backward_weight": "只有权重的梯度：{gw}（输入不需要梯度：它之前没有可学习的层）",
    "train.w.conv_backward_input": "只有输入的梯度：{gi}（已冻结：没有权重梯度）",
    "train.w.layer_backward": "反向 {macs} MACs（前向 {fwd}）",
    "train.w.no_grad": "不在 autograd 图中：它及之前都没有可学习的参数",
    "train.w.saved_input": "它的输入，用来计算权重梯度（dL/dW = 输入 × dL/d输出）",
    "train.w.saved_relu": "它的输出：输出为正的位置才让梯度通过",
    "train.w.saved_bn": "它的输入，以及每个通道的批均值与逆标准差",
    "train.w.saved_maxpool": "每个窗口最大值的 int64 下标（梯度只流向那里）",
    "train.w.saved_dropout": "它所乘的噪声：被丢弃的位置为零",
    "train.w.saved_input_shared": "它的输入，用于权重梯度：已被之前的层保存，只在那里计一次",
    "train.w.no_macs": "无：它的梯度是逐元素计算的，只有乘积（卷积、线性层、矩阵乘）计为 MACs",
    "train.w.saved_none": "无：梯度原样通过或被分开",
    "train.w.saved_shared": "无新增：所需张量已被保存（只计一次）",
    "train.w.saved": "计算梯度所需的张量",
}

# ---------------------------------------------------------------------------------------------
MESSAGES: dict[str, str] = {**UI, **SHARED, **CLI, **LOADER, **LAYERS, **RULE_DOCS, **TRAIN, **ONNX}
