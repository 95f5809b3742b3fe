"""The Python source of what PyTorch has no class for, written into a generated module once
and only when a layer needs it (`render.pytorch`): ConvNeXt's channel LayerNorm, stochastic
depth, Swin's patch merging and window attention (computing what torchvision's do)."""

CHANNEL_LAYER_NORM = '''
class ChannelLayerNorm(nn.LayerNorm):
    """LayerNorm over the channels at every position (ConvNeXt's LayerNorm2d)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            return super().forward(x)
        return super().forward(x.movedim(1, -1)).movedim(-1, 1)
'''

DROP_PATH = '''
class DropPath(nn.Module):
    """Stochastic depth: in training, zero whole samples ("row") or the whole batch
    ("batch") with probability p and scale the rest by 1 / (1 - p); the identity in eval
    mode."""

    def __init__(self, p: float, mode: str = "row") -> None:
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = 1.0 - self.p
        if self.mode == "row":
            shape = [x.shape[0]] + [1] * (x.dim() - 1)
        else:
            shape = [1] * x.dim()
        noise = torch.empty(shape, dtype=x.dtype, device=x.device).bernoulli_(keep)
        if keep > 0.0:
            noise.div_(keep)
        return x * noise
'''

SPACE_TO_DEPTH = '''
def space_to_depth(x: torch.Tensor, r: int) -> torch.Tensor:
    """Swin's patch merging on a channels-last map: pad to whole r×r blocks, then the
    r×r offsets of every block side by side on the channels, the row offset fastest."""
    h, w = x.shape[-3], x.shape[-2]
    x = nn.functional.pad(x, (0, 0, 0, (-w) % r, 0, (-h) % r))
    parts = [x[..., i::r, j::r, :] for j in range(r) for i in range(r)]
    return torch.cat(parts, -1)
'''

WINDOW_ATTENTION = '''
class ShiftedWindowAttention(nn.Module):
    """Swin's window attention on a channels-last map (N, H, W, C): self-attention
    inside each window_size×window_size window, with a learned relative position bias,
    the windows shifted by shift_size (and the attention masked across the wrap)."""

    def __init__(
        self,
        dim: int,
        window_size: int,
        shift_size: int,
        num_heads: int,
        qkv_bias: bool = True,
        proj_bias: bool = True,
        attention_dropout: float = 0.0,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.window_size = window_size
        self.shift_size = shift_size
        self.num_heads = num_heads
        self.attention_dropout = attention_dropout
        self.dropout = dropout
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim, bias=proj_bias)
        w = window_size
        self.relative_position_bias_table = nn.Parameter(
            torch.zeros((2 * w - 1) * (2 * w - 1), num_heads)
        )
        nn.init.trunc_normal_(self.relative_position_bias_table, std=0.02)
        coords = torch.stack(
            torch.meshgrid(torch.arange(w), torch.arange(w), indexing="ij")
        ).flatten(1)
        relative = coords[:, :, None] - coords[:, None, :]
        relative = relative.permute(1, 2, 0).contiguous()
        relative[:, :, 0] += w - 1
        relative[:, :, 1] += w - 1
        relative[:, :, 0] *= 2 * w - 1
        self.register_buffer("relative_position_index", relative.sum(-1).flatten())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, h, w, c = x.shape
        ws, heads = self.window_size, self.num_heads
        x = nn.functional.pad(x, (0, 0, 0, (ws - w % ws) % ws, 0, (ws - h % ws) % ws))
        _, ph, pw, _ = x.shape
        sh = 0 if ws >= ph else self.shift_size
        sw = 0 if ws >= pw else self.shift_size
        if sh + sw > 0:
            x = torch.roll(x, shifts=(-sh, -sw), dims=(1, 2))
        windows = (ph // ws) * (pw // ws)
        x = x.view(b, ph // ws, ws, pw // ws, ws, c)
        x = x.permute(0, 1, 3, 2, 4, 5).reshape(b * windows, ws * ws, c)
        qkv = self.qkv(x).reshape(x.size(0), x.size(1), 3, heads, c // heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        attn = (q * (c // heads) ** -0.5).matmul(k.transpose(-2, -1))
        bias = self.relative_position_bias_table[self.relative_position_index]
        attn = attn + bias.view(ws * ws, ws * ws, -1).permute(2, 0, 1).unsqueeze(0)
        if sh + sw > 0:
            mask = x.new_zeros((ph, pw))
            rows = ((0, -ws), (-ws, -sh), (-sh, None))
            cols = ((0, -ws), (-ws, -sw), (-sw, None))
            count = 0
            for r in rows:
                for s in cols:
                    mask[r[0] : r[1], s[0] : s[1]] = count
                    count += 1
            mask = mask.view(ph // ws, ws, pw // ws, ws).permute(0, 2, 1, 3)
            mask = mask.reshape(windows, ws * ws)
            mask = mask.unsqueeze(1) - mask.unsqueeze(2)
            mask = mask.masked_fill(mask != 0, -100.0).masked_fill(mask == 0, 0.0)
            attn = attn.view(x.size(0) // windows, windows, heads, x.size(1), x.size(1))
            attn = attn + mask.unsqueeze(1).unsqueeze(0)
            attn = attn.view(-1, heads, x.size(1), x.size(1))
        attn = nn.functional.softmax(attn, dim=-1)
        p = self.attention_dropout
        attn = nn.functional.dropout(attn, p=p, training=self.training)
        x = attn.matmul(v).transpose(1, 2).reshape(x.size(0), x.size(1), c)
        x = nn.functional.dropout(self.proj(x), p=self.dropout, training=self.training)
        x = x.view(b, ph // ws, pw // ws, ws, ws, c).permute(0, 1, 3, 2, 4, 5)
        x = x.reshape(b, ph, pw, c)
        if sh + sw > 0:
            x = torch.roll(x, shifts=(sh, sw), dims=(1, 2))
        return x[:, :h, :w, :].contiguous()
'''
